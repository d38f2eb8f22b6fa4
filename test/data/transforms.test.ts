import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyScaler, chronologicalSplit, crop, fitScaler, fromArrays, invertScaler, padLength, selectChannels, slidingWindows, timeFeatures,
} from '../../src/data/index.js';

const ds = fromArrays([[[1, 10], [2, NaN], [3, 30], [4, 40]], [[5, 50], [6, 60]]], { channelNames: ['a', 'b'], labels: Int32Array.from([0, 1]) });

test('fitScaler is NaN-aware per channel; apply/invert round-trip; std 0 → 1', () => {
  const st = fitScaler(ds);
  assert.deepEqual(Array.from(st.mean), [3.5, 38]);
  const z = applyScaler(ds, st);
  assert.ok(Math.abs(z.values[0]! - (1 - 3.5) / st.std[0]!) < 1e-6);
  assert.ok(Number.isNaN(z.values[3]!));
  const back = invertScaler(z, st);
  for (let i = 0; i < ds.values.length; i++) {
    if (ds.mask[i]) assert.ok(Math.abs(back.values[i]! - ds.values[i]!) < 1e-4);
  }
  const flat = invertScaler(Float32Array.from([0, 0]), st);
  assert.deepEqual(Array.from(flat), [3.5, 38]);
  const constant = fitScaler(fromArrays([[2, 2, 2]]));
  assert.deepEqual(Array.from(constant.std), [1]);
});

test('per-series scaler', () => {
  const st = fitScaler(ds, { mode: 'series' });
  assert.equal(st.mean.length, 4);
  assert.deepEqual(Array.from(st.mean), [2.5, 80 / 3, 5.5, 55]);
  assert.throws(() => applyScaler(fromArrays([[[1, 2]]]), st), /series/);
});

test('crop, padLength, selectChannels', () => {
  const c = crop(ds, 1, 3);
  assert.deepEqual([c.length, ...c.lengths], [2, 2, 1]);
  assert.deepEqual(Array.from(c.values.subarray(0, 4)), [2, NaN, 3, 30]);
  const p = padLength(c, 5);
  assert.equal(p.length, 5);
  assert.equal(p.mask[9], 0);
  const s = selectChannels(ds, ['b']);
  assert.deepEqual([s.channels, s.values[2]], [1, 30]);
  assert.throws(() => selectChannels(ds, ['zz']), /zz/);
});

test('slidingWindows stays within each series and keeps labels', () => {
  const w = slidingWindows(ds, 2, 1);
  assert.equal(w.n, 4); // 3 from series 0, 1 from series 1
  assert.deepEqual(w.seriesIds, ['0@0', '0@1', '0@2', '1@0']);
  assert.deepEqual(Array.from(w.labels!), [0, 0, 0, 1]);
  assert.deepEqual(Array.from(w.values.subarray(12, 16)), [5, 50, 6, 60]);
  assert.throws(() => slidingWindows(ds, 9), /at least 9/);
});

test('chronologicalSplit by fractions (Autoformer rounding) and by counts', () => {
  const long = fromArrays([Array.from({ length: 10 }, (_, i) => i)]);
  const f = chronologicalSplit(long, { train: 0.7, val: 0.1, test: 0.2 });
  assert.deepEqual(f.borders, { train: [0, 7], val: [7, 8], test: [8, 10] });
  assert.deepEqual(Array.from(f.test.values), [8, 9]);
  const c = chronologicalSplit(long, { train: 5, val: 2, test: 3 });
  assert.deepEqual(c.borders, { train: [0, 5], val: [5, 7], test: [7, 10] });
  assert.throws(() => chronologicalSplit(long, { train: 8, val: 2, test: 3 }), /does not fit/);
});

test('timeFeatures matches pandas (minute, hour, dayofweek, day, dayofyear, month, ISO week)', () => {
  const f = timeFeatures([Date.UTC(2016, 6, 1, 13, 45), Date.UTC(2021, 0, 1), Date.UTC(2018, 11, 31), NaN]);
  assert.deepEqual(Array.from(f.subarray(0, 7)), [45, 13, 4, 1, 183, 7, 26]);
  assert.deepEqual(Array.from(f.subarray(7, 14)), [0, 0, 4, 1, 1, 1, 53]); // 2021-01-01 is ISO week 53 of 2020
  assert.deepEqual(Array.from(f.subarray(14, 21)), [0, 0, 0, 31, 365, 12, 1]); // 2018-12-31 is ISO week 1 of 2019
  assert.ok(Number.isNaN(f[21]!));
});
