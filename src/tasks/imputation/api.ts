/**
 * Imputation for analytics code: `impute(table, opts)` takes an arquero table, an Arrow
 * table, a danfo.js-DataFrame-shaped object, records, a column object or a row matrix, and
 * returns the same kind with missing numeric cells filled plus a row-aligned mask of the
 * cells it filled. Observed values, row order, column names and untouched columns are kept
 * as they are. Every call owns its state (no module-level mutable state), so concurrent
 * calls from async code do not interfere.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import * as aq from 'arquero';
import * as arrow from 'apache-arrow';
import { detectTableKind, tableToColumns, columnsToTable, type TableColumns, type TableKind } from '../../data/interop.js';
import { TsreprError } from '../../errors.js';
import type { FitOptions } from '../../methods/model.js';
import { createImputer, loadImputer, type ImputeMethod, type Imputer } from './imputers.js';
import { pickColumns, requireTableColumn, seriesToColumns, tableToSeries } from './table.js';

export interface ImputeTableOptions {
  /** numeric columns to impute (default: every numeric column except `time` and `groupBy`) */
  columns?: string[];
  /** column ordering the rows of each series (rows are returned in their original order) */
  time?: string;
  /** column splitting the rows into series, one per distinct value */
  groupBy?: string;
  /** imputation method when no `model` is given (default 'ssgan') */
  method?: ImputeMethod;
  /** hyper-parameters of the method (e.g. SSGAN's `{iterations: 300}`) */
  methodOptions?: Record<string, unknown>;
  /** a fitted imputer or a model directory: impute without (re)training */
  model?: Imputer | string;
  /** training options (progress, abort signal) */
  fit?: FitOptions;
}

export interface ImputeTableResult<T> {
  /** same kind as the input, missing cells of the imputed columns filled */
  table: T;
  /** per imputed column, row-aligned: 1 where the cell was imputed */
  imputed: Record<string, Uint8Array>;
  /** number of cells filled */
  imputedCount: number;
  columns: string[];
  method: string;
}

function resolveColumns(tc: TableColumns, opts: ImputeTableOptions, modelCols?: string[]): string[] {
  if (opts.time) requireTableColumn(tc, opts.time, 'time');
  if (opts.groupBy) requireTableColumn(tc, opts.groupBy, 'group-by');
  const exclude = [opts.time, opts.groupBy].filter((x): x is string => !!x);
  const requested = opts.columns ?? (modelCols && modelCols.every((c) => tc.names.includes(c)) ? modelCols : undefined);
  return pickColumns(tc, requested, exclude);
}

async function resolveModel(model: Imputer | string): Promise<{ imputer: Imputer; owned: boolean }> {
  return typeof model === 'string' ? { imputer: await loadImputer(model), owned: true } : { imputer: model, owned: false };
}

/**
 * Fits an imputer on a table's series (same column/group/time rules as `impute`), for reuse
 * with `impute(other, {model})` or `imputer.save(dir)`. The caller disposes it.
 */
export async function fitImputer(table: unknown, opts: Omit<ImputeTableOptions, 'model'> = {}): Promise<Imputer> {
  const tc = tableToColumns(table);
  const cols = resolveColumns(tc, opts);
  const { ds } = tableToSeries(tc, cols, opts);
  const imp = createImputer(opts.method ?? 'ssgan', opts.methodOptions);
  try {
    await imp.fit(ds, opts.fit);
  } catch (e) {
    imp.dispose();
    throw e;
  }
  return imp;
}

/**
 * Fills the missing numeric cells of `table` (see module doc). Returns `{table, imputed}`
 * where `table` is the same kind as the input.
 */
export async function impute<T>(table: T, opts: ImputeTableOptions = {}): Promise<ImputeTableResult<T>> {
  const kind = detectTableKind(table);
  const tc = tableToColumns(table);
  const nRows = tc.names.length ? tc.columns[tc.names[0]!]!.length : 0;
  const given = opts.model !== undefined ? await resolveModel(opts.model) : undefined;
  let imputer = given?.imputer;
  let owned = given?.owned ?? true;
  try {
    const cols = resolveColumns(tc, opts, imputer?.channelNames);
    const layout = tableToSeries(tc, cols, opts);
    if (!imputer) {
      imputer = createImputer(opts.method ?? 'ssgan', opts.methodOptions);
      owned = true;
      await imputer.fit(layout.ds, opts.fit);
    }
    const res = await imputer.impute(layout.ds);
    const { filled, imputed } = seriesToColumns(layout, res.values, res.imputedMask, nRows, tc);
    let count = 0;
    for (const m of Object.values(imputed)) for (let i = 0; i < m.length; i++) count += m[i]!;
    return { table: rebuild(kind, table, tc, filled) as T, imputed, imputedCount: count, columns: cols, method: imputer.method };
  } finally {
    if (owned) imputer?.dispose();
  }
}

