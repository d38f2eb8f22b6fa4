/**
 * Cell functions: thin wrappers that run one (dataset, method, seed) through the task adapters'
 * public APIs. Adapters are imported lazily (`importAdapter`), so a suite whose adapter has not
 * landed yet reports its cells as 'skipped: <adapter> not available' instead of failing.
 */
import { performance } from 'node:perf_hooks';
import type { TimeSeriesDataset } from '../data/dataset.js';
import { createDataset, fromArrays } from '../data/dataset.js';
import type { NabDataset } from '../data/nab.js';
import { loadEtt } from '../data/forecast.js';
import { loadDataset, resolveDataset, type LoadedDataset } from '../data/registry.js';
import { crop } from '../data/transforms.js';
import { Rng } from '../engine/random.js';
import type { FitResult, RepresentationModel } from '../methods/model.js';
import { downsamplePlot } from './plots.js';
import { CellSkip, importAdapter, importModule } from './skip.js';
import type { CellContext, CellFunction, CellOutput, FitSummary } from './types.js';

/** Modules that register each pretraining method with the model registry. */
const METHOD_MODULES: Record<string, string> = {
  ts2vec: 'methods/ts2vec.js', masked: 'methods/masked/model.js', ssgan: 'methods/ssgan/index.js', combined: 'methods/combined.js',
};

/** Bench method labels that are a registered method with fixed options (the combined backbones). */
export const METHOD_ALIASES: Record<string, { method: string; options: Record<string, unknown> }> = {
  'combined-transformer': { method: 'combined', options: { backbone: 'transformer' } },
  'combined-dilated-conv': { method: 'combined', options: { backbone: 'dilated-conv' } },
};

/** Registry method and merged options of a bench method label (registers the method); CellSkip when unknown. */
async function resolveMethod(label: string, options: Record<string, unknown>): Promise<{ method: string; options: Record<string, unknown> }> {
  const alias = METHOD_ALIASES[label];
  const method = alias?.method ?? label;
  const mod = METHOD_MODULES[method];
  if (!mod) throw new CellSkip(`method ${label} is not known to the bench`);
  await importModule(mod); // registers the method
  return { method, options: { ...(alias?.options ?? {}), ...options } };
}

/** True when `label` names a pretraining model (a registered method or an alias), not a baseline. */
export function isModelLabel(label: string): boolean {
  return label in METHOD_ALIASES || label in METHOD_MODULES;
}

/** Creates an unfitted model of `method` (a method or an alias label) through the method registry (skips when the method has not landed). */
export async function createMethodModel(method: string, inputDims: number, options: Record<string, unknown>): Promise<RepresentationModel> {
  const r = await resolveMethod(method, options);
  const { createModel } = await import('../methods/model.js');
  return createModel(r.method, inputDims, r.options);
}

function fitSummary(f: FitResult): FitSummary {
  return { iterations: f.iterations, seconds: f.seconds, secondsPerIteration: f.secondsPerIteration, losses: f.losses };
}

async function load(ctx: CellContext): Promise<LoadedDataset> {
  return loadDataset(ctx.dataset, ctx.dataDir ? { dataDir: ctx.dataDir } : {});
}

// ---------------------------------------------------------------- classification

/** Euclidean 1-nearest-neighbour on the raw series (NaN treated as 0): the trivial classification baseline. */
export function oneNearestNeighbour(train: TimeSeriesDataset, test: TimeSeriesDataset): Int32Array {
  const d = train.length * train.channels;
  if (test.length * test.channels !== d) throw new CellSkip('1-NN needs equal-length train and test series');
  const pred = new Int32Array(test.n);
  for (let i = 0; i < test.n; i++) {
    let best = Infinity;
    for (let j = 0; j < train.n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const a = test.values[i * d + k]!;
        const b = train.values[j * d + k]!;
        const e = (Number.isNaN(a) ? 0 : a) - (Number.isNaN(b) ? 0 : b);
        s += e * e;
        if (s >= best) break;
      }
      if (s < best) { best = s; pred[i] = train.labels![j]!; }
    }
  }
  return pred;
}

