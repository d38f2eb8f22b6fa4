/**
 * WebGPU correctness: every custom op and layer computed on webgpu must match wasm within
 * a relative error bound. Runs wherever a WebGPU adapter exists — a real GPU, or the
 * SwiftShader software driver that `scripts/swiftshader.sh` fetches (CI does this) — and
 * skips with the reason otherwise.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackend } from '../../src/engine/backend.js';
import { setQuiet } from '../../src/engine/log.js';
import { addMany, bmm, conv1d, gatherRows, gelu, matMul2d } from '../../src/engine/ops.js';
import { Adam, optimizerStep } from '../../src/engine/optim.js';
import { Rng } from '../../src/engine/random.js';
import { tf } from '../../src/engine/tf.js';
import { MultiHeadSelfAttention } from '../../src/nn/attention.js';
import { BiGRU } from '../../src/nn/gru.js';
import { LayerNorm, Linear } from '../../src/nn/layers.js';
import { useWebgpuOrSkip } from '../helpers.js';

type Case = () => tf.Tensor[] | Promise<tf.Tensor[]>;

/** Each case builds its inputs from a fixed seed and returns outputs and gradients. */
const cases: Record<string, Case> = {
  matMul2d: () => {
    const r = new Rng(1);
    const a = tf.tensor(r.normalArray(33 * 17), [33, 17]), b = tf.tensor(r.normalArray(17 * 9), [17, 9]);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(matMul2d(x as tf.Tensor2D, y as tf.Tensor2D)));
    return [matMul2d(a as tf.Tensor2D, b as tf.Tensor2D), ...tf.grads(f)([a, b])];
  },
  bmm: () => {
    const r = new Rng(2);
    const a = tf.tensor(r.normalArray(4 * 7 * 5), [4, 7, 5]), b = tf.tensor(r.normalArray(4 * 5 * 6), [4, 5, 6]);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(bmm(x as tf.Tensor3D, y as tf.Tensor3D)));
    return [bmm(a as tf.Tensor3D, b as tf.Tensor3D), ...tf.grads(f)([a, b])];
  },
  ...Object.fromEntries(([[1, 'same'], [2, 'same'], [4, 'causal'], [8, 'same']] as const).map(([d, pad]) => [`conv1d d=${d} ${pad}`, () => {
    const r = new Rng(3 + d);
    const x = tf.tensor(r.normalArray(2 * 40 * 6), [2, 40, 6]) as tf.Tensor3D, w = tf.tensor(r.normalArray(3 * 6 * 8, 0, 0.3), [3, 6, 8]) as tf.Tensor3D;
    const gy = tf.tensor(r.normalArray(2 * 40 * 8), [2, 40, 8]);
    const f = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(conv1d(p as tf.Tensor3D, q as tf.Tensor3D, { dilation: d, padding: pad }), gy));
    return [conv1d(x, w, { dilation: d, padding: pad }), ...tf.grads(f)([x, w])];
  }])),
  'gelu + softmax': () => {
    const x = tf.tensor(new Rng(9).normalArray(64), [8, 8]);
    return [gelu(x), tf.grad((p: tf.Tensor) => tf.sum(tf.mul(gelu(p), tf.softmax(p))))(x)];
  },
  'addMany of 20 tensors (over the WebGPU binding limit for one addN)': () => {
    const r = new Rng(12);
    return [addMany(Array.from({ length: 20 }, () => tf.tensor(r.normalArray(6), [2, 3])))];
  },
  'multi-head self-attention (values and gradients)': () => {
    const r = new Rng(13);
    const mha = new MultiHeadSelfAttention(16, 4, r);
    const x = tf.tensor(r.normalArray(2 * 9 * 16), [2, 9, 16]) as tf.Tensor3D;
    const vars = [...mha.namedParameters().values()];
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(mha.apply(x, { training: false }))) as tf.Scalar, vars);
    const out = [mha.apply(x, { training: false }), value, ...vars.map((v) => grads[v.name]!)];
    mha.dispose();
    return out;
  },
  'bidirectional GRU (values and gradients)': () => {
    const r = new Rng(14);
    const gru = new BiGRU(3, 6, r);
    const x = tf.tensor(r.normalArray(2 * 7 * 3), [2, 7, 3]) as tf.Tensor3D;
    const vars = [...gru.namedParameters().values()];
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(gru.forward(x))) as tf.Scalar, vars);
    const out = [gru.forward(x), value, ...vars.map((v) => grads[v.name]!)];
    gru.dispose();
    return out;
  },
  gatherRows: () => {
    const t = tf.tensor(new Rng(10).normalArray(10 * 4), [10, 4]) as tf.Tensor2D;
    const idx = tf.tensor1d([3, 3, 0, 9, 5], 'int32');
    return [gatherRows(t, idx), tf.grad((p: tf.Tensor) => tf.sum(tf.square(gatherRows(p as tf.Tensor2D, idx))))(t)];
  },
  'Linear + LayerNorm + Adam step': async () => {
    const r = new Rng(11);
    const lin = new Linear(6, 5, r), ln = new LayerNorm(5);
    const params = new Map([...lin.namedParameters('lin.'), ...ln.namedParameters('ln.')]);
    const opt = new Adam(params, { lr: 0.01, weightDecay: 0.01 });
    const x = tf.tensor(r.normalArray(12 * 6), [12, 6]);
    for (let i = 0; i < 3; i++) await optimizerStep(opt, params, () => tf.mean(tf.square(ln.apply(lin.apply(x)))) as tf.Scalar);
    const out = [ln.apply(lin.apply(x)), ...[...params.values()].map((v) => tf.clone(v))];
    opt.dispose(); lin.dispose(); ln.dispose();
    return out;
  },
};

async function run(backend: string): Promise<Map<string, Float32Array[]>> {
  await initBackend(backend);
  const out = new Map<string, Float32Array[]>();
  for (const [name, c] of Object.entries(cases)) {
    tf.engine().startScope();
    const ts = await c();
    out.set(name, await Promise.all(ts.map(async (t) => (await t.data()) as Float32Array)));
    tf.engine().endScope(); // frees everything the case created (some cases are async, so not tf.tidy)
  }
  return out;
}

test('webgpu matches wasm on every custom op and layer', async (t) => {
  setQuiet(true);
  const ref = await run('wasm');
  if (!(await useWebgpuOrSkip(t))) return;
  const got = await run('webgpu');
  for (const [name, arrays] of ref) {
    const g = got.get(name)!;
    assert.equal(g.length, arrays.length, name);
    arrays.forEach((a, i) => {
      let num = 0, den = 0;
      for (let j = 0; j < a.length; j++) { num += (a[j]! - g[i]![j]!) ** 2; den += a[j]! ** 2; }
      const rel = Math.sqrt(num / Math.max(den, 1e-12));
      assert.ok(rel < 1e-4, `${name} output ${i}: relative error ${rel.toExponential(2)} between webgpu and wasm`);
    });
  }
});
