/**
 * Basic layers: Linear, LayerNorm, Conv1d and functional dropout. All inputs are
 * channels-last (`[batch, time, channels]`); all matMuls go through the engine's
 * XNNPACK-friendly ops.
 */
import { conv1d, dense, type Conv1dPadding } from '../engine/ops.js';
import type { Rng } from '../engine/random.js';
import { tf, type Tensor, type Tensor2D, type Tensor3D, type Variable } from '../engine/tf.js';
import { Module, uniformInit } from './module.js';

/** `y = x W + b` over the last axis; W is `[in, out]`. */
export class Linear extends Module {
  readonly weight: Variable;
  readonly bias?: Variable;
  constructor(readonly inFeatures: number, readonly outFeatures: number, rng: Rng, opts: { bias?: boolean } = {}) {
    super();
    this.weight = this.param('weight', uniformInit(rng, [inFeatures, outFeatures], inFeatures));
    if (opts.bias !== false) this.bias = this.param('bias', uniformInit(rng, [outFeatures], inFeatures));
  }
  apply<T extends Tensor>(x: T): T {
    return dense(x, this.weight as unknown as Tensor2D, this.bias);
  }
}

/** Layer normalisation over the last axis with learned scale and shift. */
export class LayerNorm extends Module {
  readonly gamma: Variable;
  readonly beta: Variable;
  constructor(readonly dim: number, readonly eps = 1e-5) {
    super();
    this.gamma = this.param('gamma', tf.ones([dim]));
    this.beta = this.param('beta', tf.zeros([dim]));
  }
  apply<T extends Tensor>(x: T): T {
    return tf.tidy(() => {
      const axis = x.rank - 1;
      const { mean, variance } = tf.moments(x, axis, true);
      const xn = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(xn, this.gamma), this.beta) as T;
    });
  }
}

/** 1-D convolution `[B, L, Cin] → [B, L', Cout]` with dilation and causal/same/valid padding. */
export class Conv1d extends Module {
  readonly weight: Variable;
  readonly bias?: Variable;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    rng: Rng,
    readonly opts: { dilation?: number; padding?: Conv1dPadding; bias?: boolean } = {},
  ) {
    super();
    const fanIn = inChannels * kernelSize;
    this.weight = this.param('weight', uniformInit(rng, [kernelSize, inChannels, outChannels], fanIn));
    if (opts.bias !== false) this.bias = this.param('bias', uniformInit(rng, [outChannels], fanIn));
  }
  apply(x: Tensor3D): Tensor3D {
    const y = conv1d(x, this.weight as unknown as Tensor3D, { dilation: this.opts.dilation, padding: this.opts.padding });
    return this.bias ? tf.add(y, this.bias) : y;
  }
}

/** Inverted dropout with a seed drawn from `rng`; identity when not training or rate 0. */
export function dropout<T extends Tensor>(x: T, rate: number, training: boolean, rng: Rng): T {
  if (!training || rate <= 0) return x;
  return tf.tidy(() => {
    const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', rng.seed()), rate), 'float32');
    return tf.mul(x, tf.mul(keep, 1 / (1 - rate))) as T;
  });
}
