import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as arrow from 'apache-arrow';
import { TsreprError } from '../errors.js';
import type { TimeSeriesDataset } from './dataset.js';
import { columnsToTable, tableToColumns, type TableColumns } from './interop.js';

/** Shortest decimal text that reads back as the same float32. */
export function formatFloat32(v: number): string {
  for (let p = 1; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}

function isDataset(x: unknown): x is TimeSeriesDataset {
  return typeof x === 'object' && x !== null && (x as TimeSeriesDataset).values instanceof Float32Array && (x as TimeSeriesDataset).mask instanceof Uint8Array;
}

/**
 * Flattens a dataset to a wide table: `id` (when n > 1), `date` (when it has timestamps),
 * one Float64 column per channel (NaN = missing or padding; padding rows are left out),
 * and `label` (class name or target) when labelled. `loadCsv(path, {id: 'id', label: 'label'})`
 * reads it back.
 */
export function datasetToColumns(ds: TimeSeriesDataset): TableColumns {
  const rows: [number, number][] = [];
  for (let s = 0; s < ds.n; s++) for (let t = 0; t < ds.lengths[s]!; t++) rows.push([s, t]);
  const names: string[] = [], columns: TableColumns['columns'] = {}, types: TableColumns['types'] = {};
  const add = (name: string, col: Float64Array | unknown[], type: TableColumns['types'][string]) => {
    if (columns[name]) throw new TsreprError('BAD_INPUT', `column name ${JSON.stringify(name)} is used twice`, { column: name });
    names.push(name); columns[name] = col; types[name] = type;
  };
  if (ds.n > 1) add('id', rows.map(([s]) => ds.seriesIds?.[s] ?? String(s)), 'string');
  if (ds.timestamps) add('date', rows.map(([s, t]) => { const ms = ds.timestamps![s * ds.length + t]!; return Number.isFinite(ms) ? new Date(ms) : null; }), 'date');
  ds.channelNames.forEach((name, c) => {
    add(name, Float64Array.from(rows, ([s, t]) => {
      const i = (s * ds.length + t) * ds.channels + c;
      return ds.mask[i] ? ds.values[i]! : NaN;
    }), 'number');
  });
  if (ds.labels) {
    if (ds.classNames) add('label', rows.map(([s]) => ds.classNames![ds.labels![s]!]), 'string');
    else add('label', Float64Array.from(rows, ([s]) => ds.labels![s]!), 'number');
  }
  return { names, columns, types };
}

function csvField(v: unknown, float32: boolean): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? '' : float32 ? formatFloat32(v) : String(v);
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('.000Z') ? iso.slice(0, 19).replace('T', ' ') : iso;
  }
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function writeOut(path: string, data: Uint8Array | string): Promise<void> {
  let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (path.endsWith('.gz')) bytes = gzipSync(bytes);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  } catch (err) {
    throw new TsreprError('IO', `cannot write (${(err as NodeJS.ErrnoException).code ?? err})`, { file: path }, { cause: err });
  }
}

/**
 * Writes a dataset (see `datasetToColumns`) or any table `interop` accepts as CSV, gzip'd when
 * `path` ends in `.gz`. Missing values are written as empty cells; dates as
 * `YYYY-MM-DD HH:MM:SS` (UTC).
 */
export async function writeCsv(x: TimeSeriesDataset | unknown, path: string): Promise<void> {
  const ds = isDataset(x);
  const tc = ds ? datasetToColumns(x) : tableToColumns(x);
  const n = tc.names.length ? tc.columns[tc.names[0]!]!.length : 0;
  const lines = [tc.names.map((name) => csvField(name, false)).join(',')];
  for (let i = 0; i < n; i++) lines.push(tc.names.map((name) => csvField(tc.columns[name]![i], ds && tc.types[name] === 'number')).join(','));
  await writeOut(path, lines.join('\n') + '\n');
}

/**
 * Writes a dataset or table as an Arrow IPC file (Feather v2), uncompressed. Dataset channels
 * are Float32 with nulls for missing values; dates are Timestamp(ms).
 */
export async function writeArrow(x: TimeSeriesDataset | unknown, path: string): Promise<void> {
  let table: arrow.Table;
  if (isDataset(x)) {
    const tc = datasetToColumns(x);
    const arrowTypes: Record<string, arrow.DataType> = {};
    for (const name of x.channelNames) arrowTypes[name] = new arrow.Float32();
    table = columnsToTable('arrow', { ...tc, arrowTypes }) as arrow.Table;
  } else {
    table = x instanceof arrow.Table ? x : (columnsToTable('arrow', tableToColumns(x)) as arrow.Table);
  }
  await writeOut(path, arrow.tableToIPC(table, 'file'));
}
