/**
 * TS2Vec's hierarchical contrastive loss (Yue et al., AAAI 2022, §3.3), as pure functions on
 * tensors. Similarities are raw dot products (no normalisation, no temperature); for each
 * anchor the other view's representation at the same (instance, timestamp) is the positive
 * and every other representation except the anchor itself is a negative.
 *
 * With `z = [z1; z2]` (n rows) and `sim = z zᵀ`, the loss of row r is
 * `logsumexp_{j≠r} sim[r, j] − sim[r, pos(r)]`, and `Σ_r sim[r, pos(r)] = 2 Σ z1·z2`, so the
 * positive term needs no gather. The similarity matMuls are written as plain 2-D matMuls
 * with explicit transposes (the fast path on the wasm backend).
 */
import { addMany, customGrad, maxPool2Grad } from '../engine/ops.js';
import { tf, type Tensor2D, type Tensor3D } from '../engine/tf.js';

type Scalar = tf.Scalar;

const maskCache = new Map<string, Float32Array>();

/** `[n, n]` additive mask: 0 where r ≠ j and both lie in the same group of `group` rows, −1e30 elsewhere. */
function groupMask(n: number, group: number): tf.Tensor2D {
  const key = `${n}:${group}`;
  let m = maskCache.get(key);
  if (!m) {
    m = new Float32Array(n * n);
    for (let r = 0; r < n; r++) for (let j = 0; j < n; j++) {
      if (r === j || Math.floor(r / group) !== Math.floor(j / group)) m[r * n + j] = -1e30;
    }
    if (maskCache.size > 64) maskCache.clear();
    maskCache.set(key, m);
  }
  return tf.tensor2d(m, [n, n]);
}

/** Row-wise log-sum-exp and softmax of `s + mask`. */
function maskedSoftmax(s: tf.Tensor, mask: tf.Tensor): { lse: tf.Tensor; p: tf.Tensor } {
  const x = tf.add(s, mask);
  const m = tf.max(x, -1, true);
  const e = tf.exp(tf.sub(x, m));
  const z = tf.sum(e, -1, true);
  return { lse: tf.add(m, tf.log(z)), p: tf.div(e, z) };
}

/**
 * `Σ_b Σ_r logsumexp_{j≠r, j ~ r} (z_b z_bᵀ)[r, j]` for `z [b, n, C]`, where `j ~ r` means
 * rows r and j lie in the same block of `group` consecutive rows (group = n: all rows).
 * Gradient fused as `dz_b = (P_b + P_bᵀ) z_b` (P = masked row softmax): one plain 2-D matMul
 * forward and one backward per item (the XNNPACK path on wasm; batched matMuls are ~15× slower).
 */
export function gramLogSumExp(z: Tensor3D, group = z.shape[1]): tf.Scalar {
  const [b, n, C] = z.shape;
  // Small items are merged g at a time into one [g·n, g·n] Gram matrix; the group mask keeps
  // each row inside its own item, so the value is unchanged while the op count drops g-fold.
  const g = Math.max(1, Math.min(b, Math.floor(MERGE_ROWS / n)));
  if (g > 1) {
    return tf.tidy(() => {
      const full = Math.floor(b / g), rest = b - full * g;
      let v = gramCore(tf.reshape(tf.slice(z, [0, 0, 0], [full * g, n, C]), [full, g * n, C]) as Tensor3D, group);
      if (rest > 0) v = tf.add(v, gramCore(tf.reshape(tf.slice(z, [full * g, 0, 0], [rest, n, C]), [1, rest * n, C]) as Tensor3D, group));
      return v;
    });
  }
  return gramCore(z, group);
}

/** Rows per merged Gram matrix (small items are batched up to this size). */
const MERGE_ROWS = 64;

