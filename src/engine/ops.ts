/**
 * Differentiable ops that every model uses, written so that training runs on every backend
 * and at XNNPACK speed on wasm:
 * - `matMul2d`: plain 2-D A@B whose gradient uses explicit transposes (wasm's XNNPACK path
 *   only covers untransposed 2-D matMul; the built-in gradient uses transposed forms that
 *   run ~15× slower).
 * - `dense`: x[..., in] @ W[in, out] + b through `matMul2d`.
 * - `bmm`: batched A@B (no transpose flags) with a gradient that also avoids transpose flags.
 * - `conv1d`: dilated 1-D convolution with causal or same padding and a custom gradient
 *   (tfjs has no gradient for dilation > 1 on any backend).
 * - `gelu`: exact GELU with a fused gradient (one saved tensor instead of five); on wasm its value
 *   and derivative come from one pass over the heap (`geluWithDerivative`).
 * - `installFastWasmSlice`: replaces wasm's Slice kernel, which copies the whole input tensor
 *   into JS on every call, by one that reads the wasm heap in place (called by conv1d).
 */
import { tf, type Tensor, type Tensor2D, type Tensor3D } from './tf.js';
import { wasmDropoutKeepMask, wasmGeluWithDerivative, wasmMaxPool2Grad, type WasmBackendLike } from './wasm-ops.js';

/** Typed wrapper of `tf.customGrad`: `f(inputs, save)` returns the value and its gradient function. */
export function customGrad<T extends Tensor>(
  f: (inputs: Tensor[], save: tf.GradSaveFunc) => { value: T; gradFunc: (dy: T, saved: Tensor[]) => Tensor | Tensor[] },
): (...inputs: Tensor[]) => T {
  const g = tf.customGrad(((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    return f(args as Tensor[], save);
  }) as never);
  return g as unknown as (...inputs: Tensor[]) => T;
}

/** 2-D matMul `[m, k] @ [k, n]` with an XNNPACK-friendly backward pass. */
export const matMul2d = customGrad(([a, b], save) => {
  save([a!, b!]);
  return {
    value: tf.matMul(a as Tensor2D, b as Tensor2D),
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved as [Tensor2D, Tensor2D];
      return [tf.matMul(dy as Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as Tensor2D)];
    },
  };
}) as (a: Tensor2D, b: Tensor2D) => Tensor2D;

/** Batched matMul `[b, m, k] @ [b, k, n]` whose gradient avoids transpose flags. */
export const bmm = customGrad(([a, b], save) => {
  save([a!, b!]);
  return {
    value: tf.matMul(a as Tensor3D, b as Tensor3D),
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved as [Tensor3D, Tensor3D];
      return [
        tf.matMul(dy as Tensor3D, tf.transpose(sb, [0, 2, 1])),
        tf.matMul(tf.transpose(sa, [0, 2, 1]), dy as Tensor3D),
      ];
    },
  };
}) as (a: Tensor3D, b: Tensor3D) => Tensor3D;

/**
 * Affine map over the last axis: `x[..., in] @ w[in, out] (+ b[out])`.
 * Any leading shape is flattened into the rows of one 2-D matMul.
 */
export function dense<T extends Tensor>(x: T, w: Tensor2D, b?: Tensor): T {
  const shape = x.shape;
  const inDim = shape[shape.length - 1]!;
  const outDim = w.shape[1];
  const x2 = shape.length === 2 ? (x as unknown as Tensor2D) : tf.reshape(x, [-1, inDim]) as Tensor2D;
  let y: Tensor = matMul2d(x2, w);
  if (b) y = tf.add(y, b);
  return (shape.length === 2 ? y : tf.reshape(y, [...shape.slice(0, -1), outDim])) as T;
}

export type Conv1dPadding = 'causal' | 'same' | 'valid';

/** Left and right zero-padding of a conv with kernel K and dilation d. */
export function convPadding(kernel: number, dilation: number, padding: Conv1dPadding): [number, number] {
  const rf = (kernel - 1) * dilation;
  if (padding === 'valid') return [0, 0];
  if (padding === 'causal') return [rf, 0];
  // 'same' as TS2Vec's SamePadConv: pad rf/2 each side (rf even for odd K); for an odd
  // receptive field the extra step is taken from the right.
  const left = Math.floor(rf / 2);
  return [left, rf - left];
}

const conv1dCache = new Map<string, (x: Tensor3D, w: Tensor3D, b?: Tensor) => Tensor3D>();

