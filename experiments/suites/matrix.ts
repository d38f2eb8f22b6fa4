/**
 * Every pretrained model × every adapter on small bundled data: does each combination run and
 * give a sane number? TS2Vec and masked pretraining through classification (GunPoint),
 * forecasting (ETTh1, H = 24), anomaly (nyc_taxi) and imputation (PhysioNet, 50 records).
 */
import type { CellSpec, Suite } from '../../src/bench/types.js';
import { forecastingCells } from './ett.js';
import { imputationCells } from './imputation.js';
import { nabCells } from './nab.js';
import { classificationCells } from './ucr.js';

const METHODS = ['ts2vec', 'masked'];

const suite: Suite = {
  name: 'matrix',
  description: 'Every pretraining method × every task adapter on small bundled data (tiny budgets).',
  metrics: [
    { name: 'accuracy', higherIsBetter: true }, { name: 'mse@24', higherIsBetter: false }, { name: 'nabStandard', higherIsBetter: true }, { name: 'mae', higherIsBetter: false },
  ],
  cells: ({ quick, seeds }) => {
    const s = seeds ?? [0];
    const cells: CellSpec[] = [
      ...classificationCells(['GunPoint'], METHODS, s, true),
      ...forecastingCells(['ETTh1'], METHODS, s, true).map((c) => ({ ...c, config: { ...c.config, horizons: [24] }, references: c.references?.filter((r) => r.metric === 'mse@24') })),
      ...nabCells(['NAB/nyc_taxi'], METHODS, s, true),
      // imputation adapters exist for the generative/masked methods, not for TS2Vec
      ...imputationCells(['physionet2012'], ['ssgan', 'masked'], s, true),
    ];
    return quick ? cells : cells.map((c) => ({ ...c, config: { ...c.config, budget: 'matrix-small' } }));
  },
};
export default suite;