function gramCore(z: Tensor3D, group: number): tf.Scalar {
  const [b, n, C] = z.shape;
  const f = customGrad(([zz], save) => {
    const zt = zz as Tensor3D;
    // The gradient dz_i = (P_i + P_iᵀ) z_i is formed here, next to the value, while P_i is
    // at hand: the backward pass is then one scale by dy (no second Gram matMul and softmax).
    const [value, dz] = tf.tidy(() => {
      const mask = groupMask(n, group);
      const parts: tf.Tensor[] = [];
      const grads: tf.Tensor[] = [];
      for (let i = 0; i < b; i++) {
        const zi = (b === 1 ? tf.reshape(zt, [n, C]) : tf.reshape(tf.slice(zt, [i, 0, 0], [1, n, C]), [n, C])) as Tensor2D;
        const { lse, p } = maskedSoftmax(tf.matMul(zi, tf.transpose(zi)), mask);
        parts.push(tf.sum(lse));
        grads.push(tf.matMul(tf.add(p, tf.transpose(p)) as Tensor2D, zi));
      }
      return [addMany(parts), tf.reshape(b === 1 ? grads[0]! : tf.concat(grads, 0), [b, n, C])];
    });
    save([dz]);
    dz.dispose();
    return {
      value: value as tf.Scalar,
      gradFunc: (dy, saved) => [tf.mul(saved[0]!, dy)],
    };
  });
  return f(z) as tf.Scalar;
}

/**
 * Instance-wise contrastive loss: at each timestamp, the 2B representations of the two views
 * contrast against each other. `z1, z2 [B, T, C]` → scalar (0 when B = 1).
 */
export function instanceContrastiveLoss(z1: Tensor3D, z2: Tensor3D): Scalar {
  return tf.tidy(() => {
    const [B, T] = z1.shape;
    if (B === 1) return tf.scalar(0);
    const z = tf.transpose(tf.concat([z1, z2], 0), [1, 0, 2]) as Tensor3D; // [T, 2B, C]
    // T separate [2B, 2B] problems, merged into fewer, larger Gram matrices by gramLogSumExp
    const lse = gramLogSumExp(z, 2 * B);
    const pos = tf.mul(tf.sum(tf.mul(z1, z2)), 2);
    return tf.div(tf.sub(lse, pos), 2 * B * T) as Scalar;
  });
}

/**
 * Temporal contrastive loss: within each instance, the 2T timestamps of the two views contrast
 * against each other. `z1, z2 [B, T, C]` → scalar. One 2-D matMul per instance (forward and backward).
 */
export function temporalContrastiveLoss(z1: Tensor3D, z2: Tensor3D): Scalar {
  return tf.tidy(() => {
    const [B, T] = z1.shape;
    const lse = gramLogSumExp(tf.concat([z1, z2], 1) as Tensor3D); // [B, 2T, C]
    const pos = tf.mul(tf.sum(tf.mul(z1, z2)), 2);
    return tf.div(tf.sub(lse, pos), 2 * B * T) as Scalar;
  });
}

/** Max-pool over time with kernel 2 and stride 2 (an odd last step is dropped). */
export function maxPoolTime2(z: Tensor3D): Tensor3D {
  return tf.tidy(() => {
    const [B, T, C] = z.shape;
    const half = Math.floor(T / 2);
    const pairs = tf.reshape(tf.slice(z, [0, 0, 0], [B, 2 * half, C]), [B, half, 2, C]);
    const even = tf.reshape(tf.slice(pairs, [0, 0, 0, 0], [B, half, 1, C]), [B, half, C]);
    const odd = tf.reshape(tf.slice(pairs, [0, 0, 1, 0], [B, half, 1, C]), [B, half, C]);
    return tf.maximum(even, odd) as Tensor3D;
  });
}

export interface HierarchicalLossOptions {
  /** weight of the instance term; the temporal term gets 1 − alpha (TS2Vec: 0.5) */
  alpha?: number;
  /** the temporal term starts at this pooling level (TS2Vec: 0) */
  temporalUnit?: number;
}

/**
 * `maxPoolTime2` as one custom op: the value by the pooling kernel (XNNPACK on wasm, ~4× faster
 * than Maximum there), the gradient routed to the larger of each pair (to the first on ties,
 * as the gradient of `tf.maximum`). Same values and gradients as `maxPoolTime2`.
 */
