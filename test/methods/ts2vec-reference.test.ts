/**
 * TS2Vec's training step (fused conv blocks, stacked views, the loss's fused gradients) against
 * an independent reference written line by line from the official PyTorch code (yuezhihan/ts2vec:
 * `models/dilated_conv.py`, `models/encoder.py`, `models/losses.py`) with plain tfjs ops and
 * tfjs's own autodiff: 'same' dilated convs as shifted matMuls, GELU as x·Φ(x) through erf, and
 * the contrastive losses with `tril`/`triu` and `log_softmax` as written there. None of our
 * custom ops or custom gradients is used by the reference.
 *
 * The reference pools with `tf.maximum` of even/odd steps, not `tf.maxPool`: on the wasm
 * backend (tfjs 4.22) `tf.maxPool`'s gradient is wrong for some shapes (e.g. `[3, 2, 1, 1]`
 * with window [2, 1]), which made an earlier version of this check fail on the reference side.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DilatedConvEncoder } from '../../src/backbones/dilated-conv.js';
import { Rng } from '../../src/engine/random.js';
import { tf, type Tensor, type Tensor2D, type Tensor3D } from '../../src/engine/tf.js';
import { binomialMask, cropViews, sampleCrops, type SeriesArray } from '../../src/methods/crops.js';
import { dropMasks, pairedViewsLoss } from '../../src/methods/ts2vec-step.js';
import { setUpBackend } from '../helpers.js';

before(setUpBackend);

/** `SamePadConv`: zero padding of rf // 2 on both sides (odd rf), then a valid conv: Σ_k x[t + k·d − pad] W_k + b. */
function sameConv(x: Tensor3D, w: Tensor, b: Tensor, d: number): Tensor3D {
  const [N, L, cin] = x.shape;
  const [K, , cout] = w.shape as [number, number, number];
  const pad = (d * (K - 1)) / 2;
  const xp = tf.pad(x, [[0, 0], [pad, pad], [0, 0]]);
  let y: Tensor = b;
  for (let k = 0; k < K; k++) {
    const xs = tf.reshape(tf.slice(xp, [0, k * d, 0], [N, L, cin]), [N * L, cin]) as Tensor2D;
    y = tf.add(y, tf.matMul(xs, tf.reshape(tf.slice(w, [k, 0, 0], [1, cin, cout]), [cin, cout]) as Tensor2D));
  }
  return tf.reshape(y, [N, L, cout]) as Tensor3D;
}

const geluErf = (x: Tensor): Tensor3D => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))) as Tensor3D;

/** `TSEncoder.forward` without the dropout: input_fc, x[~mask] = 0, the ConvBlocks (gelu → conv1 → gelu → conv2, + residual). */
function encoderForward(net: DilatedConvEncoder, x: Tensor3D, keep: Tensor2D): Tensor3D {
  const [N, L, C] = x.shape;
  let h = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [N * L, C]) as Tensor2D, net.inputFc.weight as unknown as Tensor2D), net.inputFc.bias!), [N, L, -1]) as Tensor3D;
  h = tf.mul(h, tf.expandDims(keep, 2));
  for (const blk of net.blocks) {
    const residual = blk.projector ? sameConv(h, blk.projector.weight, blk.projector.bias, 1) : h;
    const c1 = sameConv(geluErf(h), blk.conv1.weight, blk.conv1.bias, blk.conv1.dilation);
    h = tf.add(sameConv(geluErf(c1), blk.conv2.weight, blk.conv2.bias, blk.conv2.dilation), residual) as Tensor3D;
  }
  return h;
}

/**
 * The shared core of `instance_contrastive_loss` / `temporal_contrastive_loss` on `z [X, 2n, C]`:
 * sim = z zᵀ; logits = tril(sim, −1)[..., :−1] + triu(sim, 1)[..., 1:]; −log_softmax; the
 * mean of the positives' entries (row i: column n + i − 1; row n + i: column i).
 */
function contrastCore(z: Tensor, n: number): Tensor {
  const m = 2 * n;
  const sim = tf.matMul(z, tf.transpose(z, [0, 2, 1]));
  const lower = new Float32Array(m * m), upper = new Float32Array(m * m), pick = new Float32Array(m * (m - 1));
  for (let r = 0; r < m; r++) for (let j = 0; j < m; j++) { if (j < r) lower[r * m + j] = 1; if (j > r) upper[r * m + j] = 1; }
  for (let i = 0; i < n; i++) { pick[i * (m - 1) + n + i - 1] = 1; pick[(n + i) * (m - 1) + i] = 1; }
  const tril = tf.slice(tf.mul(sim, tf.tensor2d(lower, [m, m])), [0, 0, 0], [-1, m, m - 1]);
  const triu = tf.slice(tf.mul(sim, tf.tensor2d(upper, [m, m])), [0, 0, 1], [-1, m, m - 1]);
  const nll = tf.neg(tf.logSoftmax(tf.add(tril, triu), -1));
  return tf.div(tf.sum(tf.mul(nll, tf.tensor2d(pick, [m, m - 1]))), z.shape[0]! * m);
}

function instanceLoss(z1: Tensor3D, z2: Tensor3D): Tensor {
  if (z1.shape[0] === 1) return tf.scalar(0);
  return contrastCore(tf.transpose(tf.concat([z1, z2], 0), [1, 0, 2]), z1.shape[0]);
}

function temporalLoss(z1: Tensor3D, z2: Tensor3D): Tensor {
  if (z1.shape[1] === 1) return tf.scalar(0);
  return contrastCore(tf.concat([z1, z2], 1), z1.shape[1]);
}

