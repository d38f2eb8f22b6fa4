/**
 * TS2Vec's encoder (Yue et al., AAAI 2022): input projection, timestamp masking on the
 * projected input, a stack of residual dilated-convolution blocks (dilation 2^i), and
 * representation dropout. Registered as backbone kind 'dilated-conv'.
 */
import { conv1d, dense, gelu } from '../engine/ops.js';
import type { Rng } from '../engine/random.js';
import { tf, type Tensor1D, type Tensor2D, type Tensor3D, type Variable } from '../engine/tf.js';
import { checkNumber, checkOption } from '../errors.js';
import { Linear, dropout } from '../nn/layers.js';
import { Module, uniformInit } from '../nn/module.js';
import { Backbone, registerBackbone, type BackboneConfig, type BackboneForwardOptions } from './backbone.js';

export interface DilatedConvConfig extends BackboneConfig {
  kind: 'dilated-conv';
  inputDims: number;
  /** channels of the residual blocks (TS2Vec: 64) */
  hidden: number;
  /** residual blocks of `hidden` channels before the final block (TS2Vec: 10) */
  depth: number;
  /** representation dimension (TS2Vec: 320) */
  outputDims: number;
  /** convolution kernel size (TS2Vec: 3) */
  kernel: number;
  /** dropout rate on the output representation in training (TS2Vec: 0.1) */
  dropout: number;
  /** create a learned mask token (needed for `maskFill: 'token'`) */
  maskToken: boolean;
}

/** Fills defaults and validates a (partial) dilated-conv configuration. */
export function dilatedConvConfig(c: Partial<DilatedConvConfig> & { inputDims: number }): DilatedConvConfig {
  const cfg: DilatedConvConfig = {
    kind: 'dilated-conv', hidden: 64, depth: 10, outputDims: 320, kernel: 3, dropout: 0.1, maskToken: false, ...c,
  };
  checkNumber('inputDims', cfg.inputDims, { min: 1, integer: true });
  checkNumber('hidden', cfg.hidden, { min: 1, integer: true });
  checkNumber('depth', cfg.depth, { min: 1, max: 20, integer: true });
  checkNumber('outputDims', cfg.outputDims, { min: 1, integer: true });
  checkNumber('kernel', cfg.kernel, { min: 1, max: 31, integer: true });
  checkOption(cfg.kernel % 2 === 1, `kernel must be odd (same padding), got ${cfg.kernel}`);
  checkNumber('dropout', cfg.dropout, { min: 0, max: 0.99 });
  return cfg;
}

/**
 * Dilated conv with same padding. When the dilation reaches the sequence length every
 * off-centre tap reads padding zeros, so the conv is exactly a 1×1 conv with the centre tap:
 * computed as one dense matMul (3× cheaper for k=3, and no huge padding).
 */
class SameConv extends Module {
  readonly weight: Variable;
  readonly bias: Variable;
  constructor(readonly cin: number, readonly cout: number, readonly kernel: number, readonly dilation: number, rng: Rng) {
    super();
    const fanIn = cin * kernel;
    this.weight = this.param('weight', uniformInit(rng, [kernel, cin, cout], fanIn));
    this.bias = this.param('bias', uniformInit(rng, [cout], fanIn));
  }
  apply(x: Tensor3D): Tensor3D {
    const L = x.shape[1];
    const half = (this.kernel - 1) / 2;
    let y: Tensor3D;
    if (this.kernel === 1 || this.dilation >= L) {
      const w = tf.reshape(tf.slice(this.weight, [half, 0, 0], [1, this.cin, this.cout]), [this.cin, this.cout]) as Tensor2D;
      y = dense(x, w, this.bias);
    } else {
      y = conv1d(x, this.weight as unknown as Tensor3D, { dilation: this.dilation, padding: 'same', bias: this.bias });
    }
    return y;
  }
}

/** GELU → conv → GELU → conv, plus a residual (1×1 projected when channels change or on the final block). */
class ConvBlock extends Module {
  readonly conv1: SameConv;
  readonly conv2: SameConv;
  readonly projector?: SameConv;
  constructor(cin: number, cout: number, kernel: number, dilation: number, final: boolean, rng: Rng) {
    super();
    this.conv1 = this.child('conv1', new SameConv(cin, cout, kernel, dilation, rng));
    this.conv2 = this.child('conv2', new SameConv(cout, cout, kernel, dilation, rng));
    if (cin !== cout || final) this.projector = this.child('projector', new SameConv(cin, cout, 1, 1, rng));
  }
  apply(x: Tensor3D): Tensor3D {
    const residual = this.projector ? this.projector.apply(x) : x;
    const h = this.conv2.apply(gelu(this.conv1.apply(gelu(x))));
    return tf.add(h, residual);
  }
}

export class DilatedConvEncoder extends Backbone {
  readonly kind = 'dilated-conv';
  readonly inputDims: number;
  readonly outputDims: number;
  readonly config: DilatedConvConfig;
  readonly inputFc: Linear;
  readonly blocks: ConvBlock[] = [];
  readonly maskToken?: Variable;

  constructor(config: Partial<DilatedConvConfig> & { inputDims: number }, rng: Rng) {
    super();
    const cfg = (this.config = dilatedConvConfig(config));
    this.inputDims = cfg.inputDims;
    this.outputDims = cfg.outputDims;
    this.inputFc = this.child('inputFc', new Linear(cfg.inputDims, cfg.hidden, rng));
    if (cfg.maskToken) this.maskToken = this.param('maskToken', tf.zeros([cfg.hidden]));
    const channels = [...Array<number>(cfg.depth).fill(cfg.hidden), cfg.outputDims];
    channels.forEach((cout, i) => {
      const cin = i === 0 ? cfg.hidden : channels[i - 1]!;
      this.blocks.push(this.child(`blocks.${i}`, new ConvBlock(cin, cout, cfg.kernel, 2 ** i, i === channels.length - 1, rng)));
    });
  }

  /** `x [B, T, inputDims]` (no NaN) → `[B, T, outputDims]`. */
  forward(x: Tensor3D, opts: BackboneForwardOptions): Tensor3D {
    return tf.tidy(() => {
      let h = this.inputFc.apply(x);
      if (opts.timestampMask) {
        const m = tf.expandDims(opts.timestampMask, 2);
        if (opts.maskFill === 'token') {
          checkOption(this.maskToken !== undefined, "maskFill 'token' needs a backbone created with maskToken: true");
          h = tf.add(tf.mul(h, m), tf.mul(tf.sub(1, m), this.maskToken as unknown as Tensor1D));
        } else {
          h = tf.mul(h, m);
        }
      }
      for (const b of this.blocks) h = b.apply(h);
      if (opts.training && this.config.dropout > 0) {
        checkOption(opts.rng !== undefined, 'training forward needs an rng for dropout');
        h = dropout(h, this.config.dropout, true, opts.rng);
      }
      return h;
    });
  }

  getConfig(): DilatedConvConfig {
    return { ...this.config };
  }
}

registerBackbone('dilated-conv', (config, rng) => new DilatedConvEncoder(config as DilatedConvConfig, rng));
