import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Rng } from '../../src/engine/random.js';
import { tf } from '../../src/engine/tf.js';
import { hierarchicalContrastiveLoss, instanceContrastiveLoss, maxPoolTime2, temporalContrastiveLoss } from '../../src/methods/losses.js';
import { binomialMask, centerizeVaryLengthSeries, cropViews, prepareTrainingSeries, sampleCrops, splitWithNan } from '../../src/methods/crops.js';
import { setUpBackend } from '../helpers.js';

before(setUpBackend);

type Arr = number[][][]; // [B][T][C]
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
/** mean over rows r of −log softmax_{j≠r}(sim[r])[pos(r)] for the stacked rows `rows` with pos(r) = r ± half */
function ceRows(rows: number[][]): number {
  const n = rows.length, half = n / 2;
  let total = 0;
  for (let r = 0; r < n; r++) {
    const logits: number[] = [];
    for (let j = 0; j < n; j++) if (j !== r) logits.push(dot(rows[r]!, rows[j]!));
    const m = Math.max(...logits);
    const lse = m + Math.log(logits.reduce((s, v) => s + Math.exp(v - m), 0));
    total += lse - dot(rows[r]!, rows[(r + half) % n]!);
  }
  return total / n;
}
function refInstance(z1: Arr, z2: Arr): number {
  const B = z1.length, T = z1[0]!.length;
  if (B === 1) return 0;
  let s = 0;
  for (let t = 0; t < T; t++) s += ceRows([...z1.map((x) => x[t]!), ...z2.map((x) => x[t]!)]);
  return s / T;
}
function refTemporal(z1: Arr, z2: Arr): number {
  let s = 0;
  for (let b = 0; b < z1.length; b++) s += ceRows([...z1[b]!, ...z2[b]!]);
  return s / z1.length;
}
function refPool(z: Arr): Arr {
  return z.map((x) => Array.from({ length: Math.floor(x.length / 2) }, (_, t) => x[2 * t]!.map((v, c) => Math.max(v, x[2 * t + 1]![c]!))));
}
function refHier(z1: Arr, z2: Arr): number {
  let loss = 0, d = 0;
  while (z1[0]!.length > 1) {
    loss += 0.5 * refInstance(z1, z2) + 0.5 * refTemporal(z1, z2);
    d++; z1 = refPool(z1); z2 = refPool(z2);
  }
  if (z1[0]!.length === 1) { loss += 0.5 * refInstance(z1, z2); d++; }
  return loss / d;
}
function rand(rng: Rng, B: number, T: number, C: number): Arr {
  return Array.from({ length: B }, () => Array.from({ length: T }, () => Array.from({ length: C }, () => rng.normal() * 0.7)));
}
const t3 = (a: Arr) => tf.tensor3d(a as unknown as number[][][]);

describe('hierarchical contrastive loss', () => {
  it('instance and temporal terms match a plain-loop reference', () => {
    const rng = new Rng(1);
    for (const [B, T, C] of [[3, 5, 4], [2, 1, 3], [1, 4, 2], [5, 11, 3]] as const) {
      const a = rand(rng, B, T, C), b = rand(rng, B, T, C);
      const z1 = t3(a), z2 = t3(b);
      assert.ok(Math.abs(instanceContrastiveLoss(z1, z2).dataSync()[0]! - refInstance(a, b)) < 1e-4, `instance ${B},${T},${C}`);
      assert.ok(Math.abs(temporalContrastiveLoss(z1, z2).dataSync()[0]! - refTemporal(a, b)) < 1e-4, `temporal ${B},${T},${C}`);
      z1.dispose(); z2.dispose();
    }
  });

  it('hierarchical loss (odd lengths, several levels) matches the reference', () => {
    const rng = new Rng(2);
    for (const [B, T, C] of [[2, 7, 3], [4, 13, 5], [1, 6, 2]] as const) {
      const a = rand(rng, B, T, C), b = rand(rng, B, T, C);
      const v = tf.tidy(() => hierarchicalContrastiveLoss(t3(a), t3(b)).dataSync()[0]!);
      assert.ok(Math.abs(v - refHier(a, b)) < 1e-4, `hier ${B},${T},${C}: ${v} vs ${refHier(a, b)}`);
    }
  });

  it('hand-computed value on a tiny case', () => {
    // B=2, T=1, C=1: rows z = [1, 2, 3, 4] (z1 = [1, 2], z2 = [3, 4]); row r's positive is r±2.
    // row 0: logits {2,3,4} → lse − 3; row 1: {2,6,8} − 8; row 2: {3,6,12} − 3; row 3: {4,8,12} − 8
    const lse = (xs: number[]) => Math.log(xs.reduce((s, v) => s + Math.exp(v), 0));
    const expected = (lse([2, 3, 4]) - 3 + lse([2, 6, 8]) - 8 + lse([3, 6, 12]) - 3 + lse([4, 8, 12]) - 8) / 4;
    const v = tf.tidy(() => hierarchicalContrastiveLoss(tf.tensor3d([[[1]], [[2]]]), tf.tensor3d([[[3]], [[4]]])).dataSync()[0]!);
    // T = 1: only the final instance level, weighted 0.5, one level
    assert.ok(Math.abs(v - 0.5 * expected) < 1e-5, `${v} vs ${0.5 * expected}`);
  });

  it('gradient matches finite differences', () => {
    const rng = new Rng(3);
    const a = rand(rng, 3, 6, 2), b = rand(rng, 3, 6, 2);
    const z1 = tf.variable(t3(a)), z2 = tf.variable(t3(b));
    const { grads } = tf.variableGrads(() => hierarchicalContrastiveLoss(z1 as unknown as tf.Tensor3D, z2 as unknown as tf.Tensor3D), [z1, z2]);
    const g = grads[z1.name]!.arraySync() as number[][][];
    const eps = 1e-3;
    for (const [i, t, c] of [[0, 0, 0], [1, 3, 1], [2, 5, 0]] as const) {
      const p = structuredClone(a), m = structuredClone(a);
      p[i]![t]![c]! += eps; m[i]![t]![c]! -= eps;
      const fd = (refHier(p, b) - refHier(m, b)) / (2 * eps);
      assert.ok(Math.abs(fd - g[i]![t]![c]!) < 2e-3, `grad ${fd} vs ${g[i]![t]![c]}`);
    }
    for (const x of Object.values(grads)) x.dispose();
    z1.dispose(); z2.dispose();
  });

  it('maxPoolTime2 drops an odd last step', () => {
    const z = tf.tensor3d([[[1], [5], [2], [0], [9]]]);
    assert.deepEqual(Array.from(maxPoolTime2(z).dataSync()), [5, 2]);
  });
});

