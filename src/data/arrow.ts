import * as arrow from 'apache-arrow';
import { decompress as zstdDecompress } from 'fzstd';
import { TsreprError } from '../errors.js';
import { wideToDataset, type RawTable, type WideOptions } from './columnar.js';
import type { TimeSeriesDataset } from './dataset.js';
import { readBytes } from './read.js';

/**
 * Zstd-decodes one IPC body buffer, zero-padded to a multiple of 8 bytes: apache-arrow lays the
 * decoded buffers end to end, so an odd-sized one (e.g. a validity bitmap of 125 bytes) would
 * misalign the typed-array views that follow it.
 */
function decodeZstd(data: Uint8Array): Uint8Array {
  const out = zstdDecompress(data);
  if (out.length % 8 === 0 && out.byteOffset % 8 === 0) return out;
  const padded = new Uint8Array(Math.ceil(out.length / 8) * 8);
  padded.set(out);
  return padded;
}

/**
 * Registers Arrow IPC body decompressors: ZSTD through `fzstd` (pure JS), and an LZ4_FRAME
 * stand-in that fails with a clear message (no LZ4-frame decoder is bundled). An encoder
 * registered earlier by the caller is kept. Called by `loadArrow`; cheap and idempotent (a decoder the caller registered is left alone).
 */
export function registerArrowCodecs(): void {
  const zstd = arrow.compressionRegistry.get(arrow.CompressionType.ZSTD);
  if (!zstd?.decode) arrow.compressionRegistry.set(arrow.CompressionType.ZSTD, { encode: zstd?.encode, decode: decodeZstd });
  const lz4 = arrow.compressionRegistry.get(arrow.CompressionType.LZ4_FRAME);
  if (!lz4?.decode) {
    arrow.compressionRegistry.set(arrow.CompressionType.LZ4_FRAME, {
      encode: lz4?.encode,
      decode: () => {
        throw new TsreprError('BAD_INPUT', 'LZ4-compressed Arrow IPC/Feather is not supported (no LZ4 decoder); re-save it uncompressed or with zstd, e.g. pandas `df.to_feather(path, compression="zstd")`');
      },
    });
  }
}

/** Wraps an apache-arrow Table as a RawTable (row numbers are 1-based record indices). */
export function arrowRawTable(table: arrow.Table, file: string): RawTable {
  const names = table.schema.fields.map((f) => f.name);
  const cache = new Map<string, ArrayLike<unknown>>();
  return {
    file, names, numRows: table.numRows,
    column: (name) => {
      let c = cache.get(name);
      if (!c) {
        const v = table.getChild(name)!;
        c = v.nullCount === 0 && arrow.DataType.isFloat(v.type) ? (v.toArray() as ArrayLike<number>) : Array.from(v as Iterable<unknown>);
        cache.set(name, c);
      }
      return c;
    },
    rowNumber: (i) => i + 1,
    timeColumns: table.schema.fields.filter((f) => arrow.DataType.isTimestamp(f.type) || arrow.DataType.isDate(f.type)).map((f) => f.name),
  };
}

/**
 * Reads an Arrow IPC file or stream (which includes Feather v2) into an apache-arrow Table,
 * gunzipping `.gz`. Zstd-compressed bodies are supported; LZ4 ones are reported as such.
 */
export async function readArrowTable(path: string): Promise<arrow.Table> {
  registerArrowCodecs();
  let bytes = await readBytes(path);
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice(); // typed-array views over the body need 8-byte alignment
  if (bytes.length >= 6 && String.fromCharCode(...bytes.subarray(0, 4)) === 'FEA1') {
    throw new TsreprError('BAD_INPUT', 'Feather v1 is not supported; re-save as Feather v2 / Arrow IPC', { file: path });
  }
  try {
    // IPC files are read batch by batch through the footer: apache-arrow's own file iteration
    // (tableFromIPC) loops forever when a corrupt footer block points at a Schema message.
    const reader = arrow.RecordBatchReader.from(bytes);
    if (!reader.isFile()) return arrow.tableFromIPC(bytes);
    reader.open();
    const batches: arrow.RecordBatch[] = [];
    for (let i = 0; i < reader.numRecordBatches; i++) {
      const batch = reader.readRecordBatch(i);
      if (!batch) throw new Error(`record batch ${i} listed in the footer is missing or not a record batch`);
      batches.push(batch);
    }
    return batches.length ? new arrow.Table(batches) : new arrow.Table(reader.schema);
  } catch (err) {
    if (err instanceof TsreprError) throw new TsreprError(err.code, err.message, { file: path }, { cause: err });
    throw new TsreprError('BAD_INPUT', `cannot read Arrow IPC: ${(err as Error).message}`, { file: path }, { cause: err });
  }
}

/**
 * Loads an Arrow IPC / Feather v2 file as a dataset with the same options as a wide CSV
 * (time, columns, id, label). Arrow nulls and NaN are missing (mask 0).
 */
export async function loadArrow(path: string, opts: WideOptions = {}): Promise<TimeSeriesDataset> {
  const table = await readArrowTable(path);
  if (table.numCols === 0) throw new TsreprError('EMPTY_INPUT', 'Arrow table has no columns', { file: path });
  return wideToDataset(arrowRawTable(table, path), opts);
}
