import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { bmm, conv1d, dense, gatherRows, gelu, geluWithDerivative, installFastWasmSlice, matMul2d } from '../../src/engine/ops.js';
import { installFastWasmTranspose } from '../../src/engine/wasm-ops.js';
import { Rng } from '../../src/engine/random.js';
import { tf } from '../../src/engine/tf.js';
import { maxAbsDiff, setUpBackend } from '../helpers.js';

before(setUpBackend);

/** Reference dilated conv written with slices and plain matMuls (autodiff through tfjs). */
function refConv(x: tf.Tensor3D, w: tf.Tensor3D, d: number, padL: number, padR: number): tf.Tensor3D {
  const [B, L, C] = x.shape; const [K, , F] = w.shape;
  const xp = tf.pad(x, [[0, 0], [padL, padR], [0, 0]]);
  const Lout = L + padL + padR - (K - 1) * d;
  let y: tf.Tensor = tf.zeros([B * Lout, F]);
  for (let k = 0; k < K; k++) {
    const tap = tf.reshape(tf.slice(xp, [0, k * d, 0], [B, Lout, C]), [B * Lout, C]) as tf.Tensor2D;
    y = tf.add(y, tf.matMul(tap, tf.reshape(tf.slice(w, [k, 0, 0], [1, C, F]), [C, F]) as tf.Tensor2D));
  }
  return tf.reshape(y, [B, Lout, F]) as tf.Tensor3D;
}

test('conv1d forward and gradients match a reference for causal/same/valid and dilations', () => {
  const rng = new Rng(1);
  const cases: [('causal' | 'same' | 'valid'), number, number, number, number][] = [
    ['causal', 4, 3, 8, 0], ['same', 2, 3, 2, 2], ['same', 1, 1, 0, 0], ['valid', 2, 3, 0, 0], ['same', 3, 2, 1, 2], ['causal', 1, 5, 4, 0],
  ];
  for (const [pad, d, K, pl, pr] of cases) {
    tf.tidy(() => {
      const x = tf.tensor(rng.normalArray(2 * 13 * 3), [2, 13, 3]) as tf.Tensor3D;
      const w = tf.tensor(rng.normalArray(K * 3 * 5), [K, 3, 5]) as tf.Tensor3D;
      const y = conv1d(x, w, { dilation: d, padding: pad });
      const yr = refConv(x, w, d, pl, pr);
      assert.deepEqual(y.shape, yr.shape, `${pad} d=${d} K=${K}`);
      assert.ok(maxAbsDiff(y, yr) < 1e-4);
      const gy = tf.tensor(rng.normalArray(y.size), y.shape);
      const f = (fn: typeof refConv | null) => (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(fn ? fn(a as tf.Tensor3D, b as tf.Tensor3D, d, pl, pr) : conv1d(a as tf.Tensor3D, b as tf.Tensor3D, { dilation: d, padding: pad }), gy));
      const [gx, gw] = tf.grads(f(null))([x, w]);
      const [rx, rw] = tf.grads(f(refConv))([x, w]);
      assert.ok(maxAbsDiff(gx!, rx!) < 1e-4, `dx ${pad} d=${d} K=${K}`);
      assert.ok(maxAbsDiff(gw!, rw!) < 1e-4, `dw ${pad} d=${d} K=${K}`);
    });
  }
});

test('causal conv1d output at t does not depend on inputs after t', () => {
  tf.tidy(() => {
    const rng = new Rng(2);
    const x = tf.tensor(rng.normalArray(20), [1, 20, 1]) as tf.Tensor3D;
    const w = tf.tensor(rng.normalArray(3 * 4), [3, 1, 4]) as tf.Tensor3D;
    const x2 = tf.concat([tf.slice(x, [0, 0, 0], [1, 10, 1]), tf.mul(tf.slice(x, [0, 10, 0], [1, 10, 1]), 100)], 1) as tf.Tensor3D;
    const a = tf.slice(conv1d(x, w, { dilation: 2, padding: 'causal' }), [0, 0, 0], [1, 10, 4]);
    const b = tf.slice(conv1d(x2, w, { dilation: 2, padding: 'causal' }), [0, 0, 0], [1, 10, 4]);
    assert.ok(maxAbsDiff(a, b) < 1e-6);
  });
});

