import { checkOption, TsreprError } from '../errors.js';
import type { TimeSeriesDataset } from './dataset.js';

/** Rebuilds a dataset with new arrays, keeping the descriptive fields (and extra loader fields). */
function withArrays(ds: TimeSeriesDataset, patch: Partial<TimeSeriesDataset>): TimeSeriesDataset {
  return { ...ds, ...patch };
}

/** Keeps the named channels, in the given order (copies). MISSING_COLUMN for an unknown name. */
export function selectChannels(ds: TimeSeriesDataset, names: string[]): TimeSeriesDataset {
  const idx = names.map((nm) => {
    const c = ds.channelNames.indexOf(nm);
    if (c < 0) throw new TsreprError('MISSING_COLUMN', `channel ${JSON.stringify(nm)} not found; channels are ${ds.channelNames.join(', ')}`, { file: ds.source, column: nm });
    return c;
  });
  const C = ds.channels, K = idx.length, cells = ds.n * ds.length;
  const values = new Float32Array(cells * K), mask = new Uint8Array(cells * K);
  for (let i = 0; i < cells; i++) {
    for (let k = 0; k < K; k++) { values[i * K + k] = ds.values[i * C + idx[k]!]!; mask[i * K + k] = ds.mask[i * C + idx[k]!]!; }
  }
  return withArrays(ds, { values, mask, channels: K, channelNames: names.slice() });
}

/**
 * Standardisation statistics. `mode: 'channel'`: `mean`/`std` have C entries computed over all
 * observed cells of the fitted data (train-set statistics). `mode: 'series'`: N × C entries,
 * one per series and channel (apply to the same series only). JSON-serialisable via
 * `Array.from`.
 */
export interface ScalerStats {
  mode: 'channel' | 'series';
  channels: number;
  mean: Float64Array;
  std: Float64Array;
}

/**
 * Computes z-normalisation statistics ignoring missing cells (mask 0). A constant or
 * unobserved channel gets std 1 (and mean 0 when unobserved) so that scaling is safe.
 */
export function fitScaler(ds: TimeSeriesDataset, opts: { mode?: 'channel' | 'series' } = {}): ScalerStats {
  const mode = opts.mode ?? 'channel';
  const C = ds.channels, L = ds.length;
  const groups = mode === 'channel' ? 1 : ds.n;
  const sum = new Float64Array(groups * C), sq = new Float64Array(groups * C), cnt = new Float64Array(groups * C);
  for (let s = 0; s < ds.n; s++) {
    const g = mode === 'channel' ? 0 : s;
    for (let t = 0; t < L; t++) {
      for (let c = 0; c < C; c++) {
        const i = (s * L + t) * C + c;
        if (!ds.mask[i]) continue;
        const v = ds.values[i]!;
        const k = g * C + c;
        sum[k] = sum[k]! + v; sq[k] = sq[k]! + v * v; cnt[k] = cnt[k]! + 1;
      }
    }
  }
  const mean = new Float64Array(groups * C), std = new Float64Array(groups * C);
  for (let k = 0; k < groups * C; k++) {
    const m = cnt[k] ? sum[k]! / cnt[k]! : 0;
    const variance = cnt[k] ? Math.max(sq[k]! / cnt[k]! - m * m, 0) : 0;
    mean[k] = m;
    std[k] = variance > 1e-24 ? Math.sqrt(variance) : 1;
  }
  return { mode, channels: C, mean, std };
}

function statIndex(stats: ScalerStats, s: number, c: number): number {
  return stats.mode === 'channel' ? c : s * stats.channels + c;
}

function scale(ds: TimeSeriesDataset, stats: ScalerStats, invert: boolean): TimeSeriesDataset {
  checkOption(stats.channels === ds.channels, `scaler was fitted on ${stats.channels} channels, data has ${ds.channels}`);
  checkOption(stats.mode === 'channel' || stats.mean.length === ds.n * ds.channels, `per-series scaler was fitted on ${stats.mean.length / stats.channels} series, data has ${ds.n}`);
  const C = ds.channels, L = ds.length;
  const values = new Float32Array(ds.values.length);
  for (let s = 0; s < ds.n; s++) {
    for (let t = 0; t < L; t++) {
      for (let c = 0; c < C; c++) {
        const i = (s * L + t) * C + c, k = statIndex(stats, s, c);
        const v = ds.values[i]!;
        values[i] = invert ? v * stats.std[k]! + stats.mean[k]! : (v - stats.mean[k]!) / stats.std[k]!;
      }
    }
  }
  return withArrays(ds, { values, mask: ds.mask.slice() });
}

