/**
 * TS2Vec's encoder (Yue et al., AAAI 2022): input projection, timestamp masking on the
 * projected input, a stack of residual dilated-convolution blocks (dilation 2^i), and
 * representation dropout. Registered as backbone kind 'dilated-conv'.
 */
import { conv1d, convPadding, customGrad, dense, gelu, geluWithDerivative } from '../engine/ops.js';
import type { Rng } from '../engine/random.js';
import { tf, type Tensor, type Tensor1D, type Tensor2D, type Tensor3D, type Variable } from '../engine/tf.js';
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

// The pieces of the fused training path below. Each one issues exactly the kernels of the
// layer-by-layer path (SameConv → `dense` / `conv1d`, `gelu` via `geluWithDerivative`), in the
// same order, so values and gradients are the same; only the autodiff tape is bypassed.

/** Whether SameConv takes its 1×1 (centre tap) shortcut on sequences of length L. */
function centreOnly(kernel: number, dilation: number, L: number): boolean {
  return kernel === 1 || dilation >= L;
}

/** SameConv's forward without the tape: `[y, saved]`, saved = the (padded) input dW needs. */
function sameConvForward(x: Tensor3D, w: Tensor3D, b: Tensor, dilation: number): [Tensor3D, Tensor3D] {
  const [N, L, cin] = x.shape;
  const [K, , cout] = w.shape;
  if (centreOnly(K, dilation, L)) {
    const half = (K - 1) / 2;
    const wc = tf.reshape(tf.slice(w, [half, 0, 0], [1, cin, cout]), [cin, cout]) as Tensor2D;
    const y = tf.add(tf.matMul(tf.reshape(x, [N * L, cin]) as Tensor2D, wc), b);
    return [tf.reshape(y, [N, L, cout]) as Tensor3D, x];
  }
  const [padL, padR] = convPadding(K, dilation, 'same');
  const xp = tf.pad(x, [[0, 0], [padL, padR], [0, 0]]) as Tensor3D;
  return [tf.add(tf.conv1d(xp, w, 1, 'valid', 'NWC', dilation), b) as Tensor3D, xp];
}

/** SameConv's backward: `[dx, dW, db]` from dy and what `sameConvForward` saved (as ops.ts `conv1d`/`dense`). */
function sameConvBackward(dy: Tensor3D, saved: Tensor3D, w: Tensor3D, dilation: number): [Tensor3D, Tensor, Tensor] {
  const [K, cin, cout] = w.shape;
  const [N, outLen] = dy.shape;
  const dy2 = tf.reshape(dy, [N * outLen, cout]) as Tensor2D;
  const db = tf.sum(dy2, 0);
  if (saved.shape[1] === outLen && centreOnly(K, dilation, outLen)) {
    const half = (K - 1) / 2;
    const wc = tf.reshape(tf.slice(w, [half, 0, 0], [1, cin, cout]), [cin, cout]) as Tensor2D;
    const dx = tf.reshape(tf.matMul(dy2, tf.transpose(wc)), [N, outLen, cin]) as Tensor3D;
    const dwc = tf.matMul(tf.transpose(tf.reshape(saved, [N * outLen, cin]) as Tensor2D), dy2);
    const dw = K === 1 ? tf.reshape(dwc, [1, cin, cout]) : tf.pad(tf.reshape(dwc, [1, cin, cout]), [[half, K - 1 - half], [0, 0], [0, 0]]);
    return [dx, dw, db];
  }
  const [padL, padR] = convPadding(K, dilation, 'same');
  const L = saved.shape[1] - padL - padR;
  const rf = (K - 1) * dilation;
  // the flipped, transposed kernel [K, cout, cin], tap by tap (wasm's Reverse kernel is slow:
  // 1.4 ms for a [3, 64, 320] kernel; these slices and 2-D transposes move the same values)
  const wT = tf.concat(Array.from({ length: K }, (_, j) => {
    const tap = tf.reshape(tf.slice(w, [K - 1 - j, 0, 0], [1, cin, cout]), [cin, cout]) as Tensor2D;
    return tf.reshape(tf.transpose(tap), [1, cout, cin]);
  }), 0) as Tensor3D;
  const pl = rf - padL, pr = rf - padR;
  const dyp = tf.pad(dy, [[0, 0], [Math.max(pl, 0), Math.max(pr, 0)], [0, 0]]) as Tensor3D;
  let dx = tf.conv1d(dyp, wT, 1, 'valid', 'NWC', dilation);
  if (pl < 0 || pr < 0 || dx.shape[1] !== L) dx = tf.slice(dx, [0, Math.max(-pl, 0), 0], [N, L, cin]);
  // dW[k] = tap_kᵀ @ dy with dy as the shared right operand (as ops.ts conv1d). Each tap is a
  // slice of the padded input along time (contiguous runs), transposed as a 2-D matrix: the
  // same operands as ops.ts's transpose-then-slice-the-last-axis, whose slices copy runs of
  // only L floats.
  const parts: Tensor2D[] = [];
  for (let k = 0; k < K; k++) {
    const tap = tf.reshape(tf.slice(saved, [0, k * dilation, 0], [N, outLen, cin]), [N * outLen, cin]) as Tensor2D;
    parts.push(tf.matMul(tf.transpose(tap), dy2));
  }
  const dw = tf.reshape(K === 1 ? parts[0]! : tf.concat(parts, 0), [K, cin, cout]);
  return [dx, dw, db];
}

const fusedBlockCache = new Map<string, (...inputs: Tensor[]) => Tensor3D>();

