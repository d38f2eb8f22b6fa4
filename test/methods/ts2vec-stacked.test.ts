/**
 * TS2Vec's training step encodes both crops as one zero-padded batch with fused conv blocks
 * (`pairedViewsLoss`, `DilatedConvEncoder.forwardTraining`). These tests compare it with the
 * layer-by-layer path that encodes each view on its own (`forward`, then nn/layers dropout
 * with each view's seed), which is what the training step computed before.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DilatedConvEncoder } from '../../src/backbones/dilated-conv.js';
import { addMany, installSharedWasmIdentity } from '../../src/engine/ops.js';
import { Adam } from '../../src/engine/optim.js';
import { Rng } from '../../src/engine/random.js';
import { tf, type Tensor, type Tensor2D, type Tensor3D } from '../../src/engine/tf.js';
import type { SeriesArray } from '../../src/methods/crops.js';
import {
  hierarchicalContrastiveLoss, instanceContrastiveLoss, maxPoolTime2, maxPoolTime2Fused, temporalContrastiveLoss,
} from '../../src/methods/losses.js';
import { FlatAdamW } from '../../src/methods/flat-adamw.js';
import { pairedViewsLoss } from '../../src/methods/ts2vec.js';
import { setUpBackend } from '../helpers.js';

before(setUpBackend);

/** loss value and gradients w.r.t. every parameter of `net` */
function lossAndGrads(net: DilatedConvEncoder, f: () => tf.Scalar): { loss: number; grads: Map<string, Float32Array> } {
  const params = net.namedParameters();
  const { value, grads } = tf.variableGrads(f, [...params.values()]);
  const byVar = new Map(Object.entries(grads));
  const out = new Map<string, Float32Array>();
  for (const [k, v] of params) out.set(k, byVar.get(v.name)!.dataSync() as Float32Array);
  const loss = value.dataSync()[0]!;
  value.dispose();
  tf.dispose(Object.values(grads));
  return { loss, grads: out };
}

/** max |a − b| over all gradients, relative to the largest |b| of the same tensor */
function worstRelative(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let worst = 0;
  for (const [k, gb] of b) {
    const ga = a.get(k)!;
    let scale = 1e-12, diff = 0;
    for (let i = 0; i < gb.length; i++) { scale = Math.max(scale, Math.abs(gb[i]!)); diff = Math.max(diff, Math.abs(ga[i]! - gb[i]!)); }
    worst = Math.max(worst, diff / scale);
  }
  return worst;
}

function randomViews(rng: Rng, B: number, L1: number, L2: number, C: number): { views: [SeriesArray, SeriesArray]; keeps: [Uint8Array, Uint8Array] } {
  const mk = (L: number): SeriesArray => ({ values: rng.normalArray(B * L * C), n: B, length: L, channels: C });
  const views: [SeriesArray, SeriesArray] = [mk(L1), mk(L2)];
  views[1].values[3] = NaN; // a missing cell: zeroed in the input, its timestamp masked
  const keeps = views.map((v) => {
    const k = new Uint8Array(B * v.length);
    for (let i = 0; i < k.length; i++) k[i] = rng.random() < 0.6 ? 1 : 0;
    k[Math.floor(3 / C)] = 0;
    return k;
  }) as [Uint8Array, Uint8Array];
  return { views, keeps };
}

/** The per-view path: each view encoded on its own by `forward` (dropout inside, with the view's rng). */
function apartLoss(net: DilatedConvEncoder, views: readonly SeriesArray[], keeps: readonly Uint8Array[], cropL: number, rngs: Rng[]): () => tf.Scalar {
  const inputs = views.map((v, i) => ({
    x: tf.tensor3d(v.values.map((x) => (Number.isNaN(x) ? 0 : x)), [v.n, v.length, v.channels]),
    m: tf.tensor2d(keeps[i]!, [v.n, v.length], 'float32') as Tensor2D,
  }));
  return () => {
    const [o1, o2] = inputs.map((inp, i) => net.forward(inp.x, { training: true, timestampMask: inp.m, rng: rngs[i] })) as [Tensor3D, Tensor3D];
    const B = o1.shape[0], D = o1.shape[2];
    const z1 = tf.slice(o1, [0, o1.shape[1] - cropL, 0], [B, cropL, D]) as Tensor3D;
    const z2 = tf.slice(o2, [0, 0, 0], [B, cropL, D]) as Tensor3D;
    return hierarchicalContrastiveLoss(z1, z2, { alpha: 0.5, temporalUnit: 0 });
  };
}

