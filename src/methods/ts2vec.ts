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
import { warn } from '../engine/log.js';
import { installSharedWasmIdentity } from '../engine/ops.js';
import { Rng } from '../engine/random.js';
import { tf, type Tensor, type Variable } from '../engine/tf.js';
import { saveModelDir } from '../engine/weights.js';
import { TsreprError, checkNumber, checkOption } from '../errors.js';
import { binomialMask, cropViews, observedTimestamps, prepareTrainingSeries, sampleCrops, type SeriesArray } from './crops.js';
import { encodeWithBackbone } from './encode.js';
import { FlatAdamW, flatOptimizerStep } from './flat-adamw.js';
import {
  registerMethod, type EncodeOptions, type FitOptions, type FitResult, type LoadedArtifacts, type Representation, type RepresentationModel,
} from './model.js';
import { runTraining } from './training.js';
import { ParallelStep, resolveWorkers } from './ts2vec-parallel.js';
import { pairedViewsLoss } from './ts2vec-step.js';

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
  /**
   * Worker threads for training (wasm backend): with n ≥ 1 the batch is split into n + 1
   * shards, encoded in parallel by this thread and n `worker_threads` workers
   * (ts2vec-parallel.ts); the result equals the single-thread step up to float rounding.
   * 0: single-threaded (bit for bit the same as before this option existed). 'auto' (default):
   * one worker when it measurably wins (wasm backend, ≥ 2 cores, series of ≥ 64 steps, ≥ 50
   * iterations), else 0. Never more than B − 1.
   */
  workers: number | 'auto';
}

export const TS2VEC_DEFAULTS: Omit<TS2VecConfig, 'inputDims'> = {
  hidden: 64, depth: 10, outputDims: 320, kernel: 3, dropout: 0.1, lr: 1e-3, weightDecay: 0.01, batchSize: 8,
  maxTrainLength: 3000, temporalUnit: 0, alpha: 0.5, maskProb: 0.5, seed: 0, normalize: 'none', workers: 'auto',
};

const NUMERIC_KEYS = ['hidden', 'depth', 'outputDims', 'kernel', 'dropout', 'lr', 'weightDecay', 'batchSize', 'iters', 'epochs', 'maxTrainLength', 'temporalUnit', 'alpha', 'maskProb', 'seed'] as const;

/** Merges user options (numbers or numeric strings, e.g. from `--set`) with the defaults and validates them. */
export function ts2vecConfig(inputDims: number, options: Record<string, unknown> = {}): TS2VecConfig {
  const known = new Set<string>([...NUMERIC_KEYS, 'normalize', 'workers', 'inputDims']);
  for (const k of Object.keys(options)) {
    if (!known.has(k)) throw new TsreprError('BAD_OPTION', `unknown ts2vec option '${k}' (known: ${[...known].filter((x) => x !== 'inputDims').join(', ')})`);
  }
  const o: Record<string, unknown> = { ...options };
  for (const k of NUMERIC_KEYS) if (typeof o[k] === 'string') o[k] = Number(o[k]);
  if (typeof o.workers === 'string' && /^\s*\d+\s*$/.test(o.workers)) o.workers = Number(o.workers);
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
  checkOption(
    cfg.workers === 'auto' || (typeof cfg.workers === 'number' && Number.isInteger(cfg.workers) && cfg.workers >= 0 && cfg.workers <= 64),
    `workers must be 'auto' or an integer from 0 to 64 (worker threads besides this one), got ${JSON.stringify(cfg.workers)}`,
  );
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

// the step's pieces live in ts2vec-step.ts (shared with the worker threads); re-exported here
export { STACKING, pairedViewsLoss } from './ts2vec-step.js';

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
      if (parallel) {
        const res = await parallel.step(adam, { views, keeps, cropL: plan.cropL, dropRngs, lossOpts: { alpha: cfg.alpha, temporalUnit: cfg.temporalUnit } },
          { onNonFinite: opts.onNonFinite, readLoss, stepLabel: i + 1 });
        if (res.skipped) return null;
        this.updateAverage();
        return res.loss;
      }
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

    // worker threads for the parallel step (none unless `workers` asks for them or 'auto' finds them worth it)
    const nWorkers = resolveWorkers(cfg.workers, { batch: B, length: data.length, steps: totalSteps, backend: tf.getBackend() });
    let parallel: ParallelStep | undefined;
    // the tape's copies of saved tensors share their buffers during training (values unchanged)
    const restoreIdentity = installSharedWasmIdentity();
    try {
      if (nWorkers > 0) {
        try {
          parallel = await ParallelStep.start(nWorkers, this.net, params);
        } catch (e) {
          // 'auto' only asked for a speed-up: a runtime that cannot start the worker file (a
          // single-file bundle, .ts sources without tsx) trains on this thread instead
          if (cfg.workers !== 'auto') throw e;
          warn(`ts2vec: training on one thread (workers 'auto' could not start a worker: ${(e as Error).message})`);
        }
      }
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
      await parallel?.close();
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
