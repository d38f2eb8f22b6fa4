/**
 * TS2Vec's anomaly score from a representation model: for each step t the window of the last
 * `padding + 1` steps is encoded twice, once with the last step's input masked ('mask_last') and
 * once unmasked, and the raw error is the L1 distance of the two representations at t:
 * `err_t = ‖r_unmasked(t) − r_masked(t)‖₁` (causal sliding inference, sliding length 1).
 * Windows are built here, so the batch and the streaming paths encode exactly the same windows.
 *
 * Also the k-NN variant (`RepresentationKnnScorer`): the unmasked representation at t of the same
 * causal window, compared with the representations of a bounded set of lagged past steps as the
 * knn scorer (knn.ts) compares raw windows.
 */
import { createDataset, type TimeSeriesDataset } from '../../data/dataset.js';
import type { ProgressCallback } from '../../engine/progress.js';
import { checkNumber, TsreprError } from '../../errors.js';
import { createModel, type RepresentationModel } from '../../methods/model.js';
import { seriesLength, type RawScorer, type ScorerFitOptions, type Series } from './detector.js';
import { knnNonConformity } from './knn.js';

export interface RepresentationScorerOptions {
  /** registered method to create and train when no `model` is given (default 'ts2vec') */
  method?: string;
  /** hyper-parameters passed to `createModel` (e.g. a small, fast configuration) */
  modelOptions?: Record<string, unknown>;
  /** an already trained model (cold start / pretrained); `fit` then only learns normalisation */
  model?: RepresentationModel;
  /** past steps in each window (TS2Vec: 200) */
  padding?: number;
  /** windows per encode call */
  batchSize?: number;
  /** z-normalise every channel with the training mean/std before encoding (default true) */
  normalize?: boolean;
}

/** Per-channel mean/std of the finite values of a series. */
export function channelStats(s: Series): { mean: Float64Array; std: Float64Array } {
  const C = s.channels, T = seriesLength(s);
  const mean = new Float64Array(C), std = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let n = 0, a = 0, a2 = 0;
    for (let t = 0; t < T; t++) { const v = s.values[t * C + c]!; if (Number.isFinite(v)) { n++; a += v; a2 += v * v; } }
    const m = n ? a / n : 0;
    mean[c] = m;
    const sd = n ? Math.sqrt(Math.max(0, a2 / n - m * m)) : 1;
    std[c] = sd > 0 ? sd : 1;
  }
  return { mean, std };
}

function normalised(s: Series, st?: { mean: Float64Array; std: Float64Array }): Float32Array {
  if (!st) return s.values;
  const C = s.channels;
  return Float32Array.from(s.values, (v, i) => (v - st.mean[i % C]!) / st.std[i % C]!);
}

/**
 * Builds the causal windows ending at steps `[from, to)`: `[to − from, padding + 1, C]`,
 * NaN before step 0 (the model masks missing inputs).
 */
export function causalWindows(values: Float32Array, channels: number, from: number, to: number, padding: number): TimeSeriesDataset {
  const L = padding + 1, C = channels, n = to - from;
  const out = new Float32Array(n * L * C).fill(NaN);
  for (let i = 0; i < n; i++) {
    const end = from + i; // inclusive
    const begin = Math.max(0, end - padding);
    out.set(values.subarray(begin * C, (end + 1) * C), (i * L + (L - (end - begin + 1))) * C);
  }
  return createDataset({ values: out, n, length: L, channels: C, lengths: new Int32Array(n).fill(L) });
}

/** The TS2Vec masked-vs-unmasked representation difference as a raw anomaly scorer. */
export class RepresentationDiffScorer implements RawScorer {
  readonly name: string;
  readonly padding: number;
  readonly batchSize: number;
  private model?: RepresentationModel;
  private readonly ownsModel: boolean;
  private stats?: { mean: Float64Array; std: Float64Array };

  constructor(private readonly opts: RepresentationScorerOptions = {}) {
    this.padding = checkNumber('padding', opts.padding ?? 200, { min: 0, integer: true });
    this.batchSize = checkNumber('batchSize', opts.batchSize ?? 256, { min: 1, integer: true });
    this.model = opts.model;
    this.ownsModel = !opts.model;
    this.name = opts.model?.method ?? opts.method ?? 'ts2vec';
  }

  get context(): number {
    return this.padding;
  }

  /** The model in use (after fit, or the one given). */
  get representationModel(): RepresentationModel | undefined {
    return this.model;
  }

  async fit(train: Series, opts: ScorerFitOptions = {}): Promise<void> {
    this.stats = this.opts.normalize === false ? undefined : channelStats(train);
    if (this.model) return;
    const T = seriesLength(train);
    const ds = createDataset({ values: normalised(train, this.stats), n: 1, length: T, channels: train.channels });
    this.model = createModel(this.opts.method ?? 'ts2vec', train.channels, this.opts.modelOptions ?? {});
    await this.model.fit(ds, { onProgress: opts.onProgress, signal: opts.signal });
  }

  async scoreRange(s: Series, start: number, opts: { onProgress?: ProgressCallback } = {}): Promise<Float32Array> {
    if (!this.model) throw new TsreprError('NOT_FITTED', `${this.name} anomaly scorer: call fit() first`);
    const T = seriesLength(s), C = s.channels;
    const values = normalised(s, this.stats);
    const out = new Float32Array(Math.max(0, T - start));
    for (let from = start; from < T; from += this.batchSize) {
      const to = Math.min(T, from + this.batchSize);
      const masked = await this.lastSteps(values, C, from, to, 'mask_last');
      const plain = await this.lastSteps(values, C, from, to, 'all_true');
      const D = masked.D;
      for (let i = 0; i < to - from; i++) {
        let e = 0;
        for (let d = 0; d < D; d++) e += Math.abs(plain.data[i * D + d]! - masked.data[i * D + d]!);
        out[from - start + i] = e;
      }
      opts.onProgress?.({ phase: `${this.name} anomaly scores`, done: to - start, total: T - start });
    }
    return out;
  }