test('matMul2d, dense and bmm have the same values and gradients as tf.matMul', () => {
  tf.tidy(() => {
    const rng = new Rng(3);
    const a = tf.tensor(rng.normalArray(12), [4, 3]) as tf.Tensor2D, b = tf.tensor(rng.normalArray(6), [3, 2]) as tf.Tensor2D;
    const loss = (mm: (p: tf.Tensor2D, q: tf.Tensor2D) => tf.Tensor2D) => (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(mm(p as tf.Tensor2D, q as tf.Tensor2D)));
    const g1 = tf.grads(loss(matMul2d))([a, b]);
    const g2 = tf.grads(loss((p, q) => tf.matMul(p, q)))([a, b]);
    assert.ok(maxAbsDiff(g1[0]!, g2[0]!) < 1e-5 && maxAbsDiff(g1[1]!, g2[1]!) < 1e-5);
    const x3 = tf.tensor(rng.normalArray(2 * 5 * 3), [2, 5, 3]);
    assert.deepEqual(dense(x3, b, tf.ones([2])).shape, [2, 5, 2]);
    assert.ok(maxAbsDiff(dense(x3, b), tf.reshape(tf.matMul(tf.reshape(x3, [10, 3]) as tf.Tensor2D, b), [2, 5, 2])) < 1e-5);
    const p = tf.tensor(rng.normalArray(2 * 4 * 3), [2, 4, 3]) as tf.Tensor3D, q = tf.tensor(rng.normalArray(2 * 3 * 5), [2, 3, 5]) as tf.Tensor3D;
    const lb = (mm: (u: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor3D) => (u: tf.Tensor, v: tf.Tensor) => tf.sum(tf.square(mm(u as tf.Tensor3D, v as tf.Tensor3D)));
    const h1 = tf.grads(lb(bmm))([p, q]);
    const h2 = tf.grads(lb((u, v) => tf.matMul(u, v)))([p, q]);
    assert.ok(maxAbsDiff(h1[0]!, h2[0]!) < 1e-4 && maxAbsDiff(h1[1]!, h2[1]!) < 1e-4);
  });
});

test('gatherRows has a gradient on this backend (scatter-add)', () => {
  tf.tidy(() => {
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const idx = tf.tensor1d([2, 0, 2], 'int32');
    assert.deepEqual(Array.from(gatherRows(table, idx).dataSync()), [5, 6, 1, 2, 5, 6]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(gatherRows(t as tf.Tensor2D, idx)))(table);
    assert.deepEqual(Array.from(g.dataSync()), [1, 1, 0, 0, 2, 2]);
  });
});

test('fast wasm Slice kernel returns exactly the selected elements (ranks 1-4, partial and whole axes)', () => {
  if (tf.getBackend() === 'wasm') assert.ok(installFastWasmSlice());
  const rng = new Rng(4);
  const shapes = [[7], [5, 6], [3, 4, 5], [2, 3, 4, 5], [1, 6, 1]];
  for (const shape of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    const vals = Float32Array.from({ length: n }, (_, i) => i);
    for (let trial = 0; trial < 6; trial++) {
      const begin = shape.map((d) => (trial % 2 ? 0 : Math.floor(rng.uniform(0, d))));
      const size = shape.map((d, a) => (trial % 3 === 0 ? d - begin[a]! : 1 + Math.floor(rng.uniform(0, d - begin[a]!))));
      // expected by index arithmetic
      const strides = shape.map((_, a) => shape.slice(a + 1).reduce((p, q) => p * q, 1));
      const expected: number[] = [];
      const idx = size.map(() => 0);
      const total = size.reduce((a, b) => a * b, 1);
      for (let o = 0; o < total; o++) {
        expected.push(idx.reduce((acc, v, a) => acc + (v + begin[a]!) * strides[a]!, 0));
        for (let a = idx.length - 1; a >= 0; a--) { if (++idx[a]! < size[a]!) break; idx[a] = 0; }
      }
      tf.tidy(() => {
        const got = tf.slice(tf.tensor(vals, shape), begin, size);
        assert.deepEqual(got.shape, size);
        assert.deepEqual(Array.from(got.dataSync()), expected, `shape ${shape} begin ${begin} size ${size}`);
      });
    }
  }
});

test('gelu matches x·Φ(x) and its fused gradient matches autodiff of the plain formula', () => {
  tf.tidy(() => {
    const x = tf.tensor(new Rng(5).normalArray(40).map((v) => 2 * v), [4, 10]);
    const plain = (t: tf.Tensor) => tf.mul(tf.mul(t, 0.5), tf.add(1, tf.erf(tf.mul(t, Math.SQRT1_2))));
    assert.ok(maxAbsDiff(gelu(x), plain(x)) < 1e-6);
    const w = tf.tensor(new Rng(6).normalArray(40), [4, 10]);
    const g1 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t), w)))(x);
    const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(plain(t), w)))(x);
    assert.ok(maxAbsDiff(g1, g2) < 1e-5);
  });
});

