/**
 * TS2Vec (Yue et al., "TS2Vec: Towards Universal Representation of Time Series", AAAI 2022):
 * a dilated-conv encoder trained with the hierarchical contrastive loss on two overlapping
 * random crops with random timestamp masking. Encoding, saving and evaluation use the
 * equal-weight running average of the weights (SWA, initial weights included), as the
 * official code does.
 */
import { DilatedConvEncoder, dilatedConvConfig, type DilatedConvConfig } from '../backbones/dilated-conv.js';
import type { TimeSeriesDataset } from '../data/dataset.js';
import { applyScaler, fitScaler } from '../data/transforms.js';
import { installSharedWasmIdentity } from '../engine/ops.js';
import { Rng } from '../engine/random.js';
import { tf, type Tensor, type Tensor3D, type Variable } from '../engine/tf.js';
import { saveModelDir } from '../engine/weights.js';
import { TsreprError, checkNumber, checkOption } from '../errors.js';
import { binomialMask, cropViews, observedTimestamps, prepareTrainingSeries, sampleCrops, type SeriesArray } from './crops.js';
import { encodeWithBackbone } from './encode.js';
import { FlatAdamW, flatOptimizerStep } from './flat-adamw.js';
import { hierarchicalContrastiveLossStacked } from './losses.js';
import {
  registerMethod, type EncodeOptions, type FitOptions, type FitResult, type LoadedArtifacts, type Representation, type RepresentationModel,
} from './model.js';
import { runTraining } from './training.js';

/** TS2Vec's hyper-parameters: the encoder's (documented on `DilatedConvConfig`) plus training ones. */
export interface TS2VecConfig extends Pick<DilatedConvConfig, 'inputDims' | 'hidden' | 'depth' | 'outputDims' | 'kernel' | 'dropout'> {
  /** AdamW learning rate (1e-3) and decoupled weight decay (0.01, torch's AdamW default) */
  lr: number;
  weightDecay: number;
  batchSize: number;
  /** iterations; default: 200 if N·T·C ≤ 100000 else 600 (unless `epochs` is given) */
  iters?: number;
  epochs?: number;
  /** longer training series are split / randomly windowed to this length (3000) */
  maxTrainLength: number;
  /** temporal contrast starts at this pooling level (0) */
  temporalUnit: number;
  /** weight of the instance term of the loss (0.5) */
  alpha: number;
  /** keep probability of the binomial timestamp mask in training (0.5) */
  maskProb: number;
  seed: number;
  /** 'channel': z-normalise with the training data's per-channel statistics (stored with the model) */
  normalize: 'none' | 'channel';
}

export const TS2VEC_DEFAULTS: Omit<TS2VecConfig, 'inputDims'> = {
  hidden: 64, depth: 10, outputDims: 320, kernel: 3, dropout: 0.1, lr: 1e-3, weightDecay: 0.01, batchSize: 8,
  maxTrainLength: 3000, temporalUnit: 0, alpha: 0.5, maskProb: 0.5, seed: 0, normalize: 'none',
};

const NUMERIC_KEYS = ['hidden', 'depth', 'outputDims', 'kernel', 'dropout', 'lr', 'weightDecay', 'batchSize', 'iters', 'epochs', 'maxTrainLength', 'temporalUnit', 'alpha', 'maskProb', 'seed'] as const;

