/**
 * 'combined': any registered backbone trained with a weighted sum of objectives —
 * `contrastiveWeight` × TS2Vec's hierarchical contrastive loss (two overlapping crops,
 * Bernoulli timestamp masking with zero fill) and `maskedWeight` × a SimMIM-style masked
 * loss (random segments of `maskSegment` steps replaced by the backbone's learned mask
 * token at the input, reconstructed by a linear per-timestamp head, MSE on masked steps
 * only). Either weight may be 0, so it covers: Transformer + contrastive, dilated conv +
 * SimMIM, and both objectives on one backbone in one run.
 * (On the patch Transformer every timestamp of a patch shares one token, so the linear
 * per-timestamp head can only reconstruct a patch's mean shape; use 'masked' for MAE.)
 */
import '../backbones/dilated-conv.js';
import { createBackbone, type Backbone, type BackboneConfig } from '../backbones/backbone.js';
import { TransformerBackbone } from '../backbones/transformer.js';
import type { TimeSeriesDataset } from '../data/dataset.js';
import { optimizerStep } from '../engine/optim.js';
import { Rng } from '../engine/random.js';
import { tf, type Tensor2D, type Tensor3D, type Variable } from '../engine/tf.js';
import { saveModelDir } from '../engine/weights.js';
import { checkNumber, checkOption, TsreprError } from '../errors.js';
import { Linear } from '../nn/layers.js';
import { binomialMask, cropViews, sampleCrops } from './crops.js';
import { encodeWithBackbone } from './encode.js';
import { hierarchicalContrastiveLoss } from './losses.js';
import { encodeWithPatchBackbone } from './masked/encode.js';
import { newAdam } from './masked/model.js';
import { randomCrops } from './masked/windows.js';
import { registerMethod, type EncodeOptions, type FitOptions, type FitResult, type LoadedArtifacts, type Representation, type RepresentationModel } from './model.js';
import { runTraining } from './training.js';

export interface CombinedConfig {
  /** backbone config; `kind` 'transformer' or 'dilated-conv' (any registered kind) */
  backbone: BackboneConfig;
  contrastiveWeight: number;
  maskedWeight: number;
  /** fraction of segments masked for the SimMIM objective */
  maskRatio: number;
  maskSegment: number;
  /** Bernoulli keep probability of TS2Vec's timestamp masking */
  maskProb: number;
  cropLength: number;
  batchSize: number;
  lr: number;
  iters: number;
  seed: number;
}

const OWN_KEYS = ['backbone', 'contrastiveWeight', 'maskedWeight', 'maskRatio', 'maskSegment', 'maskProb', 'cropLength', 'batchSize', 'lr', 'iters', 'seed'];

/**
 * Options: `backbone` ('transformer' default, or 'dilated-conv'), the weights, and any other
 * key is passed to the backbone config (e.g. dModel, layers, hidden, depth, outputDims).
 */
