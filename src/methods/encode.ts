/**
 * Batched inference for any `Backbone`, with TS2Vec's encoding protocols: whole-series
 * encoding with 'full' (max over time), 'timestamp' or 'multiscale' pooling, and sliding
 * (optionally causal) windows as used by the forecasting and anomaly protocols. At most one
 * batch of activations is alive at a time; outputs are written into one preallocated array.
 */
import type { Backbone } from '../backbones/backbone.js';
import { tf, type Tensor2D, type Tensor3D } from '../engine/tf.js';
import { checkNumber, checkOption } from '../errors.js';
import { observedTimestamps, type SeriesArray } from './crops.js';
import type { EncodeOptions, Pooling, Representation } from './model.js';

export interface BackboneEncodeOptions extends Omit<EncodeOptions, 'onProgress'> {
  /** how masked timestamps are filled (see BackboneForwardOptions) */
  maskFill?: 'zero' | 'token';
  onProgress?: EncodeOptions['onProgress'];
}

/** Number of multiscale pooling levels for a length-L output (TS2Vec: while 2^p + 1 < L). */
export function multiscaleLevels(L: number): number {
  let p = 0;
  while ((1 << p) + 1 < L) p++;
  return p;
}

/**
 * Max-pool over time with kernel 2^(p+1)+1, stride 1, padding 2^p (padding never wins),
 * for every level p, concatenated on channels: `[B, L, D]` → `[B, L, D·levels]`.
 */
function multiscalePool(h: Tensor3D): Tensor3D {
  const [B, L, D] = h.shape;
  const levels = multiscaleLevels(L);
  const outs: Tensor3D[] = [];
  for (let p = 0; p < levels; p++) {
    const pad = 1 << p;
    const padded = tf.pad(h, [[0, 0], [pad, pad], [0, 0]], -3.4e38);
    outs.push(tf.maxPool(tf.reshape(padded, [B, L + 2 * pad, 1, D]) as tf.Tensor4D, [2 * pad + 1, 1], 1, 'valid').reshape([B, L, D]) as Tensor3D);
  }
  return outs.length ? tf.concat(outs, 2) : tf.zeros([B, L, 0]);
}

/** Forward of one batch in eval mode. `x [b, L, C]` with NaN → `[b, L, D]` (values only kept in `keep`). */
function forwardEval(backbone: Backbone, x: SeriesArray, maskLast: boolean, maskFill: 'zero' | 'token'): Tensor3D {
  const observed = observedTimestamps(x);
  if (maskLast) for (let i = 0; i < x.n; i++) observed[i * x.length + x.length - 1] = 0;
  const clean = new Float32Array(x.values.length);
  for (let i = 0; i < clean.length; i++) { const v = x.values[i]!; clean[i] = Number.isNaN(v) ? 0 : v; }
  return tf.tidy(() => {
    const xt = tf.tensor3d(clean, [x.n, x.length, x.channels]);
    const m = tf.tensor2d(observed, [x.n, x.length], 'float32') as Tensor2D;
    return backbone.forward(xt, { training: false, timestampMask: m, maskFill });
  });
}

/**
 * Applies pooling to a batch output `h [b, L, D]`, restricted to the time slice
 * `[s0, s0+sl)` (slicing happens after multiscale pooling, before 'full' pooling, as TS2Vec).
 */
function poolSlice(h: Tensor3D, pooling: Pooling, s0: number, sl: number): Tensor3D | Tensor2D {
  return tf.tidy(() => {
    const [b, L] = h.shape;
    const cut = (t: Tensor3D) => (s0 === 0 && sl === L ? t : tf.slice(t, [0, s0, 0], [b, sl, t.shape[2]]));
    if (pooling === 'full') return tf.max(cut(h), 1) as Tensor2D;
    if (pooling === 'multiscale') return cut(multiscalePool(h));
    return cut(h);
  });
}

/**
 * Encodes `[N, T, C]` data (NaN = missing) with `backbone` in eval mode.
 * Returns `[N, D]` for 'full' pooling, else `[N, T, D']` (D' = D·levels for 'multiscale').
 * With `slidingLength`, each series is cut into windows `[i − padding, i + slidingLength (+ padding
 * unless causal))` (NaN-padded outside), many windows are batched into one forward pass, and the
 * outputs of steps `[i, i + slidingLength)` are kept.
 */
