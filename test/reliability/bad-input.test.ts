/**
 * Bad input, systematically: fast-check generates malformed CSV / Arrow / .ts / .tsv / ARFF /
 * NAB inputs (truncated and ragged rows, mixed types, NaN/Inf, 1e308, unicode and emoji
 * headers, duplicated names, empty and one-row files, random bytes). Every loader must either
 * return a dataset that satisfies the invariants or throw a TsreprError — never a library's
 * exception, never a hang. A file with 10^6 columns is generated directly.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import {
  loadArff, loadArrow, loadCsv, loadForecastCsv, loadNab, loadParquet, loadUcrTs, loadUcrTsv, type TimeSeriesDataset,
} from '../../src/data/index.js';
import { describeOutcome, expectLoadsOrRejects, newOutcome, tempDir, type Outcome } from './helpers.js';

const RUNS = Number(process.env.TSREPR_FUZZ_RUNS ?? 120);
const tmp = tempDir();
let fileNo = 0;
/** Writes one generated input to a fresh file with the given extension. */
function put(content: string | Uint8Array, ext: string, sub = ''): string {
  const dir = sub ? join(tmp.dir, sub) : tmp.dir;
  if (sub) mkdirSync(dir, { recursive: true });
  const p = join(dir, `in${fileNo++}${ext}`);
  writeFileSync(p, content);
  return p;
}
let totalTried = 0;
const summary: string[] = [];
after(() => {
  tmp.cleanup();
  console.log(summary.join('\n'));
  console.log(`[reliability] bad-input: ${totalTried} malformed inputs tried in total`);
});

// ---------------------------------------------------------------- generators
const SPECIAL_CELLS = [
  '', ' ', '?', 'NaN', 'nan', 'NA', 'n/a', 'null', 'None', 'inf', '-inf', 'Infinity', '-Infinity', '1e308', '-1e308', '1e309',
  '3.5e38', '-3.5e38', '1e-320', '0', '-0', ' 1.5 ', '+2', '.5', '5.', '1,5', '"1"', '"a,b"', '"x\ny"', 'abc', '😀', 'ünï', '日本',
  '2020-01-01', '2020-01-01 00:00:00', '2020-13-45', 'true', '0x1F', '1_000', '١٢٣', '\u0000', '"', "'", '\t',
];
const cellArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.double().map(String) },
  { weight: 3, arbitrary: fc.integer({ min: -1000, max: 1000 }).map(String) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_CELLS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
);
const numericCellArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => v.toPrecision(6)) },
  { weight: 1, arbitrary: fc.constantFrom('', '?', 'NaN', '1e308', '-1e308', '1e-320', 'inf', 'x') },
);
const NAMES = ['date', 'time', 'timestamp', 'value', 'a', 'a', 'b', 'OT', 'id', 'label', 'class', '😀', '日本語', 'ä b', '"q,uoted"', '', ' '];
const nameArb: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...NAMES), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 5 }));
const eolArb = fc.constantFrom('\n', '\r\n', '\r');

/** Optional damage to a text: cut it at a random point. */
const truncArb = fc.option(fc.nat(), { freq: 3 });
function truncate(text: string, cut: number | null): string {
  return cut === null || text.length === 0 ? text : text.slice(0, cut % (text.length + 1));
}

interface TextCase { text: string; note: string }

/** CSV: random header (unicode, duplicates, empty names) and ragged rows of mixed cells, or a well-formed numeric table. */
const csvArb: fc.Arbitrary<TextCase> = fc.oneof(
  fc.record({
    header: fc.array(nameArb, { maxLength: 6 }),
    rows: fc.array(fc.array(cellArb, { maxLength: 7 }), { maxLength: 8 }),
    eol: eolArb, bom: fc.boolean(), cut: truncArb, sep: fc.constantFrom(',', ',', ';'),
  }).map(({ header, rows, eol, bom, cut, sep }) => ({
    text: truncate((bom ? '\ufeff' : '') + [header, ...rows].map((r) => r.join(sep)).join(eol), cut), note: 'random',
  })),
  fc.integer({ min: 1, max: 4 }).chain((w) => fc.record({
    header: fc.array(nameArb, { minLength: w, maxLength: w }),
    rows: fc.array(fc.array(numericCellArb, { minLength: w, maxLength: w }), { maxLength: 12 }),
    eol: eolArb, cut: truncArb,
  })).map(({ header, rows, eol, cut }) => ({ text: truncate([header, ...rows].map((r) => r.join(',')).join(eol) + eol, cut), note: 'rectangular' })),
);

