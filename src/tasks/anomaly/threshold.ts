/**
 * Turning raw per-timestamp anomaly errors into flags, as in TS2Vec's anomaly protocol:
 * moving-average adjustment `(err − MA)/MA` with MA the mean of the previous `maWindow` errors;
 * threshold mean + k·std of the adjusted training errors (normal setting) or of all adjusted
 * errors so far (cold start, expanding window); and suppression of flags within `delay` steps
 * after a flag. Everything is an online state machine (one step per point), and the batch
 * functions run the same machine, so streaming and batch results agree exactly.
 */
import { checkNumber, checkOption } from '../../errors.js';
import { gaussianTail } from './likelihood.js';

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

  /**
   * Takes one step's flag; true when it is kept. `exempt`: keep this flag even within the delay
   * (it still starts a new delay).
   */
  push(flag: boolean, exempt = false): boolean {
    const i = this.i++;
    const keep = flag && (exempt || !(i >= this.delay && i - this.last <= this.delay));
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
  /**
   * how a scorer with several outputs (one per scale) makes one step score: 'max' (default) the
   * largest standardised score; 'fisher' Fisher's combination of their p-values
   * ({@link fisherCombine}), so that a step moderately unusual at every scale can outweigh one
   * extreme at a single scale. 'fisher' reads the scores as σ units (standardised scores, or the
   * likelihood's 'deviation' output). One-output scorers: both give the score itself (a score
   * ≤ 0 counts as 0 under 'fisher').
   */
  combine?: 'max' | 'fisher';
}

export interface ResolvedThreshold {
  k: number;
  delay: number;
  mode: 'normal' | 'coldStart';
  minWindow: number;
  combine: 'max' | 'fisher';
}

function checkCombine(combine: unknown): void {
  checkOption(combine === 'max' || combine === 'fisher', `combine must be 'max' or 'fisher', got '${String(combine)}'`);
}

export function resolveThreshold(o: ThresholdOptions = {}): ResolvedThreshold {
  const r: ResolvedThreshold = { k: o.k ?? 4, delay: o.delay ?? 7, mode: o.mode ?? 'normal', minWindow: o.minWindow ?? 100, combine: o.combine ?? 'max' };
  checkCombine(r.combine);
  checkNumber('k', r.k, {});
  checkNumber('delay', r.delay, { min: 0, integer: true });
  checkNumber('minWindow', r.minWindow, { min: 1, integer: true });
  checkOption(r.mode === 'normal' || r.mode === 'coldStart', `threshold mode must be 'normal' or 'coldStart', got '${String(r.mode)}'`);
  return r;
}

/** log Q(z), the log upper Gaussian tail, accurate far in the tail (asymptotic series beyond z = 30, where Q underflows to 0 near z = 38). */
export function logGaussianTail(z: number): number {
  if (z === Infinity) return -Infinity;
  if (z < 30) return Math.log(gaussianTail(z));
  return -z * z / 2 - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log1p(-1 / (z * z));
}

/**
 * Fisher's method on the steps' scores in σ units: each finite score z ≥ 0 is read as the
 * two-sided Gaussian p-value `p = 2·Q(z)` (the likelihood's deviation is |x − μ|/σ; a score ≤ 0
 * gives p = 1), `X = −2·Σ log p` is χ² with 2n degrees of freedom under independence (n finite
 * scores), and the result is the score whose two-sided p-value is X's tail
 * `e^{−X/2}·Σ_{i<n} (X/2)^i / i!`. One finite score comes back as itself (0 if negative); two
 * scores of 4 σ give about 5.0 σ; 5 σ and 0 give about 4.6 σ (a single-scale event counts a
 * little less than under the maximum). +∞ if any score is +∞; NaN if none is finite or +∞.
 */
export function fisherCombine(z: ArrayLike<number>): number {
  let n = 0, logP = 0;
  for (let i = 0; i < z.length; i++) {
    const v = z[i]!;
    if (v === Infinity) return Infinity;
    if (!Number.isFinite(v)) continue;
    n++;
    if (v > 0) logP += Math.min(0, Math.LN2 + logGaussianTail(v));
  }
  if (n === 0) return NaN;
  const half = -logP; // X/2
  let term = 1, sum = 1;
  for (let i = 1; i < n; i++) { term *= half / i; sum += term; }
  const logS = -half + Math.log(sum);
  if (!(logS < 0)) return 0;
  // invert f(z) = log(2Q(z)) − logS = 0 by Newton's method from z = sqrt(−2·logS), which lies at or
  // beyond the root (2Q(z) ≤ e^{−z²/2}); f is concave and decreasing (Q is log-concave), so the
  // iterates decrease monotonically to the root without overshooting
  let r = Math.sqrt(-2 * logS);
  for (let it = 0; it < 100; it++) {
    const f = Math.LN2 + logGaussianTail(r) - logS;
    if (!(f < 0)) break; // at the root (or rounding put it on the other side)
    const slope = -Math.exp(-r * r / 2 - 0.5 * Math.log(2 * Math.PI) - logGaussianTail(r)); // d log Q / dz = −φ/Q
    const next = r - f / slope;
    if (!(next < r) || r - next <= 1e-13 * r) { r = Math.max(0, next); break; }
    r = next;
  }
  return Math.max(0, r);
}

