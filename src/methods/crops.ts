/**
 * TS2Vec's data handling on plain typed arrays (`[N, T, C]`, NaN = missing): the two
 * overlapping random crops ("contextual consistency"), the binomial timestamp mask, and the
 * preparation of long or NaN-padded training series. Draws follow numpy's `randint`
 * conventions (upper bound exclusive) as in the official code.
 */
import type { Rng } from '../engine/random.js';

/** Plain `[n, length, channels]` float data, NaN where missing. */
export interface SeriesArray {
  values: Float32Array;
  n: number;
  length: number;
  channels: number;
}

/**
 * One iteration's crop geometry for a batch of series of length `T`:
 * view 1 covers `[offset + cropELeft, offset + cropRight)`, view 2 covers
 * `[offset + cropLeft, offset + cropERight)`; both contain the overlap
 * `[offset + cropLeft, offset + cropRight)` of `cropL` steps (the last `cropL` outputs of view 1,
 * the first `cropL` of view 2). `offsets` is per series.
 */
export interface CropPlan {
  cropL: number;
  cropLeft: number;
  cropRight: number;
  cropELeft: number;
  cropERight: number;
  offsets: Int32Array;
}

/** Samples a crop plan as TS2Vec does (`crop_l ∈ [2^(temporalUnit+1), T]`, …). Needs T ≥ 2^(temporalUnit+1). */
export function sampleCrops(rng: Rng, T: number, batch: number, temporalUnit = 0): CropPlan {
  const cropL = rng.int(2 ** (temporalUnit + 1), T + 1);
  const cropLeft = rng.int(0, T - cropL + 1);
  const cropRight = cropLeft + cropL;
  const cropELeft = rng.int(0, cropLeft + 1);
  const cropERight = rng.int(cropRight, T + 1);
  const offsets = new Int32Array(batch);
  for (let i = 0; i < batch; i++) offsets[i] = rng.int(-cropELeft, T - cropERight + 1);
  return { cropL, cropLeft, cropRight, cropELeft, cropERight, offsets };
}

/** Rows `x[i, starts[i] + j]` for j < len: `[n, T, C]` → `[n, len, C]` (indices must be in range). */
export function takePerRow(x: SeriesArray, starts: ArrayLike<number>, len: number): SeriesArray {
  const { n, length: T, channels: C } = x;
  const out = new Float32Array(n * len * C);
  for (let i = 0; i < n; i++) {
    const s = starts[i]!;
    if (s < 0 || s + len > T) throw new RangeError(`takePerRow: window [${s}, ${s + len}) outside [0, ${T})`);
    out.set(x.values.subarray((i * T + s) * C, (i * T + s + len) * C), i * len * C);
  }
  return { values: out, n, length: len, channels: C };
}

/** The two views of a crop plan: `[B, cropRight − cropELeft, C]` and `[B, cropERight − cropLeft, C]`. */
export function cropViews(x: SeriesArray, plan: CropPlan): [SeriesArray, SeriesArray] {
  const s1 = Array.from(plan.offsets, (o) => o + plan.cropELeft);
  const s2 = Array.from(plan.offsets, (o) => o + plan.cropLeft);
  return [takePerRow(x, s1, plan.cropRight - plan.cropELeft), takePerRow(x, s2, plan.cropERight - plan.cropLeft)];
}

/** Bernoulli(p) keep-mask `[B, T]` (1 = keep), TS2Vec's 'binomial' timestamp masking. */
export function binomialMask(rng: Rng, batch: number, T: number, p = 0.5): Uint8Array {
  const m = new Uint8Array(batch * T);
  for (let i = 0; i < m.length; i++) m[i] = rng.random() < p ? 1 : 0;
  return m;
}

/** `[B, T]` 1 where no channel is NaN (TS2Vec treats a timestamp with any NaN as missing). */
export function observedTimestamps(x: SeriesArray): Uint8Array {
  const { n, length: T, channels: C, values } = x;
  const m = new Uint8Array(n * T);
  for (let r = 0; r < n * T; r++) {
    let ok = 1;
    for (let c = 0; c < C; c++) if (Number.isNaN(values[r * C + c]!)) { ok = 0; break; }
    m[r] = ok;
  }
  return m;
}

