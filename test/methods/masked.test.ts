import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createBackbone } from '../../src/backbones/backbone.js';
import { TransformerBackbone } from '../../src/backbones/transformer.js';
import { fromArrays } from '../../src/data/dataset.js';
import { Rng } from '../../src/engine/random.js';
import { tf, type Tensor2D, type Tensor3D } from '../../src/engine/tf.js';
import { gatherVisible, maskedMse, maskSegments, restoreOrder } from '../../src/methods/masked/masking.js';
import { MaskedModel, maskedConfig } from '../../src/methods/masked/model.js';
import { createModel, loadModel } from '../../src/methods/model.js';
import { maxAbsDiff, setUpBackend } from '../helpers.js';

before(setUpBackend);

const small = { patchLen: 4, dModel: 16, layers: 1, heads: 2, ff: 32, dropout: 0, decoderDim: 8, decoderHeads: 2, contextLength: 32, batchSize: 8, iters: 30, lr: 3e-3 };

function sines(n: number, T: number, C: number, seed = 0): ReturnType<typeof fromArrays> {
  const rng = new Rng(seed);
  const series = Array.from({ length: n }, () => {
    const ph = rng.uniform(0, 6), f = rng.uniform(0.15, 0.35);
    return Array.from({ length: T }, (_, t) => Array.from({ length: C }, (_, c) => Math.sin(f * t + ph + c)));
  });
  return fromArrays(series);
}

test('maskSegments: exact ratio per row, visible sorted, at least one visible', () => {
  const m = maskSegments(new Rng(0), 50, 20, 0.75);
  assert.equal(m.nVisible, 5);
  for (let r = 0; r < 50; r++) {
    const row = m.masked.subarray(r * 20, (r + 1) * 20);
    assert.equal(row.reduce((a, b) => a + b, 0), 15);
    const vis = [...m.visible.subarray(r * 5, (r + 1) * 5)];
    assert.deepEqual(vis, [...vis].sort((a, b) => a - b));
    for (const v of vis) assert.equal(row[v], 0);
  }
  // different rows get different masks, and the mask is reproducible from the seed
  assert.notDeepEqual([...m.masked.subarray(0, 20)], [...m.masked.subarray(20, 40)]);
  assert.deepEqual(maskSegments(new Rng(0), 50, 20, 0.75).masked, m.masked);
  assert.equal(maskSegments(new Rng(1), 1, 3, 0.99).nVisible, 1);
});

test('restoreOrder puts visible tokens back at their positions and the mask token elsewhere', () => {
  const m = maskSegments(new Rng(5), 3, 6, 0.5);
  const vis = tf.tensor3d(Float32Array.from({ length: 3 * m.nVisible * 2 }, (_, i) => 100 + i), [3, m.nVisible, 2]);
  const tok = tf.tensor1d([-1, -2]);
  const out = restoreOrder(vis, tok, m).arraySync();
  const vv = vis.arraySync();
  for (let r = 0; r < 3; r++) {
    let j = 0;
    for (let p = 0; p < 6; p++) {
      if (m.masked[r * 6 + p]) assert.deepEqual(out[r]![p], [-1, -2]);
      else assert.deepEqual(out[r]![p], vv[r]![j++]);
    }
  }
  tf.dispose([vis, tok]);
});

test('the encoder never sees masked segments: changing masked values leaves its output unchanged', () => {
  const model = new MaskedModel(maskedConfig(2, small));
  const rng = new Rng(7);
  const xv = rng.normalArray(2 * 32 * 2);
  const x = tf.tensor3d(xv, [2, 32, 2]);
  const p1 = model.backbone.patchify(x);
  const mask = maskSegments(new Rng(3), p1.patches.shape[0], p1.nPatches, 0.75);
  const enc1 = model.encodeVisible(p1.patches, mask, false);
  // overwrite every masked patch with garbage
  const pv = p1.patches.arraySync();
  for (let r = 0; r < mask.rows; r++) for (let p = 0; p < mask.nPatches; p++) if (mask.masked[r * mask.nPatches + p]) pv[r]![p] = pv[r]![p]!.map(() => 1e3);
  const p2 = tf.tensor3d(pv);
  const enc2 = model.encodeVisible(p2, mask, false);
  assert.equal(maxAbsDiff(enc1, enc2), 0);
  assert.deepEqual(enc1.shape, [4, 2, 16]);
  // and changing a visible patch does change it
  const vIdx = mask.visible[0]!;
  pv[0]![vIdx] = pv[0]![vIdx]!.map(() => 5);
  const enc3 = model.encodeVisible(tf.tensor3d(pv), mask, false);
  assert.ok(maxAbsDiff(enc1, enc3) > 1e-4);
  const g = gatherVisible(p1.patches, mask);
  assert.deepEqual(g.shape, [4, mask.nVisible, 4]);
  tf.dispose([x, p1.patches, p2, enc1, enc2, enc3, g]);
  model.dispose();
});

