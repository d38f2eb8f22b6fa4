/**
 * NAB anomaly detection: representation detectors (TS2Vec masked-vs-unmasked, masked-model
 * reconstruction) against the rolling z-score and NAB's random detector, scored with the NAB
 * standard profile per file. Quick: nyc_taxi (bundled), tiny models.
 */
import { nabCell } from '../../src/bench/cells.js';
import type { CellSpec, Suite } from '../../src/bench/types.js';

const FULL_FILES = ['NAB/nyc_taxi', 'NAB/machine_temperature_system_failure', 'NAB/ambient_temperature_system_failure', 'NAB/cpu_utilization_asg_misconfiguration', 'NAB/ec2_request_latency_system_failure', 'NAB/art_daily_jumpsup', 'NAB/art_daily_flatmiddle'];

/** Model budgets: quick, and the full run's (those of experiments/nab.ts, trained on the ≤ 750-row probationary part). */
const QUICK: Record<string, object> = {
  ts2vec: { modelOptions: { iters: 10, hidden: 16, outputDims: 32, depth: 3 }, padding: 20 },
  masked: { modelOptions: { iters: 10, dModel: 32, layers: 1, heads: 2, ff: 64 }, padding: 20 },
};
const FULL: Record<string, object> = {
  ts2vec: { modelOptions: { hidden: 16, depth: 4, outputDims: 32, iters: 30, batchSize: 8, maxTrainLength: 750 }, padding: 32 },
  masked: { modelOptions: { patchLen: 12, dModel: 32, layers: 2, heads: 4, ff: 64, decoderDim: 32, decoderHeads: 4, iters: 30, contextLength: 144, batchSize: 16 }, padding: 71 },
};

export function nabCells(datasets: string[], methods: string[], seeds: number[], quick: boolean): CellSpec[] {
  return datasets.flatMap((dataset) => methods.flatMap((method) => seeds.map((seed): CellSpec => ({
    dataset, method, seed, task: 'anomaly', adapter: 'tasks/anomaly evaluateNab',
    config: { profile: 'standard', ...(method === 'ts2vec' || method === 'masked' ? (quick ? QUICK : FULL)[method] : {}) },
    run: nabCell,
  }))));
}

const suite: Suite = {
  name: 'nab',
  description: 'NAB anomaly detection per file: representation detectors vs rolling z-score and random (NAB standard profile).',
  metrics: [{ name: 'nabStandard', higherIsBetter: true, tieTolerance: 0.5 }, { name: 'f1', higherIsBetter: true }],
  cells: ({ quick, seeds }) => quick
    ? nabCells(['NAB/nyc_taxi'], ['ts2vec', 'zscore', 'random'], seeds ?? [0], true)
    : nabCells(FULL_FILES, ['ts2vec', 'masked', 'zscore', 'random'], seeds ?? [0, 1, 2], false),
};
export default suite;
