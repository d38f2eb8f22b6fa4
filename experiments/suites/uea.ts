/**
 * UEA multivariate classification: TS2Vec + SVM and 1-NN Euclidean. Full: small UEA sets that
 * have a published TS2Vec number (need TSREPR_DATA); quick: BasicMotions (bundled).
 */
import type { Suite } from '../../src/bench/types.js';
import { classificationCells } from './ucr.js';

const FULL = ['BasicMotions', 'ArticularyWordRecognition', 'AtrialFibrillation', 'Epilepsy', 'ERing', 'Libras', 'NATOPS', 'RacketSports', 'StandWalkJump', 'UWaveGestureLibrary'];

const suite: Suite = {
  name: 'uea',
  description: 'UEA multivariate classification: TS2Vec + SVM vs the published table (BasicMotions also vs the official run); 1-NN Euclidean baseline.',
  metrics: [{ name: 'accuracy', higherIsBetter: true, tieTolerance: 0.005 }, { name: 'auprc', higherIsBetter: true }],
  cells: ({ quick, seeds }) => quick
    ? classificationCells(['BasicMotions'], ['ts2vec', '1nn-ed'], seeds ?? [0], true)
    : classificationCells(FULL, ['ts2vec', 'masked', '1nn-ed'], seeds ?? [0, 1], false),
};
export default suite;
