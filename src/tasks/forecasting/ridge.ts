/**
 * Ridge regression for the TS2Vec forecasting protocol, with the intercept unpenalised (as
 * scikit-learn's Ridge). XᵀX and XᵀY are formed with tfjs matMuls (XNNPACK on wasm); the
 * symmetric eigendecomposition XᵀX = V Λ Vᵀ is done once with ml-matrix, so every alpha of
 * the grid costs only `W = V diag(1/(λ+α)) Vᵀ XᵀY` (tfjs matMuls) instead of a new
 * factorisation (one Cholesky per alpha measured ~13× slower here for the 13-value grid).
 */
import { EVD, Matrix } from 'ml-matrix';
import { tf, type Tensor2D } from '../../engine/tf.js';
import { checkOption } from '../../errors.js';

/** TS2Vec's alpha grid. */
export const RIDGE_ALPHAS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/**
 * TS2Vec's grid continued up to 1e6. Needed whenever the targets are level-anchored: the
 * ridge must be able to shrink to (almost) zero deltas, i.e. to the last-value forecast.
 * With a few thousand samples of a 512-dim representation, XᵀX has eigenvalues of order
 * 1e4–1e5, so TS2Vec's largest alpha (1000) still over-fits: on pure-noise features the
 * anchored ridge was 37 % worse than last-value at H=24 on ETTh1 (alpha stuck at 1000).
 */
export const RIDGE_ALPHAS_EXTENDED = [...RIDGE_ALPHAS, 2000, 5000, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];

/**
 * The patch-head probe's grid: up to 1e9, so that with no free intercept the head can shrink
 * all the way to "the window's own mean" (0 in the RevIN space) when validation asks for it.
 */
export const RIDGE_ALPHAS_HEAD = [...RIDGE_ALPHAS_EXTENDED, 2e6, 5e6, 1e7, 2e7, 5e7, 1e8, 1e9];

export interface RidgeFactor {
  d: number;
  k: number;
  xMean: Float32Array;
  yMean: Float32Array;
  /** eigenvectors `[d, d]` */
  v: Tensor2D;
  /** eigenvalues `[d]` (clamped at 0) */
  lambda: Float32Array;
  /** `Vᵀ Xcᵀ Yc` `[d, k]` */
  vtxty: Tensor2D;
}

function columnMeans(a: Float32Array, n: number, d: number): Float32Array {
  const m = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) m[j] = m[j]! + a[i * d + j]!;
  return Float32Array.from(m, (s) => s / Math.max(1, n));
}

/**
 * Factorises a ridge problem `X [n, d]` → `Y [n, k]` (row-major arrays) for any number of alphas;
 * with `intercept: false` the model is `Y ≈ X W` (every offset penalised).
 * Async: the read-back of `XᵀX` is awaited (WebGPU in Node has no synchronous read-back).
 */
export async function factorRidge(x: Float32Array, y: Float32Array, n: number, d: number, k: number, opts: { intercept?: boolean } = {}): Promise<RidgeFactor> {
  checkOption(n > 0 && x.length === n * d && y.length === n * k, `ridge: bad shapes (n ${n}, d ${d}, k ${k})`);
  // without an intercept nothing is centred: the fit goes through the origin (b = 0)
  const fitIntercept = opts.intercept ?? true;
  const xMean = fitIntercept ? columnMeans(x, n, d) : new Float32Array(d), yMean = fitIntercept ? columnMeans(y, n, k) : new Float32Array(k);
  const xtx = tf.tidy(() => {
    const xc = tf.sub(tf.tensor2d(x, [n, d]), tf.tensor1d(xMean)) as Tensor2D;
    return tf.matMul(tf.transpose(xc), xc);
  });
  const xtxv = (await xtx.data()) as Float32Array;
  xtx.dispose();
  const rows: number[][] = [];
  for (let i = 0; i < d; i++) rows.push(Array.from(xtxv.subarray(i * d, (i + 1) * d)));
  const evd = new EVD(new Matrix(rows), { assumeSymmetric: true });
  const vArr = new Float32Array(d * d);
  const V = evd.eigenvectorMatrix;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) vArr[i * d + j] = V.get(i, j);
  const lambda = Float32Array.from(evd.realEigenvalues, (l) => Math.max(l, 0));
  const v = tf.tensor2d(vArr, [d, d]);
  const vtxty = tf.tidy(() => {
    const xc = tf.sub(tf.tensor2d(x, [n, d]), tf.tensor1d(xMean)) as Tensor2D;
    const yc = tf.sub(tf.tensor2d(y, [n, k]), tf.tensor1d(yMean)) as Tensor2D;
    const xty = tf.matMul(tf.transpose(xc), yc);
    return tf.matMul(tf.transpose(v), xty) as Tensor2D;
  });
  return { d, k, xMean, yMean, v, lambda, vtxty };
}