/** Classification cell: '1nn-ed' baseline, or pretrain `method` and evaluate with the classification adapter. */
export const classificationCell: CellFunction = async (ctx) => {
  const data = await load(ctx);
  if (data.task !== 'classification') throw new CellSkip(`${ctx.dataset} is not a classification dataset`);
  const { train, test } = data;
  const t0 = performance.now();
  if (ctx.method === '1nn-ed') {
    const pred = oneNearestNeighbour(train, test);
    const acc = pred.reduce((a, p, i) => a + (p === test.labels![i] ? 1 : 0), 0) / test.n;
    return { metrics: { accuracy: acc }, encodeSeconds: (performance.now() - t0) / 1000 };
  }
  type Evaluate = (model: RepresentationModel, train: TimeSeriesDataset, test: TimeSeriesDataset, o: Record<string, unknown>) => Promise<{ accuracy: number; auprc?: number }>;
  const evaluate = await importAdapter<Evaluate>('tasks/classification/index.js', 'evaluateClassification');
  const model = await createMethodModel(ctx.method, train.channels, { ...(ctx.config.model as object), seed: ctx.seed });
  try {
    const fit = await model.fit(train, { onProgress: ctx.onProgress, signal: ctx.signal });
    const e0 = performance.now();
    const res = await evaluate(model, train, test, { ...(ctx.config.protocol as object) });
    return {
      metrics: { accuracy: res.accuracy, ...(res.auprc !== undefined ? { auprc: res.auprc } : {}) },
      fit: fitSummary(fit), encodeSeconds: (performance.now() - e0) / 1000,
    };
  } finally {
    model.dispose();
  }
};

// ---------------------------------------------------------------- forecasting

interface ForecastProtocol {
  prepareForecastInput(data: unknown, o?: { covariates?: boolean }): { input: TimeSeriesDataset };
  ridgeForecast(model: RepresentationModel, prep: unknown, o: Record<string, unknown>): Promise<{
    horizons: { horizon: number; mse: number; mae: number }[]; encodeSeconds: number; examples: { horizon: number; pred: number[]; truth: number[] }[];
  }>;
  naiveLastValue(prep: unknown, H: number): { mse: number; mae: number };
}

/**
 * Forecasting cell: metrics mse@H / mae@H per horizon on the train-scaler scale.
 * `ctx.dataset` is an ETT name, optionally with `:S` / `:M` (features; default from
 * `config.univariate`). `config.protocol.kind`: 'ridge' (default, TS2Vec's: ridge on causal
 * representations with time covariates) or 'head' (PatchTST's: pretrain on the target channels,
 * channel-independent, then a RevIN linear head on the flattened patch tokens; masked model).
 */
