import { basename } from 'node:path';
import { TsreprError } from '../errors.js';
import type { TimeSeriesDataset } from './dataset.js';
import { loadCsv } from './csv.js';
import { selectChannels } from './transforms.js';

/** Informer/Autoformer feature modes: S = target only, M = all channels → all, MS = all → target. */
export type FeatureMode = 'S' | 'M' | 'MS';

/** Row borders `[start, end)` of the chronological train/val/test split. */
export interface SplitBorders {
  train: [number, number];
  val: [number, number];
  test: [number, number];
}

/** A single long multivariate series (n = 1) for forecasting, with its target and split. */
export interface ForecastDataset extends TimeSeriesDataset {
  readonly features: FeatureMode;
  /** target channel name (default the last column, `OT` for ETT) */
  readonly target: string;
  /** index of the target channel in `channelNames` */
  readonly targetIndex: number;
  /** the standard split for this file (see `standardSplit`) */
  readonly split: SplitBorders;
}

export interface ForecastCsvOptions {
  target?: string;
  features?: FeatureMode;
  /** date column (default `date`, or any column named date/time/timestamp) */
  time?: string;
}

/**
 * The conventional split used by Informer/Autoformer/TS2Vec: ETTh* 12/4/4 months
 * (8640/2880/2880 rows), ETTm* the same ×4 (34560/11520/11520), anything else 70/10/20 %
 * (train = ⌊0.7 T⌋, test = ⌊0.2 T⌋, val = the rest).
 */
export function standardSplit(totalRows: number, name = ''): SplitBorders {
  const base = name.replace(/\.(csv|gz)$/g, '').replace(/\.csv$/, '');
  const perMonth = /^ETTh/i.test(base) ? 30 * 24 : /^ETTm/i.test(base) ? 30 * 24 * 4 : 0;
  if (perMonth) {
    const a = 12 * perMonth, b = 16 * perMonth, c = 20 * perMonth;
    if (totalRows < c) throw new TsreprError('BAD_INPUT', `${name} has ${totalRows} rows, the ETT split needs ${c}`);
    return { train: [0, a], val: [a, b], test: [b, c] };
  }
  const train = Math.floor(totalRows * 0.7), test = Math.floor(totalRows * 0.2);
  return { train: [0, train], val: [train, totalRows - test], test: [totalRows - test, totalRows] };
}

/**
 * Loads a forecasting CSV (`date` + numeric columns, as ETT/Weather/Exchange/ILI) as one long
 * series. `features` 'S' keeps only the target channel; 'M'/'MS' keep all channels (for 'MS'
 * the model predicts only `targetIndex`). The target must be a numeric column.
 */
export async function loadForecastCsv(path: string, opts: ForecastCsvOptions = {}): Promise<ForecastDataset> {
  const features = opts.features ?? 'M';
  if (!['S', 'M', 'MS'].includes(features)) throw new TsreprError('BAD_OPTION', `features must be S, M or MS, got ${String(features)}`);
  let ds = await loadCsv(path, { time: opts.time });
  if (ds.n !== 1) throw new TsreprError('BAD_INPUT', 'expected a single series', { file: path });
  const target = opts.target ?? ds.channelNames[ds.channelNames.length - 1]!;
  if (!ds.channelNames.includes(target)) {
    throw new TsreprError('MISSING_COLUMN', `target column ${JSON.stringify(target)} not found among the numeric columns ${ds.channelNames.join(', ')}`, { file: path, column: target });
  }
  if (features === 'S') ds = selectChannels(ds, [target]);
  return { ...ds, features, target, targetIndex: ds.channelNames.indexOf(target), split: standardSplit(ds.length, basename(path)) };
}

/** Loads an ETT CSV (ETTh1/ETTh2/ETTm1/ETTm2): target `OT`, the 12/4/4-month split. */
export function loadEtt(path: string, opts: Omit<ForecastCsvOptions, 'time'> = {}): Promise<ForecastDataset> {
  return loadForecastCsv(path, { target: 'OT', ...opts, time: 'date' });
}
