/**
 * One interface for every anomaly detector: `fit(train)`, `score(series)`, `detect(series)` and
 * `stream()` for points that arrive one batch at a time. A detector is a raw scorer (what differs
 * between methods: a rolling z-score, TS2Vec's masked-vs-unmasked representation difference, a
 * reconstruction error) followed by the shared post-processing of threshold.ts.
 *
 * A series is `{ values, channels }` with `values` `[T·C]` channels-last (NaN = missing).
 */
import type { ProgressCallback } from '../../engine/progress.js';
import { TsreprError } from '../../errors.js';
import { AnomalyLikelihood, type LikelihoodOptions } from './likelihood.js';
import { MovingAverageAdjuster, ThresholdState, meanStd, resolveThreshold, type ResolvedThreshold, type ThresholdOptions } from './threshold.js';

/** A multivariate series, channels-last `[T·C]`. */
export interface Series {
  values: Float32Array;
  channels: number;
}

export function seriesLength(s: Series): number {
  return Math.floor(s.values.length / s.channels);
}

/** Copies steps `[from, to)` of a series. */
export function sliceSeries(s: Series, from: number, to: number): Series {
  return { values: s.values.slice(from * s.channels, to * s.channels), channels: s.channels };
}

export interface ScorerFitOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/**
 * The method-specific part of a detector. `scoreRange(values, start)` must return, for each step
 * t in `[start, T)`, a raw error that depends only on steps `[t − context, t]` of `values` (a
 * causal window; steps before 0 count as missing). That rule is what makes streaming exact.
 */
export interface RawScorer {
  readonly name: string;
  /** past steps each score may look at (besides the current one) */
  readonly context: number;
  /** learns from the training part (model training, normalisation statistics) */
  fit(train: Series, opts?: ScorerFitOptions): Promise<void>;
  /** raw errors `[T − start]` for the steps `[start, T)` of `values` */
  scoreRange(values: Series, start: number, opts?: { onProgress?: ProgressCallback }): Promise<Float32Array>;
  dispose?(): void;
}

export interface DetectorOptions extends ThresholdOptions {
  /** moving-average adjustment window of the raw errors (TS2Vec: 21); 0 = use raw errors */
  maWindow?: number;
  /** adjusted training scores skipped when computing the threshold statistics (TS2Vec: 22) */
  skip?: number;
  /**
   * HTM's anomaly-likelihood post-processing of the standardised scores (likelihood.ts): each
   * score is judged against the Gaussian of the series' own score history, and `k` then counts
   * that history's σ. `true`: averaging window 1, NuPIC's 8640-step history, 'deviation'
   * output. Off by default (TS2Vec's protocol). On NAB it lifted the standard score from
   * 35–40 to 47–48 with k ≈ 5.5 and `delay` 200 (experiments/results/nab/).
   */
  likelihood?: boolean | LikelihoodOptions;
}

export interface Detection {
  /** raw errors `[T]` */
  raw: Float32Array;
  /** moving-average adjusted errors `[T]` (= raw when maWindow is 0) */
  adjusted: Float32Array;
  /** standardised scores `[T]`: (adjusted − mean)/std, or their likelihood deviations when `likelihood` is on; the flag rule is `z > k` */
  z: Float32Array;
  /** 1 where an anomaly is flagged (after suppression) */
  flags: Uint8Array;
}

/** Running state for streaming detection; `update` handles only the new points. */
export interface AnomalyStream {
  /** points seen so far */
  readonly seen: number;
  /** scores and flags for the new points (`points` is `[k·C]`) */
  update(points: Float32Array): Promise<Detection>;
}

/** A raw scorer plus the TS2Vec-style post-processing (adjustment, threshold, suppression). */
export class AnomalyDetector {
  readonly threshold: ResolvedThreshold;
  readonly maWindow: number;
  readonly skip: number;
  /** the anomaly-likelihood stage's options, when it is on */
  readonly likelihood?: LikelihoodOptions;
  private trainStats?: { mean: number; std: number };
  private fittedChannels?: number;

  constructor(readonly scorer: RawScorer, opts: DetectorOptions = {}) {
    this.threshold = resolveThreshold(opts);
    this.maWindow = opts.maWindow ?? 21;
    this.skip = opts.skip ?? (this.maWindow > 0 ? this.maWindow + 1 : 0);
    if (!(Number.isInteger(this.maWindow) && this.maWindow >= 0)) throw new TsreprError('BAD_OPTION', `maWindow must be a non-negative integer, got ${this.maWindow}`);
    if (!(Number.isInteger(this.skip) && this.skip >= 0)) throw new TsreprError('BAD_OPTION', `skip must be a non-negative integer, got ${this.skip}`);
    if (opts.likelihood) {
      this.likelihood = { averagingWindow: 1, output: 'deviation', ...(opts.likelihood === true ? {} : opts.likelihood) };
      new AnomalyLikelihood(this.likelihood); // validates the options now rather than at detect()
    }
  }