/** Raw bytes: invalid UTF-8, NUL bytes, a gzip magic number followed by garbage. */
const bytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.from([0x1f, 0x8b, ...b])),
);

const timeCellArb = fc.oneof(
  fc.integer({ min: 0, max: 1000 }).map((h) => new Date(Date.UTC(2020, 0, 1, h)).toISOString().replace('T', ' ').slice(0, 19)),
  fc.constantFrom('', 'yesterday', '2020-02-30 25:61:00', '1e308', '-1', '0', '2020/1/1 0:00', '2020-01-01T00:00:00+05:30'),
);
/** NAB-style CSV (`timestamp,value`) with a random labels JSON. */
const nabArb = fc.record({
  rows: fc.array(fc.tuple(timeCellArb, numericCellArb), { maxLength: 10 }),
  header: fc.oneof(fc.constant('timestamp,value'), fc.constantFrom('timestamp,value,value', 'value,timestamp', 'time,value', 'timestamp')),
  labels: fc.oneof(
    fc.json(),
    fc.array(fc.tuple(timeCellArb, timeCellArb), { maxLength: 3 }).map((w) => JSON.stringify({ 'cat/PLACEHOLDER': w })),
    fc.array(fc.anything(), { maxLength: 3 }).map((w) => JSON.stringify({ 'cat/PLACEHOLDER': w })),
    fc.constantFrom('', '{', '[]', 'null', '{"cat/PLACEHOLDER": 5}'),
  ),
  cut: truncArb,
});

const TS_HEADER_LINES = [
  '@problemName p', '@timeStamps false', '@timeStamps true', '@missing true', '@univariate true', '@univariate false',
  '@dimensions 2', '@dimensions 0', '@dimensions x', '@equalLength true', '@equalLength false', '@seriesLength 3', '@seriesLength -1',
  '@classLabel true a b', '@classLabel true 1 2 3', '@classLabel false', '@targetLabel true', '# comment', '@😀 true',
];
/** sktime `.ts`: a random subset of header lines, maybe no @data, cases with 1–3 dimensions and an optional label. */
const tsArb: fc.Arbitrary<TextCase> = fc.record({
  header: fc.subarray(TS_HEADER_LINES),
  data: fc.boolean(),
  cases: fc.array(fc.record({
    dims: fc.array(fc.array(numericCellArb, { maxLength: 6 }), { minLength: 1, maxLength: 3 }),
    label: fc.option(fc.constantFrom('a', 'b', '1', '2', '3.5', '', '?', 'zz', '😀')),
  }), { maxLength: 6 }),
  eol: eolArb, cut: truncArb,
}).map(({ header, data, cases, eol, cut }) => ({
  text: truncate([...header, ...(data ? ['@data'] : []), ...cases.map((c) => c.dims.map((d) => d.join(',')).join(':') + (c.label === null ? '' : `:${c.label}`))].join(eol), cut),
  note: 'ts',
}));

/** UCR `.tsv`: label then values, tabs or commas, ragged. */
const tsvArb: fc.Arbitrary<TextCase> = fc.record({
  rows: fc.array(fc.tuple(fc.constantFrom('1', '2', '-1', '1.0', 'a', '', 'NaN', '😀'), fc.array(numericCellArb, { maxLength: 8 })), { maxLength: 8 }),
  sep: fc.constantFrom('\t', '\t', ','), eol: eolArb, cut: truncArb,
}).map(({ rows, sep, eol, cut }) => ({ text: truncate(rows.map(([l, v]) => [l, ...v].join(sep)).join(eol), cut), note: 'tsv' }));

