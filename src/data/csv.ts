import * as aq from 'arquero';
import { TsreprError } from '../errors.js';
import { longToDataset, wideToDataset, type LongOptions, type RawTable, type WideOptions } from './columnar.js';
import type { TimeSeriesDataset } from './dataset.js';
import { readText } from './read.js';

/** Options of `loadCsv`. `format: 'wide'` (default) takes WideOptions, `'long'` LongOptions. */
export type CsvOptions = ({ format?: 'wide' } & WideOptions) | ({ format: 'long' } & LongOptions);

/** Parser options for `readCsvTable`. */
export interface CsvParseOptions {
  /** single-character field delimiter (default `,`) */
  delimiter?: string;
}

/**
 * Scans delimited text the way arquero's parser splits it (quotes may span lines, empty lines
 * are skipped) and returns, per record, its 1-based starting line and its number of fields.
 * Used to report exact line numbers and to catch ragged rows, which arquero pads or truncates
 * silently.
 */
export function scanRecords(text: string, delimiter = ','): { lines: Int32Array; fields: Int32Array } {
  const lines: number[] = [], fields: number[] = [];
  const d = delimiter.charCodeAt(0);
  let line = 1, start = 1, nf = 1, empty = true, inQuote = false;
  const end = () => {
    if (!empty) { lines.push(start); fields.push(nf); }
    nf = 1; empty = true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inQuote) {
      if (ch === 34) { if (text.charCodeAt(i + 1) === 34) i++; else inQuote = false; }
      else if (ch === 10) line++;
      continue;
    }
    if (ch === 10 || ch === 13) {
      end();
      if (ch === 13 && text.charCodeAt(i + 1) === 10) i++;
      line++; start = line;
      continue;
    }
    if (empty) { empty = false; start = line; }
    if (ch === 34) inQuote = true;
    else if (ch === d) nf++;
  }
  end();
  return { lines: Int32Array.from(lines), fields: Int32Array.from(fields) };
}

/**
 * Reads a CSV (or `.csv.gz`) file into an arquero table of raw strings (no type coercion, so
 * that a stray non-numeric cell is reported rather than silently turned into NaN) plus the
 * line number of every data row. Throws RAGGED for a row whose field count differs from the
 * header's.
 */
export async function readCsvTable(path: string, opts: CsvParseOptions = {}): Promise<{ table: aq.ColumnTable; raw: RawTable }> {
  const text = await readText(path);
  const delimiter = opts.delimiter ?? ',';
  const { lines, fields } = scanRecords(text, delimiter);
  if (lines.length === 0) throw new TsreprError('EMPTY_INPUT', 'no header line', { file: path });
  const width = fields[0]!;
  for (let r = 1; r < fields.length; r++) {
    if (fields[r] !== width) {
      throw new TsreprError('RAGGED', `row has ${fields[r]} fields but the header has ${width}`, { file: path, row: lines[r]! });
    }
  }
  let table: aq.ColumnTable;
  try {
    table = aq.fromCSV(text, { delimiter, autoType: false });
  } catch (err) {
    throw new TsreprError('BAD_INPUT', `cannot parse CSV: ${(err as Error).message}`, { file: path }, { cause: err });
  }
  const names = table.columnNames();
  // a Set, not indexOf: a file with 10^6 columns must not take O(columns²)
  const seen = new Set<string>();
  const dup = names.find((n) => (seen.has(n) ? true : (seen.add(n), false)));
  if (dup !== undefined) throw new TsreprError('BAD_INPUT', `duplicate column name ${JSON.stringify(dup)}`, { file: path, row: 1, column: dup });
  const numRows = table.numRows();
  const aligned = numRows === lines.length - 1;
  const cache = new Map<string, ArrayLike<unknown>>();
  const raw: RawTable = {
    file: path, names, numRows,
    column: (name) => {
      let c = cache.get(name);
      if (!c) cache.set(name, (c = table.array(name) as ArrayLike<unknown>));
      return c;
    },
    rowNumber: (i) => (aligned ? lines[i + 1]! : i + 2),
  };
  return { table, raw };
}

/**
 * Loads a CSV file (optionally gzip'd) as a dataset. Wide format: one column per channel,
 * optional time column (ms timestamps), optional id column splitting rows into series.
 * Long format: `id, time, variable, value` rows. Missing cells (`?`, `NaN`, `NA`, `null`,
 * empty) become NaN with mask 0; Inf throws NON_FINITE and any other non-number NON_NUMERIC,
 * both naming the line and column.
 */
export async function loadCsv(path: string, opts: CsvOptions & CsvParseOptions = {}): Promise<TimeSeriesDataset> {
  const { raw } = await readCsvTable(path, opts);
  return opts.format === 'long' ? longToDataset(raw, opts) : wideToDataset(raw, opts);
}
