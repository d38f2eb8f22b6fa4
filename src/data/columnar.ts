import { TsreprError } from '../errors.js';
import { createDataset, type TimeSeriesDataset } from './dataset.js';
import { isMissingCell, looksNumeric, parseNumberCell, parseTimeCell, sortLabels } from './parse.js';

/**
 * A read-only view of a parsed table (from CSV, Arrow or Parquet) that the wide/long builders
 * below turn into a `TimeSeriesDataset`. `rowNumber(i)` maps a 0-based data row to the
 * 1-based line/row number reported in errors.
 */
export interface RawTable {
  file: string;
  names: string[];
  numRows: number;
  column(name: string): ArrayLike<unknown>;
  rowNumber(i: number): number;
  /** columns whose storage type is a date/time (Arrow Timestamp/Date, Parquet TIMESTAMP) */
  timeColumns?: string[];
}

/** Options shared by the wide loaders (CSV, Arrow, Parquet). */
export interface WideOptions {
  /** time column (parsed to ms timestamps); default: a column named date/time/timestamp/datetime, `false` for none */
  time?: string | false;
  /** channel columns in order; default: every numeric column except time/id/label */
  columns?: string[];
  /** column whose value splits the rows into several series */
  id?: string;
  /** per-series label column (the first row of each series gives its label) */
  label?: string;
}

/** Options for long-format tables: one row per (id, time, variable) observation. */
export interface LongOptions {
  id?: string;
  time?: string | false;
  /** column naming the channel of each observation (default `variable`) */
  variable?: string;
  /** column holding the observed value (default `value`) */
  value?: string;
  label?: string;
  /** channels to keep, in order (default: all, in order of first appearance) */
  columns?: string[];
}

const TIME_NAMES = ['date', 'time', 'timestamp', 'datetime'];

export function requireColumn(t: RawTable, name: string, role: string): void {
  if (!t.names.includes(name)) {
    throw new TsreprError('MISSING_COLUMN', `${role} column ${JSON.stringify(name)} not found; available columns: ${t.names.map((n) => JSON.stringify(n)).join(', ')}`, { file: t.file, column: name });
  }
}

function resolveTime(t: RawTable, time: string | false | undefined): string | undefined {
  if (time === false) return undefined;
  if (time !== undefined) { requireColumn(t, time, 'time'); return time; }
  return t.names.find((n) => TIME_NAMES.includes(n.trim().toLowerCase())) ?? t.timeColumns?.[0];
}

/** A column counts as numeric when most of its non-missing cells look like numbers. */
function isNumericColumn(col: ArrayLike<unknown>): boolean {
  let numeric = 0, other = 0;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (isMissingCell(v)) continue;
    if (v instanceof Date) return false;
    if (looksNumeric(v)) numeric++; else other++;
  }
  return numeric > other;
}

/** Groups row indices by the id column (first-appearance order), or one group of all rows. */
function groupRows(t: RawTable, id: string | undefined): { ids?: string[]; groups: number[][] } {
  if (!id) return { groups: [Array.from({ length: t.numRows }, (_, i) => i)] };
  const col = t.column(id);
  const byId = new Map<string, number[]>();
  for (let i = 0; i < t.numRows; i++) {
    const v = col[i];
    if (isMissingCell(v)) throw new TsreprError('BAD_INPUT', 'missing series id', { file: t.file, row: t.rowNumber(i), column: id });
    const key = v instanceof Date ? v.toISOString() : String(v);
    let g = byId.get(key);
    if (!g) byId.set(key, (g = []));
    g.push(i);
  }
  return { ids: [...byId.keys()], groups: [...byId.values()] };
}

function seriesLabels(t: RawTable, label: string, groups: number[][]): { labels: Int32Array; classNames: string[] } {
  const col = t.column(label);
  const raw = groups.map((g) => {
    const first = g[0]!;
    const v = col[first];
    if (isMissingCell(v)) throw new TsreprError('MISSING_LABELS', 'series has no label', { file: t.file, row: t.rowNumber(first), column: label });
    const s = String(v);
    for (const i of g) {
      if (String(col[i]) !== s) throw new TsreprError('BAD_INPUT', `label changes within a series (${JSON.stringify(s)} then ${JSON.stringify(String(col[i]))})`, { file: t.file, row: t.rowNumber(i), column: label });
    }
    return s;
  });
  const classNames = sortLabels(raw);
  const index = new Map(classNames.map((c, k) => [c, k]));
  return { labels: Int32Array.from(raw, (s) => index.get(s)!), classNames };
}

/**
 * Builds a dataset from a wide table: one column per channel, one row per time step, an
 * optional time column and an optional id column that splits the rows into series (kept in
 * file order; series of different lengths are padded with mask 0). Non-numeric columns that
 * were not asked for are dropped and reported in `notes`.
 */