export const maxPoolTime2Fused = customGrad(([zz], save) => {
  const z = zz as Tensor3D;
  const [B, T, C] = z.shape;
  const half = Math.floor(T / 2);
  const value = tf.tidy(() => tf.reshape(tf.maxPool(tf.reshape(z, [B, T, 1, C]) as tf.Tensor4D, [2, 1], [2, 1], 'valid'), [B, half, C])) as Tensor3D;
  save([z]);
  return {
    value,
    gradFunc: (dy, [zs]) => [maxPool2Grad(zs as Tensor3D, dy as Tensor3D)],
  };
}) as (z: Tensor3D) => Tensor3D;

/**
 * Hierarchical contrastive loss: at each scale adds `alpha·instance + (1−alpha)·temporal`,
 * max-pools time by 2 and repeats while T > 1; the final T = 1 level adds the instance term
 * only; the sum is divided by the number of levels. `z1, z2 [B, T, C]` (the two views'
 * representations of the same timestamps) → scalar.
 */
export function hierarchicalContrastiveLoss(z1: Tensor3D, z2: Tensor3D, opts: HierarchicalLossOptions = {}): Scalar {
  return tf.tidy(() => hierarchicalContrastiveLossStacked(tf.concat([z1, z2], 0) as Tensor3D, opts));
}

/**
 * Walks TS2Vec's max-pool hierarchy of `zz` (`[·, T, C]`, pooled by 2 per level until length 1):
 * calls `level(z, withTemporal)` at each level (the temporal term from level `temporalUnit` on and
 * not when alpha is 1; the length-1 level only when alpha is not 0) and returns the number of
 * levels, by which the loss is divided.
 */
function forEachHierarchyLevel(zz: Tensor3D, alpha: number, temporalUnit: number, level: (z: Tensor3D, withTemporal: boolean) => void): number {
  let z = zz, d = 0;
  while (z.shape[1] > 1) {
    level(z, d >= temporalUnit && alpha !== 1);
    d++;
    z = maxPoolTime2Fused(z);
  }
  if (z.shape[1] === 1) {
    if (alpha !== 0) level(z, false);
    d++;
  }
  return d;
}

/**
 * `hierarchicalContrastiveLoss` of the two views stacked along the batch axis,
 * `zz = [z1; z2]` (`[2B, T, C]`). Both views are pooled by one op per level, and the
 * instance and temporal terms share the positive term `Σ z1·z2` (each term's value is the
 * same as `instanceContrastiveLoss` / `temporalContrastiveLoss` computes).
 */
export function hierarchicalContrastiveLossStacked(zz: Tensor3D, opts: HierarchicalLossOptions = {}): Scalar {
  const alpha = opts.alpha ?? 0.5;
  const temporalUnit = opts.temporalUnit ?? 0;
  return tf.tidy(() => {
    const B = zz.shape[0] / 2, C = zz.shape[2];
    const terms: Scalar[] = [];
    const level = (z: Tensor3D, withTemporal: boolean) => {
      const T = z.shape[1];
      const z1 = tf.slice(z, [0, 0, 0], [B, T, C]), z2 = tf.slice(z, [B, 0, 0], [B, T, C]);
      const pos = tf.mul(tf.sum(tf.mul(z1, z2)), 2);
      if (alpha !== 0) {
        const inst = B === 1 ? tf.scalar(0)
          : tf.div(tf.sub(gramLogSumExp(tf.transpose(z, [1, 0, 2]) as Tensor3D, 2 * B), pos), 2 * B * T);
        terms.push(tf.mul(inst, alpha) as Scalar);
      }
      if (withTemporal) {
        // [B, 2T, C]: row b holds view 1's T steps of instance b, then view 2's
        const zt = tf.reshape(tf.transpose(tf.reshape(z, [2, B, T, C]), [1, 0, 2, 3]), [B, 2 * T, C]) as Tensor3D;
        terms.push(tf.mul(tf.div(tf.sub(gramLogSumExp(zt), pos), 2 * B * T), 1 - alpha) as Scalar);
      }
    };
    const d = forEachHierarchyLevel(zz, alpha, temporalUnit, level);
    const total = terms.length ? addMany(terms) : tf.scalar(0);
    return tf.div(total, Math.max(d, 1)) as Scalar;
  });
}