/** ARFF: flat (numeric attributes + class) or relational (UEA multivariate), with random instances. */
const arffArb: fc.Arbitrary<TextCase> = fc.record({
  relational: fc.boolean(),
  nAttrs: fc.integer({ min: 0, max: 5 }),
  cls: fc.constantFrom('@attribute class {a,b}', '@attribute target numeric', '@attribute 😀 string', ''),
  inst: fc.array(fc.tuple(fc.array(fc.array(numericCellArb, { maxLength: 5 }), { minLength: 1, maxLength: 3 }), fc.constantFrom('a', 'b', 'c', '?', '', "'a'", '1.5')), { maxLength: 6 }),
  data: fc.boolean(), eol: eolArb, cut: truncArb,
}).map(({ relational, nAttrs, cls, inst, data, eol, cut }) => {
  const attrs = Array.from({ length: nAttrs }, (_, i) => `@attribute t${i} numeric`);
  const head = relational ? ['@relation r', '@attribute bag relational', ...attrs, '@end bag', cls] : ['@relation r', ...attrs, cls];
  const rows = inst.map(([chs, lab]) => relational ? `'${chs.map((c) => c.join(',')).join('\\n')}',${lab}` : [...chs[0]!, lab].join(','));
  return { text: truncate([...head, ...(data ? ['@data'] : []), ...rows].join(eol), cut), note: relational ? 'arff-relational' : 'arff-flat' };
});

type ColKind = 'f64' | 'f32' | 'i32' | 'utf8' | 'bool' | 'ts';
const ARROW_NUMS = [0, 1.5, -2, NaN, Infinity, -Infinity, 1e308, -1e308, 3.5e38, 1e-320, null];
/** Arrow IPC: random columns (floats with NaN/Inf/1e308, ints, strings, booleans, timestamps, nulls; duplicated and unicode names), then maybe damaged bytes. */
const arrowArb = fc.record({
  nRows: fc.integer({ min: 0, max: 6 }),
  cols: fc.array(fc.record({ name: nameArb, kind: fc.constantFrom<ColKind>('f64', 'f64', 'f32', 'i32', 'utf8', 'bool', 'ts'), seed: fc.array(fc.constantFrom(...ARROW_NUMS), { minLength: 6, maxLength: 6 }) }), { maxLength: 4 }),
  format: fc.constantFrom<'file' | 'stream'>('file', 'stream'),
  damage: fc.oneof(
    { weight: 3, arbitrary: fc.constant<{ kind: 'none' }>({ kind: 'none' }) },
    { weight: 1, arbitrary: fc.nat().map((at) => ({ kind: 'truncate' as const, at })) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, x]) => ({ kind: 'flip' as const, at, x })) },
  ),
});

function arrowVector(kind: ColKind, vals: (number | null)[]): arrow.Vector {
  switch (kind) {
    case 'f64': return arrow.vectorFromArray(vals, new arrow.Float64());
    case 'f32': return arrow.vectorFromArray(vals, new arrow.Float32());
    case 'i32': return arrow.vectorFromArray(vals.map((v) => (v === null || !Number.isFinite(v) ? null : Math.max(-2e9, Math.min(2e9, Math.round(v))))), new arrow.Int32());
    case 'utf8': return arrow.vectorFromArray(vals.map((v) => (v === null ? null : v === 1.5 ? 'x😀' : String(v))), new arrow.Utf8());
    case 'bool': return arrow.vectorFromArray(vals.map((v) => (v === null ? null : v > 0)), new arrow.Bool());
    case 'ts': return arrow.vectorFromArray(vals.map((v) => (v === null || !Number.isFinite(v) || Math.abs(v) > 1e15 ? null : 1.6e12 + v * 3.6e6)), new arrow.TimestampMillisecond());
  }
}

