/**
 * ETT forecasting with the TS2Vec protocol (ridge on causal last-step representations, MSE/MAE on
 * the standardised scale): TS2Vec, masked pretraining and the last-value baseline, univariate.
 * Quick: ETTh1 (bundled), H = 24, 48, tiny models, short causal context, subsampled ridge fit.
 */
import { forecastingCell } from '../../src/bench/cells.js';
import type { CellSpec, MetricSpec, Suite } from '../../src/bench/types.js';
import { forecastingReference } from '../anchors.js';

const H_FULL: Record<string, number[]> = { ETTh1: [24, 48, 168, 336, 720], ETTh2: [24, 48, 168, 336, 720], ETTm1: [24, 48, 96, 288, 672] };
const H_QUICK = [24, 48];
const QUICK_MODELS: Record<string, object> = {
  ts2vec: { hidden: 16, outputDims: 32, depth: 3, iters: 10, batchSize: 4, maxTrainLength: 500 },
  masked: { dModel: 32, layers: 1, heads: 2, ff: 64, iters: 10, batchSize: 8 },
};

/** Forecasting cells; `univariate` picks the target-only setting the TS2Vec numbers use. */
export function forecastingCells(datasets: string[], methods: string[], seeds: number[], quick: boolean, univariate = true): CellSpec[] {
  return datasets.flatMap((dataset) => methods.flatMap((method) => seeds.map((seed): CellSpec => {
    const horizons = quick ? H_QUICK : H_FULL[dataset]!;
    const learned = method !== 'last-value';
    const references = learned && method === 'ts2vec' ? horizons.flatMap((H) => {
      const r = forecastingReference(dataset, H, !univariate);
      return r ? [{ metric: `mse@${H}`, value: r.value, source: r.source }] : [];
    }) : [];
    return {
      dataset, method, seed, task: 'forecasting', adapter: learned ? 'tasks/forecasting ridgeForecast' : 'tasks/forecasting naiveLastValue',
      config: { univariate, horizons, ...(learned ? { model: quick ? QUICK_MODELS[method] ?? {} : {}, protocol: quick ? { padding: 20, trainStride: 8 } : { padding: 200 } } : {}) },
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
  description: 'ETT univariate forecasting (TS2Vec protocol): TS2Vec and masked pretraining vs the published TS2Vec MSE; last-value baseline.',
  metrics: forecastingMetrics([24, 48, 96, 168, 288, 336, 672, 720]),
  cells: ({ quick, seeds }) => quick
    ? forecastingCells(['ETTh1'], ['ts2vec', 'last-value'], seeds ?? [0], true)
    : forecastingCells(['ETTh1', 'ETTh2', 'ETTm1'], ['ts2vec', 'masked', 'last-value'], seeds ?? [0, 1], false),
};
export default suite;
