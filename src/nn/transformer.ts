/**
 * Pre-norm Transformer encoder blocks (LN → MHA → residual, LN → GELU MLP → residual) and
 * a sinusoidal positional encoding computed for arbitrary positions (no maximum length).
 */
import { gelu } from '../engine/ops.js';
import type { Rng } from '../engine/random.js';
import { tf, type Tensor2D, type Tensor3D } from '../engine/tf.js';
import { MultiHeadSelfAttention } from './attention.js';
import { dropout, LayerNorm, Linear } from './layers.js';
import { Module } from './module.js';

export interface TransformerBlockOptions {
  dim: number;
  heads: number;
  /** hidden width of the MLP */
  ff: number;
  /** dropout after attention and MLP, and on attention weights */
  dropout: number;
}

export class TransformerBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiHeadSelfAttention;
  readonly ln2: LayerNorm;
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(readonly opts: TransformerBlockOptions, rng: Rng) {
    super();
    this.ln1 = this.child('ln1', new LayerNorm(opts.dim));
    this.attn = this.child('attn', new MultiHeadSelfAttention(opts.dim, opts.heads, rng, opts.dropout));
    this.ln2 = this.child('ln2', new LayerNorm(opts.dim));
    this.fc1 = this.child('fc1', new Linear(opts.dim, opts.ff, rng));
    this.fc2 = this.child('fc2', new Linear(opts.ff, opts.dim, rng));
  }

  /** `[B, N, dim]` → `[B, N, dim]` */
  apply(x: Tensor3D, training: boolean, rng?: Rng): Tensor3D {
    return tf.tidy(() => {
      const p = this.opts.dropout;
      const drop = (t: Tensor3D): Tensor3D => (training && p > 0 ? dropout(t, p, true, rng!) : t);
      const h = tf.add(x, drop(this.attn.apply(this.ln1.apply(x), { training, rng }))) as Tensor3D;
      const m = this.fc2.apply(gelu(this.fc1.apply(this.ln2.apply(h))));
      return tf.add(h, drop(m)) as Tensor3D;
    });
  }
}

/** A stack of pre-norm blocks followed by a final LayerNorm. */
export class TransformerEncoder extends Module {
  readonly blocks: TransformerBlock[] = [];
  readonly norm: LayerNorm;
  constructor(readonly layers: number, opts: TransformerBlockOptions, rng: Rng) {
    super();
    for (let i = 0; i < layers; i++) this.blocks.push(this.child(`blocks.${i}`, new TransformerBlock(opts, rng)));
    this.norm = this.child('norm', new LayerNorm(opts.dim));
  }
  apply(x: Tensor3D, training: boolean, rng?: Rng): Tensor3D {
    return tf.tidy(() => {
      let h = x;
      for (const b of this.blocks) h = b.apply(h, training, rng);
      return this.norm.apply(h);
    });
  }
}

/**
 * Sinusoidal encodings (Vaswani et al.) of integer positions: `[positions.length, dim]`,
 * `PE[p, 2i] = sin(p / 10000^(2i/dim))`, `PE[p, 2i+1] = cos(…)`. Any position is valid.
 */
export function sinusoidalEncoding(positions: ArrayLike<number>, dim: number): Tensor2D {
  const n = positions.length;
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    const p = positions[r]!;
    for (let i = 0; i < dim; i += 2) {
      const f = p / Math.pow(10000, i / dim);
      out[r * dim + i] = Math.sin(f);
      if (i + 1 < dim) out[r * dim + i + 1] = Math.cos(f);
    }
  }
  return tf.tensor2d(out, [n, dim]);
}
