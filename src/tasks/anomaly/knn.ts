/**
 * Nearest-neighbour anomaly scorer in the spirit of KNN CAD (Burnaev & Ishimtsev 2016,
 * "Conformalized density- and distance-based anomaly detection in time-series data",
 * arXiv:1608.04585; NAB scoreboard entry `knncad`): the current lagged window of the series is
 * compared with a bounded set of windows from the past, and its non-conformity is the sum of
 * its k smallest squared distances to them.
 *
 * Differences from NAB's knncad detector (window 19, k 27, Mahalanobis metric, conformal rank),
 * so that every score is a function of a bounded causal window (the RawScorer rule that makes
 * streaming exact):
 * - the reference set is the `reference` windows that end `lag … lag + reference − 1` steps
 *   before the current one (knncad: a set that slides once the series is twice the
 *   probationary period long), not a set that depends on the absolute position;
 * - the default metric is Euclidean. `metric: 'mahalanobis'` uses `(a − b)ᵀ M⁻¹ (a − b)` with
 *   the uncentred second moment `M = XᵀX / n` of the training windows (knncad re-estimates
 *   `(XᵀX)⁻¹` twice per probationary period); it is learnt once in `fit` and applied as a
 *   whitening `y = L⁻¹x` (`M = LLᵀ`, Cholesky), so the distance is Euclidean between whitened
 *   windows. On NAB it scored lower than the Euclidean metric (experiments/results/nab/);
 * - the output is the raw non-conformity, not knncad's conformal rank among recent scores: the
 *   detector's later stages (standardisation, HTM's anomaly likelihood) judge it against the
 *   score history instead (on NAB a rank among the last 750 scores did worse).
 *
 * The defaults (window 30, k 10, 750 reference windows, lag = window, Euclidean) were chosen by
 * the NAB standard score among a small grid (see experiments/results/nab/results.md).
 * Work per scored step: at most `reference · window · C` multiply-adds plus a k-selection.
 */
import { TsreprError, checkNumber, checkOption } from '../../errors.js';
import { seriesLength, type RawScorer, type Series } from './detector.js';

export interface KnnScorerOptions {
  /** window length in blocks (steps when `block` is 1; default 30; knncad: 19) */
  window?: number;
  /**
   * steps averaged into each window element (default 1: raw steps). With `block` b the window
   * spans `b · window` steps and compares their b-step means, a coarser and longer view of the
   * series (the long scale of 'knn-multiscale').
   */
  block?: number;
  /** neighbours summed in the non-conformity (default 10; knncad: 27) */
  k?: number;
  /** past windows the current one is compared with (default 750, NAB's largest probationary period) */
  reference?: number;
  /** steps between the current window's end and the newest reference window's end (default: the window's span `block · window`, so the two do not overlap) */
  lag?: number;
  /** 'euclidean' (default): raw values; 'mahalanobis': whitened by the training windows' uncentred second moment (knncad's metric) */
  metric?: 'mahalanobis' | 'euclidean';
  /**
   * usable reference windows needed before a step is scored (default k). While the pool is
   * small, even the nearest windows are far, and those inflated early scores would stay in the
   * likelihood stage's score history long after the pool is full.
   */
  minReference?: number;
  /** relative ridge added to the diagonal of the second moment before whitening (default 1e-6 · its mean diagonal) */
  ridge?: number;
}

/**
 * Raw error at t = sum of the k smallest squared distances between the window ending at t and
 * the windows ending at `t − lag − reference + 1 … t − lag` (those with no missing value). NaN
 * while the window has a missing value or fewer than k reference windows exist. Causal; context
 * `lag + reference + window − 2`.
 */
export class KnnScorer implements RawScorer {
  readonly name = 'knn';
  readonly window: number;
  readonly block: number;
  readonly k: number;
  readonly reference: number;
  readonly lag: number;
  readonly minReference: number;
  readonly metric: 'mahalanobis' | 'euclidean';
  readonly ridge: number;
  /** lower-triangular inverse of the Cholesky factor of the training windows' second moment (row-major, D×D), after fit */
  private whiten?: Float64Array;
  private dims = 0;

