import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { initBackend, requestedBackend } from '../../src/engine/backend.js';
import { Adam, optimizerStep } from '../../src/engine/optim.js';
import { Rng } from '../../src/engine/random.js';
import { tf } from '../../src/engine/tf.js';
import { loadModelDir, saveModelDir } from '../../src/engine/weights.js';
import { TsreprError } from '../../src/errors.js';
import { setUpBackend } from '../helpers.js';

before(setUpBackend);

test('Rng is deterministic, forks independently, and restores its state', () => {
  const a = new Rng(42), b = new Rng(42);
  const xs = Array.from({ length: 5 }, () => a.random());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.random()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => new Rng(43).random()));
  const st = a.getState();
  const next = a.int(0, 1000);
  a.setState(st);
  assert.equal(a.int(0, 1000), next);
  const r = new Rng(7);
  for (let i = 0; i < 1000; i++) { const v = r.int(3, 9); assert.ok(v >= 3 && v < 9); }
  const n = new Rng(1).normalArray(20000);
  const mean = n.reduce((s, v) => s + v, 0) / n.length;
  const sd = Math.sqrt(n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length);
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(sd - 1) < 0.03);
});

test('backend names are validated with a clear error', async () => {
  assert.throws(() => requestedBackend('tpu'), (e: unknown) => e instanceof TsreprError && e.code === 'BACKEND_UNAVAILABLE' && /unknown backend 'tpu'/.test(e.message));
  assert.equal(requestedBackend('node-gpu'), 'tensorflow-gpu');
  // Forcing an optional backend that is not installed fails cleanly (tfjs-node is never installed here).
  await assert.rejects(initBackend('tensorflow'), (e: unknown) => e instanceof TsreprError && /tensorflow' is unavailable/.test(e.message));
});

test('model directories round-trip and refuse corrupt or truncated files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrepr-w-'));
  try {
    const tensors = new Map<string, tf.Tensor>([['a.w', tf.tensor2d([[1, 2], [3, 4]])], ['b', tf.tensor1d([7], 'int32')]]);
    await saveModelDir(join(dir, 'm'), { method: 'x', config: { hidden: 3 }, tensors, extraJson: { 'extra.json': { k: 1 } } });
    const back = await loadModelDir(join(dir, 'm'));
    assert.deepEqual(back.config, { hidden: 3 });
    assert.deepEqual(Array.from(back.tensors.get('a.w')!.dataSync()), [1, 2, 3, 4]);
    assert.equal(back.tensors.get('b')!.dtype, 'int32');
    assert.deepEqual(back.extraJson['extra.json'], { k: 1 });
    // Overwriting an existing directory works (atomic swap).
    await saveModelDir(join(dir, 'm'), { method: 'x', config: { hidden: 4 }, tensors });
    assert.deepEqual((await loadModelDir(join(dir, 'm'))).config, { hidden: 4 });
    // Truncate weights.bin → refused.
    const wb = join(dir, 'm', 'weights.bin');
    writeFileSync(wb, readFileSync(wb).subarray(0, 5));
    await assert.rejects(loadModelDir(join(dir, 'm')), (e: unknown) => e instanceof TsreprError && e.code === 'BAD_MODEL' && /truncated/.test(e.message));
    // Flip a byte → checksum error.
    await saveModelDir(join(dir, 'm'), { method: 'x', config: {}, tensors });
    const buf = readFileSync(wb); buf[0] = buf[0]! ^ 0xff; writeFileSync(wb, buf);
    await assert.rejects(loadModelDir(join(dir, 'm')), /checksum/);
    await assert.rejects(loadModelDir(join(dir, 'nope')), /no manifest\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Adam minimises a quadratic; optimizerStep stops on NaN loss, or skips it', async () => {
  const w = tf.variable(tf.tensor1d([3, -2]));
  const params = new Map([['w', w]]);
  const opt = new Adam(params, { lr: 0.1 });
  for (let i = 0; i < 200; i++) await optimizerStep(opt, params, () => tf.sum(tf.square(w)) as tf.Scalar);
  assert.ok(Math.max(...Array.from(w.dataSync()).map(Math.abs)) < 0.05);
  await assert.rejects(optimizerStep(opt, params, () => tf.mul(tf.sum(w), NaN) as tf.Scalar, { stepLabel: 201 }),
    (e: unknown) => e instanceof TsreprError && e.code === 'DIVERGED' && /step 201/.test(e.message) && /learning rate/.test(e.message));
  const before = Array.from(w.dataSync());
  const r = await optimizerStep(opt, params, () => tf.mul(tf.sum(w), NaN) as tf.Scalar, { onNonFinite: 'skip' });
  assert.equal(r.skipped, true);
  assert.deepEqual(Array.from(w.dataSync()), before);
  opt.dispose(); w.dispose();
});

test('creating and disposing an Adam optimiser leaves no tensors behind', () => {
  const w = tf.variable(tf.zeros([3, 4]));
  const before = tf.memory().numTensors;
  const opt = new Adam(new Map([['w', w]]), { lr: 0.1 });
  assert.equal(tf.memory().numTensors, before + 2); // m and v
  opt.dispose();
  assert.equal(tf.memory().numTensors, before);
  w.dispose();
});
