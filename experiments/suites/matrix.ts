/**
 * Every pretrained model × every task adapter on bundled data: does each combination run and give
 * a number, next to the trivial baseline of its task? Models: ts2vec (dilated conv, contrastive),
 * masked (patch Transformer, MAE-style), combined on the Transformer and on the dilated conv
 * (contrastive + masked objectives, weights 1/1). Adapters: classification (GunPoint, SVM on
 * full-series representations; baseline 1-NN Euclidean), forecasting (ETTh1 univariate, ridge on
 * causal representations, level anchoring 'last', H = 24; baseline last value), anomaly (NAB
 * nyc_taxi; baselines rolling z-score and random), imputation (PhysioNet 2012 bundled 50 records,
 * 10 % of observed entries hidden, 'representation' imputer; baselines mean and linear).
 * Quick: the 16 model cells only (no baselines), tiny models, 20 iterations. Full: with the
 * baselines, small models, 200 iterations.
 */
import { classificationCell, forecastingCell, imputationCell, nabCell } from '../../src/bench/cells.js';
import type { CellSpec, Suite } from '../../src/bench/types.js';

export const MATRIX_MODELS = ['ts2vec', 'masked', 'combined-transformer', 'combined-dilated-conv'];

/** Model hyper-parameters per bench label (quick: tiny; full: small). */
function preset(label: string, quick: boolean): Record<string, unknown> {
  const iters = quick ? 20 : 200;
  const conv = { hidden: quick ? 16 : 32, depth: quick ? 3 : 6, outputDims: quick ? 32 : 128, batchSize: 8, iters };
  const tr = { patchLen: 8, dModel: quick ? 32 : 64, layers: quick ? 1 : 2, heads: 2, ff: quick ? 64 : 128, batchSize: 8, iters };
  switch (label) {
    case 'ts2vec': return { ...conv, maxTrainLength: quick ? 200 : 1000 };
    case 'masked': return { ...tr, decoderDim: 32, decoderHeads: 2, contextLength: 64 };
    case 'combined-transformer': return { ...tr, cropLength: 64, maskSegment: 8 };
    case 'combined-dilated-conv': return { ...conv, cropLength: 64, maskSegment: 8 };
    default: return {};
  }
}

function matrixCells(quick: boolean, seeds: number[]): CellSpec[] {
  const cells: CellSpec[] = [];
  // quick suites hold at most 16 cells: the 4 × 4 model cells; the baselines come with the full run
  const base = (names: string[]) => (quick ? [] : names);
  for (const seed of seeds) {
    for (const method of [...base(['1nn-ed']), ...MATRIX_MODELS]) {
      const learned = method !== '1nn-ed';
      cells.push({
        dataset: 'GunPoint', method, seed, task: 'classification', adapter: learned ? 'tasks/classification evaluateClassification' : 'bench 1-NN (Euclidean)',
        config: learned ? { model: preset(method, quick), protocol: { protocol: 'svm' } } : {}, run: classificationCell,
      });
    }
    for (const method of [...base(['last-value']), ...MATRIX_MODELS]) {
      const learned = method !== 'last-value';
      cells.push({
        dataset: 'ETTh1', method, seed, task: 'forecasting', adapter: learned ? 'tasks/forecasting ridgeForecast' : 'tasks/forecasting naiveLastValue',
        config: { univariate: true, horizons: [24], ...(learned ? { model: preset(method, quick), protocol: { padding: quick ? 20 : 200, trainStride: quick ? 8 : 1, level: 'last' } } : {}) },
        run: forecastingCell,
      });
    }
    for (const method of [...base(['zscore', 'random']), ...MATRIX_MODELS]) {
      const learned = MATRIX_MODELS.includes(method);
      cells.push({
        dataset: 'NAB/nyc_taxi', method, seed, task: 'anomaly', adapter: 'bench evaluateNab (tasks/anomaly createDetector + nab-score)',
        config: { profile: 'standard', ...(learned ? { modelOptions: preset(method, quick), padding: method === 'masked' ? 63 : 32 } : {}) },
        run: nabCell,
      });
    }
    for (const method of [...base(['mean', 'linear']), ...MATRIX_MODELS]) {
      const learned = MATRIX_MODELS.includes(method);
      cells.push({
        dataset: 'physionet2012', method, seed, task: 'imputation', adapter: learned ? "tasks/imputation createImputer('representation')" : 'tasks/imputation createImputer',
        config: { rate: 0.1, maxSeries: 50, ...(learned ? { model: preset(method, quick) } : {}) },
        run: imputationCell,
      });
    }
  }
  return cells;
}

const suite: Suite = {
  name: 'matrix',
  description: 'Every pretrained model × every task adapter on small bundled data, beside each task\'s trivial baseline.',
  metrics: [
    { name: 'accuracy', higherIsBetter: true }, { name: 'mse@24', higherIsBetter: false }, { name: 'nabStandard', higherIsBetter: true }, { name: 'mae', higherIsBetter: false },
  ],
  cells: ({ quick, seeds }) => matrixCells(quick, seeds ?? [0]),
};
export default suite;