/**
 * One ConvBlock (GELU → conv → GELU → conv, plus the residual) as a single custom op: the
 * forward pass saves what the backward pass needs (the padded conv inputs and the GELU
 * derivatives) and the backward pass forms every gradient itself, so the tape holds one
 * node per block instead of about ten, and nothing it would otherwise clone.
 * With `valid` ([N, L, 1], 1 = a real timestep, 0 = padding of a shorter series stacked in
 * the same batch) the first conv's output and the block's output are zeroed at the padding,
 * so every conv reads zeros there, exactly as in the 'same' zero padding of a series run on
 * its own; gradients are masked the same way.
 */
function fusedBlock(dilation: number, hasProjector: boolean, valid: Tensor | null): (...inputs: Tensor[]) => Tensor3D {
  const key = `${dilation}:${hasProjector}`;
  if (!valid) {
    let f = fusedBlockCache.get(key);
    if (!f) fusedBlockCache.set(key, (f = makeFusedBlock(dilation, hasProjector, null)));
    return f;
  }
  return makeFusedBlock(dilation, hasProjector, valid);
}

function makeFusedBlock(dilation: number, hasProjector: boolean, valid: Tensor | null): (...inputs: Tensor[]) => Tensor3D {
  return customGrad((inputs, save) => {
    const [x, w1, b1, w2, b2, wp, bp] = inputs as [Tensor3D, Tensor3D, Tensor, Tensor3D, Tensor, Tensor3D?, Tensor?];
    const [value, keep] = tf.tidy(() => {
      const [g0, d0] = geluWithDerivative(x);
      const [c1raw, s1] = sameConvForward(g0 as Tensor3D, w1, b1, dilation);
      const c1 = valid ? tf.mul(c1raw, valid) : c1raw;
      const [g1, d1] = geluWithDerivative(c1);
      const [c2, s2] = sameConvForward(g1 as Tensor3D, w2, b2, dilation);
      const residual = hasProjector ? sameConvForward(x, wp!, bp!, 1)[0] : x;
      let out = tf.add(c2, residual);
      if (valid) out = tf.mul(out, valid);
      return [out, [s1, d0, s2, d1]];
    }) as [Tensor3D, Tensor[]];
    save([...keep, ...(hasProjector ? [x] : [])]);
    for (const t of keep) t.dispose();
    return {
      value,
      gradFunc: (dy, saved) => {
        const [s1, d0, s2, d1, xs] = saved as [Tensor3D, Tensor, Tensor3D, Tensor, Tensor3D?];
        const dyv = (valid ? tf.mul(dy, valid) : dy) as Tensor3D;
        const [dg1, dw2, db2] = sameConvBackward(dyv, s2, w2, dilation);
        let dc1 = tf.mul(dg1, d1) as Tensor3D;
        if (valid) dc1 = tf.mul(dc1, valid);
        const [dg0, dw1, db1] = sameConvBackward(dc1, s1, w1, dilation);
        const dxMain = tf.mul(dg0, d0);
        if (!hasProjector) return [tf.add(dxMain, dyv), dw1, db1, dw2, db2];
        const [dxr, dwp, dbp] = sameConvBackward(dyv, xs!, wp!, 1);
        return [tf.add(dxMain, dxr), dw1, db1, dw2, db2, dwp, dbp];
      },
    };
  });
}

/** The timesteps `[start, start + length)` of each group of consecutive rows of `h [N, L, C]`. */
function cutRows(h: Tensor3D, cut: { length: number; groups: { rows: number; start: number }[] }): Tensor3D {
  const C = h.shape[2];
  let row = 0;
  const parts = cut.groups.map((g) => { const t = tf.slice(h, [row, g.start, 0], [g.rows, cut.length, C]); row += g.rows; return t; });
  return (parts.length === 1 ? parts[0]! : tf.concat(parts, 0)) as Tensor3D;
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

  /**
   * The training forward pass with fused blocks and without the output dropout (the caller
   * applies it): `x [N, L, inputDims]`, `timestampMask [N, L]` (0 also at padding) and
   * optionally `valid [N, L, 1]` (1 = real timestep) for series of different lengths padded
   * at the end and stacked in one batch → `[N, L, outputDims]`, whose padded rows are zero
   * and whose other rows equal `forward` on each series alone (up to float rounding: the
   * weight gradients sum over all series in one matMul instead of one per series).
   *
   * With `cut`, only the timesteps `[start, start + length)` of each group of consecutive rows
   * are returned (`[N, length, outputDims]`). The trailing blocks whose dilation reaches L are
   * pointwise (centre tap only), so they run on those timesteps alone.
   */
  forwardTraining(x: Tensor3D, timestampMask: Tensor2D, valid?: Tensor3D, cut?: { length: number; groups: { rows: number; start: number }[] }): Tensor3D {
    return tf.tidy(() => {
      const L = x.shape[1];
      let h = this.inputFc.apply(x);
      h = tf.mul(h, tf.expandDims(timestampMask, 2));
      let tail = this.blocks.length;
      while (tail > 0 && centreOnly(this.config.kernel, this.blocks[tail - 1]!.conv1.dilation, L)) tail--;
      let mask: Tensor3D | undefined = valid;
      this.blocks.forEach((b, i) => {
        if (cut && i === tail) { h = cutRows(h, cut); mask = undefined; }
        const inputs: Tensor[] = [h, b.conv1.weight, b.conv1.bias, b.conv2.weight, b.conv2.bias];
        if (b.projector) inputs.push(b.projector.weight, b.projector.bias);
        h = fusedBlock(b.conv1.dilation, b.projector !== undefined, mask ?? null)(...inputs);
      });
      if (cut && tail === this.blocks.length) h = cutRows(h, cut);
      return h as Tensor3D;
    });
  }

  getConfig(): DilatedConvConfig {
    return { ...this.config };
  }
}

registerBackbone('dilated-conv', (config, rng) => new DilatedConvEncoder(config as DilatedConvConfig, rng));