/** Merges user options (numbers or numeric strings, e.g. from `--set`) with the defaults and validates them. */
export function ts2vecConfig(inputDims: number, options: Record<string, unknown> = {}): TS2VecConfig {
  const known = new Set<string>([...NUMERIC_KEYS, 'normalize', 'inputDims']);
  for (const k of Object.keys(options)) {
    if (!known.has(k)) throw new TsreprError('BAD_OPTION', `unknown ts2vec option '${k}' (known: ${[...known].filter((x) => x !== 'inputDims').join(', ')})`);
  }
  const o: Record<string, unknown> = { ...options };
  for (const k of NUMERIC_KEYS) if (typeof o[k] === 'string') o[k] = Number(o[k]);
  const cfg = { ...TS2VEC_DEFAULTS, ...o, inputDims } as TS2VecConfig;
  checkNumber('inputDims', cfg.inputDims, { min: 1, integer: true });
  checkNumber('hidden', cfg.hidden, { min: 1, integer: true });
  checkNumber('depth', cfg.depth, { min: 1, max: 20, integer: true });
  checkNumber('outputDims', cfg.outputDims, { min: 1, integer: true });
  checkNumber('batchSize', cfg.batchSize, { min: 1, integer: true });
  checkNumber('lr', cfg.lr, { min: 0, exclusiveMin: true });
  checkNumber('weightDecay', cfg.weightDecay, { min: 0 });
  checkNumber('dropout', cfg.dropout, { min: 0, max: 0.99 });
  checkNumber('maxTrainLength', cfg.maxTrainLength, { min: 2, integer: true });
  checkNumber('temporalUnit', cfg.temporalUnit, { min: 0, max: 16, integer: true });
  checkNumber('alpha', cfg.alpha, { min: 0, max: 1 });
  checkNumber('maskProb', cfg.maskProb, { min: 0, max: 1 });
  checkNumber('seed', cfg.seed, { min: 0, integer: true });
  if (cfg.iters !== undefined) checkNumber('iters', cfg.iters, { min: 1, integer: true });
  if (cfg.epochs !== undefined) checkNumber('epochs', cfg.epochs, { min: 1, integer: true });
  checkOption(cfg.normalize === 'none' || cfg.normalize === 'channel', `normalize must be 'none' or 'channel', got ${String(cfg.normalize)}`);
  dilatedConvConfig(backboneConfig(cfg));
  return cfg;
}

function backboneConfig(cfg: TS2VecConfig): Partial<DilatedConvConfig> & { inputDims: number } {
  return { inputDims: cfg.inputDims, hidden: cfg.hidden, depth: cfg.depth, outputDims: cfg.outputDims, kernel: cfg.kernel, dropout: cfg.dropout };
}

/** Iterations TS2Vec runs by default: 200 when N·T·C ≤ 100000, else 600. */
export function defaultIterations(n: number, length: number, channels: number): number {
  return n * length * channels <= 100000 ? 200 : 600;
}

/**
 * One training step's loss on the two crops of a batch, as a closure for `optimizerStep`.
 * `views` are the two views (`[B, L1, C]`, `[B, L2, C]`, NaN = missing), `keeps` their
 * timestamp keep-masks (`[B, Li]`, observed AND the random binomial mask), `cropL` the
 * overlap (the last `cropL` steps of view 1, the first of view 2), `dropRngs` the two views'
 * dropout randomness.
 *
 * Both views go through the encoder as ONE batch of 2B series (view 1's rows, then view 2's),
 * the shorter view zero-padded at the end and kept at zero through every layer
 * (`DilatedConvEncoder.forwardTraining`), so the encoder's kernels run once per step instead
 * of once per view. The result equals encoding the views apart (`forward` on each, then
 * dropout with each view's own seed) up to float rounding; test/methods/ts2vec-stacked.test.ts
 * checks it.
 */