  /**
   * The representation at the last step of the causal window ending at each step of `[a, b)`
   * (normalised `values`, `C` channels), with that step masked or not: `[(b − a)·D]`.
   */
  private async lastSteps(values: Float32Array, C: number, a: number, b: number, mask: 'mask_last' | 'all_true'): Promise<{ data: Float32Array; D: number }> {
    const model = this.model;
    if (!model) throw new TsreprError('NOT_FITTED', `${this.name} anomaly scorer: call fit() first`);
    const ds = causalWindows(values, C, a, b, this.padding);
    const L = this.padding + 1;
    // One causal sliding window per series covering all of it, so the model masks exactly our
    // last step. slidingPadding 1 adds one missing step in front of every window; it works
    // around src/methods/encode.ts disposing its output when no time slice is taken.
    const enc = { pooling: 'timestamp', slidingLength: L, slidingPadding: 1, causal: true, batchSize: this.batchSize } as const;
    const r = await model.encode(ds, { ...enc, mask });
    const D = r.shape[r.shape.length - 1]!;
    if (r.data.length !== (b - a) * L * D) throw new TsreprError('BAD_MODEL', `encode returned shape [${r.shape.join(', ')}], expected [${b - a}, ${L}, D]`);
    const data = new Float32Array((b - a) * D);
    for (let i = 0; i < b - a; i++) data.set(r.data.subarray((i * L + L - 1) * D, (i * L + L) * D), i * D);
    return { data, D };
  }

  /** The unmasked representation at the last step of the causal window ending at each step of `[from, T)`: `[(T − from)·D]`. */
  async representations(s: Series, from: number, opts: { onProgress?: ProgressCallback } = {}): Promise<{ data: Float32Array; D: number }> {
    if (!this.model) throw new TsreprError('NOT_FITTED', `${this.name} anomaly scorer: call fit() first`);
    const T = seriesLength(s), C = s.channels;
    const values = normalised(s, this.stats);
    let out = new Float32Array(0), D = 0;
    for (let a = from; a < T; a += this.batchSize) {
      const b = Math.min(T, a + this.batchSize);
      const r = await this.lastSteps(values, C, a, b, 'all_true');
      if (!D) { D = r.D; out = new Float32Array((T - from) * D); }
      out.set(r.data, (a - from) * D);
      opts.onProgress?.({ phase: `${this.name} representations`, done: b - from, total: T - from });
    }
    return { data: out, D };
  }

  dispose(): void {
    if (this.ownsModel) this.model?.dispose();
    this.model = undefined;
  }
}

export interface RepresentationKnnScorerOptions extends RepresentationScorerOptions {
  /** neighbours summed in the non-conformity (default 10) */
  k?: number;
  /** past steps whose representations the current one is compared with (default 750) */
  reference?: number;
  /** steps between the current step and the newest reference step (default 30) */
  lag?: number;
}

/**
 * k-NN non-conformity in representation space: raw error at t = sum of the k smallest squared
 * Euclidean distances between the representation of the causal window ending at t (unmasked,
 * last time step) and the representations at `t − lag − reference + 1 … t − lag`. Causal;
 * context `padding + lag + reference − 1`. Each `scoreRange` call encodes the `lag + reference − 1`
 * steps before `start` again (bounded work per streamed batch).
 */
export class RepresentationKnnScorer implements RawScorer {
  readonly name: string;
  readonly k: number;
  readonly reference: number;
  readonly lag: number;
  private readonly base: RepresentationDiffScorer;

  constructor(opts: RepresentationKnnScorerOptions = {}) {
    this.base = new RepresentationDiffScorer(opts);
    this.name = `${this.base.name}-knn`;
    this.k = checkNumber('k', opts.k ?? 10, { min: 1, integer: true });
    this.reference = checkNumber('reference', opts.reference ?? 750, { min: 1, integer: true });
    this.lag = checkNumber('lag', opts.lag ?? 30, { min: 1, integer: true });
    if (this.k > this.reference) throw new TsreprError('BAD_OPTION', `k (${this.k}) must not exceed reference (${this.reference})`);
  }

  get context(): number {
    return this.base.padding + this.lag + this.reference - 1;
  }

  get representationModel(): RepresentationModel | undefined {
    return this.base.representationModel;
  }

  async fit(train: Series, opts: ScorerFitOptions = {}): Promise<void> {
    await this.base.fit(train, opts);
  }

  async scoreRange(s: Series, start: number, opts: { onProgress?: ProgressCallback } = {}): Promise<Float32Array> {
    const T = seriesLength(s);
    if (T <= start) return new Float32Array(0);
    const first = Math.max(0, start - this.lag - this.reference + 1);
    const { data, D } = await this.base.representations(s, first, opts);
    const ok = new Uint8Array(T - first);
    const Y = new Float64Array((T - first) * D);
    for (let i = 0; i < T - first; i++) {
      let finite = true;
      for (let d = 0; d < D; d++) { const v = data[i * D + d]!; if (!Number.isFinite(v)) finite = false; Y[i * D + d] = v; }
      ok[i] = finite ? 1 : 0;
    }
    return knnNonConformity(Y, ok, D, first, start, T, this);
  }

  dispose(): void {
    this.base.dispose();
  }
}
