/**
 * Memory stays flat: after warm-up, the number of live tensors is identical at every
 * training step and after every `encode` call, for every method, and process RSS grows by
 * less than a loose bound over the measured window.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { tf } from '../../src/engine/tf.js';
import { createModel } from '../../src/methods/model.js';
import { setUpBackend } from '../helpers.js';
import { METHODS, syntheticDataset, tinyOptions } from './models.js';

before(setUpBackend);
const MB = 2 ** 20;
const RSS_BOUND = 50 * MB;
// A full GC before each RSS reading, so that the bound measures live memory and not how far
// the collector happens to lag behind (garbage from a step is ~10 MB; a bound on un-collected
// garbage made this test flaky).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const rssNow = (): number => { gc(); return process.memoryUsage().rss; };

for (const method of METHODS) {
  test(`${method}: live tensors constant across training steps and repeated encode calls; RSS bounded`, async () => {
    const ds = syntheticDataset(12, 32);
    const before0 = tf.memory().numTensors;
    const iters = 16, warm = 4;
    const model = createModel(method, ds.channels, tinyOptions(method, iters));
    const tensors: number[] = [], rss: number[] = [];
    await model.fit(ds, { onProgress: () => { tensors.push(tf.memory().numTensors); rss.push(rssNow()); } });
    assert.equal(tensors.length, iters);
    const measured = tensors.slice(warm);
    assert.ok(measured.every((t) => t === measured[0]), `tensor count per step after warm-up: ${measured.join(',')}`);
    // RSS from the middle of the run: the wasm heap grows during the first steps and never shrinks
    const mid = iters / 2;
    const growth = rss[rss.length - 1]! - rss[mid]!;
    assert.ok(growth < RSS_BOUND, `RSS grew ${(growth / MB).toFixed(1)} MB over ${iters - mid} steps (all: ${rss.map((r) => (r / MB).toFixed(0)).join(',')})`);
    await model.encode(ds); // warm-up
    const t0 = tf.memory().numTensors, r0 = rssNow();
    for (let k = 0; k < 6; k++) {
      const rep = await model.encode(ds);
      assert.equal(rep.shape[0], ds.n);
      assert.equal(tf.memory().numTensors, t0, `encode call ${k} left tensors alive`);
    }
    const encGrowth = rssNow() - r0;
    assert.ok(encGrowth < RSS_BOUND, `RSS grew ${(encGrowth / MB).toFixed(1)} MB over 6 encode calls`);
    console.log(`[reliability] memory ${method}: ${measured[0]} live tensors at every step after warm-up; RSS ${(rss[mid]! / MB).toFixed(0)} → ${(rss[rss.length - 1]! / MB).toFixed(0)} MB over steps ${mid + 1}–${iters} (${(rss[0]! / MB).toFixed(0)} MB after step 1), ${(encGrowth / MB).toFixed(1)} MB over 6 encodes`);
    model.dispose();
    assert.equal(tf.memory().numTensors, before0, 'dispose frees every tensor of the model');
  });
}