export function pairedViewsLoss(
  net: DilatedConvEncoder, views: readonly [SeriesArray, SeriesArray], keeps: readonly [Uint8Array, Uint8Array], cropL: number,
  dropRngs: readonly [Rng, Rng], lossOpts: { alpha: number; temporalUnit: number }, opts: { stack?: boolean } = {},
): { loss: () => tf.Scalar; dispose: () => void } {
  const B = views[0].n, C = views[0].channels;
  const L1 = views[0].length, L2 = views[1].length;
  const stack = opts.stack ?? B * Math.abs(L1 - L2) <= STACKING.maxPaddedSteps;
  const Lmax = stack ? Math.max(L1, L2) : 0;
  // inputs: one [2B, Lmax, C] batch (stacked) or one [B, Li, C] batch per view (apart)
  const batches = (stack ? [[0, 1]] : [[0], [1]]).map((which) => {
    const L = stack ? Lmax : views[which[0]!]!.length;
    const rows = which.length * B;
    const xs = new Float32Array(rows * L * C), ms = new Float32Array(rows * L);
    which.forEach((vi, k) => {
      const v = views[vi]!, keep = keeps[vi]!;
      for (let i = 0; i < B; i++) {
        const row = k * B + i;
        for (let t = 0; t < v.length; t++) {
          const r = i * v.length + t;
          ms[row * L + t] = keep[r]!;
          for (let c = 0; c < C; c++) { const x = v.values[r * C + c]!; xs[(row * L + t) * C + c] = Number.isNaN(x) ? 0 : x; }
        }
      }
    });
    let valid: Tensor3D | undefined;
    if (which.length === 2 && L1 !== L2) {
      const vm = new Float32Array(rows * L);
      for (let row = 0; row < rows; row++) vm.fill(1, row * L, row * L + (row < B ? L1 : L2));
      valid = tf.tensor3d(vm, [rows, L, 1]);
    }
    const groups = which.map((vi) => ({ rows: B, start: vi === 0 ? L1 - cropL : 0 }));
    return { x: tf.tensor3d(xs, [rows, L, C]), m: tf.tensor2d(ms, [rows, L]), valid, groups };
  });
  // Representation dropout as nn/layers `dropout` on each view's [B, Li, D] output, with the
  // view's own seed (the same draws as when the views were encoded apart); only the rows of
  // the kept crop are needed, so the scaled masks are cut to it.
  const D = net.outputDims, rate = net.config.dropout;
  const drop = rate > 0 ? tf.tidy(() => tf.concat(([[L1, L1 - cropL], [L2, 0]] as const).map(([L, start], vi) => {
    const keep = tf.cast(tf.greaterEqual(tf.randomUniform([B, L, D], 0, 1, 'float32', dropRngs[vi]!.seed()), rate), 'float32');
    return tf.slice(tf.mul(keep, 1 / (1 - rate)), [0, start, 0], [B, cropL, D]);
  }), 0)) as Tensor3D : undefined;
  return {
    loss: () => {
      // the encoder returns only the crop's timesteps, [z1; z2]: view 1's last cropL, view 2's first
      const outs = batches.map((b) => net.forwardTraining(b.x, b.m, b.valid, { length: cropL, groups: b.groups }));
      let zz = outs.length === 1 ? outs[0]! : tf.concat(outs, 0) as Tensor3D;
      if (drop) zz = tf.mul(zz, drop);
      return hierarchicalContrastiveLossStacked(zz, lossOpts);
    },
    dispose: () => {
      for (const b of batches) { b.x.dispose(); b.m.dispose(); b.valid?.dispose(); }
      drop?.dispose();
    },
  };
}

/**
 * When `pairedViewsLoss` stacks the two views into one padded batch: when the padding,
 * B·|L1 − L2| timesteps, is at most `maxPaddedSteps`. Stacking halves the encoder's kernel
 * calls (it wins on short series, which are dispatch-bound); apart, no FLOPs go to padding
 * (it wins on long series with views of very different lengths, which are FLOP-bound).
 * Both give the same loss and gradients up to float rounding. 64 (B = 8: views within 8 steps
 * of each other) measured best of 0/32/64/128/always on ItalyPowerDemand, GunPoint and Coffee
 * (experiments/ts2vec-speed.ts --max-padded). Exported for experiments.
 */
export const STACKING = { maxPaddedSteps: 64 };

interface Normalisation { mean: number[]; std: number[] }

export class TS2Vec implements RepresentationModel {
  readonly method = 'ts2vec';
  readonly config: TS2VecConfig;
  /** the network that is trained */
  readonly net: DilatedConvEncoder;
  /** the running average of `net`'s weights: used for encode and save */
  readonly averaged: DilatedConvEncoder;
  /** how many weight snapshots the average holds (a tensor: no device read-back needed) */
  private readonly nAveraged: Variable = tf.tidy(() => tf.variable(tf.scalar(0), false)); // tidy: the initial scalar is not leaked
  private fitted = false;
  private norm?: Normalisation;

  constructor(config: TS2VecConfig) {
    this.config = config;
    const rng = new Rng(config.seed);
    this.net = new DilatedConvEncoder(backboneConfig(config), rng);
    this.averaged = new DilatedConvEncoder(backboneConfig(config), new Rng(config.seed));
    this.resetAverage();
  }

