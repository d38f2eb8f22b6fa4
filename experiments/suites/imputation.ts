/**
 * Imputation: hide 10 % of the observed entries, impute, score MAE/RMSE/MRE on the standardised
 * scale (TSI-Bench protocol, point missing). SSGAN and masked pretraining vs linear, LOCF, mean.
 * Quick: the 50 bundled PhysioNet 2012 records, tiny SSGAN budget.
 */
import { imputationCell } from '../../src/bench/cells.js';
import type { CellSpec, Suite } from '../../src/bench/types.js';
import { IMPUTATION_TSI_BENCH, SOURCES } from '../anchors.js';

const REF_MODEL: Record<string, string> = { ssgan: 'US-GAN', linear: 'Linear', locf: 'LOCF', mean: 'Mean' };
const REF_DATASET: Record<string, 'PhysioNet2012' | 'BeijingAir'> = { physionet2012: 'PhysioNet2012', 'BeijingAirQuality/Dongsi': 'BeijingAir' };

export function imputationCells(datasets: string[], methods: string[], seeds: number[], quick: boolean): CellSpec[] {
  return datasets.flatMap((dataset) => methods.flatMap((method) => seeds.map((seed): CellSpec => {
    const ref = IMPUTATION_TSI_BENCH.find((a) => a.dataset === REF_DATASET[dataset] && a.model === REF_MODEL[method]);
    const learned = method === 'ssgan' || method === 'masked';
    return {
      dataset, method, seed, task: 'imputation', adapter: 'tasks/imputation createImputer',
      config: { rate: 0.1, ...(learned ? { model: quick ? (method === 'ssgan' ? { iterations: 10 } : { iters: 10 }) : {} } : {}), ...(quick ? { maxSeries: 50 } : {}) },
      run: imputationCell,
      // TSI-Bench uses the whole corpus (all stations / 12k records): the comparison is indicative only
      ...(ref && !quick ? { references: [{ metric: 'mae', value: ref.mae, source: `${SOURCES.tsiBench} (${ref.model})` }] } : {}),
    };
  })));
}

const suite: Suite = {
  name: 'imputation',
  description: 'Imputation of 10 % held-out observed entries (MAE/RMSE/MRE, standardised): SSGAN, masked pretraining, linear, LOCF, mean; TSI-Bench references.',
  metrics: [{ name: 'mae', higherIsBetter: false, tieTolerance: 0.005 }, { name: 'rmse', higherIsBetter: false }, { name: 'mre', higherIsBetter: false }],
  cells: ({ quick, seeds }) => quick
    ? imputationCells(['physionet2012'], ['ssgan', 'linear', 'mean'], seeds ?? [0], true)
    : imputationCells(['physionet2012', 'BeijingAirQuality/Dongsi'], ['ssgan', 'masked', 'linear', 'locf', 'mean'], seeds ?? [0, 1, 2], false),
};
export default suite;