/** In place: the largest non-NaN score of one step (the first on ties) is replaced by the step's {@link fisherCombine}; one output or none non-NaN: unchanged. */
function carryFisher(zs: Float64Array): void {
  if (zs.length < 2) return;
  let top = -1;
  for (let o = 0; o < zs.length; o++) if (!Number.isNaN(zs[o]!) && (top < 0 || zs[o]! > zs[top]!)) top = o;
  if (top >= 0) zs[top] = fisherCombine(zs);
}

/**
 * The per-output scores `[T·S]` (step-major) that the flag rule of `combine` compares with k:
 * under 'max' a copy of `z`; under 'fisher' each step's largest output carries the step's
 * Fisher combination. `flagScores(combineOutputs(z, S, c), {…, combine: 'max'})` gives the same
 * flags as `flagScores(z, {…, combine: c})`, so a threshold search can combine once and
 * re-threshold many times.
 */
export function combineOutputs(z: ArrayLike<number>, outputs: number, combine: 'max' | 'fisher'): Float64Array {
  checkNumber('outputs', outputs, { min: 1, integer: true });
  const T = z.length / outputs;
  checkOption(Number.isInteger(T), `combineOutputs: ${z.length} scores are not a multiple of ${outputs} outputs`);
  checkCombine(combine);
  const out = Float64Array.from(z), step = new Float64Array(outputs);
  if (combine === 'max') return out;
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < outputs; o++) step[o] = out[t * outputs + o]!;
    carryFisher(step);
    out.set(step, t * outputs);
  }
  return out;
}

/**
 * Online standardisation + flagging of adjusted scores. In the normal setting `(mean, std)` come
 * from the training part; in cold start they are the expanding statistics of all finite scores
 * seen so far, the current one included (bottleneck move_mean/move_std over the whole length).
 *
 * A scorer with several outputs per step (e.g. one per scale) has one set of statistics and one
 * `post` stage per output: each output is standardised (and post-processed) on its own, and the
 * step's score is their maximum (over the finite ones; NaN when none is). With `combine`
 * 'fisher', the output with the largest score instead carries the outputs' Fisher combination
 * ({@link fisherCombine}) and the others keep their own; the step's score is again the largest.
 * With `refractory`, an output's exceedance of k flags only when that output stayed at or below
 * k for the previous `refractory[o]` steps: a window of length w holds an event for w steps, and
 * one event should flag once (under 'fisher' the combined score counts for the output that
 * carries it).
 */
export class ThresholdState {
  private readonly outputs: number;
  private readonly n: Float64Array;
  private readonly s: Float64Array;
  private readonly s2: Float64Array;
  private readonly stats?: readonly { mean: number; std: number }[];
  private readonly posts?: readonly { push(z: number): number }[];
  private readonly refractory?: readonly number[];
  private readonly lastAbove: Float64Array;
  private step = 0;
  private readonly zs: Float64Array;
  private readonly suppressor: FlagSuppressor;
  /**
   * `trainStats`: one `{mean, std}` per output (normal setting); `post`: an optional streaming
   * transform per output of the standardised score (e.g. the anomaly likelihood) that the flag
   * rule then sees. A single object stands for a one-output scorer. `outputs` (default: the
   * length of those lists, else 1); `refractory`: steps per output (see above).
   */
  constructor(
    readonly opts: ResolvedThreshold,
    trainStats?: { mean: number; std: number } | readonly { mean: number; std: number }[],
    post?: { push(z: number): number } | readonly { push(z: number): number }[],
    extra: { outputs?: number; refractory?: readonly number[] } = {},
  ) {
    const outputs = extra.outputs ?? (Array.isArray(trainStats) ? trainStats.length : Array.isArray(post) ? post.length : 1);
    checkNumber('outputs', outputs, { min: 1, integer: true });
    this.outputs = outputs;
    this.stats = trainStats === undefined ? undefined : Array.isArray(trainStats) ? trainStats : [trainStats as { mean: number; std: number }];
    this.posts = post === undefined ? undefined : Array.isArray(post) ? post : [post as { push(z: number): number }];
    checkOption(!this.stats || this.stats.length === outputs, `threshold statistics for ${this.stats?.length} outputs, scorer has ${outputs}`);
    checkOption(!this.posts || this.posts.length === outputs, `post stages for ${this.posts?.length} outputs, scorer has ${outputs}`);
    if (extra.refractory) {
      checkOption(extra.refractory.length === outputs, `refractory periods for ${extra.refractory.length} outputs, scorer has ${outputs}`);
      for (const r of extra.refractory) checkNumber('refractory', r, { min: 0, integer: true });
      this.refractory = extra.refractory;
    }
    this.lastAbove = new Float64Array(outputs).fill(-Infinity);
    this.zs = new Float64Array(outputs);
    this.n = new Float64Array(outputs); this.s = new Float64Array(outputs); this.s2 = new Float64Array(outputs);
    this.suppressor = new FlagSuppressor(opts.delay);
  }

