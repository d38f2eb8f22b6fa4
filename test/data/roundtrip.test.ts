import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as aq from 'arquero';
import * as arrow from 'apache-arrow';
import {
  columnsToTable, detectTableKind, fromArrays, loadArrow, loadCsv, readArrowTable, tableToColumns, writeArrow, writeCsv,
  type TimeSeriesDataset,
} from '../../src/data/index.js';
import { rejectsWith, tmpDir, tmpFile } from './helpers.js';

function sample(): TimeSeriesDataset {
  const base = fromArrays([[[1.1, 2], [NaN, 4], [5, 6.000001]], [[7, 8]]], {
    channelNames: ['a', 'b'], seriesIds: ['s1', 's2'], labels: Int32Array.from([1, 0]), classNames: ['neg', 'pos'],
  });
  const timestamps = new Float64Array([0, 3_600_000, 7_200_000, 0, NaN, NaN].map((v, i) => (i >= 3 && i < 4 ? 86_400_000 : v)));
  return { ...base, timestamps };
}

function assertSameData(a: TimeSeriesDataset, b: TimeSeriesDataset) {
  assert.deepEqual([b.n, b.length, b.channels], [a.n, a.length, a.channels]);
  assert.deepEqual(b.channelNames, a.channelNames);
  assert.deepEqual(Array.from(b.lengths), Array.from(a.lengths));
  assert.deepEqual(b.mask, a.mask);
  assert.deepEqual(b.values, a.values);
  assert.deepEqual(b.seriesIds, a.seriesIds);
  assert.deepEqual(b.classNames, a.classNames);
  assert.deepEqual(Array.from(b.labels!), Array.from(a.labels!));
  for (let s = 0; s < a.n; s++) for (let t = 0; t < a.lengths[s]!; t++) assert.equal(b.timestamps![s * a.length + t], a.timestamps![s * a.length + t]);
}

test('writeCsv → loadCsv round-trips values, mask, ids, labels, timestamps (plain and .gz)', async () => {
  const ds = sample();
  for (const name of ['rt.csv', 'rt.csv.gz']) {
    const p = join(tmpDir(), name);
    await writeCsv(ds, p);
    assertSameData(ds, await loadCsv(p, { id: 'id', label: 'label' }));
  }
});

test('writeArrow → loadArrow round-trips (time column found by its Arrow type too)', async () => {
  const ds = sample();
  const p = join(tmpDir(), 'rt.arrow');
  await writeArrow(ds, p);
  const back = await loadArrow(p, { id: 'id', label: 'label' });
  assertSameData(ds, back);
  const t = await readArrowTable(p);
  assert.ok(arrow.DataType.isTimestamp(t.schema.fields[1]!.type));
  assert.equal(String(t.schema.fields[2]!.type), 'Float32');
});

/**
 * A tiny zstd encoder for tests: runs of ≥ 8 equal bytes become RLE blocks, the rest raw
 * blocks. Real zstd that any decoder reads, and smaller than the input for zero-heavy buffers
 * (Arrow only keeps a compressed buffer when it is smaller).
 */
function zstdRle(data: Uint8Array): Uint8Array {
  const out: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0xa0, ...new Uint8Array(new Uint32Array([data.length]).buffer)];
  const blocks: [type: 0 | 1, start: number, end: number][] = [];
  let i = 0, rawStart = 0;
  while (i < data.length) {
    let j = i;
    while (j < data.length && data[j] === data[i] && j - i < 100_000) j++;
    if (j - i >= 8) {
      if (rawStart < i) blocks.push([0, rawStart, i]);
      blocks.push([1, i, j]);
      rawStart = j;
    }
    i = j;
  }
  if (rawStart < data.length || blocks.length === 0) blocks.push([0, rawStart, data.length]);
  blocks.forEach(([type, a, b], k) => {
    const h = (k === blocks.length - 1 ? 1 : 0) | (type << 1) | ((b - a) << 3);
    out.push(h & 255, (h >> 8) & 255, (h >> 16) & 255);
    if (type === 1) out.push(data[a]!); else out.push(...data.subarray(a, b));
  });
  return Uint8Array.from(out);
}

test('zstd-compressed Arrow IPC is decoded through fzstd; LZ4 gives a clear message', async () => {
  const prev = arrow.compressionRegistry.get(arrow.CompressionType.ZSTD);
  arrow.compressionRegistry.set(arrow.CompressionType.ZSTD, { encode: zstdRle });
  const x = Array.from({ length: 1000 }, (_, i) => (i === 3 ? null : i % 100 === 0 ? i : 0));
  const table = new arrow.Table({ x: arrow.vectorFromArray(x, new arrow.Float64()) });
  const zpath = tmpFile('z.arrow', arrow.tableToIPC(table, 'file', arrow.CompressionType.ZSTD));
  const bytes = arrow.tableToIPC(table, 'file', arrow.CompressionType.ZSTD);
  assert.ok(bytes.length < arrow.tableToIPC(table, 'file').length, 'the test file is really compressed');
  const ds = await loadArrow(zpath);
  assert.deepEqual(Array.from(ds.values), x.map((v) => v ?? NaN));
  // a fake LZ4-frame encoder: only the header is real, enough to write a file that says LZ4
  arrow.compressionRegistry.set(arrow.CompressionType.LZ4_FRAME, { encode: () => Uint8Array.from([4, 34, 77, 24, 0x40, 0x40, 0]) });
  const lpath = tmpFile('l.arrow', arrow.tableToIPC(table, 'file', arrow.CompressionType.LZ4_FRAME));
  arrow.compressionRegistry.set(arrow.CompressionType.LZ4_FRAME, {});
  const err = await rejectsWith(() => loadArrow(lpath), 'BAD_INPUT', { file: lpath });
  assert.match(err.message, /LZ4/);
  if (prev) arrow.compressionRegistry.set(arrow.CompressionType.ZSTD, prev);
});

