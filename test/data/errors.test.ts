import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadArff, loadArrow, loadClassificationPair, loadCsv, loadNab, loadParquet, loadPhysionet2012, loadUcrTs, loadUcrTsv, readText } from '../../src/data/index.js';
import { rejectsWith, tmpDir, tmpFile } from './helpers.js';

const TS_HEADER = '@problemName X\n@timeStamps false\n@missing true\n@univariate true\n@equalLength false\n@classLabel true a b\n@data\n';

test('missing file → IO naming the file', async () => {
  const p = join(tmpDir(), 'nope.csv');
  const err = await rejectsWith(() => loadCsv(p), 'IO', { file: p });
  assert.match(err.message, /not found/);
});

test('empty file and header-only CSV → EMPTY_INPUT', async () => {
  const empty = tmpFile('empty.csv', '');
  await rejectsWith(() => loadCsv(empty), 'EMPTY_INPUT', { file: empty });
  await rejectsWith(() => readText(tmpFile('blank.ts', '  \n\n')), 'EMPTY_INPUT');
  const headerOnly = tmpFile('header.csv', 'a,b\n');
  await rejectsWith(() => loadCsv(headerOnly), 'EMPTY_INPUT', { file: headerOnly });
  const emptyGz = tmpFile('empty.csv.gz', '');
  await rejectsWith(() => loadCsv(emptyGz), 'EMPTY_INPUT', { file: emptyGz });
});

test('corrupt .gz → IO', async () => {
  const p = tmpFile('bad.csv', 'x');
  const gz = p.replace(/\.csv$/, '.bad.csv.gz');
  await import('node:fs').then((fs) => fs.copyFileSync(p, gz));
  await rejectsWith(() => loadCsv(gz), 'IO', { file: gz });
});

test('no numeric columns → BAD_INPUT listing the columns', async () => {
  const p = tmpFile('text.csv', 'name,city\nann,paris\nbob,rome\n');
  const err = await rejectsWith(() => loadCsv(p), 'BAD_INPUT', { file: p });
  assert.match(err.message, /no numeric columns.*"name", "city"/);
});

test('absent named column → MISSING_COLUMN listing available columns', async () => {
  const p = tmpFile('cols.csv', 'date,a,b\n2020-01-01,1,2\n');
  const err = await rejectsWith(() => loadCsv(p, { columns: ['a', 'zz'] }), 'MISSING_COLUMN', { file: p, column: 'zz' });
  assert.match(err.message, /available columns: "date", "a", "b"/);
  await rejectsWith(() => loadCsv(p, { time: 'when' }), 'MISSING_COLUMN', { file: p, column: 'when' });
  await rejectsWith(() => loadCsv(p, { format: 'long', variable: 'v', value: 'a' }), 'MISSING_COLUMN', { file: p, column: 'v' });
});

test('ragged CSV row → RAGGED naming the line', async () => {
  const p = tmpFile('ragged.csv', 'a,b\n1,2\n3\n');
  await rejectsWith(() => loadCsv(p), 'RAGGED', { file: p, row: 3 });
});

test('@equalLength true contradicted → RAGGED naming the line', async () => {
  const p = tmpFile('eq.ts', TS_HEADER.replace('@equalLength false', '@equalLength true') + '1,2,3:a\n1,2:b\n');
  await rejectsWith(() => loadUcrTs(p), 'RAGGED', { file: p, row: 9 });
  const q = tmpFile('sl.ts', TS_HEADER.replace('@equalLength false', '@equalLength true\n@seriesLength 3') + '1,2,3:a\n1,2,3,4:b\n');
  await rejectsWith(() => loadUcrTs(q), 'RAGGED', { file: q, row: 10 });
});

test('Inf → NON_FINITE naming row and column (CSV, .ts, ARFF)', async () => {
  const p = tmpFile('inf.csv', 'date,a,b\n2020-01-01,1,2\n2020-01-02,3,-Inf\n');
  await rejectsWith(() => loadCsv(p), 'NON_FINITE', { file: p, row: 3, column: 'b' });
  const t = tmpFile('inf.ts', TS_HEADER + '1,2:a\n1,inf:b\n');
  await rejectsWith(() => loadUcrTs(t), 'NON_FINITE', { file: t, row: 9, column: 'dim 0, value 2' });
  const a = tmpFile('inf.arff', '@relation r\n@attribute t0 numeric\n@attribute t1 numeric\n@attribute class {x,y}\n@data\n1,2,x\n1,Infinity,y\n');
  await rejectsWith(() => loadArff(a), 'NON_FINITE', { file: a, row: 7, column: 't1' });
});

