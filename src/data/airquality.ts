import { createDataset, type TimeSeriesDataset } from './dataset.js';
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
