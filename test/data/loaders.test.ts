import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  loadArff, loadBeijingAirQuality, loadBeijingMultiSite, loadClassificationPair, loadCsv, loadEtt, loadForecastCsv, loadNab, loadPhysionet2012,
  loadUcrTs, loadUcrTsv, PHYSIONET2012_VARIABLES, standardSplit, valueAt,
} from '../../src/data/index.js';
import { BUNDLED, HAVE_RAW, RAW, tmpDir, tmpFile } from './helpers.js';

const B = (p: string) => join(BUNDLED, p);

test('GunPoint .ts pair (bundled): shapes, labels 0..1 in sorted order', async () => {
  const p = await loadClassificationPair(B('classification/GunPoint/GunPoint_TRAIN.ts'), B('classification/GunPoint/GunPoint_TEST.ts'));
  assert.deepEqual([p.train.n, p.train.length, p.train.channels], [50, 150, 1]);
  assert.deepEqual([p.test.n, p.test.length], [150, 150]);
  assert.deepEqual(p.classNames, ['1', '2']);
  assert.equal(valueAt(p.train, 0, 0, 0), Math.fround(-0.6478854));
  assert.ok(p.train.mask.every((m) => m === 1));
  assert.deepEqual(new Set(p.test.labels), new Set([0, 1]));
});

test('BasicMotions .ts (bundled, multivariate): 6 channels, string labels sorted', async () => {
  const p = await loadClassificationPair(B('classification/BasicMotions/BasicMotions_TRAIN.ts'), B('classification/BasicMotions/BasicMotions_TEST.ts'));
  assert.deepEqual([p.train.n, p.train.length, p.train.channels], [40, 100, 6]);
  assert.deepEqual(p.classNames, ['Badminton', 'Running', 'Standing', 'Walking']);
  assert.equal(valueAt(p.train, 0, 0, 0), Math.fround(0.079106));
});

test('ItalyPowerDemand .ts (bundled)', async () => {
  const ds = await loadUcrTs(B('classification/ItalyPowerDemand/ItalyPowerDemand_TEST.ts'));
  assert.deepEqual([ds.n, ds.length, ds.channels], [1029, 24, 1]);
});

test('.ts: missing values, unequal length, case-insensitive header, numeric label sort, regression targets, gzip', async () => {
  const ts = tmpFile('u.ts.gz', '# c\n@PROBLEMNAME u\n@missing true\n@univariate true\n@equallength false\n@classlabel true 10 9 2\n@data\n1,?,3:10\n4,5:2\n6:9\n');
  const ds = await loadUcrTs(ts);
  assert.deepEqual([ds.n, ds.length], [3, 3]);
  assert.deepEqual(Array.from(ds.lengths), [3, 2, 1]);
  assert.deepEqual(ds.classNames, ['2', '9', '10']);
  assert.deepEqual(Array.from(ds.labels!), [2, 0, 1]);
  assert.ok(Number.isNaN(valueAt(ds, 0, 1, 0)));
  assert.deepEqual(Array.from(ds.mask.subarray(0, 9)), [1, 0, 1, 1, 1, 0, 1, 0, 0]);
  const reg = tmpFile('r.ts', '@problemname r\n@univariate true\n@targetlabel true\n@data\n1,2:0.5\n3,4:1.25\n');
  const r = await loadUcrTs(reg);
  assert.ok(r.labels instanceof Float32Array);
  assert.deepEqual(Array.from(r.labels), [0.5, 1.25]);
  assert.equal(r.classNames, undefined);
});

test('.tsv: label in column 0, NaN padding gives shorter lengths', async () => {
  const p = tmpFile('x.tsv', '2\t1\t2\t3\n1\t4\t5\tNaN\n');
  const ds = await loadUcrTsv(p);
  assert.deepEqual(ds.classNames, ['1', '2']);
  assert.deepEqual(Array.from(ds.labels!), [1, 0]);
  assert.deepEqual(Array.from(ds.lengths), [3, 2]);
});

test('ARFF: flat univariate and relational multivariate', async () => {
  const flat = tmpFile('f.arff', '% c\n@relation r\n@attribute t0 numeric\n@attribute t1 numeric\n@attribute class {b,a}\n@data\n1,?,a\n3,4,b\n');
  const f = await loadArff(flat);
  assert.deepEqual([f.n, f.length, f.channels], [2, 2, 1]);
  assert.deepEqual(f.classNames, ['a', 'b']);
  assert.equal(f.mask[1], 0);
  const rel = tmpFile('m.arff', "@relation r\n@attribute rel relational\n@attribute t0 numeric\n@attribute t1 numeric\n@end rel\n@attribute class {0,1}\n@data\n'1,2\\n3,4\\n5,6',1\n'7,8\\n9,10\\n11,12',0\n");
  const m = await loadArff(rel);
  assert.deepEqual([m.n, m.length, m.channels], [2, 2, 3]);
  assert.equal(valueAt(m, 0, 1, 2), 6);
  assert.deepEqual(Array.from(m.labels!), [1, 0]);
});

