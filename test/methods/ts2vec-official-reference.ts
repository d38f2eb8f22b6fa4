/**
 * An independent reference of TS2Vec's encoder and loss, written line by line from the
 * official PyTorch code (yuezhihan/ts2vec: `models/dilated_conv.py`, `models/encoder.py`,
 * `models/losses.py`) with plain tfjs ops, so that tfjs's own autodiff gives its gradients:
 * 'same' dilated convs as shifted matMuls, GELU as x·Φ(x) through erf, and the contrastive
 * losses with `tril`/`triu` and `log_softmax` as written there. None of our custom ops or
 * custom gradients is used. Shared by test/methods/ts2vec-reference.test.ts and
 * experiments/ts2vec-reference-check.ts.
 *
 * Pooling uses `tf.maximum` of even/odd steps, not `tf.maxPool`: on the wasm backend (tfjs
 * 4.22) `tf.maxPool`'s gradient is wrong for some shapes (e.g. `[3, 2, 1, 1]` with window
 * [2, 1] drops the last window's gradient), which made the first version of this reference
 * disagree with a float64 finite-difference check while our step agreed with it.
 */
import type { DilatedConvEncoder } from '../../src/backbones/dilated-conv.js';
import { Rng } from '../../src/engine/random.js';
import { tf, type Tensor, type Tensor2D, type Tensor3D } from '../../src/engine/tf.js';
import type { SeriesArray } from '../../src/methods/crops.js';
import { dropMasks, pairedViewsLoss } from '../../src/methods/ts2vec-step.js';

/** `SamePadConv`: zero padding of rf // 2 on both sides (odd rf), then a valid conv: Σ_k x[t + k·d − pad] W_k + b. */
export function sameConv(x: Tensor3D, w: Tensor, b: Tensor, d: number): Tensor3D {
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
export function encoderForward(net: DilatedConvEncoder, x: Tensor3D, keep: Tensor2D): Tensor3D {
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
export function hierarchicalLoss(z1: Tensor3D, z2: Tensor3D): tf.Scalar {
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


/** Loss value and the gradient of every parameter of `net`, by name. */
export function gradientsOf(net: DilatedConvEncoder, f: () => tf.Scalar): { loss: number; grads: Map<string, Float32Array> } {
  const params = net.namedParameters();
  const { value, grads } = tf.variableGrads(f, [...params.values()]);
  const out = new Map<string, Float32Array>();
  for (const [k, v] of params) out.set(k, grads[v.name]!.dataSync() as Float32Array);
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, grads: out };
}

/** Ours vs the reference on one step: both losses, and per parameter max |ours − ref| and max |ref|. */
export interface StepComparison {
  loss: number;
  refLoss: number;
  errors: { name: string; diff: number; scale: number }[];
}

/**
 * One training step's loss and gradients, ours (`pairedViewsLoss`, stacked or apart as `stack`
 * says, or as it decides) against the reference: each view through `encoderForward`, the crop
 * (view 1's last `cropL` steps, view 2's first), the same dropout masks (`dropMasks` with the
 * two `dropSeeds`), `hierarchicalLoss`. Paper loss settings (alpha 0.5, temporal unit 0).
 */
export function compareStep(
  net: DilatedConvEncoder, views: readonly [SeriesArray, SeriesArray], keeps: readonly [Uint8Array, Uint8Array], cropL: number,
  dropSeeds: readonly [number, number], stack?: boolean,
): StepComparison {
  const B = views[0].n, D = net.outputDims, rate = net.config.dropout;
  const pair = pairedViewsLoss(net, views, keeps, cropL, [new Rng(dropSeeds[0]), new Rng(dropSeeds[1])], { alpha: 0.5, temporalUnit: 0 }, stack === undefined ? {} : { stack });
  const ours = gradientsOf(net, pair.loss);
  pair.dispose();
  const [d0, d1] = [new Rng(dropSeeds[0]), new Rng(dropSeeds[1])];
  const drop = rate > 0 ? dropMasks(B, [views[0].length, views[1].length], cropL, D, rate, [d0.seed(), d1.seed()]) : undefined;
  const inputs = views.map((v, i) => [
    tf.tensor3d(v.values.map((x) => (Number.isNaN(x) ? 0 : x)), [B, v.length, v.channels]),
    tf.tensor2d(Float32Array.from(keeps[i]!), [B, v.length]),
  ] as const);
  const ref = gradientsOf(net, () => {
    const [o1, o2] = inputs.map(([x, m]) => encoderForward(net, x, m)) as [Tensor3D, Tensor3D];
    let z1 = tf.slice(o1, [0, o1.shape[1] - cropL, 0], [B, cropL, D]) as Tensor3D;
    let z2 = tf.slice(o2, [0, 0, 0], [B, cropL, D]) as Tensor3D;
    if (drop) {
      z1 = tf.mul(z1, tf.slice(drop, [0, 0, 0], [B, -1, -1]));
      z2 = tf.mul(z2, tf.slice(drop, [B, 0, 0], [B, -1, -1]));
    }
    return hierarchicalLoss(z1, z2);
  });
  tf.dispose([...(drop ? [drop] : []), ...inputs.flat()]);
  const errors = [...ref.grads].map(([name, g]) => {
    const o = ours.grads.get(name)!;
    let scale = 1e-12, diff = 0;
    for (let i = 0; i < g.length; i++) { scale = Math.max(scale, Math.abs(g[i]!)); diff = Math.max(diff, Math.abs(o[i]! - g[i]!)); }
    return { name, diff, scale };
  });
  return { loss: ours.loss, refLoss: ref.loss, errors };
}
