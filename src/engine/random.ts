/**
 * Seeded randomness. Every random draw in tsrepr (weight init, crops, masks, dropout,
 * shuffling, missingness injection) goes through an `Rng`, so a run is reproducible from its
 * seed. The generator is xoshiro128**, seeded through splitmix32.
 */
export class Rng {
  private s0: number; private s1: number; private s2: number; private s3: number;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    let x = (seed >>> 0) ^ 0x9e3779b9;
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
  }

  /** uniform 32-bit unsigned integer */
  nextUint32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** uniform in [0, 1) */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** uniform float in [lo, hi) */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.random();
  }

  /** integer in [lo, hi) (numpy `randint` convention: upper bound exclusive) */
  int(lo: number, hi: number): number {
    if (hi <= lo) throw new RangeError(`Rng.int: empty range [${lo}, ${hi})`);
    return lo + Math.floor(this.random() * (hi - lo));
  }

  /** standard normal (Box–Muller) */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal; this.spareNormal = null; return mean + std * v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** true with probability p */
  bernoulli(p: number): boolean {
    return this.random() < p;
  }

  /** Float32Array of uniform draws in [lo, hi) */
  uniformArray(n: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.random();
    return out;
  }

  /** Float32Array of normal draws */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** in-place Fisher–Yates shuffle */
  shuffle<T>(arr: T[] | Int32Array | Uint32Array | Float32Array): typeof arr {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const tmp = arr[i]!; arr[i] = arr[j]!; arr[j] = tmp;
    }
    return arr;
  }

  /** a random permutation of 0..n-1 */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p) as Int32Array;
  }

  /** a 31-bit seed for tfjs ops that take one, drawn from this stream */
  seed(): number {
    return this.nextUint32() & 0x7fffffff;
  }

  /** a child generator with an independent stream (e.g. one per component) */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }

  /** generator state, for checkpoints */
  getState(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  setState(s: readonly number[]): void {
    if (s.length !== 4) throw new RangeError('Rng.setState needs 4 words');
    [this.s0, this.s1, this.s2, this.s3] = s as [number, number, number, number];
    this.spareNormal = null;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