/** Returns `(x − mean) / std` per channel (or per series and channel); NaN stays NaN. */
export function applyScaler(ds: TimeSeriesDataset, stats: ScalerStats): TimeSeriesDataset {
  return scale(ds, stats, false);
}

/**
 * Undoes `applyScaler`: `x · std + mean`. Also accepts a bare Float32Array laid out with the
 * channels last (`[…, C]`, e.g. model predictions) for per-channel statistics.
 */
export function invertScaler(x: TimeSeriesDataset, stats: ScalerStats): TimeSeriesDataset;
export function invertScaler(x: Float32Array, stats: ScalerStats): Float32Array;
export function invertScaler(x: TimeSeriesDataset | Float32Array, stats: ScalerStats): TimeSeriesDataset | Float32Array {
  if (!(x instanceof Float32Array)) return scale(x, stats, true);
  checkOption(stats.mode === 'channel', 'a bare array can only be inverted with per-channel statistics');
  checkOption(x.length % stats.channels === 0, `array length ${x.length} is not a multiple of ${stats.channels} channels`);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) { const c = i % stats.channels; out[i] = x[i]! * stats.std[c]! + stats.mean[c]!; }
  return out;
}

/**
 * Time slice `[start, end)` of every series (copies). Negative indices count from the end of
 * the padded length. Lengths shrink accordingly.
 */
export function crop(ds: TimeSeriesDataset, start: number, end: number = ds.length): TimeSeriesDataset {
  const L = ds.length, C = ds.channels;
  const a = start < 0 ? L + start : start, b = end < 0 ? L + end : end;
  checkOption(Number.isInteger(a) && Number.isInteger(b) && 0 <= a && a < b && b <= L, `crop [${start}, ${end}) is outside [0, ${L})`);
  const M = b - a;
  const values = new Float32Array(ds.n * M * C), mask = new Uint8Array(ds.n * M * C);
  const timestamps = ds.timestamps ? new Float64Array(ds.n * M) : undefined;
  for (let s = 0; s < ds.n; s++) {
    values.set(ds.values.subarray((s * L + a) * C, (s * L + b) * C), s * M * C);
    mask.set(ds.mask.subarray((s * L + a) * C, (s * L + b) * C), s * M * C);
    if (timestamps) timestamps.set(ds.timestamps!.subarray(s * L + a, s * L + b), s * M);
  }
  const lengths = Int32Array.from(ds.lengths, (len) => Math.max(0, Math.min(len, b) - a));
  return withArrays(ds, { values, mask, timestamps, lengths, length: M });
}

/** Pads (with mask 0) or rejects: returns a copy whose padded length is `length` ≥ ds.length. */
export function padLength(ds: TimeSeriesDataset, length: number): TimeSeriesDataset {
  checkOption(Number.isInteger(length) && length >= ds.length, `cannot pad length ${ds.length} to ${length}`);
  if (length === ds.length) return ds;
  const L = ds.length, C = ds.channels;
  const values = new Float32Array(ds.n * length * C).fill(NaN), mask = new Uint8Array(ds.n * length * C);
  const timestamps = ds.timestamps ? new Float64Array(ds.n * length).fill(NaN) : undefined;
  for (let s = 0; s < ds.n; s++) {
    values.set(ds.values.subarray(s * L * C, (s + 1) * L * C), s * length * C);
    mask.set(ds.mask.subarray(s * L * C, (s + 1) * L * C), s * length * C);
    if (timestamps) timestamps.set(ds.timestamps!.subarray(s * L, (s + 1) * L), s * length);
  }
  return withArrays(ds, { values, mask, timestamps, length });
}

/**
 * Cuts every series into windows of `window` steps every `stride` steps, within its true
 * length (a series shorter than `window` gives none). Result: n = number of windows,
 * length = window; `seriesIds` are `<id>@<start>`; labels are inherited.
 */
