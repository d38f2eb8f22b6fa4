import { TsreprError } from '../errors.js';

/**
 * A batch of (possibly multivariate, possibly ragged) time series held as plain typed arrays.
 * Layout is row-major `[N, T, C]`: value of series n, time t, channel c is
 * `values[(n * T + t) * C + c]`. Shorter series are padded at the end; padding and missing
 * cells have `mask = 0` and `values = NaN`, so nothing is silently imputed.
 * This type knows nothing about tensors; it is usable without any backend.
 */
export interface TimeSeriesDataset {
  /** number of series */
  readonly n: number;
  /** padded length (max over series) */
  readonly length: number;
  /** number of channels */
  readonly channels: number;
  /** `[N, T, C]`, NaN where not observed */
  readonly values: Float32Array;
  /** `[N, T, C]`, 1 where observed, 0 where missing or padding */
  readonly mask: Uint8Array;
  /** true length of each series (number of time steps before the padding) */
  readonly lengths: Int32Array;
  /** class label index per series, into `classNames`, or real-valued targets for regression */
  readonly labels?: Int32Array | Float32Array;
  /** names of the classes, in label-index order */
  readonly classNames?: string[];
  /** timestamps, ms since epoch, `[N, T]` (NaN for padding), when the source has them */
  readonly timestamps?: Float64Array;
  /** channel names, length C */
  readonly channelNames: string[];
  /** series identifiers, length N, when the source has them */
  readonly seriesIds?: string[];
  /** where the data came from (file path or description), used in messages */
  readonly source?: string;
  /** remarks from the loader, e.g. which non-numeric columns were dropped */
  readonly notes?: string[];
}

export interface DatasetInit {
  values: Float32Array;
  n: number;
  length: number;
  channels: number;
  mask?: Uint8Array;
  lengths?: Int32Array;
  labels?: Int32Array | Float32Array;
  classNames?: string[];
  timestamps?: Float64Array;
  channelNames?: string[];
  seriesIds?: string[];
  source?: string;
  notes?: string[];
}

/**
 * Builds a dataset and checks its invariants. `mask` defaults to "finite values"; Inf is
 * rejected (it is never a legitimate measurement), NaN means missing.
 */
export function createDataset(init: DatasetInit): TimeSeriesDataset {
  const { n, length, channels, values } = init;
  const where = init.source ? `${init.source}: ` : '';
  for (const [k, v] of [['n', n], ['length', length], ['channels', channels]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new TsreprError('BAD_INPUT', `${where}${k} must be a non-negative integer, got ${v}`);
  }
  if (n === 0 || length === 0 || channels === 0) {
    throw new TsreprError('EMPTY_INPUT', `${where}dataset is empty (n=${n}, length=${length}, channels=${channels})`);
  }
  const size = n * length * channels;
  if (values.length !== size) {
    throw new TsreprError('BAD_INPUT', `${where}values has ${values.length} entries, expected n*length*channels = ${size}`);
  }
  const mask = init.mask ?? new Uint8Array(size);
  if (mask.length !== size) throw new TsreprError('BAD_INPUT', `${where}mask has ${mask.length} entries, expected ${size}`);
  for (let i = 0; i < size; i++) {
    const v = values[i]!;
    if (v === Infinity || v === -Infinity) {
      const c = i % channels, t = Math.floor(i / channels) % length, s = Math.floor(i / (channels * length));
      throw new TsreprError('NON_FINITE', `${where}infinite value at series ${s}, time ${t}, channel ${c}`);
    }
    if (!init.mask) mask[i] = Number.isNaN(v) ? 0 : 1;
    else if (mask[i] === 0) values[i] = NaN;
    else if (Number.isNaN(v)) mask[i] = 0;
  }
  let lengths = init.lengths;
  if (!lengths) {
    lengths = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      let last = -1;
      for (let t = length - 1; t >= 0 && last < 0; t--) {
        for (let c = 0; c < channels; c++) if (mask[(s * length + t) * channels + c]) { last = t; break; }
      }
      lengths[s] = last + 1;
    }
  } else if (lengths.length !== n) {
    throw new TsreprError('BAD_INPUT', `${where}lengths has ${lengths.length} entries, expected ${n}`);
  }
  if (init.labels && init.labels.length !== n) {
    throw new TsreprError('BAD_INPUT', `${where}labels has ${init.labels.length} entries, expected ${n}`);
  }
  const channelNames = init.channelNames ?? Array.from({ length: channels }, (_, c) => `c${c}`);
  if (channelNames.length !== channels) {
    throw new TsreprError('BAD_INPUT', `${where}${channelNames.length} channel names for ${channels} channels`);
  }
  return {
    n, length, channels, values, mask, lengths,
    labels: init.labels, classNames: init.classNames, timestamps: init.timestamps,
    channelNames, seriesIds: init.seriesIds, source: init.source,
    ...(init.notes ? { notes: init.notes } : {}),
  };
}

