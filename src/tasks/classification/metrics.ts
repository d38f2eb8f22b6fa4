/**
 * Classification metrics: accuracy and AUPRC as TS2Vec reports it (scikit-learn's
 * `average_precision_score` on one-hot labels vs decision scores, macro-averaged; the binary
 * case scores the positive class 1 only, as `label_binarize` gives one column there).
 */

/** Fraction of `pred` equal to `truth`. */
export function accuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (pred.length !== truth.length) throw new RangeError('accuracy: length mismatch');
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) ok++;
  return pred.length ? ok / pred.length : NaN;
}

/**
 * Average precision of binary labels `y` (1 = positive) under `score` (higher = more
 * positive): `Σ_k (R_k − R_{k−1}) P_k` over distinct score thresholds, descending (sklearn).
 * NaN when there is no positive.
 */
export function averagePrecision(y: ArrayLike<number>, score: ArrayLike<number>): number {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b]! - score[a]!);
  let totalPos = 0;
  for (let i = 0; i < n; i++) if (y[i]) totalPos++;
  if (totalPos === 0) return NaN;
  let tp = 0, fp = 0, prevRecall = 0, ap = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (y[i]) tp++; else fp++;
    // close a threshold only after the last sample with this score
    if (k + 1 < n && score[order[k + 1]!] === score[i]) continue;
    const recall = tp / totalPos, precision = tp / (tp + fp);
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
  }
  return ap;
}

/**
 * AUPRC of `scores [N, K]` (row-major; for K = 2 a single column `[N]` for class 1 is also
 * accepted) against integer labels: mean over classes of the one-vs-rest average precision;
 * for 2 classes the AP of class 1. Classes without positives are skipped.
 */
export function auprc(labels: ArrayLike<number>, scores: ArrayLike<number>, nClasses: number): number {
  const n = labels.length;
  if (nClasses === 2) {
    const s1 = scores.length === n ? scores : Float64Array.from({ length: n }, (_, i) => scores[i * 2 + 1]!);
    return averagePrecision(Array.from(labels, (l) => (l === 1 ? 1 : 0)), s1);
  }
  let sum = 0, cnt = 0;
  for (let k = 0; k < nClasses; k++) {
    const y = Array.from(labels, (l) => (l === k ? 1 : 0));
    const s = Float64Array.from({ length: n }, (_, i) => scores[i * nClasses + k]!);
    const ap = averagePrecision(y, s);
    if (!Number.isNaN(ap)) { sum += ap; cnt++; }
  }
  return cnt ? sum / cnt : NaN;
}