/** `F.max_pool1d(z, kernel_size=2)` over time (the last odd step dropped). */
function pool2(z: Tensor3D): Tensor3D {
  const [B, T, C] = z.shape;
  const h = Math.floor(T / 2);
  const pairs = tf.reshape(tf.slice(z, [0, 0, 0], [B, 2 * h, C]), [B, h, 2, C]);
  return tf.reshape(tf.maximum(tf.slice(pairs, [0, 0, 0, 0], [B, h, 1, C]), tf.slice(pairs, [0, 0, 1, 0], [B, h, 1, C])), [B, h, C]) as Tensor3D;
}

/** `hierarchical_contrastive_loss(z1, z2, alpha=0.5, temporal_unit=0)`. */
function hierarchicalLoss(z1: Tensor3D, z2: Tensor3D): tf.Scalar {
  let loss: Tensor = tf.scalar(0);
  let d = 0;
  while (z1.shape[1] > 1) {
    loss = tf.add(loss, tf.add(tf.mul(0.5, instanceLoss(z1, z2)), tf.mul(0.5, temporalLoss(z1, z2))));
    d++;
    z1 = pool2(z1);
    z2 = pool2(z2);
  }
  if (z1.shape[1] === 1) { loss = tf.add(loss, tf.mul(0.5, instanceLoss(z1, z2))); d++; }
  return tf.div(loss, d) as tf.Scalar;
}

function gradsOf(net: DilatedConvEncoder, f: () => tf.Scalar): { loss: number; grads: Map<string, Float32Array> } {
  const params = net.namedParameters();
  const { value, grads } = tf.variableGrads(f, [...params.values()]);
  const out = new Map<string, Float32Array>();
  for (const [k, v] of params) out.set(k, grads[v.name]!.dataSync() as Float32Array);
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, grads: out };
}

describe('TS2Vec training step vs the official formulas (independent reference, tfjs autodiff)', () => {
  it('equal loss and gradients of every parameter (relative error < 1e-4) on sampled crops, stacked and apart', () => {
    const B = 4, T = 48, C = 2, D = 16;
    // depth 6: dilations 1 … 32 and the final block's 64, so the last blocks see views shorter
    // than their dilation (centre tap only, run on the crop alone); dropout as in training
    const net = new DilatedConvEncoder({ inputDims: C, hidden: 8, depth: 6, outputDims: D, dropout: 0.1 }, new Rng(11));
    const rng = new Rng(5);
    const series: SeriesArray = { values: rng.normalArray(B * T * C), n: B, length: T, channels: C };
    series.values[7] = NaN; // one missing cell: zeroed at the input and its timestamp masked
    for (let step = 0; step < 6; step++) {
      const plan = sampleCrops(rng, T, B);
      const views = cropViews(series, plan);
      const keeps = views.map((v) => {
        const k = binomialMask(rng, v.n, v.length);
        for (let r = 0; r < k.length; r++) for (let c = 0; c < C; c++) if (Number.isNaN(v.values[r * C + c]!)) k[r] = 0;
        return k;
      }) as [Uint8Array, Uint8Array];
      const seeds: [number, number] = [rng.seed(), rng.seed()];
      const dropRngs = (): [Rng, Rng] => [new Rng(seeds[0]), new Rng(seeds[1])];
      for (const stack of [true, false]) {
        const pair = pairedViewsLoss(net, views, keeps, plan.cropL, dropRngs(), { alpha: 0.5, temporalUnit: 0 }, { stack });
        const ours = gradsOf(net, pair.loss);
        pair.dispose();
        // the same dropout masks (the draw is part of our step's contract, see dropMasks)
        const [d0, d1] = dropRngs();
        const drop = dropMasks(B, [views[0].length, views[1].length], plan.cropL, D, 0.1, [d0.seed(), d1.seed()])!;
        const inputs = views.map((v, i) => [
          tf.tensor3d(v.values.map((x) => (Number.isNaN(x) ? 0 : x)), [B, v.length, C]),
          tf.tensor2d(Float32Array.from(keeps[i]!), [B, v.length]),
        ] as const);
        const ref = gradsOf(net, () => {
          const [o1, o2] = inputs.map(([x, m]) => encoderForward(net, x, m)) as [Tensor3D, Tensor3D];
          const z1 = tf.mul(tf.slice(o1, [0, o1.shape[1] - plan.cropL, 0], [B, plan.cropL, D]), tf.slice(drop, [0, 0, 0], [B, -1, -1])) as Tensor3D;
          const z2 = tf.mul(tf.slice(o2, [0, 0, 0], [B, plan.cropL, D]), tf.slice(drop, [B, 0, 0], [B, -1, -1])) as Tensor3D;
          return hierarchicalLoss(z1, z2);
        });
        tf.dispose([drop, ...inputs.flat()]);
        const tag = `step ${step} (L ${views[0].length}/${views[1].length}, crop ${plan.cropL}, ${stack ? 'stacked' : 'apart'})`;
        assert.ok(Number.isFinite(ref.loss) && ref.loss > 0, tag);
        assert.ok(Math.abs(ours.loss - ref.loss) <= 1e-5 * ref.loss, `${tag}: loss ${ours.loss} vs ${ref.loss}`);
        for (const [k, g] of ref.grads) {
          const o = ours.grads.get(k)!;
          let scale = 1e-12, diff = 0;
          for (let i = 0; i < g.length; i++) { scale = Math.max(scale, Math.abs(g[i]!)); diff = Math.max(diff, Math.abs(o[i]! - g[i]!)); }
          assert.ok(diff <= 1e-4 * scale, `${tag}: ${k} gradient differs by ${diff} (largest entry ${scale})`);
        }
      }
    }
    net.dispose();
  });
});