test('CSV wide: missing tokens, time column, id column with ragged series, dropped text column', async () => {
  const p = tmpFile('w.csv.gz', 'id,date,a,b,kind\ns1,2020-01-01 00:00:00,1,?,x\ns1,2020-01-01 01:00:00,NaN,2,y\ns2,2020-01-01,NA,null,z\ns1,2020-01-01 02:00:00,nan,,x\n');
  const ds = await loadCsv(p, { id: 'id' });
  assert.deepEqual([ds.n, ds.length, ds.channels], [2, 3, 2]);
  assert.deepEqual(ds.seriesIds, ['s1', 's2']);
  assert.deepEqual(Array.from(ds.lengths), [3, 1]);
  assert.deepEqual(ds.channelNames, ['a', 'b']);
  assert.match(ds.notes![0]!, /"kind"/);
  assert.equal(ds.timestamps![1], Date.UTC(2020, 0, 1, 1));
  assert.deepEqual(Array.from(ds.mask), [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('CSV long: id/time/variable/value onto a grid', async () => {
  const p = tmpFile('l.csv', 'id,time,variable,value\nA,2020-01-02,x,2\nA,2020-01-01,x,1\nA,2020-01-01,y,10\nB,2020-01-01,y,5\n');
  const ds = await loadCsv(p, { format: 'long', id: 'id' });
  assert.deepEqual([ds.n, ds.length, ds.channels], [2, 2, 2]);
  assert.deepEqual(ds.channelNames, ['x', 'y']);
  assert.deepEqual(Array.from(ds.values.subarray(0, 4)), [1, 10, 2, NaN]);
  assert.deepEqual(Array.from(ds.lengths), [2, 1]);
});

test('ETTh1 (bundled): 17420 × 7, OT target, 8640/2880/2880 split; features S', async () => {
  const ds = await loadEtt(B('forecasting/ETT/ETTh1.csv'));
  assert.deepEqual([ds.n, ds.length, ds.channels], [1, 17420, 7]);
  assert.equal(ds.target, 'OT');
  assert.equal(ds.targetIndex, 6);
  assert.deepEqual(ds.split, { train: [0, 8640], val: [8640, 11520], test: [11520, 14400] });
  assert.equal(ds.timestamps![0], Date.UTC(2016, 6, 1));
  const s = await loadForecastCsv(tmpFile('f.csv', 'date,x,y\n2020-01-01,1,2\n2020-01-02,3,4\n'), { features: 'S', target: 'x' });
  assert.deepEqual([s.channels, s.targetIndex, s.channelNames[0]], [1, 0, 'x']);
  assert.deepEqual(standardSplit(69680, 'ETTm1.csv').test, [46080, 57600]);
  assert.deepEqual(standardSplit(7588, 'exchange_rate.csv'), { train: [0, 5311], val: [5311, 6071], test: [6071, 7588] });
});

test('NAB nyc_taxi (bundled) with label excerpt: 5 windows, point labels', async () => {
  const ds = await loadNab(B('anomaly/NAB/data/realKnownCause/nyc_taxi.csv'), B('anomaly/NAB/labels/combined_windows_excerpt.json'));
  assert.deepEqual([ds.n, ds.length, ds.channels], [1, 10320, 1]);
  assert.equal(ds.windows.length, 5);
  assert.equal(ds.labelKey, 'realKnownCause/nyc_taxi.csv');
  assert.equal(ds.windows[0]![0], Date.UTC(2014, 9, 30, 15, 30));
  const inside = ds.pointLabels.reduce((a, b) => a + b, 0);
  assert.ok(inside > 0 && inside < ds.length);
});

test('PhysioNet 2012 (bundled 50 records): 48 × 35 grid, labels from outcomes, statics', async () => {
  const ds = await loadPhysionet2012(B('imputation/physionet2012/set-a'), { outcomesPath: B('imputation/physionet2012/Outcomes-a.txt'), limit: 10 });
  assert.deepEqual([ds.n, ds.length, ds.channels], [10, 48, 35]);
  assert.deepEqual(ds.channelNames, [...PHYSIONET2012_VARIABLES]);
  assert.equal(ds.seriesIds![0], '132539');
  assert.equal(ds.labels![0], 0);
  assert.equal(ds.statics[0], 54); // Age of 132539
  assert.ok(Number.isNaN(ds.statics[2]!)); // Height -1 → unknown
  // 132539: HR 73 at 00:07 and 77 at 00:37 → mean 75 in hour 0
  assert.equal(ds.values[PHYSIONET2012_VARIABLES.indexOf('HR')], 75);
  const observed = ds.mask.reduce((a, b) => a + b, 0) / ds.mask.length;
  assert.ok(observed > 0.05 && observed < 0.5, `observed fraction ${observed}`);
});

test('PhysioNet: observations at 48:00 land in the last bin, .txt.gz records read', async () => {
  const d = tmpDir();
  const { writeFileSync } = await import('node:fs');
  const { gzipSync } = await import('node:zlib');
  writeFileSync(join(d, '7.txt.gz'), gzipSync('Time,Parameter,Value\n00:00,RecordID,7\n00:00,Weight,80\n48:00,HR,90\n'));
  const ds = await loadPhysionet2012(d);
  assert.equal(ds.values[47 * 35 + PHYSIONET2012_VARIABLES.indexOf('HR')], 90);
  assert.equal(ds.statics[4], 80);
});

test('Beijing Dongsi (bundled): 11 channels, wd/station dropped with a note, NA masked', async () => {
  const ds = await loadBeijingAirQuality(B('imputation/beijing_multisite_air_quality/PRSA_Data_Dongsi_20130301-20170228.csv'));
  assert.deepEqual([ds.n, ds.length, ds.channels], [1, 35064, 11]);
  assert.equal(ds.channelNames[0], 'PM2.5');
  assert.match(ds.notes![0]!, /"wd", "station"/);
  assert.equal(ds.timestamps![1], Date.UTC(2013, 2, 1, 1));
  assert.ok(ds.mask.some((m) => m === 0));
});

test('Beijing multi-site: stations side by side in 24-hour windows over the shortest file', async () => {
  const dir = tmpDir();
  const { writeFileSync } = await import('node:fs');
  const head = '"No","year","month","day","hour","PM2.5","PM10","SO2","NO2","CO","O3","TEMP","PRES","DEWP","RAIN","wd","WSPM","station"\n';
  const rows = (station: string, n: number, base: number) => Array.from({ length: n }, (_, i) =>
    `${i + 1},2013,3,${1 + Math.floor(i / 24)},${i % 24},${base + i},NA,3,17,300,89,-0.5,1024.5,-21.4,0,"N",5.7,"${station}"`).join('\n');
  writeFileSync(join(dir, 'PRSA_Data_B_20130301-20170228.csv'), head + rows('B', 60, 1000));
  writeFileSync(join(dir, 'PRSA_Data_A_20130301-20170228.csv'), head + rows('A', 50, 0));
  writeFileSync(join(dir, 'notes.txt'), 'not a station');
  const ds = await loadBeijingMultiSite(dir);
  assert.deepEqual([ds.n, ds.length, ds.channels], [2, 24, 22]); // floor(50 / 24) windows, 2 × 11 channels
  assert.deepEqual([ds.channelNames[0], ds.channelNames[11]], ['A:PM2.5', 'B:PM2.5']);
  const at = (w: number, t: number, c: number) => ds.values[(w * 24 + t) * 22 + c];
  assert.deepEqual([at(1, 3, 0), at(1, 3, 11)], [27, 1027]);
  assert.ok(Number.isNaN(at(0, 0, 1)) && ds.mask[1] === 0, 'NA is missing');
  assert.equal((await loadBeijingMultiSite(dir, { maxWindows: 1 })).n, 1);
  await assert.rejects(loadBeijingMultiSite(dir, { window: 100 }), /fewer than one 100-hour window/);
  await assert.rejects(loadBeijingMultiSite(tmpDir()), /no PRSA_Data_/);
});

test('raw archive: EyesOpenShut ARFF, JapaneseVowels unequal, MelbournePedestrian missing, .tsv = .ts', async (t) => {
  if (!HAVE_RAW) { t.skip(`raw archive not present at ${RAW}`); return; }
  const C = (n: string, s: string, e: string) => join(RAW, 'classification', n, `${n}_${s}.${e}.gz`);
  const eyes = await loadClassificationPair(C('EyesOpenShut', 'TRAIN', 'arff'), C('EyesOpenShut', 'TEST', 'arff'));
  assert.deepEqual([eyes.train.n, eyes.train.length, eyes.train.channels, eyes.test.n], [56, 128, 14, 42]);
  const jv = await loadUcrTs(C('JapaneseVowels', 'TRAIN', 'ts'));
  assert.deepEqual([jv.n, jv.channels, Math.min(...jv.lengths), Math.max(...jv.lengths)], [270, 12, 7, 26]);
  const mp = await loadUcrTs(C('MelbournePedestrian', 'TEST', 'ts'));
  assert.equal(mp.n, 2439);
  assert.ok(Math.min(...mp.lengths) < 24);
  const a = await loadUcrTs(C('GunPoint', 'TRAIN', 'ts')), b = await loadUcrTsv(C('GunPoint', 'TRAIN', 'tsv'));
  assert.deepEqual(a.values, b.values);
  assert.deepEqual(a.labels, b.labels);
});

test('raw archive: exchange-rate 70/10/20 split, Tecator regression', async (t) => {
  if (!HAVE_RAW) { t.skip(`raw archive not present at ${RAW}`); return; }
  const ex = await loadForecastCsv(join(RAW, 'forecasting/exchange_rate/exchange_rate.csv.gz'));
  assert.deepEqual(ex.split, { train: [0, 5311], val: [5311, 6071], test: [6071, 7588] });
  const tec = await loadUcrTs(join(RAW, 'regression/Tecator/Tecator_TRAIN.ts.gz'));
  assert.ok(tec.labels instanceof Float32Array);
});