function arrowBytes(spec: { nRows: number; cols: { name: string; kind: ColKind; seed: (number | null)[] }[]; format: 'file' | 'stream' }): Uint8Array {
  const vectors = spec.cols.map((c) => arrowVector(c.kind, c.seed.slice(0, spec.nRows)));
  const fields = spec.cols.map((c, i) => new arrow.Field(c.name, vectors[i]!.type, true));
  const schema = new arrow.Schema(fields);
  const data = arrow.makeData({ type: new arrow.Struct(fields), length: spec.nRows, nullCount: 0, children: vectors.map((v) => v.data[0]!) });
  const table = new arrow.Table([new arrow.RecordBatch(schema, data)]);
  return arrow.tableToIPC(table, spec.format);
}

// ---------------------------------------------------------------- properties
/** Runs `loaders` on every generated input (async property, fast-check shrinks a failure to a minimal input). */
async function fuzz<T>(name: string, arb: fc.Arbitrary<T>, runs: number, body: (input: T, out: Outcome) => Promise<number>): Promise<void> {
  const out = newOutcome();
  let tried = 0;
  await fc.assert(fc.asyncProperty(arb, async (input) => { tried += await body(input, out); }), { numRuns: runs, seed: 42, endOnFailure: true });
  totalTried += tried;
  summary.push(describeOutcome(name, tried, out));
  console.log(describeOutcome(name, tried, out));
}

const isFiniteRepr = (ds: TimeSeriesDataset) => {
  for (const v of ds.values) if (!Number.isNaN(v)) assert.ok(Number.isFinite(v), 'finite or NaN');
};

test('CSV loaders (wide, long, forecast) accept or reject every malformed CSV with a TsreprError', async () => {
  await fuzz('csv', csvArb, RUNS, async ({ text }, out) => {
    const p = put(text, '.csv');
    const what = `CSV ${JSON.stringify(text.slice(0, 200))}`;
    await expectLoadsOrRejects(out, `${what} [wide]`, () => loadCsv(p), isFiniteRepr);
    await expectLoadsOrRejects(out, `${what} [long]`, () => loadCsv(p, { format: 'long' }));
    await expectLoadsOrRejects(out, `${what} [id=a,label=label]`, () => loadCsv(p, { id: 'a', label: 'label', time: false }));
    await expectLoadsOrRejects(out, `${what} [forecast]`, () => loadForecastCsv(p), (ds) => assert.equal(ds.n, 1));
    await expectLoadsOrRejects(out, `${what} [tsv loader]`, () => loadUcrTsv(p));
    return 5;
  });
});

test('text loaders reject raw bytes (invalid UTF-8, NUL, fake gzip) with a TsreprError', async () => {
  await fuzz('bytes', bytesArb, Math.ceil(RUNS / 2), async (bytes, out) => {
    const what = `bytes [${Array.from(bytes.slice(0, 24)).join(',')}]`;
    const loaders: [string, (p: string) => Promise<TimeSeriesDataset>][] = [
      ['.csv', (p) => loadCsv(p)], ['.ts', loadUcrTs], ['.tsv', loadUcrTsv], ['.arff', loadArff], ['.arrow', (p) => loadArrow(p)], ['.parquet', (p) => loadParquet(p)],
    ];
    for (const [ext, load] of loaders) {
      const p = put(bytes, ext);
      await expectLoadsOrRejects(out, `${what} ${ext}`, () => load(p));
    }
    return loaders.length;
  });
});

test('loadUcrTs accepts or rejects every malformed .ts file with a TsreprError', async () => {
  await fuzz('ts', tsArb, RUNS, async ({ text }, out) => {
    const p = put(text, '.ts');
    await expectLoadsOrRejects(out, `.ts ${JSON.stringify(text.slice(0, 300))}`, () => loadUcrTs(p));
    return 1;
  });
});

