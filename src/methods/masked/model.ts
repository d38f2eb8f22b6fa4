/**
 * Masked segment pretraining (TSFormer / MAE style) on the patch Transformer backbone.
 *
 * Per training row a random `maskRatio` (default 0.75, TSFormer) of the patches is hidden;
 * the encoder sees ONLY the visible patches (gathered, with their original positional
 * encodings); a light decoder receives the encoded visible tokens plus a learned mask token
 * at every masked position, in the original order, and reconstructs the masked patches;
 * the loss is the MSE on masked patches only (optionally on per-patch normalised targets).
 * Inference encodes the full series, no masking, any length.
 *
 * Defaults: patch 12, d_model 128, 3 encoder layers, 8 heads, ff 256, dropout 0.1,
 * channel-independent; decoder 1 layer of width 64 (4 heads, ff 128); context 336 steps,
 * batch 32, Adam lr 1e-3, clip-norm 5 (TSFormer), 200 iterations.
 */
import type { TimeSeriesDataset } from '../../data/dataset.js';
import { Adam, optimizerStep, type AdamOptions } from '../../engine/optim.js';
import { Rng } from '../../engine/random.js';
import { tf, type Tensor2D, type Tensor3D, type Variable } from '../../engine/tf.js';
import { saveModelDir } from '../../engine/weights.js';
import { checkNumber, checkOption, TsreprError } from '../../errors.js';
import { Linear } from '../../nn/layers.js';
import { Module, normalInit } from '../../nn/module.js';
import { sinusoidalEncoding, TransformerEncoder } from '../../nn/transformer.js';
import { TransformerBackbone, transformerBackboneConfig, type TransformerBackboneConfig, type TransformerBackboneOptions } from '../../backbones/transformer.js';
import { registerMethod, type EncodeOptions, type FitOptions, type FitResult, type LoadedArtifacts, type Representation, type RepresentationModel } from '../model.js';
import { runTraining } from '../training.js';
import { encodeWithPatchBackbone } from './encode.js';
import { gatherVisible, maskedMse, maskSegments, normalisePatches, restoreOrder, type SegmentMask } from './masking.js';
import { instanceNormalise, randomCrops } from './windows.js';

export interface MaskedOptions extends TransformerBackboneOptions {
  /** fraction of patches hidden per row (default 0.75) */
  maskRatio?: number;
  decoderDim?: number;
  decoderLayers?: number;
  decoderHeads?: number;
  /** reconstruct per-patch standardised targets (default false) */
  normTarget?: boolean;
  /**
   * instance normalisation (RevIN, PatchTST): every training crop and every encoded window
   * is standardised per channel before patching (default true; saved models without the key
   * load as false)
   */
  instanceNorm?: boolean;
  /** training crop length in steps (default 336) */
  contextLength?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  /** training iterations (default 200) */
  iters?: number;
  seed?: number;
}

export interface MaskedConfig extends Required<Omit<MaskedOptions, keyof TransformerBackboneOptions>> {
  backbone: TransformerBackboneConfig;
}

const TRAIN_KEYS = ['maskRatio', 'decoderDim', 'decoderLayers', 'decoderHeads', 'normTarget', 'instanceNorm', 'contextLength', 'batchSize', 'lr', 'weightDecay', 'iters', 'seed'] as const;
const BACKBONE_KEYS = ['patchLen', 'dModel', 'layers', 'heads', 'ff', 'dropout', 'channelMode'] as const;