test('non-numeric cell → NON_NUMERIC naming row and column', async () => {
  const p = tmpFile('nn.csv', 'a,b\n1,2\n3,4\n5,oops\n7,8\n');
  const err = await rejectsWith(() => loadCsv(p), 'NON_NUMERIC', { file: p, row: 4, column: 'b' });
  assert.match(err.message, /"oops"/);
  // a quoted field spanning two lines shifts later line numbers
  const q = tmpFile('nnq.csv', 'a,note\n1,"two\nlines"\n2,x\n');
  await rejectsWith(() => loadCsv(q, { columns: ['a', 'note'] }), 'NON_NUMERIC', { file: q, row: 2, column: 'note' });
  const t = tmpFile('nn.tsv', '1\t0.5\t0.25\n2\t0.1\tabc\n');
  await rejectsWith(() => loadUcrTsv(t), 'NON_NUMERIC', { file: t, row: 2, column: 3 });
  const l = tmpFile('long.csv', 'id,time,variable,value\ns1,2020-01-01,x,1\ns1,2020-01-01,y,bad\n');
  await rejectsWith(() => loadCsv(l, { format: 'long', id: 'id' }), 'NON_NUMERIC', { file: l, row: 3, column: 'value' });
});

test('labels missing in a labelled format → MISSING_LABELS', async () => {
  const t = tmpFile('nolab.ts', TS_HEADER + '1,2,3:a\n4,5,6\n');
  await rejectsWith(() => loadUcrTs(t), 'MISSING_LABELS', { file: t, row: 9, column: 'label' });
  const m = tmpFile('nolab_mv.ts', TS_HEADER.replace('@univariate true', '@univariate false\n@dimensions 2') + '1,2:3,4:a\n1,2:3,4\n');
  await rejectsWith(() => loadUcrTs(m), 'MISSING_LABELS', { file: m, row: 10 });
  const a = tmpFile('nolab.arff', "@relation r\n@attribute rel relational\n@attribute t0 numeric\n@end rel\n@attribute class {0,1}\n@data\n'1,2\\n3,4',0\n'1,2\\n3,4',?\n");
  await rejectsWith(() => loadArff(a), 'MISSING_LABELS', { file: a, row: 8, column: 'class' });
  const c = tmpFile('lab.csv', 'id,label,v\ns1,x,1\ns2,,2\n');
  await rejectsWith(() => loadCsv(c, { id: 'id', label: 'label' }), 'MISSING_LABELS', { file: c, row: 3, column: 'label' });
  const tsv = tmpFile('nolab.tsv', '1\t0.5\n\t0.1\n');
  await rejectsWith(() => loadUcrTsv(tsv), 'MISSING_LABELS', { file: tsv, row: 2 });
});

test('test set with an unseen label → BAD_INPUT naming the test file', async () => {
  const tr = tmpFile('p_TRAIN.ts', TS_HEADER.replace('a b', 'a b c') + '1,2:a\n1,2:b\n');
  const te = tmpFile('p_TEST.ts', TS_HEADER.replace('a b', 'a b c') + '1,2:c\n');
  const err = await rejectsWith(() => loadClassificationPair(tr, te), 'BAD_INPUT', { file: te });
  assert.match(err.message, /"c"/);
});

test('NAB labels without an entry for the file → MISSING_LABELS', async () => {
  const csv = tmpFile('art_x.csv', 'timestamp,value\n2014-04-01 00:00:00,1\n');
  const labels = tmpFile('windows.json', JSON.stringify({ 'realKnownCause/other.csv': [] }));
  await rejectsWith(() => loadNab(csv, labels), 'MISSING_LABELS', { file: labels });
});

test('PhysioNet: bad time → BAD_INPUT with row, missing outcome → MISSING_LABELS', async () => {
  const d = tmpDir();
  const fs = await import('node:fs');
  fs.writeFileSync(join(d, '1.txt'), 'Time,Parameter,Value\n00:00,RecordID,1\n0x:10,HR,80\n');
  await rejectsWith(() => loadPhysionet2012(d), 'BAD_INPUT', { file: join(d, '1.txt'), row: 3, column: 'Time' });
  fs.writeFileSync(join(d, '1.txt'), 'Time,Parameter,Value\n00:00,RecordID,1\n00:10,HR,80\n');
  const out = tmpFile('Outcomes-x.txt', 'RecordID,In-hospital_death\n2,1\n');
  await rejectsWith(() => loadPhysionet2012(d, { outcomesPath: out }), 'MISSING_LABELS', { file: out });
});

test('bad Arrow and Parquet bytes → BAD_INPUT naming the file', async () => {
  const a = tmpFile('x.arrow', 'not arrow at all');
  await rejectsWith(() => loadArrow(a), 'BAD_INPUT', { file: a });
  const p = tmpFile('x.parquet', 'not parquet at all');
  await rejectsWith(() => loadParquet(p), 'BAD_INPUT', { file: p });
});