  get reprDims(): number {
    return this.config.outputDims;
  }

  getConfig(): TS2VecConfig {
    return { ...this.config };
  }

  /** Average := current weights, counting them as the first sample. */
  private resetAverage(): void {
    const src = this.net.namedParameters();
    for (const [k, v] of this.averaged.namedParameters()) v.assign(src.get(k)!);
    tf.tidy(() => this.nAveraged.assign(tf.scalar(1)));
  }

  /** Equal-weight running mean: avg += (p − avg) / (n + 1). */
  private updateAverage(): void {
    const src = this.net.namedParameters();
    tf.tidy(() => {
      const n1 = tf.add(this.nAveraged, 1);
      for (const [k, v] of this.averaged.namedParameters()) v.assign(tf.add(v, tf.div(tf.sub(src.get(k)!, v), n1)));
      this.nAveraged.assign(n1);
    });
  }

  private toArray(ds: TimeSeriesDataset): SeriesArray {
    if (ds.channels !== this.config.inputDims) {
      throw new TsreprError('BAD_INPUT', `${ds.source ?? 'data'} has ${ds.channels} channels, the model expects ${this.config.inputDims}`);
    }
    let d = ds;
    if (this.norm) {
      d = applyScaler(ds, { mode: 'channel', channels: ds.channels, mean: Float64Array.from(this.norm.mean), std: Float64Array.from(this.norm.std) });
    }
    return { values: d.values, n: d.n, length: d.length, channels: d.channels };
  }

  async fit(ds: TimeSeriesDataset, opts: FitOptions = {}): Promise<FitResult> {
    const cfg = this.config;
    if (cfg.normalize === 'channel') {
      const st = fitScaler(ds, { mode: 'channel' });
      this.norm = { mean: Array.from(st.mean), std: Array.from(st.std) };
    }
    const raw = this.toArray(ds);
    const data = prepareTrainingSeries(raw, cfg.maxTrainLength);
    if (data.n === 0) throw new TsreprError('BAD_INPUT', `${ds.source ?? 'data'}: every series is entirely missing`);
    if (data.length < 2 ** (cfg.temporalUnit + 1)) {
      throw new TsreprError('BAD_INPUT', `${ds.source ?? 'data'}: series of length ${data.length} are too short for TS2Vec (need ≥ ${2 ** (cfg.temporalUnit + 1)})`);
    }
    const B = Math.min(cfg.batchSize, data.n);
    const stepsPerEpoch = Math.floor(data.n / B);
    const totalSteps = cfg.iters ?? (cfg.epochs !== undefined ? cfg.epochs * stepsPerEpoch : defaultIterations(raw.n, raw.length, raw.channels));
    const params = this.net.namedParameters();
    const adam = new FlatAdamW(params, { lr: cfg.lr, weightDecay: cfg.weightDecay });
    const rng = new Rng(cfg.seed + 1);
    this.resetAverage();
    const avgParams = this.averaged.namedParameters();
    const epochOrder = new Map<number, Int32Array>();

    const step = async (i: number, readLoss: boolean): Promise<number | undefined | null> => {
      // Batches: a fresh permutation per epoch (derived from the seed and the epoch, so that a
      // resumed run sees the same batches), last partial batch dropped.
      const epoch = Math.floor(i / stepsPerEpoch), k = i % stepsPerEpoch;
      let perm = epochOrder.get(epoch);
      if (!perm) { epochOrder.clear(); perm = new Rng(cfg.seed * 1000003 + epoch).permutation(data.n); epochOrder.set(epoch, perm); }
      const T0 = data.length, C = data.channels;
      let T = T0, winOff = 0;
      if (T0 > cfg.maxTrainLength) { winOff = rng.int(0, T0 - cfg.maxTrainLength + 1); T = cfg.maxTrainLength; }
      const xb = new Float32Array(B * T * C);
      for (let j = 0; j < B; j++) {
        const s = perm[k * B + j]!;
        xb.set(data.values.subarray((s * T0 + winOff) * C, (s * T0 + winOff + T) * C), j * T * C);
      }
      const batch: SeriesArray = { values: xb, n: B, length: T, channels: C };
      const plan = sampleCrops(rng, T, B, cfg.temporalUnit);
      const views = cropViews(batch, plan);
      const keeps = views.map((v) => {
        const keep = observedTimestamps(v);
        const rnd = binomialMask(rng, v.n, v.length, cfg.maskProb);
        for (let r = 0; r < keep.length; r++) keep[r] = keep[r]! & rnd[r]!;
        return keep;
      }) as [Uint8Array, Uint8Array];
      const dropRngs: [Rng, Rng] = [rng.fork(), rng.fork()];
      const pair = pairedViewsLoss(this.net, views, keeps, plan.cropL, dropRngs, { alpha: cfg.alpha, temporalUnit: cfg.temporalUnit });
      try {
        const res = await flatOptimizerStep(adam, params, pair.loss, { onNonFinite: opts.onNonFinite, readLoss, stepLabel: i + 1 });
        if (res.skipped) return null;
        this.updateAverage();
        return res.loss;
      } finally {
        pair.dispose();
      }
    };

    // the tape's copies of saved tensors share their buffers during training (values unchanged)
    const restoreIdentity = installSharedWasmIdentity();
    try {
      const result = await runTraining({
        name: 'ts2vec fit', totalSteps, stepsPerEpoch, params, optimizers: { adam }, rng, step,
        extraState: {
          get: () => {
            const m = new Map<string, Tensor>();
            for (const [k, v] of avgParams) m.set(`avg/${k}`, tf.clone(v));
            m.set('avgCount', tf.clone(this.nAveraged));
            return m;
          },
          set: (t) => {
            for (const [k, v] of avgParams) { const s = t.get(`avg/${k}`); if (s) v.assign(s); }
            const c = t.get('avgCount');
            if (c) this.nAveraged.assign(c);
          },
        },
      }, opts);
      this.fitted = true;
      return result;
    } finally {
      restoreIdentity();
      adam.dispose();
    }
  }

