/**
 * The three players of SSGAN, all recurrent, all channels-last `[B, T, C]`:
 * - Generator: a bidirectional GRU over the series with missing entries (filled with noise)
 *   and the mask, plus a leave-one-out temporal context (interpolation and gaps) at the head. As in BRITS (the generator of SSGAN's released code), the estimate at step t
 *   comes from the forward state at t−1, the backward state at t+1 and the *other* channels
 *   at t (feature regression with a zero diagonal), so it never sees x_t itself and the
 *   reconstruction loss on observed entries is a real prediction task.
 * - Discriminator: a bidirectional GRU given the completed series and the temporal reminder
 *   (hint) matrix; per-entry logit "observed (1) vs imputed (0)".
 * - Classifier: a GRU given the completed series and the mask; class logits from the last state.
 */
import { dense } from '../../engine/ops.js';
import type { Rng } from '../../engine/random.js';
import { tf, type Tensor, type Tensor2D, type Tensor3D, type Variable } from '../../engine/tf.js';
import { Linear } from '../../nn/layers.js';
import { BiGRU, GRU } from '../../nn/gru.js';
import { Module } from '../../nn/module.js';

export class SsganGenerator extends Module {
  readonly rnn: BiGRU;
  readonly head: Linear;
  /** `[C, C]` feature regression; its diagonal is masked out at use */
  readonly featW: Variable;
  private readonly offDiag: Tensor;

  /**
   * `inputClip` > 0 bounds the normalised values that the learned branches see to
   * ±inputClip (0 = no bound), a safeguard against a data-entry outlier (PhysioNet has
   * temperatures 38 σ out) being multiplied through the feature regression into every other
   * channel's estimate; on PhysioNet 2012 at the default settings it made no measurable
   * difference. The interpolation the estimate is a residual on stays unclipped.
   */
  constructor(readonly channels: number, readonly hidden: number, rng: Rng, readonly inputClip = 0) {
    super();
    this.rnn = this.child('rnn', new BiGRU(2 * channels, hidden, rng));
    this.head = this.child('head', new Linear(2 * hidden + 3 * channels, channels, rng));
    // The correction branches start at zero, so an untrained generator imputes exactly the
    // leave-one-out interpolation and training only learns departures from it (zero-initialised
    // residual branches; random init started every run from a noisy, worse-than-linear estimate).
    this.featW = this.param('featW', tf.zeros([channels, channels]));
    tf.tidy(() => {
      this.head.weight.assign(tf.zerosLike(this.head.weight));
      this.head.bias?.assign(tf.zerosLike(this.head.bias));
    });
    this.offDiag = tf.tidy(() => tf.sub(1, tf.eye(channels)));
  }

  /**
   * `xIn [B, T, C]` (observed values, noise where missing), `m [B, T, C]` (1 observed),
   * `ctx [B, T, 3C]` (leave-one-out temporal context, see context.ts) → estimate `[B, T, C]`.
   */
  apply(xIn: Tensor3D, m: Tensor3D, ctx: Tensor3D): Tensor3D {
    return tf.tidy(() => {
      const [B, T] = xIn.shape;
      const H = this.hidden;
      const xc = this.clip(xIn);
      const { fwd, bwd } = this.rnn.forwardPair(tf.concat([xc, m], 2) as Tensor3D);
      const zero = tf.zeros([B, 1, H]);
      const fPrev = T > 1 ? tf.concat([zero, tf.slice(fwd, [0, 0, 0], [B, T - 1, H])], 1) : zero;
      const bNext = T > 1 ? tf.concat([tf.slice(bwd, [0, 1, 0], [B, T - 1, H]), zero], 1) : zero;
      const hist = this.head.apply(tf.concat([fPrev, bNext, this.clip(ctx)], 2) as Tensor3D);
      const feat = dense(tf.mul(xc, m) as Tensor3D, tf.mul(this.featW, this.offDiag) as Tensor2D);
      // Residual on the leave-one-out interpolation (the first C context features): training
      // starts from interpolation quality and learns the correction.
      const interp = tf.slice(ctx, [0, 0, 0], [B, T, this.channels]);
      return tf.add(tf.add(hist, feat), interp) as Tensor3D;
    });
  }

  /** Hidden states `[B, T, 2H]` (forward ‖ backward), used as representations. */
  hiddenStates(xIn: Tensor3D, m: Tensor3D): Tensor3D {
    return tf.tidy(() => this.rnn.forward(tf.concat([this.clip(xIn), m], 2) as Tensor3D));
  }

  private clip(x: Tensor3D): Tensor3D {
    return this.inputClip > 0 ? tf.clipByValue(x, -this.inputClip, this.inputClip) : x;
  }

  override dispose(): void {
    this.offDiag.dispose();
    super.dispose();
  }
}

export class SsganDiscriminator extends Module {
  readonly rnn: BiGRU;
  readonly head: Linear;
  constructor(readonly channels: number, readonly hidden: number, rng: Rng) {
    super();
    this.rnn = this.child('rnn', new BiGRU(2 * channels, hidden, rng));
    this.head = this.child('head', new Linear(2 * hidden, channels, rng));
  }

  /** `xHat [B, T, C]` completed series, `hint [B, T, C]` → per-entry logits `[B, T, C]`. */
  apply(xHat: Tensor3D, hint: Tensor3D): Tensor3D {
    return tf.tidy(() => this.head.apply(this.rnn.forward(tf.concat([xHat, hint], 2) as Tensor3D)));
  }
}

export class SsganClassifier extends Module {
  readonly rnn: GRU;
  readonly head: Linear;
  constructor(readonly channels: number, readonly hidden: number, readonly classes: number, rng: Rng) {
    super();
    this.rnn = this.child('rnn', new GRU(2 * channels, hidden, rng));
    this.head = this.child('head', new Linear(hidden, classes, rng));
  }

  /** `xHat [B, T, C]`, `m [B, T, C]` → class logits `[B, K]` from the last state. */
  apply(xHat: Tensor3D, m: Tensor3D): Tensor2D {
    return tf.tidy(() => {
      const h = this.rnn.forward(tf.concat([xHat, m], 2) as Tensor3D);
      const [B, T, H] = h.shape;
      return this.head.apply(tf.reshape(tf.slice(h, [0, T - 1, 0], [B, 1, H]), [B, H]) as Tensor2D);
    });
  }
}

/** The three networks under one module, so that weights are saved with dotted names. */
export class SsganNetworks extends Module {
  readonly generator: SsganGenerator;
  readonly discriminator: SsganDiscriminator;
  readonly classifier?: SsganClassifier;
  constructor(channels: number, cfg: { hiddenSize: number; discHiddenSize: number; clsHiddenSize: number; numClasses: number; inputClip?: number }, rng: Rng) {
    super();
    this.generator = this.child('generator', new SsganGenerator(channels, cfg.hiddenSize, rng.fork(), cfg.inputClip ?? 0));
    this.discriminator = this.child('discriminator', new SsganDiscriminator(channels, cfg.discHiddenSize, rng.fork()));
    if (cfg.numClasses > 1) this.classifier = this.child('classifier', new SsganClassifier(channels, cfg.clsHiddenSize, cfg.numClasses, rng.fork()));
  }
}
