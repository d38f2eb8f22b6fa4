/**
 * Kernel gaps of the wasm backend (tfjs 4.22): a few kernels used by gradients are not
 * registered (UnsortedSegmentSum for gather's gradient, Conv2DBackpropFilter, depthwise
 * backprops, Einsum). We register them for wasm by running tfjs-backend-cpu's kernel on a
 * private CPU backend: read inputs, compute, write the output back. Slow for big conv
 * filters, which is why our own conv1d (ops.ts) never needs Conv2DBackpropFilter.
 *
 * One wasm kernel is registered but gives wrong values, and is replaced the same way:
 * MaxPoolGrad drops the gradient of some pooling windows (e.g. input [3, 2, 1, 1], window and
 * stride [2, 1]: the third window's gradient comes back 0; input [1, 6, 1, 2]: one of six).
 * Our own training code never uses it (losses.ts pools with its own gradient), but a model
 * written with `tf.maxPool` would train on wrong gradients without a word.
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { tf } from './tf.js';

const MISSING_ON_WASM = [
  'UnsortedSegmentSum',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'Einsum',
];

/** Kernels wasm registers but computes wrongly (see above): replaced by the CPU kernel. */
const WRONG_ON_WASM = ['MaxPoolGrad'];

let cpu: MathBackendCPU | undefined;
const registered = new Set<string>();

interface TensorInfoLike { dataId: object; shape: number[]; dtype: tf.DataType }

/** Registers CPU-fallback kernels for wasm where wasm lacks them or gets them wrong. Idempotent. */
export function registerWasmFallbacks(): string[] {
  const done: string[] = [];
  for (const kernelName of [...MISSING_ON_WASM, ...WRONG_ON_WASM]) {
    if (registered.has(kernelName)) continue;
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (!cpuKernel) continue;
    if (tf.getKernel(kernelName, 'wasm')) {
      if (!WRONG_ON_WASM.includes(kernelName)) continue;
      tf.unregisterKernel(kernelName, 'wasm');
    }
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        cpu ??= new MathBackendCPU();
        const wasm = backend as unknown as {
          readSync(id: object): tf.backend_util.BackendValues;
          makeOutput(shape: number[], dtype: tf.DataType, id?: number, values?: tf.backend_util.BackendValues): TensorInfoLike;
        };
        // Inputs are a named record for most kernels and an array for some (Einsum).
        const cpuInputs: Record<string, TensorInfoLike> | TensorInfoLike[] = Array.isArray(inputs) ? [] : {};
        const temps: object[] = [];
        for (const [name, t] of Object.entries(inputs as Record<string, TensorInfoLike>)) {
          const id = cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype);
          temps.push(id);
          (cpuInputs as Record<string, TensorInfoLike>)[name] = { dataId: id, shape: t.shape, dtype: t.dtype };
        }
        try {
          const out = cpuKernel.kernelFunc({ inputs: cpuInputs as never, attrs, backend: cpu }) as TensorInfoLike | TensorInfoLike[];
          const outs = (Array.isArray(out) ? out : [out]).map((o) => {
            const v = cpu!.readSync(o.dataId as never);
            cpu!.disposeData(o.dataId as never, true);
            return wasm.makeOutput(o.shape, o.dtype, undefined, v);
          });
          return (Array.isArray(out) ? outs : outs[0]) as never;
        } finally {
          for (const id of temps) cpu.disposeData(id as never, true);
        }
      },
    });
    registered.add(kernelName);
    done.push(kernelName);
  }
  return done;
}