export function slidingWindows(ds: TimeSeriesDataset, window: number, stride = 1): TimeSeriesDataset {
  checkOption(Number.isInteger(window) && window > 0, `window must be a positive integer, got ${window}`);
  checkOption(Number.isInteger(stride) && stride > 0, `stride must be a positive integer, got ${stride}`);
  const starts: [number, number][] = [];
  for (let s = 0; s < ds.n; s++) for (let a = 0; a + window <= ds.lengths[s]!; a += stride) starts.push([s, a]);
  if (starts.length === 0) throw new TsreprError('EMPTY_INPUT', `no series is at least ${window} steps long`, { file: ds.source });
  const L = ds.length, C = ds.channels, m = starts.length, W = window * C;
  const values = new Float32Array(m * W), mask = new Uint8Array(m * W);
  const timestamps = ds.timestamps ? new Float64Array(m * window) : undefined;
  const labels = ds.labels ? new (ds.labels.constructor as Int32ArrayConstructor | Float32ArrayConstructor)(m) : undefined;
  starts.forEach(([s, a], w) => {
    values.set(ds.values.subarray((s * L + a) * C, (s * L + a) * C + W), w * W);
    mask.set(ds.mask.subarray((s * L + a) * C, (s * L + a) * C + W), w * W);
    if (timestamps) timestamps.set(ds.timestamps!.subarray(s * L + a, s * L + a + window), w * window);
    if (labels) labels[w] = ds.labels![s]!;
  });
  return withArrays(ds, {
    n: m, length: window, values, mask, timestamps, labels, lengths: new Int32Array(m).fill(window),
    seriesIds: starts.map(([s, a]) => `${ds.seriesIds?.[s] ?? s}@${a}`),
  });
}

/** Split sizes: fractions in (0, 1] summing to ≤ 1, or whole row counts. */
export interface SplitSpec { train: number; val?: number; test: number }

/**
 * Splits along time (all series at the same steps). Fractions: train = ⌊f·T⌋, test = ⌊f·T⌋,
 * val = the rest when the fractions sum to 1 (Autoformer convention), else ⌊f·T⌋. Counts are
 * taken as given. Returns the three datasets and their `[start, end)` borders.
 */
export function chronologicalSplit(ds: TimeSeriesDataset, spec: SplitSpec): {
  train: TimeSeriesDataset; val?: TimeSeriesDataset; test: TimeSeriesDataset; borders: { train: [number, number]; val: [number, number]; test: [number, number] };
} {
  const T = ds.length, v = spec.val ?? 0;
  const fractions = spec.train <= 1 && spec.test <= 1 && v <= 1 && !(spec.train === 1 && spec.test === 1);
  let a: number, b: number, c: number;
  if (fractions) {
    const sum = spec.train + v + spec.test;
    checkOption(sum <= 1 + 1e-9, `split fractions sum to ${sum} > 1`);
    a = Math.floor(spec.train * T);
    const te = Math.floor(spec.test * T);
    b = Math.abs(sum - 1) < 1e-9 ? T - te : a + Math.floor(v * T);
    c = b + te;
  } else {
    for (const x of [spec.train, v, spec.test]) checkOption(Number.isInteger(x) && x >= 0, `split sizes must be fractions or whole row counts, got ${x}`);
    a = spec.train; b = a + v; c = b + spec.test;
  }
  checkOption(a > 0 && c - b > 0 && c <= T, `split ${a}/${b - a}/${c - b} does not fit ${T} steps`);
  return {
    train: crop(ds, 0, a), val: b > a ? crop(ds, a, b) : undefined, test: crop(ds, b, c),
    borders: { train: [0, a], val: [a, b], test: [b, c] },
  };
}

/** Names of the columns of `timeFeatures`, in order. */
export const TIME_FEATURE_NAMES = ['minute', 'hour', 'dayofweek', 'day', 'dayofyear', 'month', 'weekofyear'] as const;

/**
 * Calendar covariates of each time stamp (ms, read in UTC), as TS2Vec's `_get_time_features`:
 * `[T, 7]` = minute, hour, dayofweek (Monday = 0), day of month, dayofyear (1-based), month
 * (1–12), ISO week of year. Raw integers, not scaled (TS2Vec standardises them afterwards).
 * NaN time stamps give NaN rows.
 */
export function timeFeatures(timestamps: ArrayLike<number>): Float32Array {
  const T = timestamps.length, F = TIME_FEATURE_NAMES.length;
  const out = new Float32Array(T * F);
  for (let t = 0; t < T; t++) {
    const ms = timestamps[t]!;
    if (!Number.isFinite(ms)) { out.fill(NaN, t * F, (t + 1) * F); continue; }
    const d = new Date(ms);
    const y = d.getUTCFullYear(), mon = d.getUTCMonth(), day = d.getUTCDate();
    const dow = (d.getUTCDay() + 6) % 7;
    const doy = Math.floor((Date.UTC(y, mon, day) - Date.UTC(y, 0, 1)) / 86_400_000) + 1;
    // ISO week: the week with the year's first Thursday is week 1
    const thursday = new Date(Date.UTC(y, mon, day + 3 - dow));
    const isoWeek = Math.floor((thursday.getTime() - Date.UTC(thursday.getUTCFullYear(), 0, 1)) / (7 * 86_400_000)) + 1;
    out.set([d.getUTCMinutes(), d.getUTCHours(), dow, day, doy, mon + 1, isoWeek], t * F);
  }
  return out;
}