/** Builds a dataset from nested arrays `[series][time][channel]` (ragged series allowed). */
export function fromArrays(
  series: ArrayLike<ArrayLike<number>>[] | ArrayLike<number>[],
  opts: Omit<DatasetInit, 'values' | 'n' | 'length' | 'channels' | 'mask' | 'lengths'> = {},
): TimeSeriesDataset {
  const n = series.length;
  if (n === 0) throw new TsreprError('EMPTY_INPUT', 'no series given');
  const isUni = typeof (series[0] as ArrayLike<unknown>)[0] === 'number' || (series[0] as ArrayLike<unknown>).length === 0;
  const rows = series.map((s) => (isUni ? Array.from(s as ArrayLike<number>, (v) => [v]) : Array.from(s as ArrayLike<ArrayLike<number>>)));
  const channels = isUni ? 1 : (rows[0]![0]?.length ?? 0);
  const length = rows.reduce((m, r) => Math.max(m, r.length), 0); // no spread: 10^5+ series overflow the stack
  const values = new Float32Array(n * length * channels).fill(NaN);
  const lengths = new Int32Array(n);
  rows.forEach((r, s) => {
    lengths[s] = r.length;
    r.forEach((step, t) => {
      if (step.length !== channels) {
        throw new TsreprError('RAGGED', `series ${s}, time ${t} has ${step.length} channels, expected ${channels}`);
      }
      for (let c = 0; c < channels; c++) values[(s * length + t) * channels + c] = Number(step[c]);
    });
  });
  return createDataset({ ...opts, values, n, length, channels, lengths });
}

/** Value at (series, time, channel); NaN when missing. */
export function valueAt(ds: TimeSeriesDataset, s: number, t: number, c: number): number {
  return ds.values[(s * ds.length + t) * ds.channels + c]!;
}

/** Returns a dataset with only the given series (copies). */
export function selectSeries(ds: TimeSeriesDataset, indices: ArrayLike<number>): TimeSeriesDataset {
  const m = indices.length, L = ds.length, C = ds.channels, stride = L * C;
  const values = new Float32Array(m * stride);
  const mask = new Uint8Array(m * stride);
  const lengths = new Int32Array(m);
  const labels = ds.labels ? new (ds.labels.constructor as Int32ArrayConstructor | Float32ArrayConstructor)(m) : undefined;
  const timestamps = ds.timestamps ? new Float64Array(m * L) : undefined;
  for (let i = 0; i < m; i++) {
    const s = indices[i]!;
    values.set(ds.values.subarray(s * stride, (s + 1) * stride), i * stride);
    mask.set(ds.mask.subarray(s * stride, (s + 1) * stride), i * stride);
    lengths[i] = ds.lengths[s]!;
    if (labels) labels[i] = ds.labels![s]!;
    if (timestamps) timestamps.set(ds.timestamps!.subarray(s * L, (s + 1) * L), i * L);
  }
  return {
    n: m, length: L, channels: C, values, mask, lengths, labels, timestamps,
    classNames: ds.classNames, channelNames: ds.channelNames,
    seriesIds: ds.seriesIds ? Array.from(indices, (s) => ds.seriesIds![s]!) : undefined,
    source: ds.source,
    ...(ds.notes ? { notes: ds.notes } : {}),
  };
}
