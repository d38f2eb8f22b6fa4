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
import { checkNumber } from '../../errors.js';

export interface LikelihoodOptions {
  /** raw scores the short-term mean averages (NuPIC: 10) */
  averagingWindow?: number;
  /** history the Gaussian is fitted on, in steps (NuPIC: 8640) */
  historicWindow?: number;
  /** steps before the first estimate; 0.5 is returned until then (default 288) */
  learningPeriod?: number;
  /** re-estimate μ, σ every this many steps (NuPIC: 100; 1 = every step) */
  reestimationPeriod?: number;
  /** lower bound on σ, relative to the history's mean absolute value (default 1e-3) */
  minRelativeStd?: number;
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

/** Per-step anomaly likelihood of a raw score stream (NaN raw scores are skipped: the output is NaN there). */
export function anomalyLikelihood(raw: ArrayLike<number>, opts: LikelihoodOptions = {}): Float32Array {
  const avgW = opts.averagingWindow ?? 10, histW = opts.historicWindow ?? 8640, learn = opts.learningPeriod ?? 288;
  const every = opts.reestimationPeriod ?? 100, minRel = opts.minRelativeStd ?? 1e-3, output = opts.output ?? 'log';
  checkNumber('averagingWindow', avgW, { min: 1, integer: true });
  checkNumber('historicWindow', histW, { min: 2, integer: true });
  checkNumber('learningPeriod', learn, { min: 0, integer: true });
  checkNumber('reestimationPeriod', every, { min: 1, integer: true });
  checkNumber('minRelativeStd', minRel, { min: 0 });
  const n = raw.length, out = new Float32Array(n);
  // moving average of the last avgW finite raw scores, and the history of those averages
  const recent: number[] = [];
  let recentSum = 0;
  const hist = new Float64Array(histW);
  let histLen = 0, histPos = 0, histSum = 0, histSq = 0;
  let mu = 0, sigma = 1, seen = 0, sinceEstimate = every;
  for (let t = 0; t < n; t++) {
    const r = raw[t]!;
    if (!Number.isFinite(r)) { out[t] = NaN; continue; }
    recent.push(r); recentSum += r;
    if (recent.length > avgW) recentSum -= recent.shift()!;
    const avg = recentSum / recent.length;
    seen++;
    let dev = 0;
    if (seen > learn && histLen >= 2) {
      if (sinceEstimate >= every) {
        mu = histSum / histLen;
        const variance = Math.max(histSq / histLen - mu * mu, 0);
        let meanAbs = 0;
        for (let i = 0; i < histLen; i++) meanAbs += Math.abs(hist[i]!);
        sigma = Math.max(Math.sqrt(variance), minRel * (meanAbs / histLen), 1e-12);
        sinceEstimate = 0;
      }
      sinceEstimate++;
      dev = Math.abs(avg - mu) / sigma;
    }
    const likelihood = 1 - gaussianTail(dev);
    out[t] = output === 'deviation' ? dev : output === 'likelihood' ? likelihood : Math.log(1.0000000001 - likelihood) / Math.log(1e-10);
    // the current average joins the history after it was judged
    if (histLen === histW) { const old = hist[histPos]!; histSum -= old; histSq -= old * old; } else histLen++;
    hist[histPos] = avg; histSum += avg; histSq += avg * avg;
    histPos = (histPos + 1) % histW;
  }
  return out;
}