/** A copy of `col`'s original container with `filled` values written where they were missing. */
function refill(orig: ArrayLike<unknown>, filled: Float64Array): unknown[] | Float64Array | Float32Array {
  if (orig instanceof Float64Array || orig instanceof Float32Array) {
    const out = orig.slice();
    for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i]!)) out[i] = filled[i]!;
    return out;
  }
  if (ArrayBuffer.isView(orig)) return Float64Array.from(filled); // integer typed arrays cannot hold NaN; nothing was missing
  return Array.from(orig, (v, i) => ((v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) && !Number.isNaN(filled[i]!) ? filled[i]! : v));
}

function rebuild(kind: TableKind, table: unknown, tc: TableColumns, filled: Record<string, Float64Array>): unknown {
  const names = Object.keys(filled);
  switch (kind) {
    case 'arquero': {
      const t = table as aq.ColumnTable;
      const cols: Record<string, unknown> = {};
      for (const n of names) cols[n] = refill(t.array(n) as ArrayLike<unknown>, filled[n]!);
      return t.assign(aq.table(cols as Record<string, unknown[]>, names));
    }
    case 'arrow': return rebuildArrow(table as arrow.Table, filled);
    case 'records':
      return (table as Record<string, unknown>[]).map((rec, r) => {
        let out: Record<string, unknown> | undefined;
        for (const n of names) {
          const v = rec[n];
          if ((v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) && !Number.isNaN(filled[n]![r]!)) {
            out ??= { ...rec };
            out[n] = filled[n]![r]!;
          }
        }
        return out ?? { ...rec };
      });
    case 'columns': {
      const o = table as Record<string, ArrayLike<unknown>>;
      const out: Record<string, unknown> = { ...o };
      for (const n of names) out[n] = refill(o[n]!, filled[n]!);
      return out;
    }
    case 'arrays':
      return (table as ArrayLike<unknown>[]).map((row, r) => {
        const out = Array.from(row);
        for (const n of names) {
          const j = Number(n), v = out[j];
          if ((v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) && !Number.isNaN(filled[n]![r]!)) out[j] = filled[n]![r]!;
        }
        return ArrayBuffer.isView(row) ? (row.constructor as Float64ArrayConstructor).from(out as number[]) : out;
      });
    case 'dataframe': {
      const df = table as { columns: string[]; values?: unknown[][]; $data?: unknown[][] };
      const rows = Array.isArray(df.values) ? df.values : Array.isArray(df.$data) ? df.$data : undefined;
      if (!rows) return columnsToTable('dataframe', { ...tc, columns: { ...tc.columns, ...filled } }, table);
      const idx = names.map((n) => df.columns.map(String).indexOf(n));
      const outRows = rows.map((row, r) => {
        const out = Array.from(row);
        names.forEach((n, k) => {
          const v = out[idx[k]!];
          if ((v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) && !Number.isNaN(filled[n]![r]!)) out[idx[k]!] = filled[n]![r]!;
        });
        return out;
      });
      const ctor = (table as object).constructor as (new (data: unknown, o: unknown) => unknown) | undefined;
      if (ctor && ctor !== Object) {
        try { return new ctor(outRows, { columns: df.columns.slice() }); } catch { /* plain shape below */ }
      }
      return { columns: df.columns.slice(), values: outRows };
    }
  }
}

/** Output Arrow type of an imputed column: float types are kept, anything else becomes Float64. */
function filledType(t: arrow.DataType): arrow.DataType {
  return arrow.DataType.isFloat(t) ? t : new arrow.Float64();
}