/** Fills defaults and validates (BAD_OPTION on bad or unknown keys). */
export function maskedConfig(inputDims: number, o: MaskedOptions & Record<string, unknown> = {}): MaskedConfig {
  for (const k of Object.keys(o)) {
    checkOption((TRAIN_KEYS as readonly string[]).includes(k) || (BACKBONE_KEYS as readonly string[]).includes(k), `masked: unknown option '${k}' (known: ${[...TRAIN_KEYS, ...BACKBONE_KEYS].join(', ')})`);
  }
  const backbone = transformerBackboneConfig(inputDims, o);
  const cfg: MaskedConfig = {
    maskRatio: o.maskRatio ?? 0.75, decoderDim: o.decoderDim ?? 64, decoderLayers: o.decoderLayers ?? 1, decoderHeads: o.decoderHeads ?? 4,
    normTarget: o.normTarget ?? false, instanceNorm: o.instanceNorm ?? true, contextLength: o.contextLength ?? 336, batchSize: o.batchSize ?? 32, lr: o.lr ?? 1e-3,
    weightDecay: o.weightDecay ?? 0, iters: o.iters ?? 200, seed: o.seed ?? 0, backbone,
  };
  checkNumber('maskRatio', cfg.maskRatio, { min: 0, max: 0.99 });
  checkNumber('decoderDim', cfg.decoderDim, { min: 1, integer: true });
  checkNumber('decoderLayers', cfg.decoderLayers, { min: 0, integer: true });
  checkNumber('decoderHeads', cfg.decoderHeads, { min: 1, integer: true });
  checkOption(cfg.decoderDim % cfg.decoderHeads === 0, `decoderDim ${cfg.decoderDim} must be divisible by decoderHeads ${cfg.decoderHeads}`);
  checkOption(typeof cfg.normTarget === 'boolean', 'normTarget must be true or false');
  checkOption(typeof cfg.instanceNorm === 'boolean', 'instanceNorm must be true or false');
  checkNumber('contextLength', cfg.contextLength, { min: 2 * backbone.patchLen, integer: true });
  checkNumber('batchSize', cfg.batchSize, { min: 1, integer: true });
  checkNumber('lr', cfg.lr, { min: 0, exclusiveMin: true });
  checkNumber('weightDecay', cfg.weightDecay, { min: 0 });
  checkNumber('iters', cfg.iters, { min: 0, integer: true });
  checkNumber('seed', cfg.seed, { min: 0, integer: true });
  return cfg;
}

/** The light MAE decoder: projection, mask token, Transformer blocks, linear reconstruction head. */
export class MaskedDecoder extends Module {
  readonly proj: Linear;
  readonly maskToken: Variable;
  readonly blocks: TransformerEncoder;
  readonly head: Linear;
  constructor(encDim: number, readonly dim: number, layers: number, heads: number, patchDim: number, dropout: number, rng: Rng) {
    super();
    this.proj = this.child('proj', new Linear(encDim, dim, rng));
    this.maskToken = this.param('maskToken', normalInit(rng, [dim], 0.02));
    this.blocks = this.child('blocks', new TransformerEncoder(layers, { dim, heads, ff: 2 * dim, dropout }, rng));
    this.head = this.child('head', new Linear(dim, patchDim, rng));
  }
  /** encoded visible tokens `[rows, nVisible, encDim]` → reconstruction of every patch `[rows, nPatches, patchDim]` */
  apply(encoded: Tensor3D, mask: SegmentMask, training: boolean, rng?: Rng): Tensor3D {
    return tf.tidy(() => {
      const full = restoreOrder(this.proj.apply(encoded), this.maskToken as unknown as tf.Tensor1D, mask);
      const pe = sinusoidalEncoding(Int32Array.from({ length: mask.nPatches }, (_, i) => i), this.dim);
      return this.head.apply(this.blocks.apply(tf.add(full, pe) as Tensor3D, training, rng));
    });
  }
}

export class MaskedModel implements RepresentationModel {
  readonly method = 'masked';
  readonly backbone: TransformerBackbone;
  readonly decoder: MaskedDecoder;
  readonly rng: Rng;

  constructor(readonly config: MaskedConfig) {
    this.rng = new Rng(config.seed);
    const init = this.rng.fork();
    this.backbone = new TransformerBackbone(config.backbone, init);
    this.decoder = new MaskedDecoder(config.backbone.dModel, config.decoderDim, config.decoderLayers, config.decoderHeads,
      this.backbone.patchDim, config.backbone.dropout, init);
  }

  get reprDims(): number { return this.backbone.outputDims; }
  getConfig(): MaskedConfig { return structuredClone(this.config); }

  /** every variable, by name (`backbone.*`, `decoder.*`) */
  parameters(): Map<string, Variable> {
    return new Map([...this.backbone.namedParameters('backbone.'), ...this.decoder.namedParameters('decoder.')]);
  }