/** Φ(x) in float64: erf's Taylor series for |z| < 3, erfc's continued fraction beyond. */
function normalCdf64(x: number): number {
  const z = Math.abs(x) * Math.SQRT1_2;
  let erfc: number;
  if (z < 3) {
    let s = z, term = z;
    for (let k = 1; Math.abs(term) > 1e-17 * Math.abs(s); k++) { term *= (-z * z) / k; s += term / (2 * k + 1); }
    erfc = 1 - (2 / Math.sqrt(Math.PI)) * s;
  } else {
    let f = 0;
    for (let k = 80; k >= 1; k--) f = k / 2 / (z + f);
    erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f);
  }
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

test('geluWithDerivative: x·Φ(x) and Φ(x) + x·φ(x) within 5e-7 of float64 on [−12, 12], NaN stays NaN, odd sizes', () => {
  const xs = Float32Array.from({ length: 24001 }, (_, i) => -12 + i / 1000);
  const [v, d] = tf.tidy(() => geluWithDerivative(tf.tensor(xs, [1, 24001])));
  const vv = v!.dataSync(), dv = d!.dataSync();
  let ev = 0, ed = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!, cdf = normalCdf64(x);
    ev = Math.max(ev, Math.abs(vv[i]! - x * cdf));
    ed = Math.max(ed, Math.abs(dv[i]! - (cdf + (x * Math.exp(-x * x / 2)) / Math.sqrt(2 * Math.PI))));
  }
  tf.dispose([v!, d!]);
  assert.ok(ev < 5e-7, `value error ${ev}`);
  assert.ok(ed < 5e-7, `derivative error ${ed}`);
  assert.deepEqual(v!.shape, [1, 24001]);
  const [nv, nd] = geluWithDerivative(tf.tensor([NaN, 0, 1000, -1000]));
  assert.ok(Number.isNaN(nv!.dataSync()[0]!) && Number.isNaN(nd!.dataSync()[0]!));
  // (far in the left tail both are 0 up to float32's denormals)
  assert.ok(maxAbsDiff(Array.from(nv!.dataSync()).slice(1), [0, 1000, 0]) < 1e-30);
  assert.ok(maxAbsDiff(Array.from(nd!.dataSync()).slice(1), [0.5, 1, 0]) < 1e-30);
  tf.dispose([nv!, nd!]);
});