/** Replaces the imputed columns batch by batch, keeping every other column's data as is. */
function rebuildBatch(batch: arrow.RecordBatch, schema: arrow.Schema, filled: Record<string, Float64Array>, offset: number): arrow.RecordBatch {
  const children = schema.fields.map((f, j) => {
    const col = filled[f.name];
    if (!col) return batch.data.children[j]!;
    const orig = batch.getChildAt(j)!;
    const vals = Array.from({ length: batch.numRows }, (_, i) => {
      const v = orig.get(i) as number | bigint | null;
      if (v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v))) return Number(v);
      const w = col[offset + i]!;
      return Number.isNaN(w) ? null : w;
    });
    return arrow.vectorFromArray(vals, f.type).data[0]!;
  });
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: batch.numRows, nullCount: 0, children });
  return new arrow.RecordBatch(schema, data);
}

function filledSchema(schema: arrow.Schema, names: string[]): arrow.Schema {
  return new arrow.Schema(schema.fields.map((f) => (names.includes(f.name) ? new arrow.Field(f.name, filledType(f.type), true, f.metadata) : f)), schema.metadata);
}

function rebuildArrow(t: arrow.Table, filled: Record<string, Float64Array>): arrow.Table {
  const schema = filledSchema(t.schema, Object.keys(filled));
  let offset = 0;
  const batches = t.batches.map((b) => { const out = rebuildBatch(b, schema, filled, offset); offset += b.numRows; return out; });
  return new arrow.Table(schema, batches);
}

export interface ImputeArrowFileOptions {
  columns?: string[];
  /** 'mean', 'locf', 'linear' or 'ssgan' (default 'linear'); ignored with `model` */
  method?: ImputeMethod;
  methodOptions?: Record<string, unknown>;
  /** a fitted imputer or model directory (SSGAN without a model is fitted on the first `fitRows` rows) */
  model?: Imputer | string;
  /** rows used to fit a model in the first pass (default 50,000) */
  fitRows?: number;
  /** rows of earlier batches kept as left context for the next batch (default 256) */
  contextRows?: number;
  fit?: FitOptions;
}

export interface ImputeArrowFileResult {
  rows: number;
  batches: number;
  imputedCount: number;
  columns: string[];
  method: string;
}