  async encode(ds: TimeSeriesDataset, opts: EncodeOptions = {}): Promise<Representation> {
    if (!this.fitted) throw new TsreprError('NOT_FITTED', 'ts2vec: call fit() (or load a saved model) before encode()');
    return encodeWithBackbone(this.averaged, this.toArray(ds), opts);
  }

  async save(dir: string): Promise<void> {
    if (!this.fitted) throw new TsreprError('NOT_FITTED', 'ts2vec: nothing to save before fit()');
    await saveModelDir(dir, {
      method: this.method,
      config: { ts2vec: this.config, backbone: this.averaged.getConfig(), normalisation: this.norm ?? null },
      tensors: this.averaged.namedParameters() as Map<string, Tensor>,
    });
  }

  /** Restores saved weights into both the averaged and the trainable network. */
  loadWeights(tensors: Map<string, Tensor>, norm?: Normalisation): void {
    this.averaged.loadParameters(tensors);
    this.net.loadParameters(tensors);
    this.norm = norm;
    tf.tidy(() => this.nAveraged.assign(tf.scalar(1)));
    this.fitted = true;
  }

  dispose(): void {
    this.net.dispose();
    this.averaged.dispose();
    this.nAveraged.dispose();
  }
}

/** Creates an unfitted TS2Vec model for `inputDims` channels. */
export function createTS2Vec(inputDims: number, options: Record<string, unknown> = {}): TS2Vec {
  return new TS2Vec(ts2vecConfig(inputDims, options));
}

function loadTS2Vec(art: LoadedArtifacts): TS2Vec {
  const cfg = art.config as { ts2vec?: TS2VecConfig; normalisation?: Normalisation | null };
  if (!cfg.ts2vec) throw new TsreprError('BAD_MODEL', 'config.json has no ts2vec section');
  const { inputDims, ...rest } = cfg.ts2vec;
  const model = createTS2Vec(inputDims, rest as unknown as Record<string, unknown>);
  try {
    model.loadWeights(art.tensors, cfg.normalisation ?? undefined);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

registerMethod('ts2vec', {
  description: 'TS2Vec: hierarchical contrastive learning with a dilated-conv encoder (Yue et al., AAAI 2022)',
  create: createTS2Vec,
  load: loadTS2Vec,
});