export function combinedConfig(inputDims: number, o: Record<string, unknown> = {}): CombinedConfig {
  const kind = typeof o.backbone === 'string' ? o.backbone : 'transformer';
  const bb: BackboneConfig = { kind, inputDims, outputDims: kind === 'transformer' ? 0 : 320 };
  for (const [k, v] of Object.entries(o)) if (!OWN_KEYS.includes(k)) bb[k] = v;
  if (kind === 'dilated-conv') bb.maskToken = true;
  const cfg: CombinedConfig = {
    backbone: bb, contrastiveWeight: (o.contrastiveWeight as number) ?? 1, maskedWeight: (o.maskedWeight as number) ?? 1,
    maskRatio: (o.maskRatio as number) ?? 0.5, maskSegment: (o.maskSegment as number) ?? 12, maskProb: (o.maskProb as number) ?? 0.5,
    cropLength: (o.cropLength as number) ?? 192, batchSize: (o.batchSize as number) ?? 8, lr: (o.lr as number) ?? 1e-3,
    iters: (o.iters as number) ?? 200, seed: (o.seed as number) ?? 0,
  };
  checkNumber('contrastiveWeight', cfg.contrastiveWeight, { min: 0 });
  checkNumber('maskedWeight', cfg.maskedWeight, { min: 0 });
  checkOption(cfg.contrastiveWeight + cfg.maskedWeight > 0, 'combined: at least one of contrastiveWeight, maskedWeight must be > 0');
  checkNumber('maskRatio', cfg.maskRatio, { min: 0, max: 0.99 });
  checkNumber('maskSegment', cfg.maskSegment, { min: 1, integer: true });
  checkNumber('maskProb', cfg.maskProb, { min: 0, max: 1 });
  checkNumber('cropLength', cfg.cropLength, { min: 4, integer: true });
  checkNumber('batchSize', cfg.batchSize, { min: 2, integer: true });
  checkNumber('lr', cfg.lr, { min: 0, exclusiveMin: true });
  checkNumber('iters', cfg.iters, { min: 0, integer: true });
  checkNumber('seed', cfg.seed, { min: 0, integer: true });
  return cfg;
}

/** `[B, T]` keep-mask (1 = keep) hiding `round(ratio · segments)` random segments of `seg` steps per row. */
export function segmentKeepMask(rng: Rng, B: number, T: number, seg: number, ratio: number): Float32Array {
  const nSeg = Math.ceil(T / seg), nMask = Math.min(nSeg - 1, Math.max(ratio > 0 ? 1 : 0, Math.round(ratio * nSeg)));
  const keep = new Float32Array(B * T).fill(1);
  for (let b = 0; b < B; b++) {
    const perm = rng.permutation(nSeg);
    for (let j = 0; j < nMask; j++) for (let t = perm[j]! * seg; t < Math.min(T, (perm[j]! + 1) * seg); t++) keep[b * T + t] = 0;
  }
  return keep;
}

export class CombinedModel implements RepresentationModel {
  readonly method = 'combined';
  readonly backbone: Backbone;
  readonly head: Linear;
  readonly rng: Rng;

  constructor(readonly config: CombinedConfig) {
    this.rng = new Rng(config.seed);
    const init = this.rng.fork();
    this.backbone = createBackbone(config.backbone, init);
    this.head = new Linear(this.backbone.outputDims, config.backbone.inputDims, init);
  }

  get reprDims(): number { return this.backbone.outputDims; }
  getConfig(): CombinedConfig { return structuredClone(this.config); }
  parameters(): Map<string, Variable> {
    return new Map([...this.backbone.namedParameters('backbone.'), ...this.head.namedParameters('head.')]);
  }

  /** TS2Vec contrastive term on `x [B, L, C]`. */
  contrastiveLoss(xv: Float32Array, B: number, L: number, C: number, rng: Rng): tf.Scalar {
    const plan = sampleCrops(rng, L, B);
    const views = cropViews({ values: xv, n: B, length: L, channels: C }, plan);
    const drop = rng.fork();
    return tf.tidy(() => {
      const outs = views.map((v) => {
        const m = tf.tensor2d(binomialMask(rng, v.n, v.length, this.config.maskProb), [v.n, v.length], 'float32') as Tensor2D;
        return this.backbone.forward(tf.tensor3d(v.values, [v.n, v.length, C]), { training: true, timestampMask: m, maskFill: 'zero', rng: drop });
      });
      const D = outs[0]!.shape[2];
      const z1 = tf.slice(outs[0]!, [0, views[0].length - plan.cropL, 0], [B, plan.cropL, D]) as Tensor3D;
      const z2 = tf.slice(outs[1]!, [0, 0, 0], [B, plan.cropL, D]) as Tensor3D;
      return hierarchicalContrastiveLoss(z1, z2);
    });
  }

