/**
 * Imputation: hide 10 / 20 / 50 % of the observed entries (dataset label `NAME@rate`), impute,
 * score MAE/RMSE/MRE on the standardised scale (TSI-Bench protocol, point missing). SSGAN and
 * masked pretraining vs linear, LOCF, mean. Full: PhysioNet 2012 as the registry finds it (the 50
 * records bundled in datasets/ come first; at most 400 of an archive copy), 48 h × 35, and Beijing Dongsi, SSGAN with the budget of experiments/imputation.ts (300
 * iterations, hidden 32), seed 0; the TSI-Bench reference (whole corpus, 10 %) is indicative only.
 * Quick: the 50 bundled PhysioNet 2012 records, tiny SSGAN budget.
 */
import { imputationCell } from '../../src/bench/cells.js';
import type { CellSpec, Suite } from '../../src/bench/types.js';
import { IMPUTATION_TSI_BENCH, SOURCES } from '../anchors.js';

const REF_MODEL: Record<string, string> = { ssgan: 'US-GAN', linear: 'Linear', locf: 'LOCF', mean: 'Mean' };
const REF_DATASET: Record<string, 'PhysioNet2012' | 'BeijingAir'> = { physionet2012: 'PhysioNet2012', 'BeijingAirQuality/Dongsi': 'BeijingAir' };

/** SSGAN and masked budgets of the full run. */
const FULL_MODELS: Record<string, object> = {
  ssgan: { iterations: 300, batchSize: 32, hiddenSize: 32, discHiddenSize: 16, clsHiddenSize: 16, lr: 0.005 },
  masked: { iters: 100 },
};

/** Cells for `datasets` (labels `NAME` or `NAME@percent`) × methods × seeds. */
export function imputationCells(datasets: string[], methods: string[], seeds: number[], quick: boolean): CellSpec[] {
  return datasets.flatMap((dataset) => methods.flatMap((method) => seeds.map((seed): CellSpec => {
    const [name, pct] = dataset.split('@') as [string, string | undefined];
    const ref = (pct ?? '10') === '10' ? IMPUTATION_TSI_BENCH.find((a) => a.dataset === REF_DATASET[name] && a.model === REF_MODEL[method]) : undefined;
    const learned = method === 'ssgan' || method === 'masked';
    return {
      dataset, method, seed, task: 'imputation', adapter: 'tasks/imputation createImputer', requires: [name],
      config: { rate: pct ? Number(pct) / 100 : 0.1, ...(learned ? { model: quick ? (method === 'ssgan' ? { iterations: 10 } : { iters: 10 }) : FULL_MODELS[method] } : {}), maxSeries: quick ? 50 : 400 },
      run: imputationCell,
      // TSI-Bench uses the whole corpus (all stations / 12k records): the comparison is indicative only
      ...(ref && !quick ? { references: [{ metric: 'mae', value: ref.mae, source: `${SOURCES.tsiBench} (${ref.model})` }] } : {}),
    };
  })));
}

const suite: Suite = {
  name: 'imputation',
  description: 'Imputation of 10/20/50 % held-out observed entries (MAE/RMSE/MRE, standardised): SSGAN, masked pretraining, linear, LOCF, mean; TSI-Bench references.',
  metrics: [{ name: 'mae', higherIsBetter: false, tieTolerance: 0.005 }, { name: 'rmse', higherIsBetter: false }, { name: 'mre', higherIsBetter: false }],
  cells: ({ quick, seeds }) => quick
    ? imputationCells(['physionet2012'], ['ssgan', 'linear', 'mean'], seeds ?? [0], true)
    : imputationCells(['physionet2012@10', 'physionet2012@20', 'physionet2012@50', 'BeijingAirQuality/Dongsi@10', 'BeijingAirQuality/Dongsi@20', 'BeijingAirQuality/Dongsi@50'], ['ssgan', 'masked', 'linear', 'locf', 'mean'], seeds ?? [0], false),
};
export default suite;