export const forecastingCell: CellFunction = async (ctx) => {
  const [name, feat] = ctx.dataset.split(':') as [string, string | undefined];
  const features = feat === 'M' || feat === 'S' ? feat : ctx.config.univariate === false ? 'M' : 'S';
  const info = resolveDataset(name, ctx.dataDir ? { dataDir: ctx.dataDir } : {});
  if (info.task !== 'forecasting') throw new CellSkip(`${name} is not a forecasting dataset`);
  const data = await loadEtt(info.files!.csv!, { features });
  const mod = 'tasks/forecasting/protocol.js';
  const p: ForecastProtocol = {
    prepareForecastInput: await importAdapter(mod, 'prepareForecastInput'),
    ridgeForecast: await importAdapter(mod, 'ridgeForecast'),
    naiveLastValue: await importAdapter(mod, 'naiveLastValue'),
  };
  const horizons = ctx.config.horizons as number[];
  const { kind = 'ridge', ...protocol } = (ctx.config.protocol ?? {}) as { kind?: string } & Record<string, unknown>;
  if (ctx.method === 'last-value') {
    const prep = p.prepareForecastInput(data, { covariates: false });
    const metrics: Record<string, number> = {};
    for (const H of horizons) { const r = p.naiveLastValue(prep, H); metrics[`mse@${H}`] = r.mse; metrics[`mae@${H}`] = r.mae; }
    return { metrics };
  }
  if (kind === 'head') return headForecastingCell(ctx, data, p, horizons, protocol);
  if (kind !== 'ridge') throw new CellSkip(`unknown forecasting protocol ${kind}`);
  const prep = p.prepareForecastInput(data, { covariates: true });
  const model = await createMethodModel(ctx.method, prep.input.channels, { ...(ctx.config.model as object), seed: ctx.seed });
  try {
    const trainPart = crop(prep.input, data.split.train[0], data.split.train[1]);
    const fit = await model.fit(trainPart, { onProgress: ctx.onProgress, signal: ctx.signal });
    const res = await p.ridgeForecast(model, prep, { horizons, ...protocol });
    const metrics: Record<string, number> = {};
    for (const h of res.horizons) { metrics[`mse@${h.horizon}`] = h.mse; metrics[`mae@${h.horizon}`] = h.mae; }
    const plots = res.examples.slice(0, 2).map((e) => ({ id: `forecast-h${e.horizon}`, title: `${ctx.dataset} ${ctx.method} H=${e.horizon}: first test window`, series: [{ name: 'truth', values: e.truth }, { name: 'forecast', values: e.pred }] }));
    return { metrics, fit: fitSummary(fit), encodeSeconds: res.encodeSeconds, plots };
  } finally {
    model.dispose();
  }
};

/** PatchTST protocol: pretrain on the scaled target channels of the train split, then the RevIN linear head. */
async function headForecastingCell(ctx: CellContext, data: Awaited<ReturnType<typeof loadEtt>>, p: ForecastProtocol, horizons: number[], protocol: Record<string, unknown>): Promise<CellOutput> {
  type HeadFn = (model: RepresentationModel, data: unknown, o: Record<string, unknown>) => Promise<{ horizons: { horizon: number; mse: number; mae: number }[]; featureSeconds?: number }>;
  const patchHeadForecast = await importAdapter<HeadFn>('tasks/forecasting/patch-head.js', 'patchHeadForecast');
  const prep = p.prepareForecastInput(data, { covariates: false }) as unknown as { targets: Float32Array; k: number; targetNames: string[] };
  const T = data.split.train[1];
  const train = createDataset({ values: prep.targets.slice(0, T * prep.k), n: 1, length: T, channels: prep.k, channelNames: prep.targetNames });
  const model = await createMethodModel(ctx.method, prep.k, { ...(ctx.config.model as object), seed: ctx.seed });
  try {
    const fit = await model.fit(train, { onProgress: ctx.onProgress, signal: ctx.signal });
    const e0 = performance.now();
    const res = await patchHeadForecast(model, data, { horizons, seed: ctx.seed, ...protocol });
    const metrics: Record<string, number> = {};
    for (const h of res.horizons) { metrics[`mse@${h.horizon}`] = h.mse; metrics[`mae@${h.horizon}`] = h.mae; }
    return { metrics, fit: fitSummary(fit), encodeSeconds: (performance.now() - e0) / 1000 };
  } finally {
    model.dispose();
  }
}

// ---------------------------------------------------------------- imputation

/**
 * Imputation cell: hide `config.rate` of the observed entries, impute, score MAE/RMSE/MRE on them.
 * A dataset label `NAME@R` (R in percent, e.g. `physionet2012@20`) overrides the rate.
 */
