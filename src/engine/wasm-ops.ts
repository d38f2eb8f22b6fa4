/**
 * tfjs kernels on the wasm backend backed by our SIMD modules (wasm-kernels.ts): each takes its
 * operands straight from the backend's heap and writes fresh outputs there, replacing several
 * tfjs kernels (or a slow stock one) by one pass. Every function here returns `undefined` when
 * it does not apply (another backend, another dtype, shapes the kernel does not take), and the
 * caller (ops.ts, flat-adamw.ts) then runs the plain tfjs ops, so results never depend on
 * which path ran beyond what each function's doc says.
 */
import { tf, type Tensor, type Tensor3D } from './tf.js';
import { wasmKernels, type WasmHeapBackend } from './wasm-kernels.js';

/** What these kernels use of tfjs's wasm backend. */
export interface WasmBackendLike extends WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

const GELU_KERNEL = 'TsreprGeluWithDerivative';
const MAXPOOL2_GRAD_KERNEL = 'TsreprMaxPool2Grad';
const ADAMW_KERNEL = 'TsreprAdamW';
let installed: boolean | undefined;

/** Registers our kernels (and the fast Transpose) on wasm once; false when they cannot run there. */
function install(): boolean {
  if (installed !== undefined) return installed;
  const backend = tf.findBackend('wasm') as unknown as WasmBackendLike | null;
  installed = backend !== null && wasmKernels(backend) !== null;
  if (installed) {
    installFastWasmTranspose();
    for (const [kernelName, kernelFunc] of [[GELU_KERNEL, geluKernel], [MAXPOOL2_GRAD_KERNEL, maxPool2GradKernel], [ADAMW_KERNEL, adamwKernel]] as const) {
      if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
    }
  }
  return installed;
}

/** Whether `x` can go through our kernels (float32 on the active wasm backend). */
function onWasm(x: Tensor): boolean {
  return x.dtype === 'float32' && tf.getBackend() === 'wasm' && install();
}

const offset = (backend: WasmBackendLike, t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;

/**
 * Runs an element-wise kernel that does the first n rounded down to a multiple of 4 elements
 * (`run(byteOffset, count)`) over all n ≥ 4: once over everything, then over the last 4 again
 * for the n mod 4 left (harmless: each output element depends on its input elements alone).
 */
function inFours(n: number, run: (at: number, count: number) => void): void {
  run(0, n);
  if (n % 4 !== 0) run(4 * (n - 4), 4);
}

/**
 * GELU's value x·Φ(x) and derivative Φ(x) + x·φ(x) in one pass (wasm/gelu.wat), within 4.2e-7
 * of float64 (tfjs's Erf-based ops: 4.5e-7); undefined off wasm or under 4 elements.
 */
export function wasmGeluWithDerivative(x: Tensor): [Tensor, Tensor] | undefined {
  if (x.size < 4 || !onWasm(x)) return undefined;
  const out = tf.engine().runKernel(GELU_KERNEL, { x }) as unknown as Tensor[];
  return [out[0]!, out[1]!];
}

function geluKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  const backend = args.backend as WasmBackendLike;
  // outputs first, offsets after (allocating may grow the heap)
  const value = backend.makeOutput(x.shape, 'float32'), deriv = backend.makeOutput(x.shape, 'float32');
  const px = offset(backend, x), pv = offset(backend, value), pd = offset(backend, deriv);
  const n = tf.util.sizeFromShape(x.shape);
  const k = wasmKernels(backend)!;
  inFours(n, (at, count) => k.gelu(px + at, pv + at, pd + at, count));
  return [value, deriv];
}

/**
 * The gradient of max-pooling time by 2 (see ops.ts `maxPool2Grad`) in one pass
 * (wasm/maxpool2_grad.wat); undefined off wasm or when C is not a multiple of 4.
 */
export function wasmMaxPool2Grad(z: Tensor3D, dy: Tensor3D): Tensor3D | undefined {
  if (z.shape[2] % 4 !== 0 || z.shape[1] < 2 || dy.dtype !== 'float32' || !onWasm(z)) return undefined;
  return tf.engine().runKernel(MAXPOOL2_GRAD_KERNEL, { z, dy }) as unknown as Tensor3D;
}

function maxPool2GradKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const { z, dy } = args.inputs as { z: tf.TensorInfo; dy: tf.TensorInfo };
  const backend = args.backend as WasmBackendLike;
  const [B, T, C] = z.shape as [number, number, number];
  const dz = backend.makeOutput(z.shape, 'float32');
  wasmKernels(backend)!.maxpool2_grad(offset(backend, z), offset(backend, dy), offset(backend, dz), B, T, C);
  return dz;
}

/** AdamW's scalar operands (each used as a float32, as tfjs scalars are). */
export interface AdamWScalars { b1: number; ob1: number; b2: number; ob2: number; bc1: number; bc2: number; eps: number; lr: number; lrwd: number }

/**
 * One AdamW update of flat float32 vectors in one pass (wasm/adamw.wat): `[m', v', p']` with
 * exactly the float32 operations of flat-adamw.ts's tfjs kernels, bit for bit; undefined off
 * wasm or under 4 elements.
 */
