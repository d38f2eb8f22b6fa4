/**
 * Point-wise, point-adjusted and delay-adjusted precision / recall / F1 for binary anomaly
 * flags against binary labels (both `[T]`, 1 = anomalous). Pure functions on typed arrays.
 */
import { TsreprError } from '../../errors.js';

export interface PrfScores {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
}

function checkSameLength(pred: ArrayLike<number>, label: ArrayLike<number>): void {
  if (pred.length !== label.length) {
    throw new TsreprError('BAD_INPUT', `predictions have ${pred.length} steps but labels have ${label.length}`);
  }
}

/** Precision, recall and F1 of point-wise flags (0/0 counts as 0, as scikit-learn does). */
export function pointPrf(pred: ArrayLike<number>, label: ArrayLike<number>): PrfScores {
  checkSameLength(pred, label);
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i]! > 0, l = label[i]! > 0;
    if (p && l) tp++;
    else if (p) fp++;
    else if (l) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, tp, fp, fn };
}

/** Contiguous runs of `label > 0` as half-open `[start, end)` index pairs. */
export function labelSegments(label: ArrayLike<number>): [number, number][] {
  const segs: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= label.length; i++) {
    const on = i < label.length && label[i]! > 0;
    if (on && start < 0) start = i;
    else if (!on && start >= 0) { segs.push([start, i]); start = -1; }
  }
  return segs;
}

/**
 * Segment adjustment of predictions: inside every true anomaly segment, all points become 1
 * when at least one flag falls in the first `delay + 1` points of the segment, else all 0.
 * Outside segments the flags are unchanged. `delay = Infinity` is the classic point adjustment
 * (any hit anywhere in the segment); a finite delay is TS2Vec's `get_range_proba`.
 */
export function adjustPredictions(pred: ArrayLike<number>, label: ArrayLike<number>, delay = Infinity): Uint8Array {
  checkSameLength(pred, label);
  if (!(delay >= 0)) throw new TsreprError('BAD_OPTION', `delay must be >= 0, got ${delay}`);
  const out = Uint8Array.from(pred, (v) => (v > 0 ? 1 : 0));
  for (const [a, b] of labelSegments(label)) {
    const lim = Math.min(b, delay === Infinity ? b : a + delay + 1);
    let hit = 0;
    for (let i = a; i < lim && !hit; i++) if (pred[i]! > 0) hit = 1;
    out.fill(hit, a, b);
  }
  return out;
}

/** Point-adjusted F1: any flag inside a true segment counts the whole segment as detected. */
export function pointAdjustedPrf(pred: ArrayLike<number>, label: ArrayLike<number>): PrfScores {
  return pointPrf(adjustPredictions(pred, label, Infinity), label);
}

/**
 * Delay-adjusted F1 (TS2Vec / Ren et al. 2019): a segment counts as detected only when a flag
 * falls within `delay` steps of its start (TS2Vec uses 7 for minutely data, 3 for hourly).
 */
export function delayAdjustedPrf(pred: ArrayLike<number>, label: ArrayLike<number>, delay = 7): PrfScores {
  return pointPrf(adjustPredictions(pred, label, delay), label);
}

/**
 * Puts labels and flags of an irregularly sampled series on a regular grid (step = the smallest
 * positive gap between time stamps); inserted steps are label 0, flag 0. This is what TS2Vec
 * does before the delay adjustment, so that `delay` counts time steps, not rows.
 */
export function onRegularGrid(
  timestamps: ArrayLike<number>, label: ArrayLike<number>, pred: ArrayLike<number>,
): { label: Uint8Array; pred: Uint8Array } {
  checkSameLength(pred, label);
  checkSameLength(timestamps, label);
  const n = timestamps.length;
  if (n === 0) return { label: new Uint8Array(0), pred: new Uint8Array(0) };
  let step = Infinity;
  for (let i = 1; i < n; i++) {
    const d = timestamps[i]! - timestamps[i - 1]!;
    if (d <= 0) throw new TsreprError('BAD_INPUT', `time stamps must increase strictly (row ${i})`);
    step = Math.min(step, d);
  }
  if (!Number.isFinite(step)) return { label: Uint8Array.from(label, (v) => (v > 0 ? 1 : 0)), pred: Uint8Array.from(pred, (v) => (v > 0 ? 1 : 0)) };
  const t0 = timestamps[0]!;
  const len = Math.round((timestamps[n - 1]! - t0) / step) + 1;
  const l = new Uint8Array(len), p = new Uint8Array(len);
  for (let i = 0; i < n; i++) {
    const k = Math.round((timestamps[i]! - t0) / step);
    l[k] = label[i]! > 0 ? 1 : 0;
    p[k] = pred[i]! > 0 ? 1 : 0;
  }
  return { label: l, pred: p };
}
