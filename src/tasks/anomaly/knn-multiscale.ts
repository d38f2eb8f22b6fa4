/**
 * k-NN non-conformity at several time scales at once: one KnnScorer per scale, each on its own
 * view of the series (raw steps, or the means of `block`-step blocks over a longer span). The
 * scorer has one output per scale; the detector standardises each against its own history and
 * flags the largest (detector.ts) or, with `combine: 'fisher'`, the scales' Fisher combination
 * (threshold.ts), so a window that is ordinary at one scale but never seen at another is still
 * caught. A scale's exceedance flags only after that scale stayed below the
 * threshold for its span: a long window keeps an event for its whole span, and one event should
 * flag once.
 *
 * The default pair is a 30-step window of raw steps (knn's default) and 48 means of 6-step
 * blocks (288 steps: one day of NAB's 5-minute data), each with k 10 and 750 reference windows.
 * The short scale sees spikes and short shape changes; the long one sees a day that lacks its
 * usual pattern (a missing daily jump, a flattened peak), which no 30-step window can tell
 * from an ordinary stretch. {@link knnScalesForInterval} writes the pair in time (150 minutes
 * and one day) for other sampling intervals. On NAB (experiments/results/nab/results.md) the
 * pair, written in time, with HTM's likelihood (history clamped at 15 σ), the spatial rule and
 * the Fisher combination scores 75.2 (74.2 with the maximum), against 67.9 for the short scale
 * alone (knn-spatial: NuPIC's history, spatial rule).
 */
import { TsreprError, checkNumber } from '../../errors.js';
import type { RawScorer, Series } from './detector.js';
import { seriesLength } from './detector.js';
import { KnnScorer, type KnnScorerOptions } from './knn.js';

/** The default scales; each is scored once a tenth of its reference pool (75 windows) is there. */
export const DEFAULT_KNN_SCALES: readonly KnnScorerOptions[] = [
  { window: 30, k: 10, reference: 750, minReference: 75 },
  { window: 48, block: 6, k: 10, reference: 750, minReference: 75 },
];

/** Sampling interval the default scales are written for: 5 minutes (most of NAB), in ms. */
export const DEFAULT_SCALE_INTERVAL_MS = 300_000;
/** Shortest window (in samples) {@link knnScalesForInterval} gives the short scale of a coarsely sampled series. */
export const MIN_SHORT_WINDOW = 8;

/**
 * The default scales written in time rather than in samples, for a series sampled every
 * `intervalMs`: the short scale covers what 30 steps of 5-minute data cover (150 minutes; at
 * least {@link MIN_SHORT_WINDOW} samples, at most 30 raw samples, so a finely sampled series
 * keeps the 30-step window), the long scale one day as 48 block means (blocks of
 * `round(day / 48 / interval)` samples, at least 1; fewer blocks when a day has fewer than 48
 * samples). On 5-minute data this is exactly {@link DEFAULT_KNN_SCALES}; on hourly data it is
 * 8 raw samples and 24 raw samples (one day). k, reference pool and minReference stay as in the
 * defaults. Pass the series' typical interval ({@link medianInterval} of its timestamps).
 */
export function knnScalesForInterval(intervalMs: number): KnnScorerOptions[] {
  checkNumber('intervalMs', intervalMs, { min: 0, exclusiveMin: true });
  const [short, long] = DEFAULT_KNN_SCALES as [KnnScorerOptions, KnnScorerOptions];
  const perDay = Math.max(1, Math.round(86_400_000 / intervalMs));
  const shortWindow = Math.max(MIN_SHORT_WINDOW, Math.min(short.window!, Math.round((short.window! * DEFAULT_SCALE_INTERVAL_MS) / intervalMs)));
  return [
    { ...short, window: shortWindow },
    { ...long, window: Math.min(long.window!, perDay), block: Math.max(1, Math.round(perDay / long.window!)) },
  ];
}

/** The median step between consecutive timestamps (any unit; NaN with fewer than two). */
export function medianInterval(timestamps: ArrayLike<number>): number {
  const d: number[] = [];
  for (let i = 1; i < timestamps.length; i++) d.push(timestamps[i]! - timestamps[i - 1]!);
  if (d.length === 0) return NaN;
  d.sort((a, b) => a - b);
  return d[d.length >> 1]!;
}

export class MultiScaleKnnScorer implements RawScorer {
  readonly name = 'knn-multiscale';
  readonly scales: readonly KnnScorer[];

  constructor(scales: readonly KnnScorerOptions[] = DEFAULT_KNN_SCALES) {
    if (!Array.isArray(scales) || scales.length === 0) throw new TsreprError('BAD_OPTION', 'knn-multiscale needs at least one scale (a list of knn options: window, block, k, reference, lag, metric)');
    this.scales = scales.map((o) => new KnnScorer(o));
  }

  get outputs(): number {
    return this.scales.length;
  }

  /** each scale's span: a scale flags an event once, not again while the event is still in its window */
  get refractory(): number[] {
    return this.scales.map((s) => s.span);
  }

  get context(): number {
    return Math.max(...this.scales.map((s) => s.context));
  }

  async fit(train: Series): Promise<void> {
    for (const s of this.scales) await s.fit(train);
  }

  /** `[(T − start)·S]`: step t's scores at every scale, step-major. */
  async scoreRange(s: Series, start: number): Promise<Float32Array> {
    const n = Math.max(0, seriesLength(s) - start), S = this.scales.length;
    const out = new Float32Array(n * S);
    for (let o = 0; o < S; o++) {
      const r = await this.scales[o]!.scoreRange(s, start);
      for (let i = 0; i < n; i++) out[i * S + o] = r[i]!;
    }
    return out;
  }
}
