/**
 * Throughput and peak memory per method and backend on a fixed synthetic set (64 series × 128
 * steps × 3 channels): training samples/s over a fixed number of iterations (batch 8) and
 * encoding series/s. Quick: 5 iterations, wasm only.
 */
import { speedCell } from '../../src/bench/cells.js';
import type { CellSpec, Suite } from '../../src/bench/types.js';

const suite: Suite = {
  name: 'speed',
  description: 'Training samples/s, encoding series/s and peak RSS per method and backend on fixed synthetic data.',
  metrics: [{ name: 'trainSamplesPerSecond', higherIsBetter: true }, { name: 'encodeSeriesPerSecond', higherIsBetter: true }],
  cells: ({ quick, seeds }) => {
    const backends = quick ? ['wasm'] : ['wasm', 'cpu'];
    const methods = quick ? ['ts2vec', 'masked'] : ['ts2vec', 'masked', 'ssgan'];
    return backends.flatMap((backend) => methods.flatMap((method) => (seeds ?? [0]).map((seed): CellSpec => ({
      dataset: 'synthetic-64x128x3', method, seed, backend, task: 'speed', adapter: `methods/${method} fit+encode`, requires: [],
      config: { n: 64, length: 128, channels: 3, iters: quick ? 5 : 50, batchSize: 8, model: {} },
      run: speedCell,
    }))));
  },
};
export default suite;
