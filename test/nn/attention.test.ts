import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Rng } from '../../src/engine/random.js';
import { tf, type Tensor3D } from '../../src/engine/tf.js';
import { MultiHeadSelfAttention } from '../../src/nn/attention.js';
import { sinusoidalEncoding, TransformerBlock, TransformerEncoder } from '../../src/nn/transformer.js';
import { maxAbsDiff, setUpBackend } from '../helpers.js';

before(setUpBackend);

/** Plain-loop multi-head attention with the module's weights (W [in, out] layout). */
function naiveAttention(x: Float32Array, B: number, N: number, D: number, H: number, wqkv: Float32Array, bqkv: Float32Array, wo: Float32Array, bo: Float32Array): Float32Array {
  const dh = D / H;
  const qkv = new Float32Array(B * N * 3 * D);
  for (let r = 0; r < B * N; r++) for (let o = 0; o < 3 * D; o++) {
    let s = bqkv[o]!;
    for (let i = 0; i < D; i++) s += x[r * D + i]! * wqkv[i * 3 * D + o]!;
    qkv[r * 3 * D + o] = s;
  }
  const ctx = new Float32Array(B * N * D);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let i = 0; i < N; i++) {
    const scores: number[] = [];
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let d = 0; d < dh; d++) s += qkv[(b * N + i) * 3 * D + h * dh + d]! * qkv[(b * N + j) * 3 * D + D + h * dh + d]!;
      scores.push(s / Math.sqrt(dh));
    }
    const m = Math.max(...scores);
    const e = scores.map((s) => Math.exp(s - m));
    const z = e.reduce((a, c) => a + c, 0);
    for (let d = 0; d < dh; d++) {
      let s = 0;
      for (let j = 0; j < N; j++) s += (e[j]! / z) * qkv[(b * N + j) * 3 * D + 2 * D + h * dh + d]!;
      ctx[(b * N + i) * D + h * dh + d] = s;
    }
  }
  const out = new Float32Array(B * N * D);
  for (let r = 0; r < B * N; r++) for (let o = 0; o < D; o++) {
    let s = bo[o]!;
    for (let i = 0; i < D; i++) s += ctx[r * D + i]! * wo[i * D + o]!;
    out[r * D + o] = s;
  }
  return out;
}

test('multi-head attention matches a plain-loop reference', () => {
  const B = 2, N = 5, D = 12, H = 3;
  const rng = new Rng(1);
  const att = new MultiHeadSelfAttention(D, H, rng);
  const xv = rng.normalArray(B * N * D);
  const x = tf.tensor3d(xv, [B, N, D]);
  const y = att.apply(x, { training: false });
  const ref = naiveAttention(xv, B, N, D, H, att.qkv.weight.dataSync() as Float32Array, att.qkv.bias!.dataSync() as Float32Array,
    att.out.weight.dataSync() as Float32Array, att.out.bias!.dataSync() as Float32Array);
  assert.deepEqual(y.shape, [B, N, D]);
  assert.ok(maxAbsDiff(y, ref) < 1e-4, `max diff ${maxAbsDiff(y, ref)}`);
  tf.dispose([x, y]);
  att.dispose();
});

test('attention gives finite non-zero gradients for every weight and for the input', () => {
  const rng = new Rng(2);
  const att = new MultiHeadSelfAttention(8, 2, rng);
  const x = tf.tensor3d(rng.normalArray(2 * 4 * 8), [2, 4, 8]);
  const vars = [...att.namedParameters().values()];
  const { grads } = tf.variableGrads(() => tf.sum(tf.square(att.apply(x, { training: false }))) as tf.Scalar, vars);
  assert.equal(Object.keys(grads).length, vars.length);
  for (const g of Object.values(grads)) {
    const v = g.dataSync();
    assert.ok(v.every(Number.isFinite));
    assert.ok(v.some((a) => a !== 0));
  }
  const gx = tf.grad((xi: tf.Tensor) => tf.sum(tf.square(att.apply(xi as Tensor3D, { training: false }))))(x);
  assert.ok(gx.dataSync().some((a) => a !== 0));
  tf.dispose([x, gx, ...Object.values(grads)]);
  att.dispose();
});

test('attention is permutation-equivariant over tokens (no positional information inside)', () => {
  const rng = new Rng(3);
  const att = new MultiHeadSelfAttention(8, 4, rng);
  const x = tf.tensor3d(rng.normalArray(1 * 4 * 8), [1, 4, 8]);
  const perm = tf.tensor1d([2, 0, 3, 1], 'int32');
  const a = tf.gather(att.apply(x, { training: false }), perm, 1);
  const b = att.apply(tf.gather(x, perm, 1) as Tensor3D, { training: false });
  assert.ok(maxAbsDiff(a, b) < 1e-5);
  tf.dispose([x, perm, a, b]);
  att.dispose();
});

test('transformer block: shape, dropout only in training, memory flat', () => {
  const rng = new Rng(4);
  const enc = new TransformerEncoder(2, { dim: 8, heads: 2, ff: 16, dropout: 0.5 }, rng);
  const x = tf.tensor3d(rng.normalArray(2 * 6 * 8), [2, 6, 8]);
  const e1 = enc.apply(x, false), e2 = enc.apply(x, false);
  assert.equal(maxAbsDiff(e1, e2), 0);
  const t1 = enc.apply(x, true, new Rng(1));
  assert.ok(maxAbsDiff(e1, t1) > 1e-4);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) enc.apply(x, true, rng).dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, e1, e2, t1]);
  enc.dispose();
  assert.ok(new TransformerBlock({ dim: 4, heads: 2, ff: 8, dropout: 0 }, rng).parameterCount() > 0);
});

test('sinusoidal encoding: any position, sin/cos pairs', () => {
  const pe = sinusoidalEncoding([0, 1, 5000], 6).arraySync();
  assert.deepEqual(pe[0], [0, 1, 0, 1, 0, 1]);
  assert.ok(Math.abs(pe[1]![0]! - Math.sin(1)) < 1e-6);
  assert.ok(pe[2]!.every(Number.isFinite));
});