async function* batchesOf(path: string): AsyncGenerator<arrow.RecordBatch> {
  // An Arrow IPC *file* is read through a file handle (random access: footer, then one
  // batch at a time). From a plain stream, apache-arrow buffers the whole file to reach
  // the footer, so memory grew with the file. IPC *streams* have no footer and stream.
  const fh = await open(path, 'r');
  try {
    const magic = new Uint8Array(6);
    await fh.read(magic, 0, 6, 0);
    const isFile = new TextDecoder().decode(magic) === 'ARROW1';
    const reader = isFile ? await arrow.RecordBatchReader.from(fh) : await arrow.RecordBatchReader.from(createReadStream(path));
    for await (const b of reader) yield b;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * Streaming imputation of an Arrow IPC file (rows = one series in file order): reads batch by
 * batch with a RecordBatchReader and writes batch by batch with a RecordBatchFileWriter, so
 * memory stays bounded by a batch plus `contextRows`. A first pass computes the column
 * statistics (and fits SSGAN on the first `fitRows` rows when no model is given). Each batch
 * is imputed with the last `contextRows` raw rows before it as left context; a gap that runs
 * past a batch's end is filled from the left side only (as at the end of a series).
 */
export async function imputeArrowFile(inPath: string, outPath: string, opts: ImputeArrowFileOptions = {}): Promise<ImputeArrowFileResult> {
  const contextRows = opts.contextRows ?? 256;
  const fitRows = opts.fitRows ?? 50_000;
  // Pass 1: schema, column checks, and the rows to fit on.
  let schema: arrow.Schema | undefined;
  let cols: string[] | undefined;
  const counts = new Map<string, number>();
  const fitParts: TableColumns[] = [];
  let fitted = 0;
  const given = opts.model !== undefined ? await resolveModel(opts.model) : undefined;
  let imputer = given?.imputer, owned = given?.owned ?? true;
  try {
    for await (const b of batchesOf(inPath)) {
      schema ??= b.schema;
      const tc = tableToColumns(new arrow.Table(b));
      if (!cols) {
        const names = opts.columns ?? (imputer?.channelNames?.every((c) => tc.names.includes(c)) ? imputer.channelNames : undefined)
          ?? tc.names.filter((n) => tc.types[n] === 'number');
        for (const n of names) {
          if (!tc.names.includes(n)) throw new TsreprError('MISSING_COLUMN', `column ${JSON.stringify(n)} not found; available columns: ${tc.names.join(', ')}`, { column: n });
          if (tc.types[n] !== 'number') throw new TsreprError('NON_NUMERIC', `column ${JSON.stringify(n)} is not numeric (${tc.types[n]})`, { column: n });
        }
        cols = names;
      }
      for (const n of cols) {
        const c = tc.columns[n] as Float64Array;
        let k = 0;
        for (let i = 0; i < c.length; i++) if (!Number.isNaN(c[i]!)) k++;
        counts.set(n, (counts.get(n) ?? 0) + k);
      }
      if (!imputer && fitted < fitRows) { fitParts.push(tc); fitted += b.numRows; }
    }
    if (!schema || !cols) throw new TsreprError('EMPTY_INPUT', 'the Arrow file has no record batches', { file: inPath });
    for (const n of cols) if (!counts.get(n)) throw new TsreprError('EMPTY_INPUT', `column ${JSON.stringify(n)} is entirely missing; nothing to impute it from`, { column: n, file: inPath });
    if (!imputer) {
      const fitCols: TableColumns = { names: cols, types: Object.fromEntries(cols.map((n) => [n, 'number' as const])), columns: {} };
      for (const n of cols) {
        const parts = fitParts.map((p) => p.columns[n] as Float64Array);
        const all = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
        let o = 0;
        for (const p of parts) { all.set(p, o); o += p.length; }
        fitCols.columns[n] = all.subarray(0, Math.min(all.length, fitRows));
      }
      fitParts.length = 0;
      imputer = createImputer(opts.method ?? 'linear', opts.methodOptions);
      owned = true;
      // statistics (means) over the fit rows; a column unobserved there falls back to 0-filled mean at impute time
      await imputer.fit(tableToSeries(fitCols, cols).ds, opts.fit);
    }
    // Pass 2: impute batch by batch with left context, write as we go.
    const outSchema = filledSchema(schema, cols);
    const writer = arrow.RecordBatchFileWriter.throughNode();
    const sink = createWriteStream(outPath);
    const done = new Promise<void>((res, rej) => { sink.on('finish', () => res()); sink.on('error', rej); writer.on('error', rej); });
    writer.pipe(sink);
    let ctx: Record<string, Float64Array> = Object.fromEntries(cols.map((n) => [n, new Float64Array(0)]));
    let rows = 0, nb = 0, imputedCount = 0;
    for await (const b of batchesOf(inPath)) {
      const tc = tableToColumns(new arrow.Table(b));
      const P = ctx[cols[0]!]!.length, n = b.numRows;
      const joined: TableColumns = { names: cols, types: Object.fromEntries(cols.map((c) => [c, 'number' as const])), columns: {} };
      for (const c of cols) {
        const a = new Float64Array(P + n);
        a.set(ctx[c]!, 0);
        a.set(tc.columns[c] as Float64Array, P);
        joined.columns[c] = a;
      }
      const layout = tableToSeries(joined, cols);
      const res = await imputer.impute(layout.ds);
      const { filled } = seriesToColumns(layout, res.values, res.imputedMask, P + n, joined);
      const batchFilled: Record<string, Float64Array> = {};
      for (const c of cols) {
        batchFilled[c] = filled[c]!.subarray(P);
        const orig = tc.columns[c] as Float64Array;
        for (let i = 0; i < n; i++) if (Number.isNaN(orig[i]!) && !Number.isNaN(batchFilled[c]![i]!)) imputedCount++;
      }
      const out = rebuildBatch(b, outSchema, batchFilled, 0);
      if (!writer.write(out)) await new Promise((r) => writer.once('drain', r));
      const keep = Math.min(contextRows, P + n);
      ctx = Object.fromEntries(cols.map((c) => [c, (joined.columns[c] as Float64Array).slice(P + n - keep)]));
      rows += n; nb++;
    }
    writer.end();
    await done;
    return { rows, batches: nb, imputedCount, columns: cols, method: imputer.method };
  } finally {
    if (owned) imputer?.dispose();
  }
}
