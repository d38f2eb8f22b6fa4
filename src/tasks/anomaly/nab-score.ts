/**
 * The NAB score (Lavin & Ahmad 2015), written from NAB's published rules (nab/sweeper.py,
 * nab/runner.py, config/profiles.json): anomaly windows; the first detection in a window earns a
 * scaled sigmoid of its relative position; detections outside windows cost the FP weight times
 * a sigmoid of their distance past the previous window (the full FP weight when no window
 * precedes); missed windows cost the FN weight; the first 15 % of a file (at most 750 rows) is a
 * probationary period that is not scored; corpus scores are normalised
 * 100·(raw − null)/(perfect − null).
 */
import { TsreprError } from '../../errors.js';

/** Cost-matrix weights of a NAB application profile. */
export interface NabProfile {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** NAB's three application profiles (config/profiles.json). */
export const NAB_PROFILES = {
  standard: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 1.0 },
  reward_low_FP_rate: { tpWeight: 1.0, fpWeight: 0.22, fnWeight: 1.0 },
  reward_low_FN_rate: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 2.0 },
} as const satisfies Record<string, NabProfile>;
export type NabProfileName = keyof typeof NAB_PROFILES;
export const NAB_PROFILE_NAMES = Object.keys(NAB_PROFILES) as NabProfileName[];

