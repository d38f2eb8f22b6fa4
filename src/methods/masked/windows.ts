/**
 * Window extraction from a `TimeSeriesDataset` into dense batches (NaN → 0), used by the
 * masked and combined methods for training crops and for sliding-window encoding.
 */
import type { TimeSeriesDataset } from '../../data/dataset.js';
import type { Rng } from '../../engine/random.js';

/**
 * Copies steps `[start, start + len)` of series `n` into `out` at `offset` (`[len, C]`),
 * with zeros outside the series and for missing values; returns the number of observed cells.
 */
export function copyWindow(ds: TimeSeriesDataset, n: number, start: number, len: number, out: Float32Array, offset: number): number {
  const C = ds.channels, T = ds.length;
  let observed = 0;
  for (let t = 0; t < len; t++) {
    const st = start + t;
    const o = offset + t * C;
    if (st < 0 || st >= T) { out.fill(0, o, o + C); continue; }
    const base = (n * T + st) * C;
    for (let c = 0; c < C; c++) {
      const ok = ds.mask[base + c];
      out[o + c] = ok ? ds.values[base + c]! : 0;
      observed += ok ? 1 : 0;
    }
  }
  return observed;
}

/**
 * A batch of `batch` random crops of `len` steps (`[batch, len, C]` row-major): a random
 * series, then a random start inside its observed length (crops of a series shorter than
 * `len` are zero-padded on the right).
 */
export function randomCrops(ds: TimeSeriesDataset, rng: Rng, batch: number, len: number): Float32Array {
  const out = new Float32Array(batch * len * ds.channels);
  for (let b = 0; b < batch; b++) {
    const n = rng.int(0, ds.n);
    const L = ds.lengths[n]!;
    const start = L > len ? rng.int(0, L - len + 1) : 0;
    copyWindow(ds, n, start, len, out, b * len * ds.channels);
  }
  return out;
}

/**
 * Instance normalisation (RevIN without the affine part) in place: every window of `len`
 * steps × `C` channels in `buf` (`[windows, len, C]`) gets each channel's mean subtracted
 * and is divided by its std (`sqrt(var + eps)`). Returns the per-window, per-channel
 * statistics `[windows · C]` so that outputs can be put back in the input's scale.
 */
export function instanceNormalise(buf: Float32Array, windows: number, len: number, C: number, eps = 1e-5): { mean: Float32Array; std: Float32Array } {
  const mean = new Float32Array(windows * C), std = new Float32Array(windows * C);
  for (let w = 0; w < windows; w++) {
    const o = w * len * C;
    for (let c = 0; c < C; c++) {
      let s = 0, s2 = 0;
      for (let t = 0; t < len; t++) { const v = buf[o + t * C + c]!; s += v; s2 += v * v; }
      const m = s / len, sd = Math.sqrt(Math.max(0, s2 / len - m * m) + eps);
      for (let t = 0; t < len; t++) buf[o + t * C + c] = (buf[o + t * C + c]! - m) / sd;
      mean[w * C + c] = m; std[w * C + c] = sd;
    }
  }
  return { mean, std };
}