describe('crops and masks', () => {
  it('crop plans respect the official ranges and the views overlap on cropL steps', () => {
    const rng = new Rng(4);
    for (let k = 0; k < 500; k++) {
      const T = 2 + (k % 40), B = 3;
      const p = sampleCrops(rng, T, B);
      assert.ok(p.cropL >= 2 && p.cropL <= T);
      assert.ok(p.cropLeft >= 0 && p.cropRight === p.cropLeft + p.cropL && p.cropRight <= T);
      assert.ok(p.cropELeft >= 0 && p.cropELeft <= p.cropLeft);
      assert.ok(p.cropERight >= p.cropRight && p.cropERight <= T);
      for (const o of p.offsets) assert.ok(o >= -p.cropELeft && o <= T - p.cropERight);
    }
  });

  it('view 1 ends and view 2 starts with the same cropL timestamps', () => {
    const rng = new Rng(5);
    const B = 4, T = 30;
    const values = Float32Array.from({ length: B * T }, (_, i) => i); // series i, step t → i*T + t
    for (let k = 0; k < 50; k++) {
      const p = sampleCrops(rng, T, B);
      const [v1, v2] = cropViews({ values, n: B, length: T, channels: 1 }, p);
      for (let i = 0; i < B; i++) {
        const tail = Array.from(v1.values.subarray((i + 1) * v1.length - p.cropL, (i + 1) * v1.length));
        const head = Array.from(v2.values.subarray(i * v2.length, i * v2.length + p.cropL));
        assert.deepEqual(tail, head);
        assert.equal(head[0], i * T + p.offsets[i]! + p.cropLeft);
      }
    }
  });

  it('binomial mask keeps about p of the timestamps and is seeded', () => {
    const m = binomialMask(new Rng(6), 10, 1000, 0.5);
    const frac = m.reduce((s, v) => s + v, 0) / m.length;
    assert.ok(Math.abs(frac - 0.5) < 0.03);
    assert.deepEqual(binomialMask(new Rng(6), 10, 1000), m);
  });

  it('long series are split with NaN padding; NaN edges are centred; all-NaN series dropped', () => {
    const x = { values: Float32Array.from({ length: 7 }, (_, i) => i), n: 1, length: 7, channels: 1 };
    const s = splitWithNan(x, 3); // numpy array_split sizes 3, 2, 2 → padded to 3
    assert.equal(s.n, 3); assert.equal(s.length, 3);
    assert.deepEqual(Array.from(s.values).map((v) => (Number.isNaN(v) ? -1 : v)), [0, 1, 2, 3, 4, -1, 5, 6, -1]);
    const c = centerizeVaryLengthSeries({ values: Float32Array.from([1, 2, NaN, NaN, NaN, NaN]), n: 1, length: 6, channels: 1 });
    assert.deepEqual(Array.from(c.values).map((v) => (Number.isNaN(v) ? -1 : v)), [-1, -1, 1, 2, -1, -1]);
    const p = prepareTrainingSeries({ values: Float32Array.from([1, 2, 3, NaN, NaN, NaN]), n: 2, length: 3, channels: 1 });
    assert.equal(p.n, 1);
  });
});