/** `2·sigmoid(−5y) − 1`, and −1 for y ≥ 3 (y = −1: left window edge, 0: right edge). */
export function scaledSigmoid(y: number): number {
  if (y >= 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/** Rows excluded from scoring at the start of a file: min(floor(p·rows), p·5000). */
export function nabProbationaryLength(rows: number, percent = 0.15): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/**
 * Converts windows given as `[startMs, endMs]` (inclusive) into row index pairs `[first, last]`
 * (inclusive) of a file with the given time stamps; windows matching no row are dropped.
 */
export function windowRows(timestamps: ArrayLike<number>, windows: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of windows) {
    let first = -1, last = -1;
    for (let i = 0; i < timestamps.length; i++) {
      const t = timestamps[i]!;
      if (t >= a && t <= b) { if (first < 0) first = i; last = i; }
    }
    if (first >= 0) out.push([first, last]);
  }
  return out;
}

/**
 * One file prepared for scoring: per row, which window it belongs to (−1: none; rows in the
 * probationary period are dropped) and its unweighted sigmoid value, as NAB's sweeper computes it.
 */
export interface NabPreparedFile {
  /** number of label windows in the file (all of them count toward the perfect score) */
  readonly windowCount: number;
  /** rows that are scored (after the probationary period) */
  readonly rows: Int32Array;
  /** window index of each scored row, −1 outside windows */
  readonly window: Int32Array;
  /** unweighted sigmoid value of each scored row (TP value inside windows, FP value outside) */
  readonly sigmoid: Float64Array;
  /** windows that have at least one scored row (a missed one costs the FN weight) */
  readonly scorableWindows: number[];
}

/**
 * Prepares a file of `rows` rows with label windows as inclusive row ranges (sorted, disjoint).
 * TP value at row i of window [a, b]: σ(−(b − i + 1)/(b − a + 1)) / σ(−1); FP value:
 * σ(|i − b_prev|/(w_prev − 1)) after a window (w = its width), −1 before any window.
 */
export function nabPrepareFile(rows: number, windows: readonly (readonly [number, number])[], probationPercent = 0.15): NabPreparedFile {
  const sorted = [...windows].sort((x, y) => x[0] - y[0]);
  for (let k = 0; k < sorted.length; k++) {
    const [a, b] = sorted[k]!;
    if (!(a >= 0 && b >= a && b < rows)) throw new TsreprError('BAD_INPUT', `NAB window [${a}, ${b}] is outside the ${rows} rows`);
    if (k > 0 && a <= sorted[k - 1]![1]) throw new TsreprError('BAD_INPUT', `NAB windows overlap at row ${a}`);
  }
  const prob = nabProbationaryLength(rows, probationPercent);
  const maxTp = scaledSigmoid(-1);
  const rowIdx: number[] = [], win: number[] = [], sig: number[] = [];
  const scorable = new Set<number>();
  let k = 0, prevRight = -1, prevWidth = 0;
  for (let i = 0; i < rows; i++) {
    const inWin = k < sorted.length && i >= sorted[k]![0] && i <= sorted[k]![1];
    let value: number;
    if (inWin) {
      const [a, b] = sorted[k]!;
      value = scaledSigmoid(-(b - i + 1) / (b - a + 1)) / maxTp;
    } else if (prevRight < 0) {
      value = -1;
    } else {
      // NAB divides by (width − 1); a one-row window gives +Infinity → −1
      value = scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
    }
    if (i >= prob) {
      rowIdx.push(i); win.push(inWin ? k : -1); sig.push(value);
      if (inWin) scorable.add(k);
    }
    if (inWin && i === sorted[k]![1]) {
      prevRight = i; prevWidth = sorted[k]![1] - sorted[k]![0] + 1; k++;
    }
  }
  return {
    windowCount: sorted.length,
    rows: Int32Array.from(rowIdx), window: Int32Array.from(win), sigmoid: Float64Array.from(sig),
    scorableWindows: [...scorable].sort((x, y) => x - y),
  };
}

export interface NabFileScore {
  /** raw NAB score of the file under the profile */
  raw: number;
  /** windows detected / missed, detections outside windows (rows), all after probation */
  tp: number;
  fn: number;
  fp: number;
  /** raw score of the null detector (every scorable window missed) and of a perfect detector */
  nullRaw: number;
  perfect: number;
}

/** Raw NAB score of binary detections `flags[rows]` on a prepared file under a profile. */
export function nabScoreFlags(file: NabPreparedFile, flags: ArrayLike<number>, profile: NabProfile): NabFileScore {
  const best = new Map<number, number>();
  let fpSum = 0, fp = 0;
  for (let j = 0; j < file.rows.length; j++) {
    if (!(flags[file.rows[j]!]! > 0)) continue;
    const w = file.window[j]!;
    if (w < 0) { fpSum += file.sigmoid[j]! * profile.fpWeight; fp++; } else {
      const v = file.sigmoid[j]! * profile.tpWeight;
      if (!best.has(w) || v > best.get(w)!) best.set(w, v);
    }
  }
  let raw = fpSum;
  for (const w of file.scorableWindows) raw += best.has(w) ? Math.max(best.get(w)!, -profile.fnWeight) : -profile.fnWeight;
  const tp = best.size;
  return {
    raw, tp, fn: file.scorableWindows.length - tp, fp,
    nullRaw: -profile.fnWeight * file.scorableWindows.length,
    perfect: profile.tpWeight * file.windowCount,
  };
}

/** `100·(raw − null)/(perfect − null)`: 0 for the null detector, 100 for the perfect one (NaN when undefined). */
export function nabNormalize(raw: number, nullRaw: number, perfect: number): number {
  return perfect === nullRaw ? NaN : (100 * (raw - nullRaw)) / (perfect - nullRaw);
}

export interface NabSweepResult {
  /** the best threshold (detections are rows with score ≥ threshold); +Infinity = no detections */
  threshold: number;
  /** corpus raw score at that threshold, summed over files */
  raw: number;
  nullRaw: number;
  perfect: number;
  /** normalised corpus score */
  score: number;
}

/**
 * NAB's threshold optimisation: one threshold for the whole corpus, chosen to maximise the summed
 * raw score, by sweeping every distinct anomaly score from high to low (nab/sweeper.py). `scores`
 * holds each file's per-row anomaly scores (NaN = never a detection).
 */
export function nabSweep(files: readonly NabPreparedFile[], scores: readonly ArrayLike<number>[], profile: NabProfile): NabSweepResult {
  if (files.length !== scores.length) throw new TsreprError('BAD_INPUT', `${files.length} files but ${scores.length} score arrays`);
  const pts: { s: number; w: number; v: number }[] = [];
  let nullRaw = 0, perfect = 0, winBase = 0;
  files.forEach((f, fi) => {
    const sc = scores[fi]!;
    for (let j = 0; j < f.rows.length; j++) {
      const s = sc[f.rows[j]!]!;
      if (Number.isNaN(s)) continue;
      const w = f.window[j]!;
      pts.push({ s, w: w < 0 ? -1 : winBase + w, v: f.sigmoid[j]! * (w < 0 ? profile.fpWeight : profile.tpWeight) });
    }
    nullRaw -= profile.fnWeight * f.scorableWindows.length;
    perfect += profile.tpWeight * f.windowCount;
    winBase += f.windowCount;
  });
  pts.sort((a, b) => b.s - a.s);
  const best = new Float64Array(winBase).fill(-profile.fnWeight);
  let cur = nullRaw, bestRaw = nullRaw, bestThr = Infinity;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    if (p.w < 0) cur += p.v;
    else if (p.v > best[p.w]!) { cur += p.v - best[p.w]!; best[p.w] = p.v; }
    const last = i === pts.length - 1 || pts[i + 1]!.s !== p.s;
    if (last && cur > bestRaw) { bestRaw = cur; bestThr = p.s; }
  }
  return { threshold: bestThr, raw: bestRaw, nullRaw, perfect, score: nabNormalize(bestRaw, nullRaw, perfect) };
}
