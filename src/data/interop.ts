import * as aq from 'arquero';
import * as arrow from 'apache-arrow';
import { TsreprError } from '../errors.js';

/**
 * The table shapes tsrepr accepts and gives back:
 * - `arquero`: an arquero ColumnTable;
 * - `arrow`: an apache-arrow Table;
 * - `dataframe`: a danfo.js-DataFrame-shaped object (duck-typed: `columns: string[]` plus
 *   row-major `values` or `$data`, or a `toJSON()` giving records);
 * - `records`: an array of plain objects `[{col: value}, …]`;
 * - `columns`: a plain object of equal-length arrays `{col: [...]}`;
 * - `arrays`: a row-major matrix `number[][]` (rows = time steps, columns = channels).
 */
export type TableKind = 'arquero' | 'arrow' | 'dataframe' | 'records' | 'columns' | 'arrays';

export type ColumnType = 'number' | 'date' | 'string' | 'boolean' | 'other';

/**
 * Column-wise view of any accepted table, in the original column order. Numeric columns are
 * Float64Array with NaN for null/missing; other columns stay raw arrays (Dates, strings…).
 * `arrowTypes` keeps the Arrow field types so a round trip can restore them.
 */
export interface TableColumns {
  names: string[];
  columns: Record<string, Float64Array | unknown[]>;
  types: Record<string, ColumnType>;
  arrowTypes?: Record<string, arrow.DataType>;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null;

/** Says which kind of table `x` is; BAD_INPUT when it is none of them. */
export function detectTableKind(x: unknown): TableKind {
  if (x instanceof aq.ColumnTable) return 'arquero';
  if (x instanceof arrow.Table) return 'arrow';
  if (Array.isArray(x)) {
    if (x.length > 0 && x.every((r) => Array.isArray(r) || ArrayBuffer.isView(r))) return 'arrays';
    if (x.every((r) => isObj(r) && !Array.isArray(r))) return 'records';
    throw new TsreprError('BAD_INPUT', 'an array table must hold rows (arrays) or records (objects)');
  }
  if (isObj(x)) {
    if (typeof x.columnNames === 'function' && typeof x.numRows === 'function' && typeof x.array === 'function') return 'arquero';
    if (isObj(x.schema) && Array.isArray((x.schema as Obj).fields) && typeof x.getChild === 'function') return 'arrow';
    if (Array.isArray(x.columns) && (Array.isArray(x.values) || Array.isArray(x.$data) || typeof x.toJSON === 'function')) return 'dataframe';
    const vals = Object.values(x);
    if (vals.length > 0 && vals.every((v) => Array.isArray(v) || ArrayBuffer.isView(v))) return 'columns';
  }
  throw new TsreprError('BAD_INPUT', 'not a table: expected an arquero table, an Arrow table, a DataFrame-like object, records, a column object or a row matrix');
}

function classify(values: ArrayLike<unknown>): ColumnType {
  let type: ColumnType | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const t: ColumnType = typeof v === 'number' || typeof v === 'bigint' ? 'number' : v instanceof Date ? 'date'
      : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : 'other';
    if (type && t !== type) return 'other';
    type = t;
  }
  return type ?? 'number';
}

function toFloat64(values: ArrayLike<unknown>): Float64Array {
  return Float64Array.from({ length: values.length }, (_, i) => {
    const v = values[i];
    return v === null || v === undefined ? NaN : Number(v);
  });
}

function fromRaw(names: string[], get: (name: string) => ArrayLike<unknown>): TableColumns {
  const columns: TableColumns['columns'] = {}, types: TableColumns['types'] = {};
  for (const name of names) {
    const raw = get(name);
    const type = ArrayBuffer.isView(raw) ? 'number' : classify(raw);
    types[name] = type;
    columns[name] = type === 'number' ? toFloat64(raw) : Array.from(raw);
  }
  return { names, columns, types };
}

function rowsToColumns(names: string[], rows: ArrayLike<unknown>[]): TableColumns {
  return fromRaw(names, (name) => {
    const j = names.indexOf(name);
    return rows.map((r) => r[j]);
  });
}

/** Converts any accepted table to columns (see TableColumns). */
export function tableToColumns(x: unknown): TableColumns {
  const kind = detectTableKind(x);
  switch (kind) {
    case 'arquero': {
      const t = x as aq.ColumnTable;
      return fromRaw(t.columnNames(), (name) => t.array(name) as ArrayLike<unknown>);
    }
    case 'arrow': {
      const t = x as arrow.Table;
      const names = t.schema.fields.map((f) => f.name);
      const arrowTypes: Record<string, arrow.DataType> = {};
      const out = fromRaw(names, (name) => Array.from(t.getChild(name)! as Iterable<unknown>));
      for (const f of t.schema.fields) {
        arrowTypes[f.name] = f.type;
        if (arrow.DataType.isTimestamp(f.type) || arrow.DataType.isDate(f.type)) {
          out.types[f.name] = 'date';
          out.columns[f.name] = Array.from(out.columns[f.name]!, (v) => (Number.isNaN(v) ? null : new Date(v as number)));
        }
      }
      return { ...out, arrowTypes };
    }
    case 'dataframe': {
      const df = x as Obj;
      const names = (df.columns as unknown[]).map(String);
      const rows = (Array.isArray(df.values) ? df.values : Array.isArray(df.$data) ? df.$data : undefined) as unknown[][] | undefined;
      if (rows) return rowsToColumns(names, rows);
      const recs = (df.toJSON as () => unknown)();
      if (!Array.isArray(recs)) throw new TsreprError('BAD_INPUT', 'DataFrame-like toJSON() did not return records');
      return fromRaw(names, (name) => recs.map((r) => (r as Obj)[name]));
    }
    case 'records': {
      const recs = x as Obj[];
      const names = [...new Set(recs.flatMap((r) => Object.keys(r)))];
      return fromRaw(names, (name) => recs.map((r) => r[name]));
    }
    case 'columns': {
      const o = x as Record<string, ArrayLike<unknown>>;
      const names = Object.keys(o);
      const len = o[names[0]!]!.length;
      const bad = names.find((n) => o[n]!.length !== len);
      if (bad) throw new TsreprError('RAGGED', `column ${JSON.stringify(bad)} has ${o[bad]!.length} values, expected ${len}`, { column: bad });
      return fromRaw(names, (name) => o[name]!);
    }
    case 'arrays': {
      const rows = x as ArrayLike<unknown>[];
      const width = rows[0]!.length;
      const bad = rows.findIndex((r) => r.length !== width);
      if (bad >= 0) throw new TsreprError('RAGGED', `row ${bad + 1} has ${rows[bad]!.length} values, expected ${width}`, { row: bad + 1 });
      return rowsToColumns(Array.from({ length: width }, (_, j) => String(j)), rows);
    }
  }
}