function makeConv1d(dilation: number, padL: number, padR: number, withBias: boolean): (x: Tensor3D, w: Tensor3D, b?: Tensor) => Tensor3D {
  return customGrad(([x, w, b], save) => {
    const xt = x as Tensor3D, wt = w as Tensor3D;
    const K = wt.shape[0];
    const xp = padL || padR ? tf.pad(xt, [[0, 0], [padL, padR], [0, 0]]) : xt;
    // the padded input is what dW needs: saving it spares the backward pass a pad
    save([xp, wt]);
    const value = tf.tidy(() => {
      const y = K === 1
        ? dense(xp, tf.reshape(wt, [wt.shape[1], wt.shape[2]]) as Tensor2D)
        : tf.conv1d(xp, wt, 1, 'valid', 'NWC', dilation);
      // the bias is added inside the custom op: outside it, the tape would keep copies of both inputs
      return withBias ? tf.add(y, b!) : y;
    }) as Tensor3D;
    if (xp !== xt) xp.dispose();
    return {
      value,
      gradFunc: (dy, saved) => {
        const [sxp, sw] = saved as [Tensor3D, Tensor3D];
        const [B, Lp, C] = sxp.shape;
        const L = Lp - padL - padR;
        const [Kk, , F] = sw.shape;
        const rf = (Kk - 1) * dilation;
        const dy3 = dy as Tensor3D;
        const outLen = dy3.shape[1];
        // dx: full correlation of dy with the flipped, transposed kernel, cropped to x.
        let dx: Tensor3D;
        if (Kk === 1) {
          dx = dense(dy3, tf.transpose(tf.reshape(sw, [C, F])) as Tensor2D);
          if (padL || padR) dx = tf.slice(dx, [0, padL, 0], [B, L, C]);
        } else {
          const wT = tf.transpose(tf.reverse(sw, 0), [0, 2, 1]) as Tensor3D; // [K, F, C]
          const pl = rf - padL, pr = rf - padR;
          const dyp = tf.pad(dy3, [[0, 0], [Math.max(pl, 0), Math.max(pr, 0)], [0, 0]]);
          dx = tf.conv1d(dyp, wT, 1, 'valid', 'NWC', dilation);
          if (pl < 0 || pr < 0 || dx.shape[1] !== L) dx = tf.slice(dx, [0, Math.max(-pl, 0), 0], [B, L, C]);
        }
        // dW[k] = tap_kᵀ @ dy: xp is transposed once to [C, B, Lp], so each tapᵀ is a slice of
        // it, and the K plain 2-D matMuls share dy as their right operand (XNNPACK packs a
        // right operand once per tensor; a fresh one per matMul costs as much as the product).
        const dy2 = tf.reshape(dy3, [B * outLen, F]) as Tensor2D;
        const xT = tf.transpose(sxp, [2, 0, 1]) as Tensor3D; // [C, B, Lp]
        const parts: Tensor2D[] = [];
        for (let k = 0; k < Kk; k++) {
          const tapT = outLen === Lp ? xT : tf.slice(xT, [0, 0, k * dilation], [C, B, outLen]);
          parts.push(tf.matMul(tf.reshape(tapT, [C, B * outLen]) as Tensor2D, dy2)); // [C, F]
        }
        const dw = tf.reshape(Kk === 1 ? parts[0]! : tf.concat(parts, 0), [Kk, C, F]);
        return withBias ? [dx, dw, tf.sum(dy2, 0)] : [dx, dw];
      },
    };
  }) as (x: Tensor3D, w: Tensor3D, b?: Tensor) => Tensor3D;
}

/**
 * 1-D convolution, NWC: `x [B, L, Cin]`, `w [K, Cin, Cout]` (+ `bias [Cout]`) → `[B, Lout, Cout]`,
 * with dilation and 'causal' (output t sees inputs ≤ t), 'same' or 'valid' padding. Gradients
 * for x, w (and bias) are defined for every dilation and run on every backend.
 */
export function conv1d(x: Tensor3D, w: Tensor3D, opts: { dilation?: number; padding?: Conv1dPadding; bias?: Tensor } = {}): Tensor3D {
  if (!fastSliceChecked) installFastWasmSlice();
  const dilation = opts.dilation ?? 1;
  const [padL, padR] = convPadding(w.shape[0], dilation, opts.padding ?? 'same');
  const withBias = opts.bias !== undefined;
  const key = `${dilation}:${padL}:${padR}:${withBias}`;
  let f = conv1dCache.get(key);
  if (!f) conv1dCache.set(key, (f = makeConv1d(dilation, padL, padR, withBias)));
  return withBias ? f(x, w, opts.bias) : f(x, w);
}

