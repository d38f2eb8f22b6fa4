/**
 * Table ⇄ dataset for imputation: picks and checks the numeric columns to impute, splits rows
 * into series by a group column, orders each series by a time column, and maps dataset
 * entries back to row indices.
 */
import { createDataset, type TimeSeriesDataset } from '../../data/dataset.js';
import type { TableColumns } from '../../data/interop.js';
import { TsreprError } from '../../errors.js';

export interface SeriesLayout {
  /** the dataset `[groups, maxRows, columns]` (ragged groups padded) */
  ds: TimeSeriesDataset;
  /** row index of (series s, step t): `rows[s][t]` */
  rows: Int32Array[];
  columns: string[];
}

function sortKey(v: unknown): number | string {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') { const d = Date.parse(v); return Number.isNaN(d) ? v : d; }
  return v === null || v === undefined ? Infinity : String(v);
}

function compare(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Checks that a role column (time / group) exists. */
export function requireTableColumn(tc: TableColumns, name: string, role: string): void {
  if (!tc.names.includes(name)) {
    throw new TsreprError('MISSING_COLUMN', `${role} column ${JSON.stringify(name)} not found; available columns: ${tc.names.join(', ')}`, { column: name });
  }
}

/**
 * The columns to impute: `requested`, or else every numeric column other than time/group.
 * Errors name the column: absent (MISSING_COLUMN), non-numeric (NON_NUMERIC), all missing
 * (EMPTY_INPUT), infinite values (NON_FINITE).
 */
export function pickColumns(tc: TableColumns, requested: string[] | undefined, exclude: string[]): string[] {
  const cols = requested ?? tc.names.filter((n) => tc.types[n] === 'number' && !exclude.includes(n));
  if (cols.length === 0) throw new TsreprError('BAD_INPUT', `no numeric column to impute; columns: ${tc.names.join(', ')}`);
  for (const name of cols) {
    if (!tc.names.includes(name)) {
      throw new TsreprError('MISSING_COLUMN', `column ${JSON.stringify(name)} not found; available columns: ${tc.names.join(', ')}`, { column: name });
    }
    if (tc.types[name] !== 'number') {
      throw new TsreprError('NON_NUMERIC', `column ${JSON.stringify(name)} is not numeric (${tc.types[name]}); only numeric columns can be imputed`, { column: name });
    }
    const col = tc.columns[name] as Float64Array;
    let observed = 0;
    for (let i = 0; i < col.length; i++) {
      const v = col[i]!;
      if (v === Infinity || v === -Infinity) throw new TsreprError('NON_FINITE', `column ${JSON.stringify(name)} has an infinite value at row ${i + 1}`, { column: name, row: i + 1 });
      if (!Number.isNaN(v)) observed++;
    }
    if (observed === 0) throw new TsreprError('EMPTY_INPUT', `column ${JSON.stringify(name)} is entirely missing; nothing to impute it from`, { column: name });
  }
  return cols;
}

/** Builds the series layout of `cols` (split by `groupBy`, ordered by `time`). */
export function tableToSeries(tc: TableColumns, cols: string[], opts: { groupBy?: string; time?: string } = {}): SeriesLayout {
  const nRows = tc.names.length ? tc.columns[tc.names[0]!]!.length : 0;
  if (nRows === 0) throw new TsreprError('EMPTY_INPUT', 'the table has no rows');
  const groups = new Map<string, number[]>();
  const g = opts.groupBy ? tc.columns[opts.groupBy]! : undefined;
  for (let r = 0; r < nRows; r++) {
    const key = g ? String(g[r]) : '';
    let rows = groups.get(key);
    if (!rows) groups.set(key, (rows = []));
    rows.push(r);
  }
  const tcol = opts.time ? tc.columns[opts.time]! : undefined;
  const rows = [...groups.values()].map((rs) => {
    if (tcol) {
      const keys = rs.map((r) => sortKey(tcol[r]));
      const order = rs.map((_, i) => i).sort((a, b) => compare(keys[a]!, keys[b]!) || a - b);
      return Int32Array.from(order, (i) => rs[i]!);
    }
    return Int32Array.from(rs);
  });
  const n = rows.length, L = Math.max(...rows.map((r) => r.length)), C = cols.length;
  const values = new Float32Array(n * L * C).fill(NaN);
  const colData = cols.map((c) => tc.columns[c] as Float64Array);
  rows.forEach((rs, s) => rs.forEach((r, t) => { for (let c = 0; c < C; c++) values[(s * L + t) * C + c] = colData[c]![r]!; }));
  const ds = createDataset({
    values, n, length: L, channels: C, lengths: Int32Array.from(rows, (r) => r.length), channelNames: cols.slice(),
    seriesIds: opts.groupBy ? [...groups.keys()] : undefined,
  });
  return { ds, rows, columns: cols };
}

/**
 * Per imputed column, row-aligned: the filled values (the original value where observed) and
 * a 1 where the cell was imputed.
 */
export function seriesToColumns(layout: SeriesLayout, values: Float32Array, imputedMask: Uint8Array, nRows: number, original: TableColumns):
{ filled: Record<string, Float64Array>; imputed: Record<string, Uint8Array> } {
  const { ds, rows, columns } = layout;
  const L = ds.length, C = columns.length;
  const filled: Record<string, Float64Array> = {}, imputed: Record<string, Uint8Array> = {};
  columns.forEach((name, c) => {
    const f = Float64Array.from(original.columns[name] as Float64Array);
    const m = new Uint8Array(nRows);
    rows.forEach((rs, s) => rs.forEach((r, t) => {
      const i = (s * L + t) * C + c;
      if (imputedMask[i] && Number.isNaN(f[r]!)) { f[r] = values[i]!; m[r] = 1; }
    }));
    filled[name] = f;
    imputed[name] = m;
  });
  return { filled, imputed };
}
