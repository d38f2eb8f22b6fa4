/**
 * Turning raw per-timestamp anomaly errors into flags, as in TS2Vec's anomaly protocol:
 * moving-average adjustment `(err − MA)/MA` with MA the mean of the previous `maWindow` errors;
 * threshold mean + k·std of the adjusted training errors (normal setting) or of all adjusted
 * errors so far (cold start, expanding window); and suppression of flags within `delay` steps
 * after a flag. Everything is an online state machine (one step per point), and the batch
 * functions run the same machine, so streaming and batch results agree exactly.
 */
import { checkNumber, checkOption } from '../../errors.js';

/** Online `(err − MA)/MA` with MA = mean of the previous `window` errors (NaN until `window` are seen). */
export class MovingAverageAdjuster {
  private readonly ring: Float64Array;
  private count = 0;
  private sum = 0;
  private nonFinite = 0;
  constructor(readonly window = 21) {
    checkNumber('maWindow', window, { min: 1, integer: true });
    this.ring = new Float64Array(window);
  }

  /** Adjusts one raw error and records it. */
  push(err: number): number {
    const w = this.window;
    let out = NaN;
    if (this.count >= w && this.nonFinite === 0) {
      const ma = this.sum / w;
      out = (err - ma) / ma;
    }
    const slot = this.count % w;
    if (this.count >= w) {
      const old = this.ring[slot]!;
      if (Number.isFinite(old)) this.sum -= old; else this.nonFinite--;
    }
    this.ring[slot] = err;
    if (Number.isFinite(err)) this.sum += err; else this.nonFinite++;
    this.count++;
    return out;
  }
}

/** Adjusts a whole error series (see MovingAverageAdjuster). */
export function movingAverageAdjust(err: ArrayLike<number>, window = 21): Float32Array {
  const a = new MovingAverageAdjuster(window);
  return Float32Array.from(err, (e) => a.push(e));
}

/** Mean and (population) std of the finite values of `x`, after skipping the first `skip`. */
export function meanStd(x: ArrayLike<number>, skip = 0): { mean: number; std: number; count: number } {
  let n = 0, s = 0, s2 = 0;
  for (let i = skip; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) continue;
    n++; s += v; s2 += v * v;
  }
  if (n === 0) return { mean: NaN, std: NaN, count: 0 };
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(0, s2 / n - mean * mean)), count: n };
}

/** Flags within `delay` steps after a flag are removed (TS2Vec's sequential rule). */
export class FlagSuppressor {
  private last = -Infinity;
  private i = 0;
  constructor(readonly delay: number) {
    checkNumber('delay', delay, { min: 0, integer: true });
  }

  push(flag: boolean): boolean {
    const i = this.i++;
    const keep = flag && !(i >= this.delay && i - this.last <= this.delay);
    if (keep) this.last = i;
    return keep;
  }
}

/** Applies FlagSuppressor to a whole flag series. */
export function suppressAfterDetection(flags: ArrayLike<number>, delay: number): Uint8Array {
  const s = new FlagSuppressor(delay);
  return Uint8Array.from(flags, (f) => (s.push(f > 0) ? 1 : 0));
}

export interface ThresholdOptions {
  /** threshold = mean + k·std (TS2Vec: 4) */
  k?: number;
  /** steps after a flag during which further flags are dropped (TS2Vec: 7 minutely, 3 hourly) */
  delay?: number;
  /** 'normal': mean/std of the training part; 'coldStart': expanding mean/std of everything seen */
  mode?: 'normal' | 'coldStart';
  /** cold start: no flags until this many finite adjusted scores were seen (TS2Vec: len/10) */
  minWindow?: number;
}

export interface ResolvedThreshold {
  k: number;
  delay: number;
  mode: 'normal' | 'coldStart';
  minWindow: number;
}

export function resolveThreshold(o: ThresholdOptions = {}): ResolvedThreshold {
  const r: ResolvedThreshold = { k: o.k ?? 4, delay: o.delay ?? 7, mode: o.mode ?? 'normal', minWindow: o.minWindow ?? 100 };
  checkNumber('k', r.k, {});
  checkNumber('delay', r.delay, { min: 0, integer: true });
  checkNumber('minWindow', r.minWindow, { min: 1, integer: true });
  checkOption(r.mode === 'normal' || r.mode === 'coldStart', `threshold mode must be 'normal' or 'coldStart', got '${String(r.mode)}'`);
  return r;
}

/**
 * Online standardisation + flagging of adjusted scores. In the normal setting `(mean, std)` come
 * from the training part; in cold start they are the expanding statistics of all finite scores
 * seen so far, the current one included (bottleneck move_mean/move_std over the whole length).
 */
export class ThresholdState {
  private n = 0;
  private s = 0;
  private s2 = 0;
  private readonly suppressor: FlagSuppressor;
  /** `post`: an optional streaming transform of the standardised score (e.g. the anomaly likelihood) that the flag rule then sees. */
  constructor(readonly opts: ResolvedThreshold, private readonly trainStats?: { mean: number; std: number }, private readonly post?: { push(z: number): number }) {
    this.suppressor = new FlagSuppressor(opts.delay);
  }

  /** Returns the standardised score `(x − mean)/std` (NaN when undefined; passed through `post` when set) and the flag `z > k` after suppression. */
  push(x: number): { z: number; flag: boolean } {
    let mean: number, std: number;
    if (this.opts.mode === 'coldStart') {
      if (Number.isFinite(x)) { this.n++; this.s += x; this.s2 += x * x; }
      if (this.n >= this.opts.minWindow) {
        mean = this.s / this.n; std = Math.sqrt(Math.max(0, this.s2 / this.n - mean * mean));
      } else { mean = NaN; std = NaN; }
    } else {
      mean = this.trainStats?.mean ?? NaN; std = this.trainStats?.std ?? NaN;
    }
    let z = Number.isFinite(x) && Number.isFinite(mean) ? (std > 0 ? (x - mean) / std : (x > mean ? Infinity : 0)) : NaN;
    if (this.post) z = this.post.push(z);
    const raw = z > this.opts.k; // NaN > k is false
    return { z, flag: this.suppressor.push(raw) };
  }
}