export const imputationCell: CellFunction = async (ctx) => {
  const [name, pct] = ctx.dataset.split('@') as [string, string | undefined];
  const rate = pct !== undefined ? Number(pct) / 100 : Number(ctx.config.rate ?? 0.1);
  if (!(rate > 0 && rate < 1)) throw new CellSkip(`bad missing rate in ${ctx.dataset}`);
  const data = await loadDataset(name, ctx.dataDir ? { dataDir: ctx.dataDir } : {});
  if (data.task !== 'imputation') throw new CellSkip(`${ctx.dataset} is not an imputation dataset`);
  const hideObserved = await importAdapter<(ds: TimeSeriesDataset, rate: number, seed?: number) => { ds: TimeSeriesDataset; indices: Int32Array; truth: Float32Array }>('tasks/imputation/evaluate.js', 'hideObserved');
  const scoreImputation = await importAdapter<(v: Float32Array, h: { indices: Int32Array; truth: Float32Array }, c: number, s?: { mean: ArrayLike<number>; std: ArrayLike<number> }) => { mae: number; rmse: number; mre: number }>('tasks/imputation/evaluate.js', 'scoreImputation');
  const createImputer = await importAdapter<(m: string, o?: Record<string, unknown>) => { fit(ds: TimeSeriesDataset, o?: object): Promise<void | FitResult>; impute(ds: TimeSeriesDataset): Promise<{ values: Float32Array }>; dispose(): void }>('tasks/imputation/imputers.js', 'createImputer');
  let ds = data.data as TimeSeriesDataset;
  const maxSeries = ctx.config.maxSeries as number | undefined;
  if (maxSeries && ds.n > maxSeries) {
    const { selectSeries } = await import('../data/dataset.js');
    ds = selectSeries(ds, [...Array(maxSeries).keys()]);
  }
  const hidden = hideObserved(ds, rate, ctx.seed);
  const stats = channelStats(ds);
  // a pretraining model (other than SSGAN, itself an imputer) imputes through the 'representation'
  // imputer, which trains the model on the (z-scored) data in fit
  let imputer: ReturnType<typeof createImputer>;
  if (ctx.method !== 'ssgan' && isModelLabel(ctx.method)) {
    const r = await resolveMethod(ctx.method, { ...(ctx.config.model as object), seed: ctx.seed });
    imputer = createImputer('representation', { method: r.method, modelOptions: r.options, seed: ctx.seed });
  } else {
    imputer = createImputer(ctx.method, { ...(ctx.config.model as object), seed: ctx.seed });
  }
  try {
    const f0 = performance.now();
    const fit = await imputer.fit(hidden.ds, { onProgress: ctx.onProgress, signal: ctx.signal });
    const fitSeconds = (performance.now() - f0) / 1000;
    const e0 = performance.now();
    const out = await imputer.impute(hidden.ds);
    const encodeSeconds = (performance.now() - e0) / 1000;
    const s = scoreImputation(out.values, hidden, ds.channels, stats);
    const fr = fit as FitResult | undefined;
    return {
      metrics: { mae: s.mae, rmse: s.rmse, mre: s.mre }, encodeSeconds,
      fit: fr?.iterations ? fitSummary(fr) : { iterations: 0, seconds: fitSeconds, secondsPerIteration: 0 },
    };
  } finally {
    imputer.dispose();
  }
};

/** Per-channel mean and std of the observed entries (the standardised scale the references use). */
function channelStats(ds: TimeSeriesDataset): { mean: Float64Array; std: Float64Array } {
  const C = ds.channels;
  const sum = new Float64Array(C), sq = new Float64Array(C), cnt = new Float64Array(C);
  ds.values.forEach((v, i) => { if (ds.mask[i] && Number.isFinite(v)) { const c = i % C; sum[c]! += v; sq[c]! += v * v; cnt[c]!++; } });
  const mean = sum.map((s, c) => s / Math.max(1, cnt[c]!));
  const std = sq.map((q, c) => Math.sqrt(Math.max(q / Math.max(1, cnt[c]!) - mean[c]! ** 2, 0)) || 1);
  return { mean, std };
}

// ---------------------------------------------------------------- anomaly (NAB)

interface NabResult { metrics: Record<string, number>; scores: number[]; windows: [number, number][]; fit?: FitResult }

