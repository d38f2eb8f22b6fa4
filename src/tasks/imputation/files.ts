/**
 * Table files for imputation: CSV (numeric columns typed, missing tokens → NaN, other columns
 * kept as text) and Arrow IPC / Feather v2, read into a table `impute` accepts and written back
 * in the same format.
 */
import type * as arrow from 'apache-arrow';
import { readArrowTable } from '../../data/arrow.js';
import { readCsvTable } from '../../data/csv.js';
import { isMissingCell, looksNumeric, parseNumberCell } from '../../data/parse.js';
import { writeArrow, writeCsv } from '../../data/write.js';

export const isArrowPath = (p: string): boolean => /\.(arrow|feather|ipc)(\.gz)?$/i.test(p);

/** Reads a CSV as a column object (numbers where every cell is numeric or missing) or an Arrow file as an Arrow table. */
export async function readTableFile(path: string): Promise<Record<string, unknown[] | Float64Array> | arrow.Table> {
  if (isArrowPath(path)) return readArrowTable(path);
  const { raw } = await readCsvTable(path);
  const out: Record<string, unknown[] | Float64Array> = {};
  for (const name of raw.names) {
    const col = raw.column(name);
    let numeric = true, any = false;
    for (let i = 0; i < raw.numRows && numeric; i++) {
      numeric = looksNumeric(col[i]);
      if (!isMissingCell(col[i])) any = true;
    }
    out[name] = numeric && any
      ? Float64Array.from({ length: raw.numRows }, (_, i) => parseNumberCell(col[i], { file: path, row: raw.rowNumber(i), column: name }))
      : Array.from(col);
  }
  return out;
}

/** Writes a table as CSV or Arrow IPC, chosen by the file extension. */
export async function writeTableFile(table: unknown, path: string): Promise<void> {
  await (isArrowPath(path) ? writeArrow(table, path) : writeCsv(table, path));
}
