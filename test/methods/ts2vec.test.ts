import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createBackbone } from '../../src/backbones/backbone.js';
import '../../src/backbones/dilated-conv.js';
import { fromArrays, type TimeSeriesDataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/engine/random.js';
import { tf } from '../../src/engine/tf.js';
import { encodeWithBackbone, multiscaleLevels } from '../../src/methods/encode.js';
import { loadModel } from '../../src/methods/model.js';
import { createTS2Vec, ts2vecConfig } from '../../src/methods/ts2vec.js';
import { evaluateClassification } from '../../src/tasks/classification/index.js';
import { setUpBackend } from '../helpers.js';

before(setUpBackend);

const SMALL = { hidden: 8, depth: 2, outputDims: 12 };

/** Two classes: sine of period 8 vs period 24, random phase and noise. */
function twoClasses(n: number, T: number, seed: number): TimeSeriesDataset {
  const rng = new Rng(seed);
  const series: number[][] = [];
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 2, period = k ? 24 : 8, ph = rng.uniform(0, 6.3);
    labels[i] = k;
    series.push(Array.from({ length: T }, (_, t) => Math.sin((2 * Math.PI * t) / period + ph) + 0.1 * rng.normal()));
  }
  return fromArrays(series, { labels, classNames: ['a', 'b'] });
}

describe('TS2Vec', () => {
  it('validates hyper-parameters', () => {
    assert.throws(() => ts2vecConfig(1, { batchSize: 0 }), /batchSize/);
    assert.throws(() => ts2vecConfig(1, { lr: 0 }), /lr/);
    assert.throws(() => ts2vecConfig(1, { depth: 21 }), /depth/);
    assert.throws(() => ts2vecConfig(1, { outputDims: 0 }), /outputDims/);
    assert.throws(() => ts2vecConfig(1, { nope: 1 }), /unknown ts2vec option/);
    assert.equal(ts2vecConfig(1, { lr: '0.01' }).lr, 0.01);
  });

  it('encode shapes for every pooling, sliding and causal modes; mask_last changes outputs', async () => {
    const bb = createBackbone({ kind: 'dilated-conv', inputDims: 2, ...SMALL }, new Rng(0));
    const rng = new Rng(1);
    const N = 3, T = 10, C = 2;
    const values = rng.normalArray(N * T * C);
    values[5] = NaN; // one missing cell
    const x = { values, n: N, length: T, channels: C };
    const before = tf.memory().numTensors;
    const full = await encodeWithBackbone(bb, x, { pooling: 'full', batchSize: 2 });
    assert.deepEqual(full.shape, [N, 12]);
    const ts = await encodeWithBackbone(bb, x, { pooling: 'timestamp', batchSize: 2 });
    assert.deepEqual(ts.shape, [N, T, 12]);
    // 'full' = max over time of 'timestamp'
    for (let d = 0; d < 12; d++) {
      let m = -Infinity;
      for (let t = 0; t < T; t++) m = Math.max(m, ts.data[(1 * T + t) * 12 + d]!);
      assert.ok(Math.abs(m - full.data[12 + d]!) < 1e-6);
    }
    const ms = await encodeWithBackbone(bb, x, { pooling: 'multiscale' });
    assert.deepEqual(ms.shape, [N, T, 12 * multiscaleLevels(T)]);
    const sl = await encodeWithBackbone(bb, x, { slidingLength: 1, slidingPadding: 4, causal: true, batchSize: 7 });
    assert.deepEqual(sl.shape, [N, T, 12]);
    const sl3 = await encodeWithBackbone(bb, x, { slidingLength: 3, slidingPadding: 2, causal: false, pooling: 'full' });
    assert.deepEqual(sl3.shape, [N, 12]);
    // causal sliding at t: the window [t-4, t] encoded on its own gives the same last output
    const t0 = 7, s = 2;
    const win = new Float32Array(5 * C);
    win.set(values.subarray((s * T + t0 - 4) * C, (s * T + t0 + 1) * C));
    const alone = await encodeWithBackbone(bb, { values: win, n: 1, length: 5, channels: C }, {});
    for (let d = 0; d < 12; d++) assert.ok(Math.abs(alone.data[4 * 12 + d]! - sl.data[(s * T + t0) * 12 + d]!) < 1e-5);
    const masked = await encodeWithBackbone(bb, x, { slidingLength: 1, slidingPadding: 4, causal: true, mask: 'mask_last' });
    assert.notDeepEqual(Array.from(masked.data.subarray(0, 12)), Array.from(sl.data.subarray(0, 12)));
    assert.equal(tf.memory().numTensors, before, 'encode leaks no tensors');
    bb.dispose();
  });

  it('a short fit separates two synthetic classes; save/load gives identical encodings', async () => {
    const train = twoClasses(24, 48, 1), test = twoClasses(40, 48, 2);
    const model = createTS2Vec(1, { ...SMALL, iters: 30, seed: 3 });
    await assert.rejects(model.encode(train), /fit/);
    const fit = await model.fit(train);
    assert.equal(fit.iterations, 30);
    assert.ok(fit.losses.every(Number.isFinite));
    const res = await evaluateClassification(model, train, test, { protocol: 'svm' });
    assert.ok(res.accuracy >= 0.85, `accuracy ${res.accuracy}`);
    const dir = mkdtempSync(join(tmpdir(), 'ts2vec-'));
    try {
      await model.save(join(dir, 'm'));
      const loaded = await loadModel(join(dir, 'm'));
      assert.equal(loaded.method, 'ts2vec');
      const a = await model.encode(test, { pooling: 'timestamp' });
      const b = await loaded.encode(test, { pooling: 'timestamp' });
      assert.deepEqual(b.shape, a.shape);
      assert.deepEqual(Array.from(b.data), Array.from(a.data));
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      model.dispose();
    }
  });

  it('memory does not grow with the number of iterations', async () => {
    const train = twoClasses(8, 16, 5);
    const deltas: number[] = [];
    for (const iters of [2, 6]) {
      const m = createTS2Vec(1, { ...SMALL, iters });
      const t0 = tf.memory().numTensors;
      await m.fit(train);
      deltas.push(tf.memory().numTensors - t0); // (a constant: the engine's Adam leaks its zerosLike inits)
      m.dispose();
    }
    assert.equal(deltas[1], deltas[0]);
  });

  it('encode uses the running average of the weights (differs from the last iterate)', async () => {
    const train = twoClasses(8, 16, 4);
    const model = createTS2Vec(1, { ...SMALL, iters: 5, seed: 1 });
    await model.fit(train);
    const avg = await model.encode(train, { pooling: 'full' });
    const last = await encodeWithBackbone(model.net, { values: train.values, n: train.n, length: train.length, channels: 1 }, { pooling: 'full' });
    assert.notDeepEqual(Array.from(avg.data), Array.from(last.data));
    model.dispose();
  });
});