test('maskedMse ignores reconstructions at visible positions', () => {
  const rng = new Rng(9);
  const target = tf.tensor3d(rng.normalArray(2 * 4 * 3), [2, 4, 3]);
  const recon = tf.tensor3d(rng.normalArray(2 * 4 * 3), [2, 4, 3]);
  const maskArr = [[1, 0, 1, 0], [0, 0, 1, 1]];
  const m = tf.tensor2d(maskArr) as Tensor2D;
  const l1 = maskedMse(recon, target, m).dataSync()[0]!;
  const rv = recon.arraySync();
  for (let r = 0; r < 2; r++) for (let p = 0; p < 4; p++) if (!maskArr[r]![p]) rv[r]![p] = [99, -99, 42];
  const l2 = maskedMse(tf.tensor3d(rv), target, m).dataSync()[0]!;
  assert.ok(Math.abs(l1 - l2) < 1e-6);
  rv[0]![0] = [99, 99, 99];
  assert.ok(maskedMse(tf.tensor3d(rv), target, m).dataSync()[0]! > l1 + 1);
  tf.dispose([target, recon, m]);
});

test('transformer backbone: registered, any length (T not a multiple of the patch), per-timestamp tokens, masks', () => {
  const bb = createBackbone({ kind: 'transformer', inputDims: 3, outputDims: 0, patchLen: 4, dModel: 8, layers: 1, heads: 2, ff: 16, dropout: 0 }, new Rng(0)) as TransformerBackbone;
  assert.equal(bb.outputDims, 24);
  const x = tf.tensor3d(new Rng(1).normalArray(2 * 10 * 3), [2, 10, 3]);
  const y = bb.forward(x, { training: false });
  assert.deepEqual(y.shape, [2, 10, 24]);
  const yv = y.arraySync();
  // end-aligned patches: steps 2..5 share a token, 6..9 share one, 0..1 (left-padded patch) share one
  assert.deepEqual(yv[0]![2], yv[0]![5]);
  assert.deepEqual(yv[0]![6], yv[0]![9]);
  assert.notDeepEqual(yv[0]![5], yv[0]![6]);
  const longer = bb.forward(tf.tensor3d(new Rng(2).normalArray(1 * 61 * 3), [1, 61, 3]), { training: false });
  assert.deepEqual(longer.shape, [1, 61, 24]);
  const m = tf.tensor2d([Array(10).fill(1), [...Array(5).fill(1), ...Array(5).fill(0)]]) as Tensor2D;
  const yz = bb.forward(x, { training: false, timestampMask: m, maskFill: 'zero' });
  const yt = bb.forward(x, { training: false, timestampMask: m, maskFill: 'token' });
  assert.ok(maxAbsDiff(tf.slice(yz, [0, 0, 0], [1, 10, 24]), tf.slice(y, [0, 0, 0], [1, 10, 24])) < 1e-6);
  assert.ok(maxAbsDiff(tf.slice(yz, [1, 6, 0], [1, 4, 24]), tf.slice(yt, [1, 6, 0], [1, 4, 24])) > 1e-6);
  const mix = createBackbone({ kind: 'transformer', inputDims: 3, outputDims: 0, patchLen: 4, dModel: 8, layers: 1, heads: 2, ff: 16, channelMode: 'mixing' }, new Rng(0));
  assert.equal(mix.outputDims, 8);
  assert.deepEqual(mix.forward(x as Tensor3D, { training: false }).shape, [2, 10, 8]);
  assert.throws(() => createBackbone({ kind: 'transformer', inputDims: 3, outputDims: 0, dModel: 10, heads: 3 }, new Rng(0)), /divisible/);
});

test('masked model: loss decreases, encode without masking, save/load exact, memory flat', async () => {
  const ds = sines(12, 64, 2);
  const model = createModel('masked', 2, { ...small, seed: 1 }) as MaskedModel;
  const before = tf.memory().numTensors;
  const res = await model.fit(ds, { lossEvery: 1 }); // every loss read back (a GPU backend reads every 10th by default)
  assert.equal(tf.memory().numTensors, before);
  const first = res.losses.slice(0, 5).reduce((a, b) => a + b, 0) / 5;
  const last = res.losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
  assert.ok(last < first * 0.8, `loss ${first} → ${last}`);
  const full = await model.encode(ds);
  assert.deepEqual(full.shape, [12, 32]);
  const ts = await model.encode(sines(2, 50, 2, 3), { pooling: 'timestamp' });
  assert.deepEqual(ts.shape, [2, 50, 32]);
  assert.ok(ts.data.every(Number.isFinite));
  const sl = await model.encode(sines(1, 30, 2, 4), { pooling: 'timestamp', slidingLength: 1, slidingPadding: 15, causal: true });
  assert.deepEqual(sl.shape, [1, 30, 32]);
  const dir = mkdtempSync(join(tmpdir(), 'masked-'));
  try {
    await model.save(dir);
    const loaded = await loadModel(dir);
    assert.equal(loaded.method, 'masked');
    const again = await loaded.encode(ds);
    assert.equal(maxAbsDiff(again.data, full.data), 0);
    loaded.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  model.dispose();
  assert.throws(() => createModel('masked', 2, { maskRatio: 1.5 }), /maskRatio/);
  assert.throws(() => createModel('masked', 2, { bogus: 1 }), /unknown option/);
});