test('loadUcrTsv accepts or rejects every malformed .tsv file with a TsreprError', async () => {
  await fuzz('tsv', tsvArb, RUNS, async ({ text }, out) => {
    const p = put(text, '.tsv');
    await expectLoadsOrRejects(out, `.tsv ${JSON.stringify(text.slice(0, 300))}`, () => loadUcrTsv(p), (ds) => assert.ok(ds.labels && ds.classNames));
    return 1;
  });
});

test('loadArff accepts or rejects every malformed ARFF file with a TsreprError', async () => {
  await fuzz('arff', arffArb, RUNS, async ({ text }, out) => {
    const p = put(text, '.arff');
    await expectLoadsOrRejects(out, `.arff ${JSON.stringify(text.slice(0, 300))}`, () => loadArff(p));
    return 1;
  });
});

test('loadArrow accepts or rejects generated and damaged Arrow IPC files with a TsreprError', async () => {
  await fuzz('arrow', arrowArb, RUNS, async (spec, out) => {
    let bytes = arrowBytes(spec);
    if (spec.damage.kind === 'truncate') bytes = bytes.slice(0, spec.damage.at % (bytes.length + 1));
    if (spec.damage.kind === 'flip') { bytes = bytes.slice(); const at = spec.damage.at % bytes.length; bytes[at] = bytes[at]! ^ spec.damage.x; }
    const p = put(bytes, '.arrow');
    const what = `Arrow ${JSON.stringify({ ...spec, cols: spec.cols.map((c) => `${c.name}:${c.kind}`) })}`;
    await expectLoadsOrRejects(out, what, () => loadArrow(p), isFiniteRepr);
    await expectLoadsOrRejects(out, `${what} [time=false]`, () => loadArrow(p, { time: false }));
    return 2;
  });
});

test('loadNab accepts or rejects malformed NAB CSVs and label files with a TsreprError', async () => {
  await fuzz('nab', nabArb, RUNS, async ({ rows, header, labels, cut }, out) => {
    const csv = put(truncate([header, ...rows.map((r) => r.join(','))].join('\n'), cut), '.csv', 'cat');
    const key = `cat/${csv.split('/').pop()}`;
    const lp = put(labels.replace(/cat\/PLACEHOLDER/g, key), '.json');
    const what = `NAB ${JSON.stringify({ header, rows: rows.slice(0, 4), labels: labels.slice(0, 120) })}`;
    await expectLoadsOrRejects(out, what, () => loadNab(csv, lp), (ds) => {
      const nab = ds as Awaited<ReturnType<typeof loadNab>>;
      assert.equal(nab.pointLabels.length, ds.length);
      assert.ok(ds.timestamps);
    });
    await expectLoadsOrRejects(out, `${what} [no labels]`, () => loadNab(csv));
    return 2;
  });
});

