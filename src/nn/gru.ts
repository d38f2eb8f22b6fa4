/**
 * Gated recurrent units on tfjs-core ops, written for a dispatch-bound CPU backend:
 * the input projection of every time step is one `dense` (one 2-D matMul) up front; each
 * step then costs two small recurrent matMuls and a handful of element-wise ops.
 * Gradients run on every backend (wasm included): only matMul2d, slice/split, concat,
 * sigmoid, tanh and arithmetic are used.
 *
 * Gates (PyTorch convention):
 *   r = σ(x W_r + b_r + h U_r),  z = σ(x W_z + b_z + h U_z),
 *   n = tanh(x W_n + b_n + r ⊙ (h U_n + c_n)),  h' = n + z ⊙ (h − n)
 * with U = [U_r | U_z | U_n] applied in one matMul per step.
 */
import { dense, matMul2d } from '../engine/ops.js';
import type { Rng } from '../engine/random.js';
import { tf, type Tensor2D, type Tensor3D, type Variable } from '../engine/tf.js';
import { checkNumber } from '../errors.js';
import { Module, uniformInit } from './module.js';

export interface GruRunOptions {
  /** run from the last step to the first (outputs stay aligned with the input steps) */
  reverse?: boolean;
  /** initial hidden state `[B, H]` (zeros by default) */
  h0?: Tensor2D;
}

/** One GRU layer: `[B, T, inputSize]` → hidden states `[B, T, hiddenSize]`. */
export class GRU extends Module {
  /** `[in, 3H]` input weights for the r, z, n gates */
  readonly wx: Variable;
  /** `[3H]` input bias */
  readonly bx: Variable;
  /** `[H, 3H]` recurrent weights for r, z and n (one matMul per step) */
  readonly wh: Variable;
  /** `[3H]` recurrent bias; only its n part matters apart from bx (it sits inside the reset gate) */
  readonly bh: Variable;

  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng) {
    super();
    checkNumber('GRU inputSize', inputSize, { min: 1, integer: true });
    checkNumber('GRU hiddenSize', hiddenSize, { min: 1, integer: true });
    const H = hiddenSize;
    this.wx = this.param('wx', uniformInit(rng, [inputSize, 3 * H], H));
    this.bx = this.param('bx', uniformInit(rng, [3 * H], H));
    this.wh = this.param('wh', uniformInit(rng, [H, 3 * H], H));
    this.bh = this.param('bh', uniformInit(rng, [3 * H], H));
  }

  /**
   * Runs the layer over `x [B, T, inputSize]` and returns every hidden state `[B, T, H]`
   * (state t has seen steps ≤ t, or ≥ t when `reverse`).
   */
  forward(x: Tensor3D, opts: GruRunOptions = {}): Tensor3D {
    return tf.tidy(() => {
      const [B, T] = x.shape;
      const H = this.hiddenSize;
      // One fused input projection for all steps, then per-step slices along time.
      const gx = dense(x, this.wx as unknown as Tensor2D, this.bx); // [B, T, 3H]
      const steps = tf.unstack(tf.transpose(gx, [1, 0, 2])) as Tensor2D[]; // T × [B, 3H]
      let h: Tensor2D = opts.h0 ?? tf.zeros([B, H]);
      const outs: Tensor2D[] = new Array(T);
      for (let k = 0; k < T; k++) {
        const t = opts.reverse ? T - 1 - k : k;
        h = this.step(steps[t]!, h);
        outs[t] = h;
      }
      return tf.stack(outs, 1) as Tensor3D;
    });
  }

  /** One step from the projected input `gx [B, 3H]` and state `h [B, H]`. */
  step(gx: Tensor2D, h: Tensor2D): Tensor2D {
    const H = this.hiddenSize;
    const [gxRZ, gxN] = tf.split(gx, [2 * H, H], 1) as [Tensor2D, Tensor2D];
    const gh = tf.add(matMul2d(h, this.wh as unknown as Tensor2D), this.bh);
    const [ghRZ, ghN] = tf.split(gh, [2 * H, H], 1) as [Tensor2D, Tensor2D];
    const [r, z] = tf.split(tf.sigmoid(tf.add(gxRZ, ghRZ)), 2, 1) as [Tensor2D, Tensor2D];
    const n = tf.tanh(tf.add(gxN, tf.mul(r, ghN)));
    return tf.add(n, tf.mul(z, tf.sub(h, n))) as Tensor2D;
  }
}

/**
 * Bidirectional GRU: a forward and a backward layer over the same input.
 * `forward` returns `[B, T, 2H]` (forward states then backward states on the last axis);
 * `forwardPair` returns the two directions apart.
 */
export class BiGRU extends Module {
  readonly fwd: GRU;
  readonly bwd: GRU;
  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng) {
    super();
    this.fwd = this.child('fwd', new GRU(inputSize, hiddenSize, rng));
    this.bwd = this.child('bwd', new GRU(inputSize, hiddenSize, rng));
  }

  /** `[B, T, in]` → `{fwd, bwd}`, each `[B, T, H]` (fwd state t saw steps ≤ t; bwd saw ≥ t). */
  forwardPair(x: Tensor3D): { fwd: Tensor3D; bwd: Tensor3D } {
    return { fwd: this.fwd.forward(x), bwd: this.bwd.forward(x, { reverse: true }) };
  }

  /** `[B, T, in]` → `[B, T, 2H]`. */
  forward(x: Tensor3D): Tensor3D {
    return tf.tidy(() => {
      const { fwd, bwd } = this.forwardPair(x);
      return tf.concat([fwd, bwd], 2) as Tensor3D;
    });
  }
}
