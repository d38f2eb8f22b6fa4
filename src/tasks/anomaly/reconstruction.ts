/**
 * Reconstruction-error anomaly score from a masked-pretraining model: for each step t the causal
 * window of the last `padding + 1` steps is given to the model with its last `maskLength` steps
 * hidden (the last segment, causally), and the raw error is the mean absolute reconstruction
 * error of the hidden steps. Models that implement `MaskedReconstructor` are used through it; the
 * masked-segment model ('masked') is driven directly: its last patch is hidden (the last segment,
 * causally), the encoder sees the other patches, and the decoder reconstructs the hidden one.
 */
import { createDataset } from '../../data/dataset.js';
import type { ProgressCallback } from '../../engine/progress.js';
import { checkNumber, TsreprError } from '../../errors.js';
import { createModel, type RepresentationModel } from '../../methods/model.js';
import { seriesLength, type RawScorer, type ScorerFitOptions, type Series } from './detector.js';
import { causalWindows, channelStats } from './representation.js';
import type { TimeSeriesDataset } from '../../data/dataset.js';
import { tf, type Tensor3D } from '../../engine/tf.js';
import type { MaskedModel } from '../../methods/masked/model.js';
import { normalisePatches, type SegmentMask } from '../../methods/masked/masking.js';

/** A model that fills in hidden steps: `hidden` is `[N, T]` (1 = hide); returns values `[N, T, C]`. */
export interface MaskedReconstructor {
  reconstruct(ds: TimeSeriesDataset, hidden: Uint8Array): Promise<Float32Array>;
}

export function isReconstructor(m: unknown): m is MaskedReconstructor {
  return typeof (m as { reconstruct?: unknown })?.reconstruct === 'function';
}

function isMaskedModel(m: unknown): m is MaskedModel {
  const x = m as Partial<MaskedModel> | undefined;
  return x?.method === 'masked' && typeof x.encodeVisible === 'function' && Boolean(x.decoder) && Boolean(x.backbone);
}

/**
 * Mean absolute reconstruction error of the last patch of every window `[n, L, C]` (NaN → 0),
 * when the masked model sees all other patches: `[n]`.
 */
export async function maskedLastPatchError(model: MaskedModel, ds: TimeSeriesDataset): Promise<Float32Array> {
  const { n, length: L, channels: C } = ds;
  const clean = Float32Array.from(ds.values, (v) => (Number.isFinite(v) ? v : 0));
  const perSeries = tf.tidy(() => {
    const { patches, nPatches } = model.backbone.patchify(tf.tensor3d(clean, [n, L, C]));
    const rows = patches.shape[0];
    if (nPatches < 2) throw new TsreprError('BAD_OPTION', `windows of ${L} steps hold only ${nPatches} patch; need at least 2`);
    const nVisible = nPatches - 1;
    const visible = new Int32Array(rows * nVisible), masked = new Uint8Array(rows * nPatches);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < nVisible; j++) visible[r * nVisible + j] = j;
      masked[r * nPatches + nPatches - 1] = 1;
    }
    const mask: SegmentMask = { rows, nPatches, nVisible, visible, masked };
    const recon = model.decoder.apply(model.encodeVisible(patches, mask, false), mask, false);
    const target = model.config.normTarget ? normalisePatches(patches) : patches;
    const P = patches.shape[2];
    const last = (t: Tensor3D) => tf.slice(t, [0, nPatches - 1, 0], [rows, 1, P]);
    const err = tf.mean(tf.abs(tf.sub(last(recon), last(target))), [1, 2]); // [rows] = [n·C] or [n]
    return tf.mean(tf.reshape(err, [n, rows / n]), 1);
  });
  try {
    return Float32Array.from(await perSeries.data());
  } finally {
    perSeries.dispose();
  }
}

