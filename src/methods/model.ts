/**
 * The one model API every pretraining method implements: `fit`, `encode`, `save`, and
 * `loadModel(dir)` dispatching on the method recorded in the model directory.
 */
import type { TimeSeriesDataset } from '../data/dataset.js';
import type { OnNonFinite } from '../engine/optim.js';
import type { ProgressCallback } from '../engine/progress.js';
import { loadModelDir } from '../engine/weights.js';
import { TsreprError } from '../errors.js';

export interface FitOptions {
  /** called after every iteration */
  onProgress?: ProgressCallback;
  /** aborts training between iterations (throws an ABORTED error) */
  signal?: AbortSignal;
  /** write a checkpoint every N iterations (requires `checkpointDir`) */
  checkpointEvery?: number;
  checkpointDir?: string;
  /** continue from the latest checkpoint in `checkpointDir` when there is one */
  resume?: boolean;
  /** what to do when a loss or gradient is NaN/Inf: stop with an error (default) or skip the batch */
  onNonFinite?: OnNonFinite;
  /** read the loss back every N iterations (default 1; larger avoids GPU sync) */
  lossEvery?: number;
}

export interface FitResult {
  iterations: number;
  epochs: number;
  seconds: number;
  secondsPerIteration: number;
  /** loss per iteration where it was read back (NaN elsewhere) */
  losses: number[];
  /** iterations skipped because of non-finite values (`onNonFinite: 'skip'`) */
  skippedSteps: number;
  /** iteration the run resumed from (0 when it started fresh) */
  resumedFrom: number;
  /**
   * validation-based model selection, for methods that have it (SSGAN): the score at each
   * evaluation (iteration 0 = before training), and the iteration whose weights were kept
   */
  validation?: { metric: string; history: { iteration: number; value: number }[]; bestIteration: number; best: number; stoppedEarly: boolean };
}

export type Pooling = 'full' | 'timestamp' | 'multiscale';

export interface EncodeOptions {
  /** 'full': one vector per series (max-pool over time); 'timestamp': one per step; 'multiscale': max-pools at scales 2^k concatenated */
  pooling?: Pooling;
  /** sliding inference: encode windows of this many steps (TS2Vec forecasting/anomaly use 1) */
  slidingLength?: number;
  /** context kept before each sliding window */
  slidingPadding?: number;
  /** causal sliding windows (only past context) */
  causal?: boolean;
  /** series per forward pass */
  batchSize?: number;
  /** 'mask_last' masks the last timestamp of each window (TS2Vec anomaly protocol) */
  mask?: 'all_true' | 'mask_last';
  onProgress?: ProgressCallback;
}

/** Dense float32 array with its shape: `[N, D]` or `[N, T, D]`. */
export interface Representation {
  data: Float32Array;
  shape: number[];
}

export interface RepresentationModel {
  /** method name as stored in model directories ('ts2vec', 'masked', …) */
  readonly method: string;
  /** dimension of one representation vector */
  readonly reprDims: number;
  /** JSON-serialisable hyper-parameters */
  getConfig(): object;
  fit(ds: TimeSeriesDataset, opts?: FitOptions): Promise<FitResult>;
  encode(ds: TimeSeriesDataset, opts?: EncodeOptions): Promise<Representation>;
  save(dir: string): Promise<void>;
  dispose(): void;
}

export type LoadedArtifacts = Awaited<ReturnType<typeof loadModelDir>>;
type Loader = (art: LoadedArtifacts, dir: string) => Promise<RepresentationModel> | RepresentationModel;

export interface MethodEntry {
  /** one-line description for help texts */
  description: string;
  /**
   * Builds an unfitted model for data with `inputDims` channels from user options
   * (hyper-parameters by name, e.g. from the CLI's `--set key=value`); validates them.
   */
  create(inputDims: number, options: Record<string, unknown>): RepresentationModel;
  /** rebuilds a fitted model from its saved directory */
  load: Loader;
}
const entries = new Map<string, MethodEntry>();
const loaders = { get: (m: string) => entries.get(m)?.load, keys: () => entries.keys() };

/** Registers a pretraining method: how to create it and how to rebuild it from a model directory. */
export function registerMethod(method: string, entry: MethodEntry): void {
  entries.set(method, entry);
}

export function registeredMethods(): string[] {
  return [...entries.keys()];
}

/** Creates an unfitted model of a registered method. */
export function createModel(method: string, inputDims: number, options: Record<string, unknown> = {}): RepresentationModel {
  const e = entries.get(method);
  if (!e) throw new TsreprError('BAD_OPTION', `unknown method '${method}'; available: ${[...entries.keys()].join(', ') || 'none'}`);
  return e.create(inputDims, options);
}

/** Loads any saved model; the method is read from the directory's manifest. */
export async function loadModel(dir: string): Promise<RepresentationModel> {
  const art = await loadModelDir(dir);
  const loader = loaders.get(art.manifest.method);
  if (!loader) {
    for (const t of art.tensors.values()) t.dispose();
    throw new TsreprError('BAD_MODEL', `${dir}: model method '${art.manifest.method}' is not known to this tsrepr (known: ${[...loaders.keys()].join(', ')})`);
  }
  try {
    return await loader(art, dir);
  } catch (e) {
    // a saved config that fails validation is a bad model directory, not a bad user option
    if (e instanceof TsreprError && e.code !== 'BAD_OPTION') throw e;
    throw new TsreprError('BAD_MODEL', `${dir}: cannot rebuild the '${art.manifest.method}' model: ${(e as Error).message}`, undefined, { cause: e });
  } finally {
    for (const t of art.tensors.values()) t.dispose();
  }
}