test('interop: kinds are detected', () => {
  assert.equal(detectTableKind(aq.table({ a: [1] })), 'arquero');
  assert.equal(detectTableKind(arrow.tableFromArrays({ a: Float64Array.from([1]) })), 'arrow');
  assert.equal(detectTableKind({ columns: ['a'], values: [[1]] }), 'dataframe');
  assert.equal(detectTableKind([{ a: 1 }]), 'records');
  assert.equal(detectTableKind({ a: [1, 2] }), 'columns');
  assert.equal(detectTableKind([[1, 2], [3, 4]]), 'arrays');
  assert.throws(() => detectTableKind(42), /not a table/);
});

test('interop: arquero round-trip keeps order, types and nulls as NaN', () => {
  const t = aq.table({ when: [new Date(0), new Date(1000)], x: [1.5, null], name: ['a', 'b'] });
  const cols = tableToColumns(t);
  assert.deepEqual(cols.names, ['when', 'x', 'name']);
  assert.deepEqual(cols.types, { when: 'date', x: 'number', name: 'string' });
  assert.ok(cols.columns.x instanceof Float64Array);
  (cols.columns.x as Float64Array)[1] = 2.5; // "impute"
  const back = columnsToTable('arquero', cols, t) as aq.ColumnTable;
  assert.deepEqual(back.columnNames(), ['when', 'x', 'name']);
  assert.deepEqual(Array.from(back.array('x') as ArrayLike<number>), [1.5, 2.5]);
  assert.deepEqual(back.array('name'), ['a', 'b']);
});

test('interop: Arrow round-trip restores field types and nulls', () => {
  const t = new arrow.Table({
    ts: arrow.vectorFromArray([0, 60_000], new arrow.TimestampMillisecond()),
    v: arrow.vectorFromArray([1, null], new arrow.Float32()),
    k: arrow.vectorFromArray([3, 4], new arrow.Int32()),
  });
  const cols = tableToColumns(t);
  assert.equal(cols.types.ts, 'date');
  assert.ok(Number.isNaN((cols.columns.v as Float64Array)[1]!));
  const back = columnsToTable('arrow', cols, t) as arrow.Table;
  assert.deepEqual(back.schema.fields.map((f) => String(f.type)), t.schema.fields.map((f) => String(f.type)));
  assert.deepEqual(Array.from(back.getChild('v')!), [1, null]);
  assert.deepEqual(Array.from(back.getChild('ts')!), [0, 60_000]);
});

test('interop: DataFrame-shaped objects come back through their constructor, or as plain shape', () => {
  class FakeFrame {
    columns: string[]; values: unknown[][];
    constructor(data: unknown[][], opts: { columns: string[] }) { this.values = data; this.columns = opts.columns; }
  }
  const df = new FakeFrame([[1, 'x'], [null, 'y']], { columns: ['a', 's'] });
  const cols = tableToColumns(df);
  assert.deepEqual(cols.types, { a: 'number', s: 'string' });
  const back = columnsToTable('dataframe', cols, df) as FakeFrame;
  assert.ok(back instanceof FakeFrame);
  assert.deepEqual(back.columns, ['a', 's']);
  assert.deepEqual(back.values, [[1, 'x'], [NaN, 'y']]);
  const plain = columnsToTable('dataframe', cols, { columns: ['a', 's'], values: [] });
  assert.deepEqual(plain, { columns: ['a', 's'], values: [[1, 'x'], [NaN, 'y']] });
  const viaJson = tableToColumns({ columns: ['a'], toJSON: () => [{ a: 1 }, { a: 2 }] });
  assert.deepEqual(Array.from(viaJson.columns.a as Float64Array), [1, 2]);
});

test('interop: records, columns and arrays round-trip to the same kind', () => {
  const recs = [{ a: 1, b: 'x' }, { a: 2, b: 'y' }];
  assert.deepEqual(columnsToTable('records', tableToColumns(recs)), recs);
  const rows = [[1, 2], [3, 4]];
  assert.deepEqual(columnsToTable('arrays', tableToColumns(rows)), rows);
  const obj = { a: [1, 2], b: [3, 4] };
  const back = columnsToTable('columns', tableToColumns(obj)) as Record<string, Float64Array>;
  assert.deepEqual(Object.keys(back), ['a', 'b']);
  assert.deepEqual(Array.from(back.b!), [3, 4]);
  assert.throws(() => tableToColumns([[1, 2], [3]]), /row 2/);
});

test('writeCsv / writeArrow accept tables too', async () => {
  const d = tmpDir();
  const t = aq.table({ date: [new Date(Date.UTC(2020, 0, 1)), new Date(Date.UTC(2020, 0, 2))], v: [1, null] });
  await writeCsv(t, join(d, 't.csv'));
  const ds = await loadCsv(join(d, 't.csv'));
  assert.deepEqual(Array.from(ds.values), [1, NaN]);
  assert.equal(ds.timestamps![1], Date.UTC(2020, 0, 2));
  await writeArrow([{ v: 1 }, { v: 2 }], join(d, 'r.arrow'));
  assert.deepEqual(Array.from((await loadArrow(join(d, 'r.arrow'))).values), [1, 2]);
});