/**
 * NAB evaluation of one file with the anomaly adapter (createDetector + nab-score). Protocol as
 * experiments/nab.ts: the first 15 % (NAB's probationary period, ≥ 50 rows) is the training part
 * (model pretraining on its z-scores, detector statistics); the whole series is scored causally.
 * `nabStandard` (and the other profiles) use NAB's threshold sweep optimised on this one file (an
 * optimistic single-file score: the scoreboard sweeps one threshold over the corpus).
 * Methods: 'zscore', 'random', or a model label: ts2vec / combined-dilated-conv → TS2Vec's
 * masked-vs-unmasked representation difference; masked → last-patch reconstruction error;
 * combined-transformer → the representation difference with the last step NaN (hidden by the
 * backbone's timestamp mask), since the patch Transformer encoder has no 'mask_last' option.
 */
export async function evaluateNab(data: NabDataset, o: { method: string; seed?: number; modelOptions?: Record<string, unknown>; padding?: number; onProgress?: CellContext['onProgress']; signal?: AbortSignal }): Promise<NabResult> {
  const an = await importModule('tasks/anomaly/index.js') as unknown as typeof import('../tasks/anomaly/index.js');
  const T = data.length, C = data.channels;
  const trainLen = Math.min(T, Math.max(50, an.nabProbationaryLength(T)));
  const series = { values: data.values.subarray(0, T * C), channels: C };
  const train = an.sliceSeries(series, 0, trainLen);
  let model: RepresentationModel | undefined;
  let fit: FitResult | undefined;
  let det: import('../tasks/anomaly/index.js').AnomalyDetector;
  try {
    if (isModelLabel(o.method)) {
      model = await createMethodModel(o.method, C, { ...(o.modelOptions ?? {}), seed: o.seed ?? 0 });
      const st = an.channelStats(train);
      const z = Float32Array.from(train.values, (v, i) => (v - st.mean[i % C]!) / st.std[i % C]!);
      fit = await model.fit(fromArrays([Array.from({ length: trainLen }, (_v, t) => Array.from(z.subarray(t * C, t * C + C)))]), { onProgress: o.onProgress, signal: o.signal });
      const padding = o.padding ?? 32;
      if (o.method === 'masked') det = an.createDetector('masked', { model, padding: Math.max(padding, 8), batchSize: 256 });
      else if (o.method === 'combined-transformer') det = new an.AnomalyDetector(new NanLastDiffScorer(model, padding, an.causalWindows, an.channelStats), { maWindow: 21 });
      else det = an.createDetector('ts2vec', { model, padding, batchSize: 256 });
    } else {
      det = an.createDetector(o.method, { seed: o.seed ?? 0 });
    }
    await det.fit(train);
    // one score per step: the raw score, or for a multi-output scorer (knn-multiscale) the detector's standardised maximum
    const z = det.outputs > 1 ? (await det.detect(series)).z : await det.score(series);
    const file = an.nabPrepareFile(T, an.windowRows(data.timestamps!, data.windows));
    const metrics: Record<string, number> = {};
    for (const p of an.NAB_PROFILE_NAMES) {
      const r = an.nabSweep([file], [z], an.NAB_PROFILES[p]);
      metrics[p === 'standard' ? 'nabStandard' : `nab_${p}`] = r.score;
    }
    det.scorer.dispose?.();
    return { metrics, scores: Array.from(z), windows: an.windowRows(data.timestamps!, data.windows), ...(fit ? { fit } : {}) };
  } finally {
    model?.dispose();
  }
}

/**
 * Raw score for models without 'mask_last': L1 distance at the last step between the
 * representation of each causal window and of the same window with its last step NaN.
 */
class NanLastDiffScorer {
  readonly name: string;
  private stats?: { mean: Float64Array; std: Float64Array };
  constructor(
    private readonly model: RepresentationModel, readonly context: number,
    private readonly windows: typeof import('../tasks/anomaly/index.js').causalWindows,
    private readonly channelStats: typeof import('../tasks/anomaly/index.js').channelStats,
  ) { this.name = `${model.method}-nanlast`; }

  async fit(train: { values: Float32Array; channels: number }): Promise<void> { this.stats = this.channelStats(train); }

