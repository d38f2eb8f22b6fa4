/**
 * ETT forecasting, MSE/MAE on the train-scaler scale.
 * - ts2vec: the TS2Vec protocol (paper defaults, ridge on causal last-step representations with
 *   the 7 time covariates, padding 200), ETTh1 univariate: vs the published TS2Vec MSE.
 * - masked: the PatchTST protocol (pretrain on the target channels, channel-independent, RevIN
 *   linear probe on the flattened patch tokens, fitted in closed form: ridge, alpha per horizon
 *   on validation), univariate (S) and multivariate (M) on ETTh1, ETTh2, ETTm1: vs the published
 *   TS2Vec MSE (the target is to beat it) and, on ETTh1-M, vs PatchTST's self-supervised
 *   linear probe (target: within 5 %). Reduced budget: d_model 64, 2 layers, 100 pretraining
 *   iterations; the probe sees every train/validation window (every 4th on ETTm1), see
 *   experiments/results/bench/README.md.
 * - last-value: the naive baseline on the same splits.
 * Full run cost on 2 shared cores: ts2vec ETTh1 ≈ 1 h (200 iterations on 3000-step windows),
 * each masked cell 2–4 min. TS2Vec on ETTh2/ETTm1 (another 1–3 h each) is left to
 * `--only`-selected runs on a bigger machine: add the cells with `forecastingCells`.
 * Quick: ETTh1 (bundled), H = 24, 48, tiny models, short causal context, subsampled ridge fit.
 */
import { forecastingCell } from '../../src/bench/cells.js';
import type { CellSpec, MetricSpec, Suite } from '../../src/bench/types.js';
import { forecastingReference, patchtstSslReference } from '../anchors.js';

const H_FULL: Record<string, number[]> = { ETTh1: [24, 48, 168, 336, 720], ETTh2: [24, 48, 168, 336, 720], ETTm1: [24, 48, 96, 288, 672] };
const H_QUICK = [24, 48];
const QUICK_MODELS: Record<string, object> = {
  ts2vec: { hidden: 16, outputDims: 32, depth: 3, iters: 10, batchSize: 4, maxTrainLength: 500 },
  masked: { dModel: 32, layers: 1, heads: 2, ff: 64, iters: 10, batchSize: 8 },
};
/** The masked budget of experiments/ett.ts (batch: series per step, S / M). */
const MASKED_FULL = { patchLen: 12, dModel: 64, layers: 2, heads: 4, ff: 128, dropout: 0.1, decoderDim: 32, decoderHeads: 2, maskRatio: 0.4, instanceNorm: true, contextLength: 336, lr: 1e-3, iters: 100 };

/** Full-run config of one (dataset, features, method): model options and protocol. */
function fullConfig(name: string, features: 'S' | 'M', method: string): { model: object; protocol: object } {
  const f = name.startsWith('ETTm') ? 4 : 1; // ETTm: 4× the windows, strided 4× as in experiments/ett.ts
  if (method === 'masked') {
    const multi = features === 'M';
    return {
      model: { ...MASKED_FULL, batchSize: multi ? 8 : 32 },
      protocol: { kind: 'head', probe: 'ridge', contextLength: 336, trainStride: f, valStride: f, testStride: f },
    };
  }
  return { model: {}, protocol: { kind: 'ridge', padding: 200, batchSize: 256 } };
}

/**
 * Forecasting cells; `dataset` is an ETT name with an optional `:S`/`:M` suffix (default
 * `univariate` → S). Learned methods get the published TS2Vec MSE as their reference.
 */
export function forecastingCells(datasets: string[], methods: string[], seeds: number[], quick: boolean, univariate = true): CellSpec[] {
  return datasets.flatMap((label) => methods.flatMap((method) => seeds.map((seed): CellSpec => {
    const [name, suffix] = label.split(':') as [string, string | undefined];
    const features = suffix === 'M' || suffix === 'S' ? suffix : univariate ? 'S' : 'M';
    const horizons = quick ? H_QUICK : H_FULL[name]!;
    const learned = method !== 'last-value';
    const references = learned ? horizons.flatMap((H) => {
      const r = forecastingReference(name, H, features === 'M');
      const refs = r ? [{ metric: `mse@${H}`, value: r.value, source: `${r.source} (TS2Vec)`, model: 'TS2Vec' }] : [];
      // PatchTST's self-supervised linear probe exists for ETTh1 multivariate only.
      const p = method === 'masked' && features === 'M' ? patchtstSslReference(name, H) : undefined;
      return p ? [...refs, { metric: `mse@${H}`, value: p.value, source: p.source, model: 'PatchTST SSL' }] : refs;
    }) : [];
    const full = learned && !quick ? fullConfig(name, features, method) : undefined;
    return {
      dataset: label, method, seed, task: 'forecasting', requires: [name],
      adapter: !learned ? 'tasks/forecasting naiveLastValue' : full && (full.protocol as { kind: string }).kind === 'head' ? 'tasks/forecasting patchHeadForecast' : 'tasks/forecasting ridgeForecast',
      config: {
        univariate: features === 'S', horizons,
        ...(learned ? quick ? { model: QUICK_MODELS[method] ?? {}, protocol: { padding: 20, trainStride: 8 } } : full : {}),
      },
      run: forecastingCell,
      ...(references.length ? { references } : {}),
    };
  })));
}

export function forecastingMetrics(horizons: number[]): MetricSpec[] {
  return horizons.flatMap((H) => [{ name: `mse@${H}`, higherIsBetter: false, tieTolerance: 0.002 }, { name: `mae@${H}`, higherIsBetter: false, tieTolerance: 0.002 }]);
}

const suite: Suite = {
  name: 'ett',
  description: 'ETT forecasting: TS2Vec (ridge protocol, ETTh1-S) and masked pretraining (PatchTST linear-probe protocol, S and M) vs the published TS2Vec MSE; last-value baseline.',
  metrics: forecastingMetrics([24, 48, 96, 168, 288, 336, 672, 720]),
  cells: ({ quick, seeds }) => quick
    ? forecastingCells(['ETTh1'], ['ts2vec', 'last-value'], seeds ?? [0], true)
    : [
      ...forecastingCells(['ETTh1:S'], ['ts2vec'], seeds ?? [0], false),
      ...forecastingCells(['ETTh1:S', 'ETTh1:M', 'ETTh2:S', 'ETTh2:M', 'ETTm1:S', 'ETTm1:M'], ['masked', 'last-value'], seeds ?? [0], false),
    ],
};
export default suite;
