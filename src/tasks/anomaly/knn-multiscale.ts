/**
 * k-NN non-conformity at several time scales at once: one KnnScorer per scale, each on its own
 * view of the series (raw steps, or the means of `block`-step blocks over a longer span). The
 * scorer has one output per scale; the detector standardises each against its own history and
 * flags the largest (detector.ts), so a window that is ordinary at one scale but never seen at
 * another is still caught. A scale's exceedance flags only after that scale stayed below the
 * threshold for its span: a long window keeps an event for its whole span, and one event should
 * flag once.
 *
 * The default pair is a 30-step window of raw steps (knn's default) and 48 means of 6-step
 * blocks (288 steps: one day of NAB's 5-minute data), each with k 10 and 750 reference windows.
 * The short scale sees spikes and short shape changes; the long one sees a day that lacks its
 * usual pattern (a missing daily jump, a flattened peak), which no 30-step window can tell
 * from an ordinary stretch. On NAB (experiments/results/nab/results.md) the pair with HTM's
 * likelihood and spatial rule scores about 4 points above the short scale alone.
 */
import { TsreprError } from '../../errors.js';
import type { RawScorer, Series } from './detector.js';
import { seriesLength } from './detector.js';
import { KnnScorer, type KnnScorerOptions } from './knn.js';

/** The default scales; each is scored once a tenth of its reference pool (75 windows) is there. */
export const DEFAULT_KNN_SCALES: readonly KnnScorerOptions[] = [
  { window: 30, k: 10, reference: 750, minReference: 75 },
  { window: 48, block: 6, k: 10, reference: 750, minReference: 75 },
];

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