describe('TS2Vec stacked-views training step', () => {
  it('forwardTraining on one unpadded batch equals forward (value and gradients bit for bit)', () => {
    const net = new DilatedConvEncoder({ inputDims: 2, hidden: 8, depth: 3, outputDims: 12, dropout: 0 }, new Rng(4));
    const rng = new Rng(9);
    for (const L of [11, 5]) { // 5: the last blocks (dilation ≥ 5) take the centre-tap shortcut
      const x = tf.tensor3d(rng.normalArray(3 * L * 2), [3, L, 2]);
      const m = tf.tensor2d(Float32Array.from({ length: 3 * L }, () => (rng.random() < 0.7 ? 1 : 0)), [3, L]);
      const w = tf.tensor3d(rng.normalArray(3 * L * 12), [3, L, 12]);
      const objective = (out: Tensor3D) => tf.sum(tf.mul(out, w)) as tf.Scalar;
      const ref = lossAndGrads(net, () => objective(net.forward(x, { training: false, timestampMask: m })));
      const got = lossAndGrads(net, () => objective(net.forwardTraining(x, m)));
      assert.equal(got.loss, ref.loss);
      for (const [k, g] of ref.grads) assert.deepEqual(Array.from(got.grads.get(k)!), Array.from(g), k);
      tf.dispose([x, m, w] as Tensor[]);
    }
    net.dispose();
  });

  it('the stacked, zero-padded step (and the fused step with the views apart) gives the per-view loss and gradients (relative error < 1e-5)', () => {
    // view lengths: different (padding, and dilation 8 ≥ L2 = 6 takes the centre-tap
    // shortcut apart but not stacked), equal (no padding), view 2 longer; 7/5 and 4/3: the
    // last one or two blocks (dilation ≥ 7, ≥ 4) are pointwise and run on the crop alone
    for (const [L1, L2, cropL, dropout] of [[13, 6, 4, 0], [9, 9, 9, 0], [7, 12, 5, 0.1], [13, 6, 4, 0.3], [7, 5, 3, 0.1], [4, 3, 2, 0]] as const) {
      const net = new DilatedConvEncoder({ inputDims: 2, hidden: 8, depth: 3, outputDims: 12, dropout }, new Rng(1));
      const { views, keeps } = randomViews(new Rng(L1 * 100 + L2), 3, L1, L2, 2);
      const before = tf.memory().numTensors;
      const r1 = new Rng(7);
      const apart = apartLoss(net, views, keeps, cropL, [r1.fork(), r1.fork()]);
      const ref = lossAndGrads(net, apart);
      assert.ok(Number.isFinite(ref.loss) && ref.loss > 0);
      for (const stack of [true, false]) { // one padded batch, or each view apart through the fused blocks
        const r2 = new Rng(7);
        const pair = pairedViewsLoss(net, views, keeps, cropL, [r2.fork(), r2.fork()], { alpha: 0.5, temporalUnit: 0 }, { stack });
        const got = lossAndGrads(net, pair.loss);
        pair.dispose();
        assert.ok(Math.abs(got.loss - ref.loss) <= 1e-5 * Math.abs(ref.loss), `L=${L1}/${L2} stack ${stack}: loss ${got.loss} vs ${ref.loss}`);
        const rel = worstRelative(got.grads, ref.grads);
        assert.ok(rel < 1e-5, `L=${L1}/${L2} dropout ${dropout} stack ${stack}: worst relative gradient error ${rel}`);
      }
      assert.ok(tf.memory().numTensors - before <= 4, 'only the per-view inputs of the reference path remain'); // (x, m of each view)
      net.dispose();
    }
  });
});

describe('FlatAdamW', () => {
  it('updates every parameter exactly as the engine Adam (AdamW) does, with and without weight decay (on wasm: the SIMD kernel, with an odd total); state round-trips in Adam\'s format', () => {
    for (const weightDecay of [0.01, 0]) {
      const rng = new Rng(3);
      const shapes: Record<string, number[]> = { a: [3, 4], b: [5], c: [2, 3, 2], d: [64, 33] };
      const mk = () => new Map(Object.entries(shapes).map(([k, s]) => [k, tf.variable(tf.tensor(rng.normalArray(s.reduce((x, y) => x * y, 1)), s))]));
      const p1 = mk();
      const p2 = new Map([...p1].map(([k, v]) => [k, tf.variable(tf.clone(v))]));
      const opts = { lr: 1e-2, weightDecay };
      const ref = new Adam(p1, opts), flat = new FlatAdamW(p2, opts);
      for (let step = 0; step < 4; step++) {
        const grads: Record<string, Tensor> = {};
        for (const [k, s] of Object.entries(shapes)) grads[k] = tf.tensor(rng.normalArray(s.reduce((x, y) => x * y, 1)), s);
        ref.apply(grads);
        flat.apply(grads);
        tf.dispose(Object.values(grads));
        for (const [k, v] of p1) assert.deepEqual(Array.from(p2.get(k)!.dataSync()), Array.from(v.dataSync()), `${k} at step ${step + 1}`);
      }
      const s1 = ref.getState(), s2 = flat.getState();
      assert.equal(s2.step, s1.step);
      assert.deepEqual([...s2.tensors.keys()].sort(), [...s1.tensors.keys()].sort());
      for (const [k, t] of s1.tensors) assert.deepEqual(Array.from(s2.tensors.get(k)!.dataSync()), Array.from(t.dataSync()), k);
      const other = new FlatAdamW(new Map([...p2].map(([k, v]) => [k, tf.variable(tf.clone(v))])), opts);
      other.setState(s1);
      const s3 = other.getState();
      for (const [k, t] of s1.tensors) assert.deepEqual(Array.from(s3.tensors.get(k)!.dataSync()), Array.from(t.dataSync()), `restored ${k}`);
      for (const st of [s1, s2, s3]) tf.dispose([...st.tensors.values()]);
      ref.dispose(); flat.dispose(); other.dispose();
    }
  });
});