  /**
   * Takes one step's adjusted score (or one per output) and returns the standardised score
   * `(x − mean)/std` (NaN when undefined; passed through `post` when set; the maximum over
   * outputs) and the flag `z > k` (subject to the refractory rule) after suppression. `force`:
   * flag this step whatever its score (z = +∞; e.g. the spatial rule), even within the `delay`
   * after an earlier flag (a forced flag still starts a new delay). The delay exists so that one
   * event's run of high scores flags once; a forced step is evidence of its own (HTM's spatial
   * rule sets the final score to 1, which NAB's numenta detector never suppresses), and the
   * spatial rule cannot repeat on one level because each flagged value widens the range.
   * `perOutput` receives each output's standardised (post-processed) score.
   */
  push(x: number | ArrayLike<number>, force = false, perOutput?: { [o: number]: number }): { z: number; flag: boolean } {
    const t = this.step++;
    const zs = this.zs;
    for (let o = 0; o < this.outputs; o++) {
      const z = this.standardise(o, typeof x === 'number' ? x : x[o]!);
      zs[o] = z;
      if (perOutput) perOutput[o] = z;
    }
    if (this.opts.combine === 'fisher') carryFisher(zs);
    let best = NaN, above = false;
    for (let o = 0; o < this.outputs; o++) {
      const z = zs[o]!;
      if (z > best || (Number.isNaN(best) && !Number.isNaN(z))) best = z;
      if (z > this.opts.k) { // NaN > k is false
        if (!this.refractory || t - this.lastAbove[o]! > this.refractory[o]!) above = true;
        this.lastAbove[o] = t;
      }
    }
    const z = force ? Infinity : best;
    return { z, flag: this.suppressor.push(force || above, force) };
  }

  private standardise(o: number, x: number): number {
    let mean: number, std: number;
    if (this.opts.mode === 'coldStart') {
      if (Number.isFinite(x)) { this.n[o] = this.n[o]! + 1; this.s[o] = this.s[o]! + x; this.s2[o] = this.s2[o]! + x * x; }
      if (this.n[o]! >= this.opts.minWindow) {
        mean = this.s[o]! / this.n[o]!; std = Math.sqrt(Math.max(0, this.s2[o]! / this.n[o]! - mean * mean));
      } else { mean = NaN; std = NaN; }
    } else {
      mean = this.stats?.[o]?.mean ?? NaN; std = this.stats?.[o]?.std ?? NaN;
    }
    const z = Number.isFinite(x) && Number.isFinite(mean) ? (std > 0 ? (x - mean) / std : (x > mean ? Infinity : 0)) : NaN;
    return this.posts ? this.posts[o]!.push(z) : z;
  }
}

/**
 * The flags of already standardised (and post-processed) scores `z` `[T·S]` (S outputs,
 * step-major) at threshold k: the same rule as a detector's (maximum or `combine` over outputs, refractory
 * periods, forced steps exempt from the suppression for `delay` steps), for re-thresholding stored scores.
 */
export function flagScores(z: ArrayLike<number>, o: { k: number; delay: number; outputs?: number; refractory?: readonly number[]; forced?: ArrayLike<number>; combine?: 'max' | 'fisher' }): Uint8Array {
  const S = o.outputs ?? 1, T = z.length / S;
  checkOption(Number.isInteger(T), `flagScores: ${z.length} scores are not a multiple of ${S} outputs`);
  const st = new ThresholdState(resolveThreshold({ k: o.k, delay: o.delay, combine: o.combine }), Array.from({ length: S }, () => ({ mean: 0, std: 1 })), undefined, { outputs: S, refractory: o.refractory });
  const step = new Float64Array(S), flags = new Uint8Array(T);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < S; j++) step[j] = z[t * S + j]!;
    flags[t] = st.push(step, Boolean(o.forced?.[t])).flag ? 1 : 0;
  }
  return flags;
}