test('a file with 10^6 columns loads in each text format (or is rejected cleanly), without hanging', { timeout: 120_000 }, async () => {
  const M = 1_000_000;
  const vals = Array.from({ length: M }, (_, i) => String((i % 13) - 6)).join(',');
  const out = newOutcome();
  // CSV: 10^6 channels, one time step (the case that hit an O(columns²) duplicate check)
  const csv = put(Array.from({ length: M }, (_, i) => `c${i}`).join(',') + '\n' + vals + '\n', '.csv');
  await expectLoadsOrRejects(out, 'CSV 10^6 columns', () => loadCsv(csv), (ds) => { assert.equal(ds.channels, M); assert.equal(ds.values[7], 1); });
  // .tsv and .ts: one series of length 10^6
  const tsv = put('1\t' + vals.replace(/,/g, '\t') + '\n', '.tsv');
  await expectLoadsOrRejects(out, 'TSV 10^6 columns', () => loadUcrTsv(tsv), (ds) => assert.equal(ds.length, M));
  const ts = put(`@problemName wide\n@univariate true\n@classLabel true 1 2\n@data\n${vals}:1\n`, '.ts');
  await expectLoadsOrRejects(out, '.ts 10^6 values', () => loadUcrTs(ts), (ds) => assert.equal(ds.length, M));
  // ARFF with 10^5 attributes (its header has one line per attribute)
  const K = 100_000;
  const arff = put(`@relation wide\n${Array.from({ length: K }, (_, i) => `@attribute t${i} numeric`).join('\n')}\n@attribute class {1,2}\n@data\n${vals.split(',', K).join(',')},2\n`, '.arff');
  await expectLoadsOrRejects(out, 'ARFF 10^5 attributes', () => loadArff(arff), (ds) => assert.equal(ds.length, K));
  // many series: 3·10^5 one-row series (Math.max(...spread) used to overflow the stack here)
  const many = put(Array.from({ length: 300_000 }, (_, i) => `${i % 2}\t1\t2`).join('\n'), '.tsv');
  await expectLoadsOrRejects(out, 'TSV 3·10^5 rows', () => loadUcrTsv(many), (ds) => assert.equal(ds.n, 300_000));
  const ids = put('id,v\n' + Array.from({ length: 300_000 }, (_, i) => `${i},1`).join('\n'), '.csv');
  await expectLoadsOrRejects(out, 'CSV 3·10^5 ids', () => loadCsv(ids, { id: 'id' }), (ds) => assert.equal(ds.n, 300_000));
  totalTried += 6;
  summary.push(describeOutcome('huge', 6, out));
  assert.equal(out.ok, 6, 'all huge files are valid and must load');
});

test('regression: an Arrow file whose footer points at a Schema message is rejected, not looped on forever', async () => {
  const out = newOutcome();
  await expectLoadsOrRejects(out, 'footer-loop.arrow', () => loadArrow(join(import.meta.dirname, 'fixtures', 'footer-loop.arrow')));
  assert.equal(out.rejected.get('BAD_INPUT'), 1);
  totalTried += 1;
});

test('edge files: empty, whitespace-only, header-only, one row, one value, zero-length series', async () => {
  const out = newOutcome();
  const cases: [string, string, (p: string) => Promise<TimeSeriesDataset>, 'ok' | 'reject'][] = [
    ['', '.csv', (p) => loadCsv(p), 'reject'],
    ['  \n\n', '.csv', (p) => loadCsv(p), 'reject'],
    ['a,b\n', '.csv', (p) => loadCsv(p), 'reject'],
    ['a,b\n1,2\n', '.csv', (p) => loadCsv(p), 'ok'],
    ['a\n1e308\n', '.csv', (p) => loadCsv(p), 'reject'], // overflows float32 → Inf
    ['a\n-1e308\n', '.csv', (p) => loadCsv(p), 'reject'],
    ['😀,日本\n1,2\n3,\n', '.csv', (p) => loadCsv(p), 'ok'],
    ['a,a\n1,2\n', '.csv', (p) => loadCsv(p), 'reject'],
    ['1\n', '.tsv', loadUcrTsv, 'reject'], // a label but a zero-length series
    ['1\t\n', '.tsv', loadUcrTsv, 'reject'],
    ['1\t5\n', '.tsv', loadUcrTsv, 'ok'],
    ['@problemName p\n@classLabel true 1\n@data\n:1\n', '.ts', loadUcrTs, 'reject'],
    ['@problemName p\n@data\n\n', '.ts', loadUcrTs, 'reject'],
    ['@relation r\n@attribute class {a}\n@data\na\n', '.arff', loadArff, 'reject'],
  ];
  for (const [text, ext, load, expect] of cases) {
    const p = put(text, ext);
    const before = out.ok;
    await expectLoadsOrRejects(out, `${ext} ${JSON.stringify(text)}`, () => load(p));
    assert.equal(out.ok > before ? 'ok' : 'reject', expect, `${ext} ${JSON.stringify(text)}`);
  }
  totalTried += cases.length;
  summary.push(describeOutcome('edge', cases.length, out));
});

