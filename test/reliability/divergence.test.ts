/**
 * Divergence and absurd hyper-parameters: absurd data (~1e30) or a learning rate of 1e6 stops
 * training with a DIVERGED error naming the step and the likely cause; `onNonFinite: 'skip'`
 * completes and counts the skipped steps; absurd options are BAD_OPTION at construction.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { TsreprError } from '../../src/errors.js';
import { createModel } from '../../src/methods/model.js';
import { tf } from '../../src/engine/tf.js';
import { setUpBackend } from '../helpers.js';
import { METHODS, syntheticDataset, tinyOptions, type MethodName } from './models.js';

before(setUpBackend);

function isDiverged(e: unknown): boolean {
  assert.ok(e instanceof TsreprError, `expected a TsreprError, got ${String(e)}`);
  assert.equal(e.code, 'DIVERGED', e.message);
  assert.match(e.message, /step \d+/, 'names the step');
  assert.match(e.message, /learning rate|normali[sz]e/i, 'names a likely cause');
  return true;
}

// SSGAN z-normalises per channel and masked pretraining per instance (RevIN): absurd scales are legitimate input for them
for (const method of ['ssgan', 'masked'] as const) {
  test(`${method} normalises its input: data ~1e30 trains with finite losses and finite representations`, async () => {
    const absurd = syntheticDataset(8, 32, 1e30);
    const m = createModel(method, absurd.channels, tinyOptions(method, 4));
    const r = await m.fit(absurd);
    assert.equal(r.skippedSteps, 0);
    assert.ok(r.losses.filter((l) => !Number.isNaN(l)).every(Number.isFinite));
    const rep = await m.encode(absurd);
    assert.ok(rep.data.every(Number.isFinite), 'finite representations');
    m.dispose();
  });
}

for (const method of ['ts2vec'] as const) {
  test(`${method}: data ~1e30 stops with DIVERGED naming the step; onNonFinite 'skip' completes and counts skipped steps`, async () => {
    const absurd = syntheticDataset(8, 32, 1e30);
    const tensors = tf.memory().numTensors;
    const m1 = createModel(method, absurd.channels, tinyOptions(method, 4));
    await assert.rejects(m1.fit(absurd), isDiverged);
    m1.dispose();
    const m2 = createModel(method, absurd.channels, tinyOptions(method, 4));
    const r = await m2.fit(absurd, { onNonFinite: 'skip' });
    assert.equal(r.iterations, 4);
    assert.ok(r.skippedSteps > 0, `skippedSteps = ${r.skippedSteps}`);
    m2.dispose();
    assert.equal(tf.memory().numTensors, tensors, 'a diverged run leaves no tensors behind');
  });
}

for (const method of METHODS) {
  test(`${method}: a learning rate of 1e6 stops with DIVERGED (or skips) instead of producing garbage`, async () => {
    const ds = syntheticDataset(8, 32);
    const opts = { ...tinyOptions(method, 6), lr: 1e6 };
    const tensors = tf.memory().numTensors;
    const m = createModel(method, ds.channels, opts);
    try {
      const r = await m.fit(ds);
      // Adam's update is bounded by lr per step; if the loss stayed finite the weights must too
      const losses = r.losses.filter((l) => !Number.isNaN(l));
      assert.ok(losses.every(Number.isFinite), 'finite losses when not diverged');
    } catch (e) {
      isDiverged(e);
    } finally {
      m.dispose();
    }
    assert.equal(tf.memory().numTensors, tensors);
  });
}

const ABSURD: Record<MethodName, Record<string, unknown>[]> = {
  ts2vec: [{ lr: -1 }, { lr: 0 }, { batchSize: 0 }, { depth: 1000 }, { hidden: NaN }, { lr: NaN }, { iters: -5 }, { dropout: 2 }, { hidden: 1.5 }, { lr: 'fast' }, { nosuch: 1 }],
  masked: [{ lr: -1 }, { batchSize: 0 }, { layers: 1000 }, { dModel: NaN }, { lr: NaN }, { maskRatio: 1 }, { heads: 3, dModel: 16 }, { iters: -1 }, { lr: 'fast' }, { nosuch: 1 }],
  ssgan: [{ lr: -1 }, { batchSize: 0 }, { hiddenSize: 100000 }, { hiddenSize: NaN }, { lr: NaN }, { iterations: -1 }, { hintRate: 2 }, { window: 1 }, { lr: 'fast' }, { nosuch: 1 }],
};

for (const method of METHODS) {
  test(`${method}: absurd hyper-parameters are BAD_OPTION at construction`, () => {
    for (const bad of ABSURD[method]) {
      assert.throws(() => createModel(method, 2, { ...tinyOptions(method, 5), ...bad }).dispose(), (e: unknown) => {
        assert.ok(e instanceof TsreprError, `${JSON.stringify(bad)}: ${String(e)}`);
        assert.equal(e.code, 'BAD_OPTION', `${JSON.stringify(bad)}: ${e.message}`);
        return true;
      }, `${method} ${JSON.stringify(bad)} must be refused`);
    }
    for (const dims of [0, -1, 1.5, NaN]) {
      assert.throws(() => createModel(method, dims, tinyOptions(method, 5)).dispose(), (e: unknown) => e instanceof TsreprError && e.code === 'BAD_OPTION', `${method} inputDims ${dims}`);
    }
  });
}