  constructor(opts: KnnScorerOptions = {}) {
    this.window = checkNumber('window', opts.window ?? 30, { min: 1, integer: true });
    this.block = checkNumber('block', opts.block ?? 1, { min: 1, integer: true });
    this.k = checkNumber('k', opts.k ?? 10, { min: 1, integer: true });
    this.reference = checkNumber('reference', opts.reference ?? 750, { min: 1, integer: true });
    this.lag = checkNumber('lag', opts.lag ?? this.span, { min: 1, integer: true });
    this.minReference = checkNumber('minReference', opts.minReference ?? this.k, { min: 1, integer: true });
    this.metric = opts.metric ?? 'euclidean';
    this.ridge = checkNumber('ridge', opts.ridge ?? 1e-6, { min: 0 });
    checkOption(this.metric === 'mahalanobis' || this.metric === 'euclidean', `knn metric must be mahalanobis or euclidean, got '${String(this.metric)}'`);
    checkOption(this.k <= this.reference, `knn k (${this.k}) must not exceed reference (${this.reference})`);
    checkOption(this.minReference <= this.reference, `knn minReference (${this.minReference}) must not exceed reference (${this.reference})`);
  }

  /** steps one window covers: `block · window` */
  get span(): number {
    return this.block * this.window;
  }

  get context(): number {
    return this.lag + this.reference + this.span - 2;
  }

  /** Learns the whitening (Mahalanobis metric) from the complete windows of the training part. */
  async fit(train: Series): Promise<void> {
    const C = train.channels, D = this.window * C, T = seriesLength(train);
    this.dims = D;
    if (this.metric === 'euclidean') { this.whiten = undefined; return; }
    const M = new Float64Array(D * D);
    const x = new Float64Array(D);
    let n = 0;
    for (let t = this.span - 1; t < T; t++) {
      if (!this.windowAt(train, t, x)) continue;
      n++;
      for (let i = 0; i < D; i++) { const xi = x[i]!; if (xi === 0) continue; for (let j = 0; j <= i; j++) M[i * D + j] = M[i * D + j]! + xi * x[j]!; }
    }
    if (n === 0) {
      throw new TsreprError('BAD_INPUT', `knn metric 'mahalanobis' needs at least one complete ${this.span}-step window in the training part (none without missing values); use metric 'euclidean' or a longer training part`);
    }
    let diag = 0;
    for (let i = 0; i < D; i++) diag += M[i * D + i]! / n;
    const eps = Math.max(this.ridge * (diag / D), 1e-12);
    for (let i = 0; i < D; i++) for (let j = 0; j <= i; j++) M[i * D + j] = M[i * D + j]! / n + (i === j ? eps : 0);
    this.whiten = invertLowerTriangular(cholesky(M, D), D);
  }

  /**
   * Copies the window ending at t into `out` (`[window · C]`, element j of channel c = the mean of
   * block j's steps); false when it starts before 0 or has a missing value.
   */
  private windowAt(s: Series, t: number, out: Float64Array): boolean {
    const C = s.channels, b = this.block, from = t - this.span + 1;
    if (from < 0) return false;
    if (b === 1) {
      for (let i = 0; i < this.window * C; i++) {
        const v = s.values[from * C + i]!;
        if (!Number.isFinite(v)) return false;
        out[i] = v;
      }
      return true;
    }
    for (let j = 0; j < this.window; j++) {
      for (let c = 0; c < C; c++) {
        let sum = 0;
        for (let q = 0; q < b; q++) {
          const v = s.values[(from + j * b + q) * C + c]!;
          if (!Number.isFinite(v)) return false;
          sum += v;
        }
        out[j * C + c] = sum / b;
      }
    }
    return true;
  }

