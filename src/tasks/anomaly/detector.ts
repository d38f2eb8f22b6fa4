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
import { SpatialRangeRule } from './spatial.js';
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
  /**
   * scores per step (default 1). With S > 1, `scoreRange` returns `[(T − start)·S]` step-major,
   * and the detector adjusts, standardises and post-processes each output on its own and flags
   * their maximum, or their Fisher combination (`combine`) (e.g. one output per time scale).
   */
  readonly outputs?: number;
  /**
   * per output, steps an event stays inside that output's window (its span): the detector then
   * flags an output's exceedance of k only after that many steps at or below k (one event, one
   * flag). Unset: every exceedance may flag (then the `delay` suppression alone applies).
   */
  readonly refractory?: readonly number[];
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
  /**
   * HTM's spatial-anomaly rule (spatial.ts; NuPIC's NAB detector uses 0.05): a value outside the
   * range of all earlier values of the stream, widened by this fraction of the range, is flagged
   * (z = +∞) whatever its score, even within the `delay` after an earlier flag (threshold.ts).
   * Off (undefined) by default.
   */
  spatialTolerance?: number;
}

export interface Detection {
  /** raw errors `[T·S]` (S = the scorer's outputs, usually 1; step-major) */
  raw: Float32Array;
  /** moving-average adjusted errors `[T·S]` (= raw when maWindow is 0) */
  adjusted: Float32Array;
  /**
   * standardised scores `[T]`: (adjusted − mean)/std, or their likelihood deviations when
   * `likelihood` is on, the maximum over the outputs (or their Fisher combination, `combine`
   * 'fisher'); +∞ where the spatial rule fired. The flag
   * rule is `z > k`.
   */
  z: Float32Array;
  /** scorers with several outputs: each output's standardised (post-processed) score `[T·S]`, of which z is the maximum (or the Fisher combination) */
  zByOutput?: Float32Array;
  /** with the spatial rule on: 1 where it fired */
  spatial?: Uint8Array;
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
  /** the spatial rule's tolerance, when it is on */
  readonly spatialTolerance?: number;
  /** scores per step of the scorer */
  readonly outputs: number;
  private trainStats?: { mean: number; std: number }[];
  private fittedChannels?: number;