export function wasmAdamW(m: Tensor, v: Tensor, g: Tensor, p: Tensor, k: AdamWScalars, weightDecay: boolean): [Tensor, Tensor, Tensor] | undefined {
  if (m.size < 4 || !onWasm(m) || ![v, g, p].every((t) => t.dtype === 'float32' && t.size === m.size)) return undefined;
  return tf.engine().runKernel(ADAMW_KERNEL, { m, v, g, p }, { ...k, wd: weightDecay ? 1 : 0 } as unknown as tf.NamedAttrMap) as unknown as [Tensor, Tensor, Tensor];
}

function adamwKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { m, v, g, p } = args.inputs as Record<'m' | 'v' | 'g' | 'p', tf.TensorInfo>;
  const k = args.attrs as unknown as AdamWScalars & { wd: number };
  const backend = args.backend as WasmBackendLike;
  const outs = [m, v, p].map((t) => backend.makeOutput(t.shape, 'float32'));
  const [pm, pv, pg, pp, om, ov, op] = [m, v, g, p, ...outs].map((t) => offset(backend, t)) as number[];
  const n = tf.util.sizeFromShape(m.shape);
  const run = (at: number, count: number) => wasmKernels(backend)!.adamw(pm! + at, pv! + at, pg! + at, pp! + at, om! + at, ov! + at, op! + at, count,
    k.b1, k.ob1, k.b2, k.ob2, k.bc1, k.bc2, k.eps, k.lr, k.lrwd, k.wd);
  inFours(n, run);
  return outs;
}

/**
 * The dropout keep-mask of ops.ts `dropoutKeepMask` in one pass over the uniform draw on the
 * heap (plain JS: a compare and a store per element), the same values as the tfjs ops;
 * undefined off wasm.
 */
export function wasmDropoutKeepMask(u: Tensor3D, rate: number, [from, start]: [number, number], [n, len]: [number, number]): Tensor3D | undefined {
  if (u.dtype !== 'float32' || tf.getBackend() !== 'wasm') return undefined;
  const [, L, D] = u.shape;
  const uv = (tf.backend() as unknown as WasmBackendLike).typedArrayFromHeap(u) as Float32Array;
  const r = Math.fround(rate), keep = Math.fround(1 / (1 - rate));
  const out = new Float32Array(n * len * D);
  let o = 0;
  for (let i = from; i < from + n; i++) {
    const base = (i * L + start) * D;
    for (let j = base; j < base + len * D; j++) out[o++] = uv[j]! >= r ? keep : 0;
  }
  return tf.tensor3d(out, [n, len, D]);
}

let originalTranspose: tf.KernelFunc | undefined;

/**
 * tfjs-backend-wasm 4.22's Transpose moves about 3 ns per float on a [2400, 64] matrix (the dW
 * taps of every conv); this replaces it, on wasm only, for float32/int32 transposes that are a
 * 2-D transpose of the data (perm = [k, …, n−1, 0, …, k−1], e.g. [1, 0]), by 4×4 SIMD blocks
 * (wasm/transpose2d.wat), about 5× faster; every other transpose goes to the stock kernel.
 * Values are moved, not computed: identical. Idempotent; returns whether it is in place.
 */
export function installFastWasmTranspose(): boolean {
  const orig = tf.getKernel('Transpose', 'wasm');
  if (!orig) return false;
  if (orig.kernelFunc === fastTranspose) return true;
  const backend = tf.findBackend('wasm') as unknown as WasmBackendLike | null;
  if (!backend || !wasmKernels(backend)) return false;
  originalTranspose = orig.kernelFunc;
  tf.unregisterKernel('Transpose', 'wasm');
  tf.registerKernel({ kernelName: 'Transpose', backendName: 'wasm', kernelFunc: fastTranspose as tf.KernelFunc });
  return true;
}

function fastTranspose(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const perm = (args.attrs as unknown as { perm: number[] }).perm;
  const n = perm.length, k = perm[0]!;
  const rotation = n >= 2 && k > 0 && perm.every((p, i) => p === (k + i) % n);
  if (!rotation || (x.dtype !== 'float32' && x.dtype !== 'int32')) return originalTranspose!(args as never) as tf.TensorInfo;
  const backend = args.backend as WasmBackendLike;
  const R = tf.util.sizeFromShape(x.shape.slice(0, k)), C = tf.util.sizeFromShape(x.shape.slice(k));
  const out = backend.makeOutput(perm.map((p) => x.shape[p]!), x.dtype);
  if (R * C === 0) return out;
  // views taken after makeOutput (allocating may grow, i.e. replace, the heap buffer)
  const xv = backend.typedArrayFromHeap(x), ov = backend.typedArrayFromHeap(out);
  wasmKernels(backend)!.transpose2d(xv.byteOffset, ov.byteOffset, R, C);
  // the edge the kernel leaves: the last R mod 4 rows and C mod 4 columns
  const R4 = R & ~3, C4 = C & ~3;
  for (let r = R4; r < R; r++) for (let c = 0; c < C; c++) ov[c * R + r] = xv[r * C + c]!;
  for (let r = 0; r < R4; r++) for (let c = C4; c < C; c++) ov[c * R + r] = xv[r * C + c]!;
  return out;
}
