import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fromArrays } from '../../src/data/dataset.js';
import { Rng } from '../../src/engine/random.js';
import { tf } from '../../src/engine/tf.js';
import { segmentKeepMask } from '../../src/methods/combined.js';
import '../../src/methods/masked/model.js';
import { createModel, loadModel } from '../../src/methods/model.js';
import { maxAbsDiff, setUpBackend } from '../helpers.js';

before(setUpBackend);

function sines(n: number, T: number, C: number): ReturnType<typeof fromArrays> {
  const rng = new Rng(0);
  return fromArrays(Array.from({ length: n }, () => {
    const ph = rng.uniform(0, 6), f = rng.uniform(0.15, 0.35);
    return Array.from({ length: T }, (_, t) => Array.from({ length: C }, (_, c) => Math.sin(f * t + ph + c) + 0.1 * rng.normal()));
  }));
}

const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;

const cases: [string, Record<string, unknown>][] = [
  ['transformer + contrastive', { backbone: 'transformer', patchLen: 4, dModel: 16, layers: 1, heads: 2, ff: 32, dropout: 0, maskedWeight: 0 }],
  ['dilated conv + SimMIM masked', { backbone: 'dilated-conv', hidden: 16, depth: 2, outputDims: 16, dropout: 0, contrastiveWeight: 0, maskSegment: 4 }],
  ['dilated conv + both objectives', { backbone: 'dilated-conv', hidden: 16, depth: 2, outputDims: 16, dropout: 0, maskSegment: 4 }],
];

for (const [name, opts] of cases) {
  test(`combined: ${name} trains (loss decreases)`, async () => {
    const ds = sines(16, 48, 2);
    const model = createModel('combined', 2, { ...opts, cropLength: 48, batchSize: 8, iters: 40, lr: 3e-3, seed: 1 });
    const before0 = tf.memory().numTensors;
    const res = await model.fit(ds, { lossEvery: 1 }); // every loss read back (a GPU backend reads every 10th by default)
    assert.equal(tf.memory().numTensors, before0);
    const first = mean(res.losses.slice(0, 8)), last = mean(res.losses.slice(-8));
    assert.ok(last < first, `${name}: loss ${first} → ${last}`);
    const rep = await model.encode(ds, { pooling: 'timestamp' });
    assert.deepEqual(rep.shape.slice(0, 2), [16, 48]);
    const dir = mkdtempSync(join(tmpdir(), 'comb-'));
    try {
      await model.save(dir);
      const m2 = await loadModel(dir);
      assert.equal(maxAbsDiff((await m2.encode(ds, { pooling: 'timestamp' })).data, rep.data), 0);
      m2.dispose();
    } finally { rmSync(dir, { recursive: true, force: true }); }
    model.dispose();
  });
}

test('segmentKeepMask hides whole segments at the requested ratio', () => {
  const k = segmentKeepMask(new Rng(0), 3, 40, 4, 0.5);
  for (let b = 0; b < 3; b++) {
    const row = Array.from(k.subarray(b * 40, (b + 1) * 40));
    assert.equal(row.filter((v) => v === 0).length, 20);
    for (let s = 0; s < 10; s++) assert.equal(new Set(row.slice(s * 4, s * 4 + 4)).size, 1);
  }
});