/** Φ(x) = (1 + erf(x/√2)) / 2 and x·Φ(x), Φ(x) + x·φ(x) with tfjs ops (any backend). */
function geluWithDerivativeOps(x: Tensor): [Tensor, Tensor] {
  const cdf = tf.mul(tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))), 0.5);
  const pdfx = tf.mul(tf.exp(tf.mul(tf.square(x), -0.5)), tf.mul(x, 1 / Math.sqrt(2 * Math.PI)));
  return [tf.mul(x, cdf), tf.add(cdf, pdfx)];
}

/**
 * GELU's value x·Φ(x) and derivative Φ(x) + x·φ(x), as two new tensors of x's shape. On wasm
 * one SIMD pass over the heap (wasm-ops.ts) instead of these 11 element-wise kernels, within
 * 4.2e-7 of float64 (the kernels: 4.5e-7, the error of wasm's Erf).
 */
export function geluWithDerivative(x: Tensor): [Tensor, Tensor] {
  return wasmGeluWithDerivative(x) ?? geluWithDerivativeOps(x);
}

/**
 * The gradient of max-pooling time by 2 (kernel 2, stride 2, 'valid') of `z [B, T, C]`:
 * `dy [B, ⌊T/2⌋, C]` sent to the larger of each pair of timesteps, to the first on ties (as
 * `tf.maximum`'s gradient); an odd T's last timestep gets 0. On wasm (C a multiple of 4) one
 * SIMD pass (wasm-ops.ts) instead of about ten kernels; the same values.
 */
export function maxPool2Grad(z: Tensor3D, dy: Tensor3D): Tensor3D {
  const [B, T, C] = z.shape;
  const half = Math.floor(T / 2);
  if (dy.shape[0] !== B || dy.shape[1] !== half || dy.shape[2] !== C) throw new RangeError(`maxPool2Grad: dy ${JSON.stringify(dy.shape)} does not fit z ${JSON.stringify(z.shape)}`);
  return wasmMaxPool2Grad(z, dy) ?? tf.tidy(() => {
    const pairs = tf.reshape(tf.slice(z, [0, 0, 0], [B, 2 * half, C]), [B, half, 2, C]);
    const even = tf.slice(pairs, [0, 0, 0, 0], [B, half, 1, C]), odd = tf.slice(pairs, [0, 0, 1, 0], [B, half, 1, C]);
    const dy4 = tf.reshape(dy, [B, half, 1, C]);
    const dEven = tf.mul(dy4, tf.cast(tf.greaterEqual(even, odd), 'float32'));
    const dOdd = tf.mul(dy4, tf.cast(tf.less(even, odd), 'float32'));
    const dz = tf.reshape(tf.concat([dEven, dOdd], 2), [B, 2 * half, C]) as Tensor3D;
    return 2 * half === T ? dz : tf.pad(dz, [[0, 0], [0, T - 2 * half], [0, 0]]);
  });
}

/**
 * A dropout keep-mask cut out of a uniform draw `u [N, L, D]`: `cast(u ≥ rate) · 1/(1 − rate)`
 * (float32 operands, as tfjs forms it), rows `[from, from + n)` and timesteps `[start,
 * start + len)`. On wasm one pass over the heap instead of four kernels on the whole draw;
 * the same values either way.
 */
export function dropoutKeepMask(u: Tensor3D, rate: number, begin: [number, number], size: [number, number]): Tensor3D {
  return wasmDropoutKeepMask(u, rate, begin, size)
    ?? tf.tidy(() => tf.slice(tf.mul(tf.cast(tf.greaterEqual(u, rate), 'float32'), 1 / (1 - rate)), [begin[0], begin[1], 0], [size[0], size[1], u.shape[2]]) as Tensor3D);
}

const geluFn = customGrad(([x], save) => {
  // x · Φ(x); its derivative Φ(x) + x·φ(x) is formed with it and saved, so the backward pass
  // is a single multiply
  const [value, deriv] = geluWithDerivative(x!);
  save([deriv]);
  deriv.dispose();
  return { value, gradFunc: (dy, [d]) => [tf.mul(dy, d!)] };
});

/** GELU, exact form `x * Φ(x)` via erf (as PyTorch's default), with a fused gradient. */
export function gelu<T extends Tensor>(x: T): T {
  return geluFn(x) as T;
}

let fastSliceChecked = false;

/**
 * tfjs-backend-wasm 4.22's Slice kernel starts with `readSync(x)`, a copy of the WHOLE input
 * into a fresh JS buffer, so taking a small slice of a big tensor costs the big tensor's size
 * (and garbage). This replaces it, on the wasm backend only, by a kernel that copies just the
 * selected elements straight from the wasm heap, in runs as long as the layout allows.
 * Idempotent; returns whether the fast kernel is in place.
 */
