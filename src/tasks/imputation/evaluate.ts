/**
 * Imputation evaluation as in SAITS/BRITS: hide a random fraction of the *observed* entries,
 * impute, and score on the hidden entries only. MAE = mean|err|, RMSE = sqrt(mean err²),
 * MRE = Σ|err| / Σ|truth| (SAITS). Scores come in the data's units and, when statistics are
 * given, on the z-normalised scale (errors and truths divided by the channel std, truths
 * centred by the channel mean) that SAITS and TSI-Bench report.
 */
import { createDataset, type TimeSeriesDataset } from '../../data/dataset.js';
import { Rng } from '../../engine/random.js';
import { checkNumber, TsreprError } from '../../errors.js';

export interface HiddenEntries {
  /** the dataset with the hidden entries removed (NaN, mask 0) */
  ds: TimeSeriesDataset;
  /** flat indices of the hidden entries */
  indices: Int32Array;
  /** their true values */
  truth: Float32Array;
  /**
   * per channel, 1 when at least 2 observed values remain after hiding: only those channels
   * have a spread to standardise by and a value for every baseline to impute from, so entries
   * of the others are left out of the scores (for every method alike)
   */
  scorable: Uint8Array;
}

/** Hides `round(rate · #observed)` observed entries chosen uniformly with a seeded Rng. */
export function hideObserved(ds: TimeSeriesDataset, rate: number, seed = 0): HiddenEntries {
  checkNumber('missing rate', rate, { min: 0, max: 1, exclusiveMin: true });
  const obs: number[] = [];
  for (let i = 0; i < ds.mask.length; i++) if (ds.mask[i]) obs.push(i);
  const k = Math.round(rate * obs.length);
  if (k === 0) throw new TsreprError('EMPTY_INPUT', `hiding ${rate} of ${obs.length} observed entries leaves nothing to evaluate`);
  const rng = new Rng(seed);
  for (let j = 0; j < k; j++) { const r = j + rng.int(0, obs.length - j); const tmp = obs[j]!; obs[j] = obs[r]!; obs[r] = tmp; }
  const indices = Int32Array.from(obs.slice(0, k)).sort();
  const values = Float32Array.from(ds.values), mask = Uint8Array.from(ds.mask);
  const truth = new Float32Array(k);
  indices.forEach((i, j) => { truth[j] = values[i]!; values[i] = NaN; mask[i] = 0; });
  const hidden = createDataset({
    values, mask, n: ds.n, length: ds.length, channels: ds.channels, lengths: ds.lengths, labels: ds.labels,
    classNames: ds.classNames, timestamps: ds.timestamps, channelNames: ds.channelNames, seriesIds: ds.seriesIds, source: ds.source,
  });
  const C = ds.channels, left = new Int32Array(C);
  for (let i = 0; i < mask.length; i++) if (mask[i]) left[i % C]!++;
  const scorable = Uint8Array.from(left, (k) => (k >= 2 ? 1 : 0));
  return { ds: hidden, indices, truth, scorable };
}

export interface ImputationScores {
  mae: number;
  rmse: number;
  mre: number;
  /** entries scored */
  count: number;
  /** hidden entries left out: their channel has fewer than 2 observed values left (see `scorable`) */
  excluded: number;
}

/** Scores imputed `values` on the hidden entries; `stats` (per-channel mean/std) gives the normalised scale. */
export function scoreImputation(
  values: Float32Array, hidden: Pick<HiddenEntries, 'indices' | 'truth'> & { scorable?: ArrayLike<number> }, channels: number,
  stats?: { mean: ArrayLike<number>; std: ArrayLike<number> },
): ImputationScores {
  let sa = 0, ss = 0, st = 0, n = 0, excluded = 0;
  hidden.indices.forEach((i, j) => {
    const c = i % channels;
    if (hidden.scorable && !hidden.scorable[c]) { excluded++; return; }
    let p = values[i]!, y = hidden.truth[j]!;
    if (stats) { p = (p - stats.mean[c]!) / stats.std[c]!; y = (y - stats.mean[c]!) / stats.std[c]!; }
    if (!Number.isFinite(p)) return;
    const e = p - y;
    sa += Math.abs(e); ss += e * e; st += Math.abs(y); n++;
  });
  return { mae: sa / Math.max(n, 1), rmse: Math.sqrt(ss / Math.max(n, 1)), mre: sa / Math.max(st, 1e-12), count: n, excluded };
}