  /** SimMIM term: masked segments → learned token at the input; MSE on masked steps only. */
  maskedLoss(xv: Float32Array, B: number, L: number, C: number, rng: Rng): tf.Scalar {
    const keep = segmentKeepMask(rng, B, L, this.config.maskSegment, this.config.maskRatio);
    const drop = rng.fork();
    return tf.tidy(() => {
      const x = tf.tensor3d(xv, [B, L, C]);
      const m = tf.tensor2d(keep, [B, L]) as Tensor2D;
      const z = this.backbone.forward(x, { training: true, timestampMask: m, maskFill: 'token', rng: drop });
      const err = tf.mean(tf.square(tf.sub(this.head.apply(z), x)), 2); // [B, L]
      const hidden = tf.sub(1, m);
      return tf.div(tf.sum(tf.mul(err, hidden)), tf.maximum(tf.sum(hidden), 1)) as tf.Scalar;
    });
  }

  async fit(ds: TimeSeriesDataset, opts: FitOptions = {}): Promise<FitResult> {
    const C = ds.channels;
    checkOption(C === this.config.backbone.inputDims, `combined model expects ${this.config.backbone.inputDims} channels, data has ${C}`);
    const params = this.parameters();
    const opt = newAdam(params, { lr: this.config.lr });
    const L = Math.min(this.config.cropLength, ds.length), B = this.config.batchSize;
    const { contrastiveWeight: wc, maskedWeight: wm } = this.config;
    try {
      return await runTraining({
        name: 'combined fit', totalSteps: this.config.iters, stepsPerEpoch: Math.max(1, Math.floor(ds.n / B)), params, optimizers: { adam: opt }, rng: this.rng,
        step: async (i, readLoss) => {
          const xv = randomCrops(ds, this.rng, B, L);
          const stepRng = this.rng.fork();
          const r = await optimizerStep(opt, params, () => tf.tidy(() => {
            let loss = tf.scalar(0);
            if (wc > 0) loss = tf.add(loss, tf.mul(this.contrastiveLoss(xv, B, L, C, stepRng), wc));
            if (wm > 0) loss = tf.add(loss, tf.mul(this.maskedLoss(xv, B, L, C, stepRng), wm));
            return loss as tf.Scalar;
          }), { onNonFinite: opts.onNonFinite, readLoss, stepLabel: i + 1 });
          return r.skipped ? null : r.loss;
        },
      }, opts);
    } finally { opt.dispose(); }
  }

  encode(ds: TimeSeriesDataset, opts: EncodeOptions = {}): Promise<Representation> {
    checkOption(ds.channels === this.config.backbone.inputDims, `combined model expects ${this.config.backbone.inputDims} channels, data has ${ds.channels}`);
    if (this.backbone instanceof TransformerBackbone) return encodeWithPatchBackbone(this.backbone, ds, opts);
    return encodeWithBackbone(this.backbone, { values: ds.values, n: ds.n, length: ds.length, channels: ds.channels }, { pooling: 'full', ...opts });
  }

  async save(dir: string): Promise<void> {
    await saveModelDir(dir, { method: this.method, config: this.config, tensors: new Map(this.parameters()) });
  }

  dispose(): void {
    this.backbone.dispose();
    this.head.dispose();
  }
}

function loadCombined(art: LoadedArtifacts): CombinedModel {
  const m = new CombinedModel(art.config as CombinedConfig);
  for (const [k, v] of m.parameters()) {
    const t = art.tensors.get(k);
    if (!t) throw new TsreprError('BAD_MODEL', `combined model is missing weight '${k}'`);
    v.assign(t);
  }
  return m;
}

registerMethod('combined', {
  description: 'any backbone (transformer, dilated-conv) with TS2Vec contrastive and/or SimMIM masked objectives (weighted sum)',
  create: (inputDims, options) => new CombinedModel(combinedConfig(inputDims, options)),
  load: (art) => loadCombined(art),
});
