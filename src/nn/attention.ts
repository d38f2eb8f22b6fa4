/**
 * Multi-head self-attention on tfjs-core ops (tfjs has no attention layer).
 * Projections are one fused `dense` for Q, K, V (XNNPACK 2-D matMul on wasm); the two
 * attention products use `bmm` over `[batch·heads]`, with K transposed explicitly so that
 * no transpose flag reaches the wasm batched-matMul kernel (measured fastest, see
 * experiments/results/ett/README.md).
 */
import { bmm } from '../engine/ops.js';
import type { Rng } from '../engine/random.js';
import { tf, type Tensor3D } from '../engine/tf.js';
import { checkOption } from '../errors.js';
import { dropout, Linear } from './layers.js';
import { Module } from './module.js';

export interface AttentionOptions {
  training: boolean;
  rng?: Rng;
}

export class MultiHeadSelfAttention extends Module {
  readonly qkv: Linear;
  readonly out: Linear;
  readonly headDim: number;

  /** `dim` model width, split into `heads` heads of `dim/heads`; `dropout` on the attention weights. */
  constructor(readonly dim: number, readonly heads: number, rng: Rng, readonly attnDropout = 0) {
    super();
    checkOption(Number.isInteger(heads) && heads >= 1 && dim % heads === 0, `attention: dim ${dim} must be divisible by heads ${heads}`);
    this.headDim = dim / heads;
    this.qkv = this.child('qkv', new Linear(dim, 3 * dim, rng));
    this.out = this.child('out', new Linear(dim, dim, rng));
  }

  /** `x [B, N, dim]` → `[B, N, dim]`: softmax(QKᵀ/√d_h) V per head, then the output projection. */
  apply(x: Tensor3D, opts: AttentionOptions): Tensor3D {
    return tf.tidy(() => {
      const [B, N] = x.shape;
      const H = this.heads, dh = this.headDim, D = this.dim;
      const [q, k, v] = tf.split(this.qkv.apply(x), 3, 2) as [Tensor3D, Tensor3D, Tensor3D];
      const heads = (t: Tensor3D, perm: number[], shape: [number, number, number]): Tensor3D =>
        tf.reshape(tf.transpose(tf.reshape(t, [B, N, H, dh]), perm), shape);
      const qh = heads(tf.mul(q, 1 / Math.sqrt(dh)) as Tensor3D, [0, 2, 1, 3], [B * H, N, dh]);
      const kT = heads(k, [0, 2, 3, 1], [B * H, dh, N]);
      const vh = heads(v, [0, 2, 1, 3], [B * H, N, dh]);
      let attn = tf.softmax(bmm(qh, kT)) as Tensor3D; // [B·H, N, N]
      if (opts.training && this.attnDropout > 0) attn = dropout(attn, this.attnDropout, true, opts.rng!);
      const ctx = bmm(attn, vh); // [B·H, N, dh]
      const merged = tf.reshape(tf.transpose(tf.reshape(ctx, [B, H, N, dh]), [0, 2, 1, 3]), [B, N, D]) as Tensor3D;
      return this.out.apply(merged);
    });
  }
}