  async scoreRange(s: { values: Float32Array; channels: number }, start: number): Promise<Float32Array> {
    const C = s.channels, T = Math.floor(s.values.length / C), L = this.context + 1, st = this.stats!;
    const values = Float32Array.from(s.values, (v, i) => (v - st.mean[i % C]!) / st.std[i % C]!);
    const out = new Float32Array(Math.max(0, T - start));
    for (let from = start; from < T; from += 256) {
      const to = Math.min(T, from + 256), n = to - from;
      const ds = this.windows(values, C, from, to, this.context);
      const hid = Float32Array.from(ds.values);
      for (let i = 0; i < n; i++) hid.fill(NaN, (i * L + L - 1) * C, (i + 1) * L * C);
      const a = await this.model.encode(ds, { pooling: 'timestamp', batchSize: 256 });
      const b = await this.model.encode(fromArraysLike(hid, n, L, C), { pooling: 'timestamp', batchSize: 256 });
      const D = a.shape[2]!;
      for (let i = 0; i < n; i++) {
        let e = 0;
        for (let d = 0; d < D; d++) { const k = (i * L + L - 1) * D + d; e += Math.abs(a.data[k]! - b.data[k]!); }
        out[from - start + i] = e;
      }
    }
    return out;
  }
}

function fromArraysLike(values: Float32Array, n: number, L: number, C: number): TimeSeriesDataset {
  return createDataset({ values, n, length: L, channels: C, lengths: new Int32Array(n).fill(L) });
}

/** NAB cell: `evaluateNab` on one NAB file (nabStandard = NAB standard profile, threshold swept on the file). */
export const nabCell: CellFunction = async (ctx) => {
  const data = await load(ctx);
  if (data.task !== 'anomaly') throw new CellSkip(`${ctx.dataset} is not an anomaly dataset`);
  const cfg = ctx.config as { modelOptions?: Record<string, unknown>; padding?: number };
  const res = await evaluateNab(data.data, { method: ctx.method, seed: ctx.seed, onProgress: ctx.onProgress, signal: ctx.signal, modelOptions: cfg.modelOptions, padding: cfg.padding });
  return {
    metrics: res.metrics,
    ...(res.fit ? { fit: fitSummary(res.fit) } : {}),
    // per-timestamp scores of a 22k-step file would make each stored cell ~0.5 MB: bucket maxima keep the spikes
    plots: [downsamplePlot({ id: 'scores', title: `${ctx.dataset} ${ctx.method}: anomaly score`, series: [{ name: 'score', values: res.scores }], bands: res.windows })],
  };
};

// ---------------------------------------------------------------- speed

/** Speed cell: fit a fixed number of iterations and encode a fixed synthetic set; samples/s and series/s. */
export const speedCell: CellFunction = async (ctx) => {
  const { n, length, channels, iters, batchSize } = ctx.config as { n: number; length: number; channels: number; iters: number; batchSize: number };
  const rng = new Rng(ctx.seed);
  const rows = [...Array(n).keys()].map(() => [...Array(length).keys()].map((t) => Array.from({ length: channels }, (_v, c) => Math.sin((t + c) / 7) + 0.3 * rng.normal())));
  const ds = fromArrays(rows);
  const model = await createMethodModel(ctx.method, channels, { ...(ctx.config.model as object), [ctx.method === 'ssgan' ? 'iterations' : 'iters']: iters, batchSize, seed: ctx.seed });
  try {
    const fit = await model.fit(ds, { onProgress: ctx.onProgress, signal: ctx.signal });
    const e0 = performance.now();
    await model.encode(ds, { pooling: 'full', batchSize: 16 });
    const encodeSeconds = (performance.now() - e0) / 1000;
    const out: CellOutput = {
      metrics: { trainSamplesPerSecond: (fit.iterations * batchSize) / fit.seconds, encodeSeriesPerSecond: n / encodeSeconds },
      fit: fitSummary(fit), encodeSeconds,
    };
    out.throughput = { ...out.metrics };
    return out;
  } finally {
    model.dispose();
  }
};