test('transpose (the wasm SIMD kernel for 2-D-like perms, the stock one otherwise) equals index arithmetic', () => {
  if (tf.getBackend() === 'wasm') assert.ok(installFastWasmTranspose());
  const rng = new Rng(9);
  const cases: [number[], number[]][] = [
    [[8, 12], [1, 0]], [[5, 7], [1, 0]], [[3, 2], [1, 0]], [[1, 9], [1, 0]], [[2400, 64], [1, 0]], [[13, 4], [1, 0]], [[4, 13], [1, 0]],
    [[2, 3, 4], [1, 2, 0]], [[2, 3, 4], [2, 0, 1]], [[2, 3, 4], [1, 0, 2]], [[2, 3, 5, 2], [0, 2, 1, 3]], [[6, 0], [1, 0]],
  ];
  for (const [shape, perm] of cases) {
    for (const dtype of ['float32', 'int32'] as const) {
      const n = shape.reduce((a, b) => a * b, 1);
      const vals = dtype === 'int32' ? Array.from({ length: n }, () => rng.int(-1000, 1000)) : rng.normalArray(n);
      const x = tf.tensor(vals, shape, dtype);
      const y = tf.transpose(x, perm);
      const outShape = perm.map((p) => shape[p]!);
      assert.deepEqual(y.shape, outShape);
      const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
      const expected = new Array<number>(n);
      const idx = new Array<number>(outShape.length).fill(0);
      for (let o = 0; o < n; o++) {
        let src = 0;
        for (let a = 0; a < perm.length; a++) src += idx[a]! * inStrides[perm[a]!]!;
        expected[o] = vals[src]!;
        for (let a = outShape.length - 1; a >= 0; a--) { if (++idx[a]! < outShape[a]!) break; idx[a] = 0; }
      }
      assert.deepEqual(Array.from(y.dataSync()), Array.from(dtype === 'int32' ? Int32Array.from(expected) : Float32Array.from(expected)), `${JSON.stringify(shape)} ${JSON.stringify(perm)} ${dtype}`);
      tf.dispose([x, y]);
    }
  }
});

test('conv1d with a fused bias: value and gradients (x, w, bias) match conv1d + add', () => {
  tf.tidy(() => {
    const rng = new Rng(7);
    const x = tf.tensor(rng.normalArray(2 * 11 * 3), [2, 11, 3]) as tf.Tensor3D;
    const w = tf.tensor(rng.normalArray(3 * 3 * 4), [3, 3, 4]) as tf.Tensor3D;
    const b = tf.tensor(rng.normalArray(4), [4]);
    const gy = tf.tensor(rng.normalArray(2 * 11 * 4), [2, 11, 4]);
    const fused = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(conv1d(p as tf.Tensor3D, q as tf.Tensor3D, { dilation: 2, padding: 'same', bias: r }), gy));
    const plain = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(tf.add(conv1d(p as tf.Tensor3D, q as tf.Tensor3D, { dilation: 2, padding: 'same' }), r), gy));
    assert.ok(maxAbsDiff(fused(x, w, b), plain(x, w, b)) < 1e-3);
    const g1 = tf.grads(fused)([x, w, b]);
    const g2 = tf.grads(plain)([x, w, b]);
    for (let i = 0; i < 3; i++) assert.ok(maxAbsDiff(g1[i]!, g2[i]!) < 1e-4, `grad ${i}`);
  });
});

test("tf.maxPool's gradient routes each window's gradient to its maximum (wasm's own MaxPoolGrad, which drops some windows, is replaced)", () => {
  // shapes where tfjs-backend-wasm 4.22's MaxPoolGrad returned zeros for some windows
  for (const [shape, win] of [[[3, 2, 1, 1], [2, 1]], [[1, 6, 1, 2], [2, 1]], [[2, 5, 3, 2], [2, 2]], [[1, 8, 1, 3], [2, 1]]] as [[number, number, number, number], [number, number]][]) {
    const [N, H, W, C] = shape;
    const n = N * H * W * C;
    const xs = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 7.3)); // no ties
    const Ho = Math.floor(H / win[0]), Wo = Math.floor(W / win[1]);
    const dys = Float32Array.from({ length: N * Ho * Wo * C }, (_, i) => i + 1);
    const want = new Float32Array(n);
    for (let b = 0; b < N; b++) for (let i = 0; i < Ho; i++) for (let j = 0; j < Wo; j++) for (let c = 0; c < C; c++) {
      let best = -1;
      for (let di = 0; di < win[0]; di++) for (let dj = 0; dj < win[1]; dj++) {
        const at = ((b * H + i * win[0] + di) * W + j * win[1] + dj) * C + c;
        if (best < 0 || xs[at]! > xs[best]!) best = at;
      }
      want[best] = want[best]! + dys[((b * Ho + i) * Wo + j) * C + c]!;
    }
    const x = tf.tensor4d(xs, shape), dy = tf.tensor4d(dys, [N, Ho, Wo, C]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, win, win, 'valid'), dy)))(x);
    assert.deepEqual(Array.from(g.dataSync()), Array.from(want), `input [${shape.join(', ')}], window [${win.join(', ')}]`);
    tf.dispose([x, dy, g]);
  }
});