export interface ReconstructionScorerOptions {
  method?: string;
  modelOptions?: Record<string, unknown>;
  model?: RepresentationModel;
  padding?: number;
  /** hidden steps at the end of each window */
  maskLength?: number;
  batchSize?: number;
}

export class ReconstructionScorer implements RawScorer {
  readonly name: string;
  readonly padding: number;
  readonly maskLength: number;
  readonly batchSize: number;
  private model?: RepresentationModel;
  private stats?: { mean: Float64Array; std: Float64Array };
  private readonly ownsModel: boolean;

  constructor(private readonly opts: ReconstructionScorerOptions = {}) {
    this.padding = checkNumber('padding', opts.padding ?? 71, { min: 1, integer: true });
    this.maskLength = checkNumber('maskLength', opts.maskLength ?? 1, { min: 1, max: this.padding, integer: true });
    this.batchSize = checkNumber('batchSize', opts.batchSize ?? 256, { min: 1, integer: true });
    this.model = opts.model;
    this.ownsModel = !opts.model;
    this.name = `${opts.model?.method ?? opts.method ?? 'masked'}-recon`;
  }

  get context(): number {
    return this.padding;
  }

  async fit(train: Series, opts: ScorerFitOptions = {}): Promise<void> {
    this.stats = channelStats(train);
    if (!this.model) {
      const T = seriesLength(train);
      const C = train.channels;
      const values = Float32Array.from(train.values, (v, i) => (v - this.stats!.mean[i % C]!) / this.stats!.std[i % C]!);
      this.model = createModel(this.opts.method ?? 'masked', C, this.opts.modelOptions ?? {});
      await this.model.fit(createDataset({ values, n: 1, length: T, channels: C }), { onProgress: opts.onProgress, signal: opts.signal });
    }
    if (!isReconstructor(this.model) && !isMaskedModel(this.model)) {
      throw new TsreprError('BAD_OPTION', `the '${this.model.method}' model has no reconstruct(ds, hidden) method, so it cannot give reconstruction errors`);
    }
  }

  async scoreRange(s: Series, start: number, opts: { onProgress?: ProgressCallback } = {}): Promise<Float32Array> {
    const model = this.model;
    if (!model || !this.stats) throw new TsreprError('NOT_FITTED', `${this.name} anomaly scorer: call fit() first`);
    const T = seriesLength(s), C = s.channels, L = this.padding + 1;
    const st = this.stats;
    const values = Float32Array.from(s.values, (v, i) => (v - st.mean[i % C]!) / st.std[i % C]!);
    const out = new Float32Array(Math.max(0, T - start));
    for (let from = start; from < T; from += this.batchSize) {
      const to = Math.min(T, from + this.batchSize), n = to - from;
      const ds = causalWindows(values, C, from, to, this.padding);
      const hidden = new Uint8Array(n * L);
      for (let i = 0; i < n; i++) hidden.fill(1, i * L + L - this.maskLength, (i + 1) * L);
      if (isMaskedModel(model)) {
        out.set(await maskedLastPatchError(model, ds), from - start);
        opts.onProgress?.({ phase: `${this.name} anomaly scores`, done: to - start, total: T - start });
        continue;
      }
      if (!isReconstructor(model)) throw new TsreprError('BAD_OPTION', `the '${model.method}' model cannot reconstruct`);
      const rec = await model.reconstruct(ds, hidden);
      for (let i = 0; i < n; i++) {
        let e = 0, m = 0;
        for (let c = 0; c < C; c++) {
          const k = (i * L + L - 1) * C + c;
          const v = ds.values[k]!;
          if (Number.isFinite(v)) { e += Math.abs(rec[k]! - v); m++; }
        }
        out[from - start + i] = m ? e / m : NaN;
      }
      opts.onProgress?.({ phase: `${this.name} anomaly scores`, done: to - start, total: T - start });
    }
    return out;
  }

  dispose(): void {
    if (this.ownsModel) this.model?.dispose();
    this.model = undefined;
  }
}