/** Column values with NaN in numeric columns turned back into null (for formats with nulls). */
function withNulls(col: Float64Array | unknown[]): unknown[] {
  return Array.from(col as ArrayLike<unknown>, (v) => (typeof v === 'number' && Number.isNaN(v) ? null : v));
}

function arrowVector(name: string, col: Float64Array | unknown[], type: ColumnType, like?: arrow.DataType): arrow.Vector {
  if (type === 'number') {
    let t: arrow.DataType = like && arrow.DataType.isFloat(like) ? like : new arrow.Float64();
    if (like && arrow.DataType.isInt(like)) {
      const integral = Array.prototype.every.call(col, (v: number) => Number.isNaN(v) || Number.isInteger(v));
      if (integral && (like as arrow.Int).bitWidth !== 64) t = like;
    }
    return arrow.vectorFromArray(withNulls(col), t);
  }
  if (type === 'date') {
    const ms = Array.from(col, (v) => (v instanceof Date ? v.getTime() : v === null || v === undefined ? null : Number(v)));
    return arrow.vectorFromArray(ms, like && (arrow.DataType.isTimestamp(like) || arrow.DataType.isDate(like)) ? like : new arrow.TimestampMillisecond());
  }
  if (type === 'string') return arrow.vectorFromArray(col as (string | null)[], new arrow.Utf8());
  if (type === 'boolean') return arrow.vectorFromArray(col as (boolean | null)[], new arrow.Bool());
  try {
    return arrow.vectorFromArray(col as unknown[]);
  } catch (err) {
    throw new TsreprError('BAD_INPUT', `column ${JSON.stringify(name)} cannot be stored in Arrow: ${(err as Error).message}`, { column: name }, { cause: err });
  }
}

/** Normalises a plain `{name: array}` object into TableColumns. */
function asTableColumns(columns: TableColumns | Record<string, ArrayLike<unknown>>): TableColumns {
  if (Array.isArray((columns as TableColumns).names) && isObj((columns as TableColumns).columns) && isObj((columns as TableColumns).types)) {
    return columns as TableColumns;
  }
  const o = columns as Record<string, ArrayLike<unknown>>;
  return fromRaw(Object.keys(o), (name) => o[name]!);
}

/**
 * Builds a table of the given kind from columns, e.g. after imputing a table's numeric
 * columns: `columnsToTable(detectTableKind(t), cols, t)`. `like` (the original table) lends
 * its Arrow field types or its DataFrame constructor; a DataFrame-shaped input whose
 * constructor is `Object` (or fails) comes back as a plain `{columns, values}` object.
 */
export function columnsToTable(kind: TableKind, columns: TableColumns | Record<string, ArrayLike<unknown>>, like?: unknown): unknown {
  const tc = asTableColumns(columns);
  const { names } = tc;
  const n = names.length ? (tc.columns[names[0]!]!.length) : 0;
  const rowsOf = () => Array.from({ length: n }, (_, i) => names.map((name) => tc.columns[name]![i]));
  switch (kind) {
    case 'arquero': {
      const data: Record<string, unknown[] | Float64Array> = {};
      for (const name of names) data[name] = tc.types[name] === 'number' ? tc.columns[name]! : Array.from(tc.columns[name]!);
      return aq.table(data, names);
    }
    case 'arrow': {
      const likeTypes = tc.arrowTypes ?? (like instanceof arrow.Table ? Object.fromEntries(like.schema.fields.map((f) => [f.name, f.type])) : {});
      const vectors: Record<string, arrow.Vector> = {};
      for (const name of names) vectors[name] = arrowVector(name, tc.columns[name]!, tc.types[name] ?? 'other', likeTypes[name]);
      return new arrow.Table(vectors);
    }
    case 'dataframe': {
      const ctor = isObj(like) ? (like.constructor as (new (data: unknown, opts: unknown) => unknown) | undefined) : undefined;
      if (ctor && ctor !== Object) {
        try {
          return new ctor(rowsOf(), { columns: names });
        } catch {
          // fall through to the plain shape
        }
      }
      return { columns: names.slice(), values: rowsOf() };
    }
    case 'records':
      return Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((name) => [name, tc.columns[name]![i]])));
    case 'columns':
      return Object.fromEntries(names.map((name) => [name, tc.columns[name]!]));
    case 'arrays':
      return rowsOf();
  }
}