  constructor(readonly scorer: RawScorer, opts: DetectorOptions = {}) {
    this.threshold = resolveThreshold(opts);
    this.outputs = scorer.outputs ?? 1;
    if (!(Number.isInteger(this.outputs) && this.outputs >= 1)) throw new TsreprError('BAD_OPTION', `scorer '${scorer.name}' declares ${this.outputs} outputs; must be a positive integer`);
    if (opts.spatialTolerance !== undefined) this.spatialTolerance = new SpatialRangeRule(opts.spatialTolerance).tolerance; // validates now
    this.maWindow = opts.maWindow ?? 21;
    this.skip = opts.skip ?? (this.maWindow > 0 ? this.maWindow + 1 : 0);
    if (!(Number.isInteger(this.maWindow) && this.maWindow >= 0)) throw new TsreprError('BAD_OPTION', `maWindow must be a non-negative integer, got ${this.maWindow}`);
    if (!(Number.isInteger(this.skip) && this.skip >= 0)) throw new TsreprError('BAD_OPTION', `skip must be a non-negative integer, got ${this.skip}`);
    if (opts.likelihood) {
      this.likelihood = { averagingWindow: 1, output: 'deviation', ...(opts.likelihood === true ? {} : opts.likelihood) };
      new AnomalyLikelihood(this.likelihood); // validates the options now rather than at detect()
    }
    if (this.threshold.combine === 'fisher' && this.likelihood && this.likelihood.output !== 'deviation') {
      throw new TsreprError('BAD_OPTION', `combine 'fisher' reads the scores as σ units: it needs the likelihood's 'deviation' output, got '${String(this.likelihood.output)}'`);
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
    const S = this.outputs, n = raw.length / S;
    const stats: { mean: number; std: number }[] = [];
    for (let o = 0; o < S; o++) {
      const adj = this.adjust(Float32Array.from({ length: n }, (_, i) => raw[i * S + o]!));
      const st = meanStd(adj, Math.min(this.skip, Math.max(0, adj.length - 2)));
      // the likelihood stage re-standardises against the score history, so an output with no
      // finite training score yet (a long scale on a short training part) can start unscaled
      if (st.count === 0 && this.likelihood) { stats.push({ mean: 0, std: 1 }); continue; }
      if (st.count === 0) throw new TsreprError('BAD_INPUT', `training part too short to calibrate the threshold (${adj.length} steps, ${this.skip} skipped${S > 1 ? `, output ${o} of ${S}` : ''})`);
      stats.push({ mean: st.mean, std: st.std });
    }
    this.trainStats = stats;
  }

  /** Mean and std of the adjusted training scores (after fit; of the first output when the scorer has several). */
  get statistics(): { mean: number; std: number } | undefined {
    return this.trainStats?.[0];
  }

  /** Mean and std of the adjusted training scores of each output (after fit). */
  get outputStatistics(): readonly { mean: number; std: number }[] | undefined {
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
    return stream.consume(raw, series.values);
  }

  /** A fresh stream (nothing seen yet) of `channels`-channel points; feed it with `update(points)`. */
  stream(channels = this.fittedChannels ?? 1): AnomalyStream {
    this.checkFitted();
    return new DetectorStream(this, channels);
  }

  /** @internal state factory shared by batch and stream */
  newStates(channels: number): { adj?: MovingAverageAdjuster[]; thr: ThresholdState; spatial?: SpatialRangeRule } {
    const S = this.outputs;
    return {
      adj: this.maWindow > 0 ? Array.from({ length: S }, () => new MovingAverageAdjuster(this.maWindow)) : undefined,
      thr: new ThresholdState(this.threshold, this.trainStats, this.likelihood ? Array.from({ length: S }, () => new AnomalyLikelihood(this.likelihood)) : undefined, { outputs: S, refractory: this.scorer.refractory }),
      spatial: this.spatialTolerance !== undefined ? new SpatialRangeRule(this.spatialTolerance, channels) : undefined,
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
    this.states = det.newStates(channels);
  }

  get seen(): number {
    return this.count;
  }

  /** Runs the stateful stages over the new steps' raw scores `[n·S]` and values `[n·C]`. */
  consume(raw: Float32Array, values: Float32Array): Detection {
    const S = this.det.outputs, C = this.channels, n = raw.length / S;
    if (!Number.isInteger(n) || values.length !== n * C) throw new TsreprError('BAD_INPUT', `scorer '${this.det.name}' returned ${raw.length} scores for ${values.length / C} steps of ${S} output(s)`);
    const adjusted = new Float32Array(n * S), z = new Float32Array(n), flags = new Uint8Array(n);
    const zByOutput = S > 1 ? new Float32Array(n * S) : undefined;
    const fired = this.states.spatial ? new Uint8Array(n) : undefined;
    const step = new Float64Array(S), perOutput = new Float64Array(S);
    const { adj, thr, spatial } = this.states;
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < S; o++) {
        const a = adj ? adj[o]!.push(raw[i * S + o]!) : raw[i * S + o]!;
        adjusted[i * S + o] = a;
        step[o] = a;
      }
      const force = spatial ? spatial.push(values, i * C) : false;
      if (fired && force) fired[i] = 1;
      const r = thr.push(step, force, perOutput);
      if (zByOutput) zByOutput.set(perOutput, i * S);
      z[i] = r.z;
      flags[i] = r.flag ? 1 : 0;
    }
    this.count += n;
    return { raw, adjusted, z, flags, ...(zByOutput ? { zByOutput } : {}), ...(fired ? { spatial: fired } : {}) };
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
    return this.consume(raw, points);
  }
}