export interface RidgeWeights {
  /** `[d, k]` */
  w: Float32Array;
  /** `[k]` */
  b: Float32Array;
  d: number;
  k: number;
}

/** Solution for one alpha: `W = V diag(1/(λ+α)) Vᵀ Xcᵀ Yc`, `b = ȳ − x̄ W`. */
export async function solveRidge(f: RidgeFactor, alpha: number): Promise<RidgeWeights> {
  const w = tf.tidy(() => {
    const scale = tf.tensor2d(Float32Array.from(f.lambda, (l) => 1 / (l + alpha)), [f.d, 1]);
    return tf.matMul(f.v, tf.mul(f.vtxty, scale) as Tensor2D);
  });
  const wv = (await w.data()) as Float32Array;
  w.dispose();
  const b = new Float32Array(f.k);
  for (let j = 0; j < f.k; j++) {
    let s = f.yMean[j]!;
    for (let i = 0; i < f.d; i++) s -= f.xMean[i]! * wv[i * f.k + j]!;
    b[j] = s;
  }
  return { w: wv, b, d: f.d, k: f.k };
}

/** `X [n, d]` → predictions `[n, k]`. */
export async function predictRidge(r: RidgeWeights, x: Float32Array, n: number): Promise<Float32Array> {
  const p = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d(x, [n, r.d]), tf.tensor2d(r.w, [r.d, r.k])), tf.tensor1d(r.b)));
  const out = (await p.data()) as Float32Array;
  p.dispose();
  return out;
}

export function disposeFactor(f: RidgeFactor): void {
  f.v.dispose();
  f.vtxty.dispose();
}

/** Mean squared and mean absolute error of two equally long arrays. */
export function mseMae(pred: ArrayLike<number>, truth: ArrayLike<number>): { mse: number; mae: number } {
  let se = 0, ae = 0;
  for (let i = 0; i < pred.length; i++) { const e = pred[i]! - truth[i]!; se += e * e; ae += Math.abs(e); }
  return { mse: se / Math.max(1, pred.length), mae: ae / Math.max(1, pred.length) };
}

/**
 * Fits ridge on train for every alpha, keeps the alpha with the lowest validation
 * RMSE + MAE (TS2Vec's `fit_ridge`), and returns that model.
 */
export async function fitRidgeSelect(
  train: { x: Float32Array; y: Float32Array; n: number },
  val: { x: Float32Array; y: Float32Array; n: number },
  d: number, k: number, alphas = RIDGE_ALPHAS,
): Promise<{ model: RidgeWeights; alpha: number; valScore: number }> {
  const f = await factorRidge(train.x, train.y, train.n, d, k);
  try {
    let best: { model: RidgeWeights; alpha: number; valScore: number } | undefined;
    for (const a of alphas) {
      const m = await solveRidge(f, a);
      const { mse, mae } = mseMae(await predictRidge(m, val.x, val.n), val.y);
      const score = Math.sqrt(mse) + mae;
      if (!best || score < best.valScore) best = { model: m, alpha: a, valScore: score };
    }
    return best!;
  } finally {
    disposeFactor(f);
  }
}
