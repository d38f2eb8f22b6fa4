/**
 * Segment masking for masked-autoencoder pretraining (TSFormer/MAE): which patches each row
 * hides, how the visible ones are gathered for the encoder, how the decoder's input is put
 * back in the original order, and the loss on masked patches only.
 */
import { bmm } from '../../engine/ops.js';
import type { Rng } from '../../engine/random.js';
import { tf, type Tensor2D, type Tensor3D } from '../../engine/tf.js';

type Scalar = tf.Scalar;
import { checkNumber } from '../../errors.js';

export interface SegmentMask {
  rows: number;
  nPatches: number;
  nVisible: number;
  /** `[rows · nVisible]` patch indices of the visible patches, ascending within each row */
  visible: Int32Array;
  /** `[rows · nPatches]` 1 where the patch is masked */
  masked: Uint8Array;
}

/**
 * Draws, per row, a uniformly random set of `round(ratio · nPatches)` masked patches
 * (at least one patch stays visible and, when ratio > 0, at least one is masked).
 */
export function maskSegments(rng: Rng, rows: number, nPatches: number, ratio: number): SegmentMask {
  checkNumber('maskRatio', ratio, { min: 0, max: 1, exclusiveMin: false });
  let nMasked = Math.round(ratio * nPatches);
  if (ratio > 0) nMasked = Math.max(1, nMasked);
  nMasked = Math.min(nMasked, nPatches - 1);
  const nVisible = nPatches - nMasked;
  const visible = new Int32Array(rows * nVisible);
  const masked = new Uint8Array(rows * nPatches);
  for (let r = 0; r < rows; r++) {
    const perm = rng.permutation(nPatches);
    for (let j = 0; j < nMasked; j++) masked[r * nPatches + perm[j]!] = 1;
    let k = 0;
    for (let p = 0; p < nPatches; p++) if (!masked[r * nPatches + p]) visible[r * nVisible + k++] = p;
  }
  return { rows, nPatches, nVisible, visible, masked };
}

/** `patches [rows, nPatches, d]` → the visible ones `[rows, nVisible, d]` (data only, no gradient). */
export function gatherVisible(patches: Tensor3D, mask: SegmentMask): Tensor3D {
  return tf.tidy(() => {
    const [rows, n, d] = patches.shape;
    const flatIdx = new Int32Array(mask.visible.length);
    for (let i = 0; i < flatIdx.length; i++) flatIdx[i] = Math.floor(i / mask.nVisible) * n + mask.visible[i]!;
    const g = tf.gather(tf.reshape(patches, [rows * n, d]), tf.tensor1d(flatIdx, 'int32'));
    return tf.reshape(g, [rows, mask.nVisible, d]) as Tensor3D;
  });
}

/**
 * Puts encoded visible tokens `[rows, nVisible, D]` back at their original patch positions
 * and a `maskToken [D]` at every masked position: `[rows, nPatches, D]` in original order.
 * Written as a batched matMul with a constant one-hot scatter matrix, so it is
 * differentiable on every backend (wasm has no scatter/gather gradient).
 */
export function restoreOrder(visibleTokens: Tensor3D, maskToken: tf.Tensor1D | tf.Variable, mask: SegmentMask): Tensor3D {
  return tf.tidy(() => {
    const { rows, nPatches, nVisible } = mask;
    const scatter = new Float32Array(rows * nPatches * nVisible);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < nVisible; j++) scatter[(r * nPatches + mask.visible[r * nVisible + j]!) * nVisible + j] = 1;
    }
    const placed = bmm(tf.tensor3d(scatter, [rows, nPatches, nVisible]), visibleTokens);
    const isMasked = tf.tensor3d(Float32Array.from(mask.masked), [rows, nPatches, 1]);
    return tf.add(placed, tf.mul(isMasked, maskToken)) as Tensor3D;
  });
}

/**
 * Mean squared error over the masked patches only: `recon`, `target [rows, nPatches, d]`,
 * `masked [rows, nPatches]` (1 = masked). Visible patches do not contribute.
 */
export function maskedMse(recon: Tensor3D, target: Tensor3D, masked: Tensor2D): Scalar {
  return tf.tidy(() => {
    const perPatch = tf.mean(tf.square(tf.sub(recon, target)), 2); // [rows, nPatches]
    return tf.div(tf.sum(tf.mul(perPatch, masked)), tf.maximum(tf.sum(masked), 1)) as Scalar;
  });
}

/** Per-patch standardisation of targets (MAE's "normalised pixels"): `(x − mean) / sqrt(var + 1e-6)` over the last axis. */
export function normalisePatches(patches: Tensor3D): Tensor3D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(patches, 2, true);
    return tf.div(tf.sub(patches, mean), tf.sqrt(tf.add(variance, 1e-6))) as Tensor3D;
  });
}