export async function encodeWithBackbone(backbone: Backbone, x: SeriesArray, opts: BackboneEncodeOptions = {}): Promise<Representation> {
  const pooling = opts.pooling ?? 'timestamp';
  checkOption(['full', 'timestamp', 'multiscale'].includes(pooling), `pooling must be full, timestamp or multiscale, got ${String(pooling)}`);
  const batchSize = checkNumber('batchSize', opts.batchSize ?? 16, { min: 1, integer: true });
  const maskLast = (opts.mask ?? 'all_true') === 'mask_last';
  checkOption(['all_true', 'mask_last'].includes(opts.mask ?? 'all_true'), `mask must be all_true or mask_last, got ${String(opts.mask)}`);
  const maskFill = opts.maskFill ?? 'zero';
  const { n: N, length: T, channels: C } = x;
  const D = backbone.outputDims;

  if (opts.slidingLength === undefined) {
    const Dout = pooling === 'multiscale' ? D * multiscaleLevels(T) : D;
    const out = new Float32Array(pooling === 'full' ? N * Dout : N * T * Dout);
    const per = pooling === 'full' ? Dout : T * Dout;
    for (let s = 0; s < N; s += batchSize) {
      const b = Math.min(batchSize, N - s);
      const batch: SeriesArray = { values: x.values.subarray(s * T * C, (s + b) * T * C), n: b, length: T, channels: C };
      const h = forwardEval(backbone, batch, maskLast, maskFill);
      const pooled = poolSlice(h, pooling, 0, T);
      if (pooled !== h) h.dispose();
      out.set(await pooled.data() as Float32Array, s * per);
      pooled.dispose();
      opts.onProgress?.({ phase: 'encode', done: s + b, total: N });
      await new Promise((r) => setImmediate(r));
    }
    return { data: out, shape: pooling === 'full' ? [N, Dout] : [N, T, Dout] };
  }

  const len = checkNumber('slidingLength', opts.slidingLength, { min: 1, integer: true });
  const pad = checkNumber('slidingPadding', opts.slidingPadding ?? 0, { min: 0, integer: true });
  const W = pad + len + (opts.causal ? 0 : pad);
  const Dout = pooling === 'multiscale' ? D * multiscaleLevels(W) : D;
  const starts: number[] = [];
  for (let i = 0; i < T; i += len) starts.push(i);
  const nWin = N * starts.length;
  // per-timestamp outputs (truncated to T); 'full' pools them at the end
  const steps = new Float32Array(N * T * Dout);
  if (pooling === 'full') steps.fill(-Infinity);
  for (let w0 = 0; w0 < nWin; w0 += batchSize) {
    const b = Math.min(batchSize, nWin - w0);
    const buf = new Float32Array(b * W * C).fill(NaN);
    for (let k = 0; k < b; k++) {
      const w = w0 + k, s = Math.floor(w / starts.length), i = starts[w % starts.length]!;
      const l = i - pad;
      const lo = Math.max(l, 0), hi = Math.min(l + W, T);
      if (hi > lo) buf.set(x.values.subarray((s * T + lo) * C, (s * T + hi) * C), (k * W + (lo - l)) * C);
    }
    const h = forwardEval(backbone, { values: buf, n: b, length: W, channels: C }, maskLast, maskFill);
    const pooled = poolSlice(h, pooling === 'full' ? 'timestamp' : pooling, pad, len);
    if (pooled !== h) h.dispose();
    const vals = await pooled.data() as Float32Array;
    pooled.dispose();
    for (let k = 0; k < b; k++) {
      const w = w0 + k, s = Math.floor(w / starts.length), i = starts[w % starts.length]!;
      const keep = Math.min(len, T - i);
      steps.set(vals.subarray(k * len * Dout, (k * len + keep) * Dout), (s * T + i) * Dout);
    }
    opts.onProgress?.({ phase: 'encode', done: w0 + b, total: nWin });
    await new Promise((r) => setImmediate(r));
  }
  if (pooling !== 'full') return { data: steps, shape: [N, T, Dout] };
  const out = new Float32Array(N * Dout).fill(-Infinity);
  for (let s = 0; s < N; s++) {
    for (let t = 0; t < T; t++) {
      const base = (s * T + t) * Dout;
      for (let d = 0; d < Dout; d++) if (steps[base + d]! > out[s * Dout + d]!) out[s * Dout + d] = steps[base + d]!;
    }
  }
  return { data: out, shape: [N, Dout] };
}