describe('stacked hierarchical loss', () => {
  it('maxPoolTime2Fused equals maxPoolTime2 in value and gradient (odd and even T, ties, C = 3 by tfjs ops, C = 8 and 12 by the wasm kernel)', () => {
    const rng = new Rng(5);
    for (const [T, C] of [[7, 3], [7, 8], [6, 12], [2, 4], [3, 4]] as const) {
      const v = rng.normalArray(2 * T * C);
      v[0] = v[C]!; // a tie inside a pair: the gradient goes to the first
      v[C + 1] = v[1]! + 1; // the second of a pair larger
      const z = tf.tensor3d(v, [2, T, C]);
      const w = tf.tensor3d(rng.normalArray(2 * Math.floor(T / 2) * C), [2, Math.floor(T / 2), C]);
      const f = (pool: (z: Tensor3D) => Tensor3D) => tf.grad((x: Tensor) => tf.sum(tf.mul(pool(x as Tensor3D), w)))(z);
      assert.deepEqual(Array.from(maxPoolTime2Fused(z).dataSync()), Array.from(maxPoolTime2(z).dataSync()), `T ${T} C ${C}`);
      const noSign = (t: Tensor) => Array.from(t.dataSync(), (x) => x + 0); // −0 and 0 compare equal
      assert.deepEqual(noSign(f(maxPoolTime2Fused)), noSign(f(maxPoolTime2)), `T ${T} C ${C}`);
    }
  });

  it('the stacked form equals the per-term composition (value bit for bit, gradients < 1e-6 relative)', () => {
    const rng = new Rng(6);
    for (const [B, T, alpha, temporalUnit] of [[3, 11, 0.5, 0], [1, 6, 0.5, 0], [4, 9, 0.3, 1], [2, 5, 1, 0], [2, 5, 0, 0]] as const) {
      const z1 = tf.variable(tf.tensor3d(rng.normalArray(B * T * 4), [B, T, 4])), z2 = tf.variable(tf.tensor3d(rng.normalArray(B * T * 4), [B, T, 4]));
      // the composition the loss was written as before: each term on its own, each view pooled on its own
      const composed = () => tf.tidy(() => {
        let a = z1 as Tensor3D, b = z2 as Tensor3D;
        const terms: tf.Scalar[] = [];
        let d = 0;
        while (a.shape[1] > 1) {
          if (alpha !== 0) terms.push(tf.mul(instanceContrastiveLoss(a, b), alpha));
          if (d >= temporalUnit && alpha !== 1) terms.push(tf.mul(temporalContrastiveLoss(a, b), 1 - alpha));
          d++; a = maxPoolTime2(a); b = maxPoolTime2(b);
        }
        if (a.shape[1] === 1) { if (alpha !== 0) terms.push(tf.mul(instanceContrastiveLoss(a, b), alpha)); d++; }
        return tf.div(addMany(terms), d) as tf.Scalar;
      });
      const stacked = () => hierarchicalContrastiveLoss(z1 as Tensor3D, z2 as Tensor3D, { alpha, temporalUnit });
      const ref = tf.variableGrads(composed, [z1, z2]), got = tf.variableGrads(stacked, [z1, z2]);
      assert.equal(got.value.dataSync()[0], ref.value.dataSync()[0], `B=${B} T=${T}`);
      for (const v of [z1, z2]) {
        const g = got.grads[v.name]!.dataSync(), r = ref.grads[v.name]!.dataSync();
        let scale = 1e-12, diff = 0;
        for (let i = 0; i < r.length; i++) { scale = Math.max(scale, Math.abs(r[i]!)); diff = Math.max(diff, Math.abs(g[i]! - r[i]!)); }
        assert.ok(diff / scale < 1e-6, `B=${B} T=${T}: gradient relative error ${diff / scale}`);
      }
      tf.dispose([ref.value, got.value, ...Object.values(ref.grads), ...Object.values(got.grads), z1, z2]);
    }
  });
});

describe('installSharedWasmIdentity', () => {
  it('clones share the buffer safely (disposing either leaves the other intact) and the stock kernel comes back', (t) => {
    if (tf.getBackend() !== 'wasm') { t.skip('wasm only'); return; }
    const stock = tf.getKernel('Identity', 'wasm')!.kernelFunc;
    const restore = installSharedWasmIdentity();
    try {
      assert.notEqual(tf.getKernel('Identity', 'wasm')!.kernelFunc, stock);
      const a = tf.tensor1d([1, 2, 3]);
      const b = tf.clone(a);
      a.dispose();
      assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
      const c = tf.clone(b);
      b.dispose();
      assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3]);
      c.dispose();
    } finally {
      restore();
    }
    assert.equal(tf.getKernel('Identity', 'wasm')!.kernelFunc, stock);
  });
});