  async scoreRange(s: Series, start: number): Promise<Float32Array> {
    const T = seriesLength(s), C = s.channels, D = this.window * C;
    if (T <= start) return new Float32Array(0);
    if (this.dims !== 0 && this.dims !== D) throw new TsreprError('BAD_INPUT', `knn scorer fitted on ${this.dims / this.window} channels, got ${C}`);
    // whitened windows ending at first … T−1 (NaN-marked when incomplete)
    const first = Math.max(0, start - this.lag - this.reference + 1);
    const n = T - first;
    const Y = new Float64Array(n * D);
    const ok = new Uint8Array(n);
    const x = new Float64Array(D);
    const L = this.whiten;
    if (this.metric === 'mahalanobis' && !L) throw new TsreprError('NOT_FITTED', "knn metric 'mahalanobis' is learned in fit(); call fit on the training part first");
    for (let t = first; t < T; t++) {
      if (!this.windowAt(s, t, x)) continue;
      ok[t - first] = 1;
      const o = (t - first) * D;
      if (!L) { for (let i = 0; i < D; i++) Y[o + i] = x[i]!; continue; }
      for (let i = 0; i < D; i++) {
        let acc = 0;
        for (let j = 0; j <= i; j++) acc += L[i * D + j]! * x[j]!;
        Y[o + i] = acc;
      }
    }
    return knnNonConformity(Y, ok, D, first, start, T, this);
  }
}

/**
 * The k-NN non-conformity over per-step feature vectors: `Y` holds the features `[n·D]` of steps
 * `first … first + n − 1` (`ok` marks the usable ones); returns, for steps `[start, T)`, the sum of
 * the k smallest squared Euclidean distances between step t's features and those of the steps
 * `t − lag − reference + 1 … t − lag` (NaN when t is not usable or fewer than max(k, minReference) are).
 */
export function knnNonConformity(
  Y: Float64Array, ok: Uint8Array, D: number, first: number, start: number, T: number,
  o: { k: number; lag: number; reference: number; minReference?: number },
): Float32Array {
  const need = Math.max(o.k, o.minReference ?? 0);
  const out = new Float32Array(Math.max(0, T - start)).fill(NaN);
  const k = o.k;
  const best = new Float64Array(k); // ascending k smallest so far
  for (let t = start; t < T; t++) {
    const a = t - first;
    if (!ok[a]) continue;
    const hi = t - o.lag, lo = Math.max(first, t - o.lag - o.reference + 1);
    let m = 0, usable = 0;
    for (let u = hi; u >= lo; u--) {
      const b = u - first;
      if (!ok[b]) continue;
      usable++;
      const worst = m < k ? Infinity : best[k - 1]!;
      let d = 0;
      const oa = a * D, ob = b * D;
      for (let i = 0; i < D && d < worst; i++) { const e = Y[oa + i]! - Y[ob + i]!; d += e * e; }
      if (d >= worst) continue;
      // insert d into the sorted list of the k smallest
      let j = Math.min(m, k - 1);
      while (j > 0 && best[j - 1]! > d) { best[j] = best[j - 1]!; j--; }
      best[j] = d;
      if (m < k) m++;
    }
    if (usable < need) continue; // (m = min(usable, k) and need ≥ k)
    let sum = 0;
    for (let j = 0; j < k; j++) sum += best[j]!;
    out[t - start] = sum;
  }
  return out;
}

/** Lower Cholesky factor of a symmetric positive-definite matrix given by its lower triangle (row-major D×D). */
export function cholesky(A: Float64Array, D: number): Float64Array {
  const L = new Float64Array(D * D);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * D + j]!;
      for (let p = 0; p < j; p++) s -= L[i * D + p]! * L[j * D + p]!;
      if (i === j) L[i * D + i] = Math.sqrt(Math.max(s, 1e-300));
      else L[i * D + j] = s / L[j * D + j]!;
    }
  }
  return L;
}

/** Inverse of a lower-triangular matrix (row-major D×D); the result is lower-triangular. */
export function invertLowerTriangular(L: Float64Array, D: number): Float64Array {
  const inv = new Float64Array(D * D);
  for (let j = 0; j < D; j++) {
    inv[j * D + j] = 1 / L[j * D + j]!;
    for (let i = j + 1; i < D; i++) {
      let s = 0;
      for (let p = j; p < i; p++) s += L[i * D + p]! * inv[p * D + j]!;
      inv[i * D + j] = -s / L[i * D + i]!;
    }
  }
  return inv;
}
