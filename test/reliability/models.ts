/** Tiny configurations of every method and a deterministic synthetic dataset, for the reliability suite. */
import { fromArrays, type TimeSeriesDataset } from '../../src/data/dataset.js';
import '../../src/methods/masked/model.js';
import '../../src/methods/ssgan/index.js';
import '../../src/methods/ts2vec.js';

export const METHODS = ['ts2vec', 'masked', 'ssgan'] as const;
export type MethodName = (typeof METHODS)[number];

/** Hyper-parameters small enough that a step takes milliseconds on wasm (hidden 8–16, depth ≤ 2). */
export function tinyOptions(method: MethodName, iters: number, seed = 0): Record<string, unknown> {
  switch (method) {
    case 'ts2vec': return { hidden: 8, depth: 2, outputDims: 8, batchSize: 4, iters, seed };
    case 'masked': return { dModel: 16, layers: 1, heads: 2, ff: 16, patchLen: 8, contextLength: 32, batchSize: 4, decoderDim: 16, decoderHeads: 2, iters, seed };
    case 'ssgan': return { window: 16, hiddenSize: 8, discHiddenSize: 8, clsHiddenSize: 8, batchSize: 4, iterations: iters, seed };
  }
}

/** `n` sine series of length `length`, 2 channels, with a few missing values and labels. */
export function syntheticDataset(n = 12, length = 32, scale = 1): TimeSeriesDataset {
  const series = Array.from({ length: n }, (_, i) => Array.from({ length }, (_, t) => [
    scale * Math.sin(t / 3 + i), (t * 7 + i) % 11 === 0 ? NaN : scale * Math.cos(t / 5 + 0.3 * i),
  ]));
  return fromArrays(series, { labels: Int32Array.from({ length: n }, (_, i) => i % 2), classNames: ['a', 'b'] });
}
