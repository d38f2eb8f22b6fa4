/** The interface every classification probe implements (SVM, logistic regression). */

/** Row-major feature matrix `[n, d]`. */
export interface Features {
  data: Float32Array | Float64Array;
  n: number;
  d: number;
}

export interface Classifier {
  /** Fits on features and labels in 0..K−1. */
  fit(x: Features, y: Int32Array, nClasses: number): void | Promise<void>;
  /** Predicted labels `[n]` (a promise where scoring reads tensors back, e.g. on WebGPU). */
  predict(x: Features): Int32Array | Promise<Int32Array>;
  /**
   * Scores for AUPRC: `[n, K]` row-major (for K = 2 the model may return `[n]`, the score
   * of class 1), higher = more likely.
   */
  scores(x: Features): Float64Array | Promise<Float64Array>;
  /** Human-readable summary of the fitted model (e.g. chosen C). */
  describe(): Record<string, unknown>;
  dispose(): void;
}

/** Row i of a feature matrix as a Float64Array copy. */
export function row(x: Features, i: number): Float64Array {
  return Float64Array.from(x.data.subarray(i * x.d, (i + 1) * x.d));
}

/** Rows `idx` of `x`. */
export function takeRows(x: Features, idx: ArrayLike<number>): Features {
  const out = new Float64Array(idx.length * x.d);
  for (let k = 0; k < idx.length; k++) out.set(x.data.subarray(idx[k]! * x.d, (idx[k]! + 1) * x.d), k * x.d);
  return { data: out, n: idx.length, d: x.d };
}