/**
 * One part of `hierarchicalContrastiveLossStacked`, for a training step whose batch of
 * `batch` instances is split into shards that are encoded on different threads:
 *
 * - `'instance'`: the log-sum-exp sums of the instance terms. They contrast every instance
 *   with every other at each timestamp, so `zz` must hold the whole batch, `[z1; z2]` (`[2B, T, C]`).
 * - `'local'`: everything else: the positive terms `Σ z1·z2` of both terms and the temporal
 *   log-sum-exp sums. These are sums over instances, so `zz` may hold any subset of the
 *   instances, `[z1[I]; z2[I]]` (`[2|I|, T, C]`).
 *
 * Both are normalised by the whole batch (`batch` = B) and the number of levels, so the
 * `'instance'` part of the batch plus the `'local'` parts of shards that partition its
 * instances equals `hierarchicalContrastiveLossStacked` of the batch, up to float rounding
 * (the terms are added in a different order). The gradient of each part is exact.
 *
 * The instance part is also a sum over timestamps: with `span: [f0, f1]` it takes, at each
 * level of T timestamps, those in `[round(f0·T), round(f1·T))`; spans that partition [0, 1]
 * (e.g. [0, 0.4] and [0.4, 1]) partition every level's timestamps, so their parts add up to
 * the whole instance part.
 */
export function hierarchicalLossPart(
  zz: Tensor3D, part: 'instance' | 'local', batch: number, opts: HierarchicalLossOptions & { span?: readonly [number, number] } = {},
): Scalar {
  const alpha = opts.alpha ?? 0.5;
  const span = opts.span ?? [0, 1];
  const temporalUnit = opts.temporalUnit ?? 0;
  return tf.tidy(() => {
    const b = zz.shape[0] / 2, C = zz.shape[2];
    if (part === 'instance' && b !== batch) throw new RangeError(`hierarchicalLossPart: the instance part needs all ${batch} instances, got ${b}`);
    const withInstance = alpha !== 0 && batch > 1;
    const terms: Scalar[] = [];
    const level = (z: Tensor3D, withTemporal: boolean) => {
      const T = z.shape[1];
      const norm = 2 * batch * T;
      if (part === 'instance') {
        const t0 = Math.round(span[0] * T), t1 = Math.round(span[1] * T);
        if (!withInstance || t1 <= t0) return;
        let zt = tf.transpose(z, [1, 0, 2]) as Tensor3D; // [T, 2B, C]
        if (t1 - t0 < T) zt = tf.slice(zt, [t0, 0, 0], [t1 - t0, 2 * b, C]);
        terms.push(tf.mul(tf.div(gramLogSumExp(zt, 2 * b), norm), alpha) as Scalar);
        return;
      }
      if (!withInstance && !withTemporal) return;
      const z1 = tf.slice(z, [0, 0, 0], [b, T, C]), z2 = tf.slice(z, [b, 0, 0], [b, T, C]);
      const pos = tf.mul(tf.sum(tf.mul(z1, z2)), 2);
      if (withInstance) terms.push(tf.mul(tf.div(tf.neg(pos), norm), alpha) as Scalar);
      if (withTemporal) {
        const zt = tf.reshape(tf.transpose(tf.reshape(z, [2, b, T, C]), [1, 0, 2, 3]), [b, 2 * T, C]) as Tensor3D;
        terms.push(tf.mul(tf.div(tf.sub(gramLogSumExp(zt), pos), norm), 1 - alpha) as Scalar);
      }
    };
    const d = forEachHierarchyLevel(zz, alpha, temporalUnit, level);
    // (× 0 keeps a part without terms connected to zz, so that its gradient is defined: zeros)
    const total = terms.length ? addMany(terms) : tf.mul(tf.sum(zz), 0);
    return tf.div(total, Math.max(d, 1)) as Scalar;
  });
}