  /** Encoder output for the visible patches only: `x [B, L, C]` → `[rows, nVisible, dModel]`. */
  encodeVisible(patches: Tensor3D, mask: SegmentMask, training: boolean, rng?: Rng): Tensor3D {
    return tf.tidy(() => {
      const vis = gatherVisible(patches, mask);
      return this.backbone.encodeTokens(this.backbone.embedPatches(vis), mask.visible, { training, rng });
    });
  }

  /** The pretraining loss on a batch `x [B, L, C]` with a mask drawn from `rng`. */
  reconstructionLoss(x: Tensor3D, rng: Rng, training = true): tf.Scalar {
    const { patches, nPatches } = this.backbone.patchify(x);
    try {
      const mask = maskSegments(rng, patches.shape[0], nPatches, this.config.maskRatio);
      return tf.tidy(() => {
        const recon = this.decoder.apply(this.encodeVisible(patches, mask, training, rng), mask, training, rng);
        const target = this.config.normTarget ? normalisePatches(patches) : patches;
        const m = tf.tensor2d(Float32Array.from(mask.masked), [mask.rows, nPatches]) as Tensor2D;
        return maskedMse(recon, target, m);
      });
    } finally {
      patches.dispose();
    }
  }

  async fit(ds: TimeSeriesDataset, opts: FitOptions = {}): Promise<FitResult> {
    checkOption(ds.channels === this.config.backbone.inputDims, `masked model expects ${this.config.backbone.inputDims} channels, data has ${ds.channels}`);
    const params = this.parameters();
    const opt = newAdam(params, { lr: this.config.lr, weightDecay: this.config.weightDecay, beta2: 0.95, clipNorm: 5 });
    const L = Math.min(this.config.contextLength, ds.length);
    const B = this.config.batchSize;
    try {
      return await runTraining({
        name: 'masked fit', totalSteps: this.config.iters, stepsPerEpoch: Math.max(1, Math.floor((ds.n * Math.max(1, ds.length - L + 1)) / B)),
        params, optimizers: { adam: opt }, rng: this.rng,
        step: async (i, readLoss) => {
          const crops = randomCrops(ds, this.rng, B, L);
          if (this.config.instanceNorm) instanceNormalise(crops, B, L, ds.channels);
          const xb = tf.tensor3d(crops, [B, L, ds.channels]);
          try {
            const r = await this.trainStep(opt, params, xb, { onNonFinite: opts.onNonFinite, readLoss, stepLabel: i + 1 });
            return r.skipped ? null : r.loss;
          } finally { xb.dispose(); }
        },
      }, opts);
    } finally { opt.dispose(); }
  }

  /**
   * Series per gradient chunk for a batch of `L` steps: the whole step's activations and
   * gradients must fit the wasm heap (4 GB, wasm32). Measured peak at PatchTST's default size
   * (d 128, 3 layers, 16 heads, ff 512, L 512, mask 0.4): ~1.5 GB for 16 series × 7 channels,
   * i.e. ≈ 40 × rows · tokens · layers · (d + ff + heads · tokens) · 4 bytes; B=64 needed ~6 GB
   * and crashed ('memory access out of bounds' once the heap could not grow). Chunks are
   * sized to stay under ~768 MB.
   */
  seriesPerChunk(L: number, channels: number): number {
    const bb = this.config.backbone;
    const rowsPerSeries = bb.channelMode === 'independent' ? channels : 1;
    const nTok = Math.ceil(L / bb.patchLen);
    const visible = Math.max(1, nTok - Math.round(this.config.maskRatio * nTok));
    const enc = visible * bb.layers * (bb.dModel + bb.ff + bb.heads * visible);
    const dec = nTok * this.config.decoderLayers * (3 * this.config.decoderDim + this.config.decoderHeads * nTok);
    const bytesPerSeries = 40 * 4 * rowsPerSeries * (enc + dec + nTok * bb.patchLen);
    return Math.max(1, Math.floor(768e6 / bytesPerSeries));
  }