/**
 * Splits every series along time into `sections` parts (numpy `array_split` sizes: the first
 * `T mod sections` parts are one step longer), NaN-pads them to the first part's length and
 * stacks them as instances, section-major: `[sections·N, ceil(T/sections), C]`.
 */
export function splitWithNan(x: SeriesArray, sections: number): SeriesArray {
  const { n, length: T, channels: C } = x;
  const base = Math.floor(T / sections), extra = T % sections;
  const L = base + (extra > 0 ? 1 : 0);
  const out = new Float32Array(sections * n * L * C).fill(NaN);
  let start = 0;
  for (let s = 0; s < sections; s++) {
    const len = base + (s < extra ? 1 : 0);
    for (let i = 0; i < n; i++) {
      out.set(x.values.subarray((i * T + start) * C, (i * T + start + len) * C), ((s * n + i) * L) * C);
    }
    start += len;
  }
  return { values: out, n: sections * n, length: L, channels: C };
}

function allNanStep(x: SeriesArray, i: number, t: number): boolean {
  const C = x.channels, base = (i * x.length + t) * C;
  for (let c = 0; c < C; c++) if (!Number.isNaN(x.values[base + c]!)) return false;
  return true;
}

/**
 * Re-centres series with leading/trailing all-NaN steps: each series is rolled so that its
 * leading and trailing NaN runs become (almost) equal, as TS2Vec's `centerize_vary_length_series`.
 */
export function centerizeVaryLengthSeries(x: SeriesArray): SeriesArray {
  const { n, length: T, channels: C } = x;
  const out = new Float32Array(x.values.length);
  for (let i = 0; i < n; i++) {
    let prefix = 0;
    while (prefix < T && allNanStep(x, i, prefix)) prefix++;
    let suffix = 0;
    while (suffix < T && allNanStep(x, i, T - 1 - suffix)) suffix++;
    if (prefix === T) { prefix = 0; suffix = 0; } // all-NaN series: numpy argmax gives 0
    let offset = Math.floor((prefix + suffix) / 2) - prefix;
    if (offset < 0) offset += T;
    // out[t] = x[(t - offset) mod T]
    for (let t = 0; t < T; t++) {
      const src = (((t - offset) % T) + T) % T;
      out.set(x.values.subarray((i * T + src) * C, (i * T + src + 1) * C), (i * T + t) * C);
    }
  }
  return { ...x, values: out };
}

/**
 * Prepares training data as TS2Vec's `fit` does: splits series longer than
 * `2·maxTrainLength` into `⌊T / maxTrainLength⌋` sections, re-centres when the first or last
 * step is missing in some series, and drops series that are entirely NaN.
 */
export function prepareTrainingSeries(x: SeriesArray, maxTrainLength?: number): SeriesArray {
  let d = x;
  if (maxTrainLength !== undefined && d.length > maxTrainLength) {
    const sections = Math.floor(d.length / maxTrainLength);
    if (sections >= 2) d = splitWithNan(d, sections);
  }
  let missingEdge = false;
  for (let i = 0; i < d.n && !missingEdge; i++) missingEdge = allNanStep(d, i, 0) || allNanStep(d, i, d.length - 1);
  if (missingEdge) d = centerizeVaryLengthSeries(d);
  const keep: number[] = [];
  for (let i = 0; i < d.n; i++) {
    let any = false;
    for (let t = 0; t < d.length && !any; t++) any = !allNanStep(d, i, t);
    if (any) keep.push(i);
  }
  if (keep.length === d.n) return d;
  const stride = d.length * d.channels;
  const values = new Float32Array(keep.length * stride);
  keep.forEach((s, k) => values.set(d.values.subarray(s * stride, (s + 1) * stride), k * stride));
  return { values, n: keep.length, length: d.length, channels: d.channels };
}
