import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createDataset, type TimeSeriesDataset } from './dataset.js';
import { TsreprError } from '../errors.js';
import { readCsvTable } from './csv.js';
import { wideToDataset } from './columnar.js';
import { parseNumberCell } from './parse.js';

/** The 11 numeric measurements of the UCI Beijing Multi-Site Air-Quality files. */
export const BEIJING_AIR_CHANNELS = ['PM2.5', 'PM10', 'SO2', 'NO2', 'CO', 'O3', 'TEMP', 'PRES', 'DEWP', 'RAIN', 'WSPM'] as const;

/**
 * Loads one station file of the UCI Beijing Multi-Site Air-Quality dataset
 * (`No,year,month,day,hour,PM2.5,…,wd,WSPM,station`, `NA` missing) as one hourly series of the
 * 11 numeric measurements. Timestamps come from year/month/day/hour (local Beijing time, stored
 * as if UTC); `No` and the date parts are not channels; the text columns `wd` (wind direction)
 * and `station` are dropped with a note.
 */
export async function loadBeijingAirQuality(path: string): Promise<TimeSeriesDataset> {
  const { raw } = await readCsvTable(path);
  const ds = wideToDataset(raw, { time: false, columns: [...BEIJING_AIR_CHANNELS] });
  const parts = ['year', 'month', 'day', 'hour'].map((name) => {
    const col = raw.column(name);
    return Float64Array.from({ length: raw.numRows }, (_, i) => parseNumberCell(col[i], { file: path, row: raw.rowNumber(i), column: name }));
  });
  const [y, mo, d, h] = parts as [Float64Array, Float64Array, Float64Array, Float64Array];
  const timestamps = Float64Array.from({ length: raw.numRows }, (_, i) => Date.UTC(y[i]!, mo[i]! - 1, d[i]!, h[i]!));
  const dropped = raw.names.filter((c) => c === 'wd' || c === 'station');
  return createDataset({
    ...ds, timestamps, mask: ds.mask,
    notes: dropped.length ? [`dropped non-numeric column(s) ${dropped.map((c) => JSON.stringify(c)).join(', ')}`] : undefined,
  });
}

/**
 * All station files (`PRSA_Data_*.csv[.gz]`, sorted by name) of a Beijing Multi-Site directory as
 * SAITS/TSI-Bench lay them out: the stations' 11 measurements side by side (12 stations → 132
 * channels, `station:measurement` names), cut into consecutive windows of `window` hours (default
 * 24), the first `maxWindows` of them (default all). Stations are aligned by row, over the shortest file.
 */
export async function loadBeijingMultiSite(dir: string, opts: { window?: number; maxWindows?: number } = {}): Promise<TimeSeriesDataset> {
  const files = (await readdir(dir)).filter((f) => /^PRSA_Data_.*\.csv(\.gz)?$/.test(f)).sort();
  if (files.length === 0) throw new TsreprError('BAD_INPUT', `${dir}: no PRSA_Data_*.csv station files`);
  const stations: TimeSeriesDataset[] = [];
  for (const f of files) stations.push(await loadBeijingAirQuality(join(dir, f)));
  const S = stations.length, C1 = stations[0]!.channels, T = opts.window ?? 24;
  const rows = Math.min(...stations.map((s) => s.length));
  const n = Math.min(opts.maxWindows ?? Infinity, Math.floor(rows / T)), C = S * C1;
  if (n < 1) throw new TsreprError('BAD_INPUT', `${dir}: the station files have ${rows} rows, fewer than one ${T}-hour window`);
  const values = new Float32Array(n * T * C);
  for (let w = 0; w < n; w++) for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) for (let c = 0; c < C1; c++) {
    values[(w * T + t) * C + s * C1 + c] = stations[s]!.values[(w * T + t) * C1 + c]!;
  }
  const channelNames = files.flatMap((f) => BEIJING_AIR_CHANNELS.map((m) => `${f.replace(/^PRSA_Data_|_\d{8}-\d{8}\.csv(\.gz)?$/g, '')}:${m}`));
  return createDataset({ values, n, length: T, channels: C, lengths: new Int32Array(n).fill(T), channelNames, source: dir });
}