  /**
   * One optimiser step on `x [B, L, C]`. When the batch's activations would not fit the wasm
   * heap (see `seriesPerChunk`), the gradient is accumulated over chunks of series (each
   * chunk's loss weighted by its share of the batch) and applied once.
   */
  async trainStep(opt: Adam, params: Map<string, Variable>, x: Tensor3D, o: { onNonFinite?: 'error' | 'skip'; readLoss?: boolean; stepLabel?: number } = {}): Promise<{ loss?: number; skipped: boolean }> {
    const [B, L, C] = x.shape;
    const per = this.seriesPerChunk(L, C);
    if (per >= B) return optimizerStep(opt, params, () => this.reconstructionLoss(x, this.rng), o);
    const trainable = [...params.entries()].filter(([, v]) => v.trainable);
    const sum: Record<string, tf.Tensor> = {};
    let loss = 0;
    try {
      for (let b0 = 0; b0 < B; b0 += per) {
        const n = Math.min(per, B - b0);
        const xc = tf.slice(x, [b0, 0, 0], [n, L, C]);
        const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.mul(this.reconstructionLoss(xc, this.rng), n / B)) as tf.Scalar, trainable.map(([, v]) => v));
        xc.dispose();
        loss += (await value.data())[0]!;
        value.dispose();
        for (const [vn, g] of Object.entries(grads)) {
          const prev = sum[vn];
          sum[vn] = prev ? tf.add(prev, g) : g;
          if (prev) { prev.dispose(); g.dispose(); }
        }
      }
      if (!Number.isFinite(loss)) {
        if (o.onNonFinite === 'skip') return { loss, skipped: true };
        throw new TsreprError('DIVERGED', `training diverged at step ${o.stepLabel ?? opt.step + 1}: loss is ${loss}. Likely causes: learning rate too high, or unnormalised input`);
      }
      const varToName = new Map(trainable.map(([nm, v]) => [v.name, nm]));
      const byName: Record<string, tf.Tensor> = {};
      for (const [vn, g] of Object.entries(sum)) byName[varToName.get(vn) ?? vn] = g;
      opt.apply(byName);
      return { loss, skipped: false };
    } finally {
      tf.dispose(Object.values(sum));
    }
  }

  encode(ds: TimeSeriesDataset, opts: EncodeOptions = {}): Promise<Representation> {
    checkOption(ds.channels === this.config.backbone.inputDims, `masked model expects ${this.config.backbone.inputDims} channels, data has ${ds.channels}`);
    return encodeWithPatchBackbone(this.backbone, ds, opts, { instanceNorm: this.config.instanceNorm });
  }

  async save(dir: string): Promise<void> {
    await saveModelDir(dir, { method: this.method, config: this.config, tensors: new Map(this.parameters()) });
  }

  dispose(): void {
    this.backbone.dispose();
    this.decoder.dispose();
  }
}

/**
 * `new Adam(...)` inside a tidy: the engine's Adam leaves its `zerosLike` initialisers
 * undisposed (two tensors per parameter); the tidy reclaims them (variables survive).
 */
export function newAdam(params: Map<string, Variable>, opts: AdamOptions): Adam {
  let opt: Adam | undefined;
  tf.tidy(() => { opt = new Adam(params, opts); });
  return opt!;
}

/** Rebuilds a saved masked model. */
export function loadMaskedModel(art: LoadedArtifacts): MaskedModel {
  const cfg = art.config as MaskedConfig;
  if (!cfg?.backbone) throw new TsreprError('BAD_MODEL', 'masked model config has no backbone');
  if (cfg.instanceNorm === undefined) cfg.instanceNorm = false; // saved before instance normalisation existed
  const m = new MaskedModel(cfg);
  const params = m.parameters();
  const values = new Map<string, tf.Tensor>();
  for (const k of params.keys()) {
    const t = art.tensors.get(k);
    if (!t) throw new TsreprError('BAD_MODEL', `masked model is missing weight '${k}'`);
    values.set(k, t);
  }
  for (const [k, v] of params) v.assign(values.get(k)!);
  return m;
}

registerMethod('masked', {
  description: 'masked segment pretraining (TSFormer/MAE) on a patch Transformer',
  create: (inputDims, options) => new MaskedModel(maskedConfig(inputDims, options as MaskedOptions & Record<string, unknown>)),
  load: (art) => loadMaskedModel(art),
});