export function wideToDataset(t: RawTable, opts: WideOptions = {}): TimeSeriesDataset {
  if (t.numRows === 0) throw new TsreprError('EMPTY_INPUT', 'table has a header but no data rows', { file: t.file });
  const time = resolveTime(t, opts.time);
  if (opts.id) requireColumn(t, opts.id, 'id');
  if (opts.label) requireColumn(t, opts.label, 'label');
  const notes: string[] = [];
  let channels: string[];
  if (opts.columns) {
    if (opts.columns.length === 0) throw new TsreprError('BAD_OPTION', 'columns is empty');
    for (const c of opts.columns) requireColumn(t, c, 'value');
    channels = opts.columns;
  } else {
    const reserved = new Set([time, opts.id, opts.label]);
    channels = [];
    const dropped: string[] = [];
    for (const name of t.names) {
      if (reserved.has(name) || t.timeColumns?.includes(name)) continue;
      if (isNumericColumn(t.column(name))) channels.push(name); else dropped.push(name);
    }
    if (dropped.length) notes.push(`dropped non-numeric column(s) ${dropped.map((d) => JSON.stringify(d)).join(', ')}`);
    if (channels.length === 0) {
      throw new TsreprError('BAD_INPUT', `no numeric columns; columns are ${t.names.map((n) => JSON.stringify(n)).join(', ')}`, { file: t.file });
    }
  }
  const { ids, groups } = groupRows(t, opts.id);
  const n = groups.length, C = channels.length;
  const L = groups.reduce((m, g) => Math.max(m, g.length), 0); // no spread: 10^5+ series overflow the stack
  const values = new Float32Array(n * L * C).fill(NaN);
  const lengths = Int32Array.from(groups, (g) => g.length);
  channels.forEach((name, c) => {
    const col = t.column(name);
    groups.forEach((g, s) => {
      for (let k = 0; k < g.length; k++) {
        const i = g[k]!;
        values[(s * L + k) * C + c] = parseNumberCell(col[i], { file: t.file, row: t.rowNumber(i), column: name });
      }
    });
  });
  let timestamps: Float64Array | undefined;
  if (time) {
    const col = t.column(time);
    timestamps = new Float64Array(n * L).fill(NaN);
    groups.forEach((g, s) => g.forEach((i, k) => { timestamps![s * L + k] = parseTimeCell(col[i], { file: t.file, row: t.rowNumber(i), column: time }); }));
  }
  const lab = opts.label ? seriesLabels(t, opts.label, groups) : undefined;
  return createDataset({
    values, n, length: L, channels: C, lengths, timestamps, channelNames: channels, seriesIds: ids,
    labels: lab?.labels, classNames: lab?.classNames, source: t.file, notes: notes.length ? notes : undefined,
  });
}

/**
 * Builds a dataset from a long table (`id, time, variable, value`): channels are the distinct
 * variables, series the distinct ids, and time steps the distinct time stamps of each series
 * in ascending order (or the order of appearance when there is no time column). Steps where a
 * variable was not observed stay NaN with mask 0.
 */
export function longToDataset(t: RawTable, opts: LongOptions = {}): TimeSeriesDataset {
  if (t.numRows === 0) throw new TsreprError('EMPTY_INPUT', 'table has a header but no data rows', { file: t.file });
  const variable = opts.variable ?? 'variable', value = opts.value ?? 'value';
  requireColumn(t, variable, 'variable');
  requireColumn(t, value, 'value');
  if (opts.id) requireColumn(t, opts.id, 'id');
  if (opts.label) requireColumn(t, opts.label, 'label');
  const time = resolveTime(t, opts.time);
  const { ids, groups } = groupRows(t, opts.id);
  const varCol = t.column(variable), valCol = t.column(value);
  const channels = opts.columns ?? [...new Set(Array.from({ length: t.numRows }, (_, i) => String(varCol[i])))];
  const chIndex = new Map(channels.map((c, k) => [c, k]));
  const C = channels.length;
  if (C === 0) throw new TsreprError('BAD_INPUT', 'no variables', { file: t.file });
  const timeCol = time ? t.column(time) : undefined;
  // per series: time stamp (or occurrence index) of every row, then the sorted distinct steps
  const perSeries = groups.map((g) => {
    const stamps = new Float64Array(g.length);
    const seen = new Map<string, number>();
    g.forEach((i, k) => {
      if (timeCol) stamps[k] = parseTimeCell(timeCol[i], { file: t.file, row: t.rowNumber(i), column: time });
      else { const v = String(varCol[i]); const occ = seen.get(v) ?? 0; seen.set(v, occ + 1); stamps[k] = occ; }
    });
    const steps = [...new Set(stamps)].sort((a, b) => a - b);
    return { stamps, steps, stepIndex: new Map(steps.map((s, k) => [s, k])) };
  });
  const n = groups.length, L = perSeries.reduce((m, p) => Math.max(m, p.steps.length), 0);
  const values = new Float32Array(n * L * C).fill(NaN);
  const timestamps = timeCol ? new Float64Array(n * L).fill(NaN) : undefined;
  groups.forEach((g, s) => {
    const p = perSeries[s]!;
    if (timestamps) p.steps.forEach((ts, k) => { timestamps[s * L + k] = ts; });
    g.forEach((i, k) => {
      const c = chIndex.get(String(varCol[i]));
      if (c === undefined) return;
      const v = parseNumberCell(valCol[i], { file: t.file, row: t.rowNumber(i), column: value });
      values[(s * L + p.stepIndex.get(p.stamps[k]!)!) * C + c] = v;
    });
  });
  const lengths = Int32Array.from(perSeries, (p) => p.steps.length);
  const lab = opts.label ? seriesLabels(t, opts.label, groups) : undefined;
  return createDataset({
    values, n, length: L, channels: C, lengths, timestamps, channelNames: channels, seriesIds: ids,
    labels: lab?.labels, classNames: lab?.classNames, source: t.file,
  });
}
