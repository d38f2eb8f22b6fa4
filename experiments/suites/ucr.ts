/**
 * UCR classification: TS2Vec (SVM-RBF on 320-d representations, the official protocol) and the
 * 1-NN Euclidean baseline on the 16 UCR sets the official code was run on here (seeds 0, 1; the
 * official run's seeds). TS2Vec at the paper defaults costs ≈ 45 min per seed on 2 shared cores.
 * Masked pretraining for classification is covered by the matrix suite.
 * Quick: GunPoint and ItalyPowerDemand (bundled), 20 iterations, small encoder, seed 0.
 */
import { classificationCell } from '../../src/bench/cells.js';
import type { CellSpec, Suite } from '../../src/bench/types.js';
import { classificationReference, UCR_TS2VEC_OFFICIAL_RUN } from '../anchors.js';

/** Tiny per-method budgets for --quick (option names as each method validates them). */
export const QUICK_MODELS: Record<string, object> = {
  ts2vec: { hidden: 16, outputDims: 32, depth: 3, iters: 20, batchSize: 8 },
  masked: { dModel: 32, layers: 1, heads: 2, ff: 64, iters: 20, batchSize: 8 },
};

/** Classification cells for `datasets` × `methods` × seeds (references for representation methods only). */
export function classificationCells(datasets: string[], methods: string[], seeds: number[], quick: boolean): CellSpec[] {
  return datasets.flatMap((dataset) => methods.flatMap((method) => seeds.map((seed): CellSpec => {
    const learned = method !== '1nn-ed';
    const ref = learned ? classificationReference(dataset) : undefined;
    return {
      dataset, method, seed, task: 'classification',
      adapter: learned ? 'tasks/classification evaluateClassification' : 'bench 1-NN (Euclidean)',
      config: learned ? { model: quick ? QUICK_MODELS[method] ?? {} : { batchSize: 8, outputDims: 320 }, protocol: { classifier: 'svm' } } : {},
      run: classificationCell,
      ...(ref ? { references: [ref] } : {}),
    };
  })));
}

const suite: Suite = {
  name: 'ucr',
  description: 'UCR univariate classification: TS2Vec + SVM vs the official TS2Vec run and the published table; 1-NN Euclidean baseline.',
  metrics: [{ name: 'accuracy', higherIsBetter: true, tieTolerance: 0.005 }, { name: 'auprc', higherIsBetter: true }],
  cells: ({ quick, seeds }) => quick
    ? classificationCells(['GunPoint', 'ItalyPowerDemand'], ['ts2vec', '1nn-ed'], seeds ?? [0], true)
    : classificationCells(Object.keys(UCR_TS2VEC_OFFICIAL_RUN), ['ts2vec', '1nn-ed'], seeds ?? [0, 1], false),
};
export default suite;