  get name(): string {
    return this.scorer.name;
  }

  /** Fits the scorer on the training series and, in the normal setting, the threshold statistics. */
  async fit(train: Series, opts: ScorerFitOptions = {}): Promise<void> {
    await this.scorer.fit(train, opts);
    this.fittedChannels = train.channels;
    const raw = await this.scorer.scoreRange(train, 0);
    const adj = this.adjust(raw);
    const st = meanStd(adj, Math.min(this.skip, Math.max(0, adj.length - 2)));
    if (st.count === 0) throw new TsreprError('BAD_INPUT', `training part too short to calibrate the threshold (${adj.length} steps, ${this.skip} skipped)`);
    this.trainStats = st;
  }

  /** Mean and std of the adjusted training scores (after fit). */
  get statistics(): { mean: number; std: number } | undefined {
    return this.trainStats;
  }

  private adjust(raw: Float32Array): Float32Array {
    if (this.maWindow === 0) return raw.slice();
    const a = new MovingAverageAdjuster(this.maWindow);
    return Float32Array.from(raw, (e) => a.push(e));
  }

  private checkFitted(): void {
    if (this.threshold.mode === 'normal' && !this.trainStats) throw new TsreprError('NOT_FITTED', 'call fit() before detect() (normal threshold mode)');
  }

  /** Raw errors of every step of a series. */
  async score(series: Series, opts: { onProgress?: ProgressCallback } = {}): Promise<Float32Array> {
    return this.scorer.scoreRange(series, 0, opts);
  }

  /** Scores and flags a whole series (batch). */
  async detect(series: Series, opts: { onProgress?: ProgressCallback } = {}): Promise<Detection> {
    this.checkFitted();
    const stream = new DetectorStream(this, series.channels);
    const raw = await this.score(series, opts);
    return stream.consume(raw);
  }

  /** A fresh stream (nothing seen yet) of `channels`-channel points; feed it with `update(points)`. */
  stream(channels = this.fittedChannels ?? 1): AnomalyStream {
    this.checkFitted();
    return new DetectorStream(this, channels);
  }

  /** @internal state factory shared by batch and stream */
  newStates(): { adj?: MovingAverageAdjuster; thr: ThresholdState } {
    return {
      adj: this.maWindow > 0 ? new MovingAverageAdjuster(this.maWindow) : undefined,
      thr: new ThresholdState(this.threshold, this.trainStats, this.likelihood ? new AnomalyLikelihood(this.likelihood) : undefined),
    };
  }
}

/**
 * Streaming state: keeps the last `context` points only, scores only the windows that end at the
 * new points (bounded work per point), and runs the same adjustment/threshold machines.
 */
class DetectorStream implements AnomalyStream {
  private history: Float32Array = new Float32Array(0);
  private count = 0;
  private readonly states: ReturnType<AnomalyDetector['newStates']>;
  constructor(private readonly det: AnomalyDetector, private readonly channels: number) {
    this.states = det.newStates();
  }

  get seen(): number {
    return this.count;
  }

  consume(raw: Float32Array): Detection {
    const n = raw.length;
    const adjusted = new Float32Array(n), z = new Float32Array(n), flags = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const a = this.states.adj ? this.states.adj.push(raw[i]!) : raw[i]!;
      adjusted[i] = a;
      const r = this.states.thr.push(a);
      z[i] = r.z;
      flags[i] = r.flag ? 1 : 0;
    }
    this.count += n;
    return { raw, adjusted, z, flags };
  }

  async update(points: Float32Array): Promise<Detection> {
    const C = this.channels;
    if (points.length % C !== 0) throw new TsreprError('BAD_INPUT', `update() got ${points.length} values, not a multiple of ${C} channels`);
    const k = points.length / C;
    if (k === 0) return { raw: new Float32Array(0), adjusted: new Float32Array(0), z: new Float32Array(0), flags: new Uint8Array(0) };
    const hist = this.history.length / C;
    const buf = new Float32Array((hist + k) * C);
    buf.set(this.history);
    buf.set(points, hist * C);
    const raw = await this.det.scorer.scoreRange({ values: buf, channels: C }, hist);
    const keep = Math.min(this.det.scorer.context, hist + k);
    this.history = buf.slice((hist + k - keep) * C);
    return this.consume(raw);
  }
}
