import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { TsreprError } from '../errors.js';
import { wideToDataset, type RawTable, type WideOptions } from './columnar.js';
import type { TimeSeriesDataset } from './dataset.js';
import { readBytes } from './read.js';

/**
 * Loads a Parquet file as a dataset through hyparquet (pure JS; snappy, gzip, zstd, brotli and
 * LZ4 pages via hyparquet-compressors), with the same options as a wide CSV. Parquet nulls
 * are missing (mask 0); row numbers in errors are 1-based record indices.
 */
export async function loadParquet(path: string, opts: WideOptions = {}): Promise<TimeSeriesDataset> {
  const bytes = await readBytes(path);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  let names: string[];
  try {
    const metadata = parquetMetadata(buffer);
    names = parquetSchema(metadata).children.map((c) => c.element.name);
    rows = (await parquetReadObjects({ file: buffer, metadata, compressors })) as Record<string, unknown>[];
  } catch (err) {
    throw new TsreprError('BAD_INPUT', `cannot read Parquet: ${(err as Error).message}`, { file: path }, { cause: err });
  }
  if (names.length === 0) throw new TsreprError('EMPTY_INPUT', 'Parquet file has no columns', { file: path });
  const raw: RawTable = {
    file: path, names, numRows: rows.length,
    column: (name) => rows.map((r) => r[name]),
    rowNumber: (i) => i + 1,
  };
  return wideToDataset(raw, opts);
}
