/**
 * WebGPU end to end: each pretraining method trains 2 seeded iterations on webgpu and on wasm;
 * the losses (every one read back) and the per-timestamp representations must agree within a
 * relative error bound. Catches what the op-level test cannot (e.g. a kernel over WebGPU's
 * binding limit inside a loss). Skips where no WebGPU adapter exists (see webgpu.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromArrays, type TimeSeriesDataset } from '../../src/data/dataset.js';
import { initBackend } from '../../src/engine/backend.js';
import { setQuiet } from '../../src/engine/log.js';
import { Rng } from '../../src/engine/random.js';
import { createModel } from '../../src/methods/index.js';
import { useWebgpuOrSkip } from '../helpers.js';

function sines(n: number, T: number, C: number): TimeSeriesDataset {
  const r = new Rng(4);
  return fromArrays(Array.from({ length: n }, (_, i) => Array.from({ length: T }, (_, t) =>
    Array.from({ length: C }, (_, c) => (t % 9 === 4 && i % 2 ? NaN : Math.sin((t + 5 * i) / (3 + c)) + 0.1 * r.normal())))));
}

const METHODS: [string, TimeSeriesDataset, Record<string, unknown>][] = [
  ['ts2vec', sines(4, 48, 2), { hidden: 8, depth: 3, outputDims: 16, batchSize: 4 }],
  ['masked', sines(4, 32, 2), { contextLength: 32, patchLen: 4, dModel: 16, layers: 1, heads: 2, ff: 32, decoderDim: 16, decoderHeads: 2, batchSize: 4 }],
  ['combined', sines(4, 32, 2), { backbone: 'transformer', patchLen: 4, dModel: 16, layers: 1, heads: 2, ff: 32, cropLength: 32, batchSize: 4 }],
  ['ssgan', sines(4, 12, 3), { batchSize: 4, window: 12, hiddenSize: 8, discHiddenSize: 4, clsHiddenSize: 4 }],
];

async function run(backend: string): Promise<Map<string, { losses: number[]; repr: Float32Array }>> {
  await initBackend(backend);
  const out = new Map<string, { losses: number[]; repr: Float32Array }>();
  for (const [method, ds, options] of METHODS) {
    const model = createModel(method, ds.channels, { ...options, [method === 'ssgan' ? 'iterations' : 'iters']: 2, seed: 0 });
    const fit = await model.fit(ds, { lossEvery: 1 });
    const rep = await model.encode(ds, { pooling: 'timestamp' });
    model.dispose();
    out.set(method, { losses: fit.losses, repr: rep.data });
  }
  return out;
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i]! - b[i]!) ** 2; den += a[i]! ** 2; }
  return Math.sqrt(num / Math.max(den, 1e-12));
}

test('every method trains and encodes on webgpu like on wasm', async (t) => {
  setQuiet(true);
  const ref = await run('wasm');
  if (!(await useWebgpuOrSkip(t))) return;
  const got = await run('webgpu');
  for (const [method, r] of ref) {
    const g = got.get(method)!;
    assert.ok(r.losses.every(Number.isFinite) && g.losses.every(Number.isFinite), `${method}: non-finite loss (wasm ${r.losses}, webgpu ${g.losses})`);
    assert.ok(relErr(r.losses, g.losses) < 1e-4, `${method}: losses wasm ${r.losses} vs webgpu ${g.losses}`);
    assert.ok(relErr(r.repr, g.repr) < 1e-4, `${method}: representation relative error ${relErr(r.repr, g.repr)}`);
  }
});
