/**
 * Anomaly likelihood: the score post-processing of Numenta's HTM detector (Ahmad et al. 2017,
 * "Unsupervised real-time anomaly detection for streaming data", §3.2), applied to any raw
 * score stream. The raw scores' distribution is modelled as a Gaussian over a long history
 * window; the mean of the last few raw scores is compared with it, and the likelihood is
 * `1 − Q((shortMean − μ) / σ)` (Q: the Gaussian tail), two-sided like NuPIC's
 * `tailProbability`. The log form `log(1.0000000001 − L) / log(1e−10)` spreads the values
 * near 1 over [0, 1], as NAB's numenta detector reports them.
 *
 * Causal: the value at t uses raw scores up to t only, so it can run on a stream. During the
 * first `learningPeriod` steps there is no history yet and the likelihood is 0.5.
 */
import { TsreprError, checkNumber } from '../../errors.js';

export interface LikelihoodOptions {
  /** raw scores the short-term mean averages (NuPIC: 10) */
  averagingWindow?: number;
  /** history the Gaussian is fitted on, in steps (NuPIC: 8640) */
  historicWindow?: number;
  /** finite scores before the first judgement; until then the likelihood is 0.5 (deviation 0) (default 288) */
  learningPeriod?: number;
  /** re-estimate μ, σ every this many steps (NuPIC: 100; 1 = every step) */
  reestimationPeriod?: number;
  /** lower bound on σ, relative to the history's mean absolute value (default 1e-3) */
  minRelativeStd?: number;
  /**
   * winsorised history (off by default, as in NuPIC): once a step is judged, its average joins the
   * history clamped to `μ ± historyClip·σ` of the current fit. Without it, one extreme score (a
   * spike 1000σ out) inflates σ for the whole history window, and later events of the same
   * kind look ordinary; with it, that score counts as a `historyClip`-σ one. A positive number
   * of σ (knn-multiscale on NAB: 15).
   */
  historyClip?: number;
  /**
   * 'log' (default): NAB's log-scaled likelihood in [0, 1]; 'likelihood': L itself; 'deviation':
   * |shortMean − μ| / σ, which orders the steps like L but does not saturate at 1 in floating
   * point (thresholds far in the tail stay distinguishable).
   */
  output?: 'log' | 'likelihood' | 'deviation';
}

/** Upper Gaussian tail Q(z) = P(N(0,1) > z), from erfc (Numerical Recipes' Chebyshev fit, |ε| < 1.2e-7). */
export function gaussianTail(z: number): number {
  const x = z / Math.SQRT2, t = 1 / (1 + 0.5 * Math.abs(x));
  const erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return 0.5 * (x >= 0 ? erfc : 2 - erfc);
}

/**
 * Streaming anomaly likelihood: `push(raw)` returns the value for that step from the scores seen
 * so far (bounded memory: the history window). NaN/Inf raw scores give NaN and are skipped.
 */
export class AnomalyLikelihood {
  private readonly avgW: number;
  private readonly histW: number;
  private readonly learn: number;
  private readonly every: number;
  private readonly minRel: number;
  private readonly output: NonNullable<LikelihoodOptions['output']>;
  private readonly clip: number;
  private readonly recent: number[] = [];
  private recentSum = 0;
  private readonly hist: Float64Array;
  private histLen = 0;
  private histPos = 0;
  private histSum = 0;
  private histSq = 0;
  private histAbs = 0;
  private mu = 0;
  private sigma = 1;
  private seen = 0;
  private sinceEstimate: number;

  constructor(opts: LikelihoodOptions = {}) {
    this.avgW = opts.averagingWindow ?? 10;
    this.histW = opts.historicWindow ?? 8640;
    this.learn = opts.learningPeriod ?? 288;
    this.every = opts.reestimationPeriod ?? 100;
    this.minRel = opts.minRelativeStd ?? 1e-3;
    this.output = opts.output ?? 'log';
    this.clip = opts.historyClip ?? Infinity;
    checkNumber('averagingWindow', this.avgW, { min: 1, integer: true });
    checkNumber('historicWindow', this.histW, { min: 2, integer: true });
    checkNumber('learningPeriod', this.learn, { min: 0, integer: true });
    checkNumber('reestimationPeriod', this.every, { min: 1, integer: true });
    checkNumber('minRelativeStd', this.minRel, { min: 0 });
    if (opts.historyClip !== undefined) checkNumber('historyClip', opts.historyClip, { min: 0, exclusiveMin: true });
    if (!['log', 'likelihood', 'deviation'].includes(this.output)) throw new TsreprError('BAD_OPTION', `likelihood output must be log, likelihood or deviation, got '${String(this.output)}'`);
    this.hist = new Float64Array(this.histW);
    this.sinceEstimate = this.every;
  }

  push(raw: number): number {
    if (!Number.isFinite(raw)) return NaN;
    this.recent.push(raw); this.recentSum += raw;
    if (this.recent.length > this.avgW) this.recentSum -= this.recent.shift()!;
    const avg = this.recentSum / this.recent.length;
    this.seen++;
    let dev = 0, kept = avg;
    if (this.seen > this.learn && this.histLen >= 2) {
      if (this.sinceEstimate >= this.every) this.estimate();
      this.sinceEstimate++;
      dev = Math.abs(avg - this.mu) / this.sigma;
      if (dev > this.clip) kept = this.mu + Math.sign(avg - this.mu) * this.clip * this.sigma;
    }
    // the current average joins the history after it was judged (clamped with historyClip)
    const h = this.hist;
    if (this.histLen === this.histW) { const old = h[this.histPos]!; this.histSum -= old; this.histSq -= old * old; this.histAbs -= Math.abs(old); } else this.histLen++;
    h[this.histPos] = kept; this.histSum += kept; this.histSq += kept * kept; this.histAbs += Math.abs(kept);
    this.histPos = (this.histPos + 1) % this.histW;
    if (this.output === 'deviation') return dev;
    const likelihood = 1 - gaussianTail(dev);
    return this.output === 'likelihood' ? likelihood : Math.log(1.0000000001 - likelihood) / Math.log(1e-10);
  }

  private estimate(): void {
    const n = this.histLen;
    this.mu = this.histSum / n;
    const variance = Math.max(this.histSq / n - this.mu * this.mu, 0);
    this.sigma = Math.max(Math.sqrt(variance), this.minRel * (Math.max(this.histAbs, 0) / n), 1e-12);
    this.sinceEstimate = 0;
  }
}

/** Per-step anomaly likelihood of a whole raw score series (NaN in, NaN out); see {@link AnomalyLikelihood}. */
export function anomalyLikelihood(raw: ArrayLike<number>, opts: LikelihoodOptions = {}): Float32Array {
  const state = new AnomalyLikelihood(opts);
  return Float32Array.from({ length: raw.length }, (_, t) => state.push(raw[t]!));
}