export function installFastWasmSlice(): boolean {
  if (fastSliceChecked) return tf.getKernel('Slice', 'wasm')?.kernelFunc === fastSlice;
  const orig = tf.getKernel('Slice', 'wasm');
  if (!orig) return false; // wasm backend not loaded (yet)
  fastSliceChecked = true;
  if (orig.kernelFunc === fastSlice) return true;
  originalSlice = orig.kernelFunc;
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({ kernelName: 'Slice', backendName: 'wasm', kernelFunc: fastSlice as tf.KernelFunc });
  return true;
}

let originalSlice: tf.KernelFunc | undefined;

function fastSlice(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return originalSlice!(args as never);
  const attrs = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as Tensor, attrs.begin, attrs.size) as [number[], number[]];
  const backend = args.backend as WasmBackendLike;
  const out = backend.makeOutput(size, x.dtype);
  const n = tf.util.sizeFromShape(size);
  if (n === 0) return out;
  // views taken after makeOutput (allocating may grow, i.e. replace, the heap buffer)
  const xv = backend.typedArrayFromHeap(x), ov = backend.typedArrayFromHeap(out);
  const shape = x.shape, r = shape.length;
  if (r === 0) { ov[0] = xv[0]!; return out; }
  // trailing axes taken whole merge into one contiguous run per index of the leading axes
  let d = r - 1;
  while (d > 0 && size[d] === shape[d]) d--;
  const strides = tf.util.computeStrides(shape);
  const inner = d === r - 1 ? 1 : strides[d]!;
  const run = size[d]! * inner;
  let base = 0;
  for (let a = 0; a <= d; a++) base += begin[a]! * (a === r - 1 ? 1 : strides[a]!);
  const idx = new Array<number>(d).fill(0);
  for (let o = 0; o < n; o += run) {
    let off = base;
    for (let a = 0; a < d; a++) off += idx[a]! * strides[a]!;
    ov.set(xv.subarray(off, off + run), o);
    for (let a = d - 1; a >= 0; a--) { if (++idx[a]! < size[a]!) break; idx[a] = 0; }
  }
  return out;
}

/**
 * wasm's Identity kernel (what `tf.clone` runs, and what the tape runs to keep every tensor
 * a gradient needs) copies the whole tensor. Tensors are immutable and the wasm backend
 * reference-counts its buffers (its Reshape already shares them), so a clone can share the
 * buffer as the cpu backend's Identity does. This installs such a kernel on wasm and returns a
 * function that restores the previous one; values are unchanged. Used by TS2Vec's training.
 * (No-op, returning a no-op, when the wasm backend is not loaded.)
 */
export function installSharedWasmIdentity(): () => void {
  const orig = tf.getKernel('Identity', 'wasm');
  if (!orig || orig.kernelFunc === sharedIdentity) return () => {};
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharedIdentity as tf.KernelFunc });
  return () => {
    if (tf.getKernel('Identity', 'wasm')?.kernelFunc !== sharedIdentity) return;
    tf.unregisterKernel('Identity', 'wasm');
    tf.registerKernel(orig);
  };
}

function sharedIdentity(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') throw new Error('sharedIdentity: string tensors are not supported');
  (args.backend as { incRef(id: tf.DataId): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Rows of `table [V, D]` at `indices` with a gradient that every backend can run
 * (scatter-add written as a one-hot matMul, which avoids UnsortedSegmentSum).
 */
export function gatherRows(table: Tensor2D, indices: tf.Tensor1D): Tensor2D {
  const V = table.shape[0];
  const g = customGrad(([t], save) => {
    save([]);
    return {
      value: tf.gather(t as Tensor2D, indices) as Tensor2D,
      gradFunc: (dy) => {
        // (oneHot's dtype argument is ignored by wasm 4.22: cast instead)
        const oh = tf.cast(tf.oneHot(indices, V), 'float32') as Tensor2D; // [n, V]
        return [tf.matMul(tf.transpose(oh), dy as Tensor2D)];
      },
    };
  });
  return g(table) as Tensor2D;
}

/**
 * Sum of many same-shape tensors. `tf.addN` with many inputs builds one kernel with one
 * storage buffer per input, which WebGPU rejects past the device's binding limit (8 on
 * some adapters); this adds in groups of at most 6.
 */
export function addMany(ts: Tensor[]): Tensor {
  if (ts.length === 0) throw new Error('addMany of no tensors');
  return tf.tidy(() => {
    let level = ts;
    while (level.length > 1) {
      const next: Tensor[] = [];
      for (let i = 0; i < level.length; i += 6) {
        const group = level.slice(i, i + 6);
        next.push(group.length === 1 ? group[0]! : group.length === 2 ? tf.add(group[0]!, group[1]!) : tf.addN(group));
      }
      level = next;
    }
    return level[0] === ts[0] ? tf.clone(level[0]!) : level[0]!;
  });
}
