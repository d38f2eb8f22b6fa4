/**
 * Hand-written WebAssembly SIMD kernels that run on the memory of tfjs's wasm backend, for
 * element-wise work where tfjs would issue many kernels (or V8 scalar code is slow). Their
 * sources are src/engine/wasm/*.wat; the bytes below are those files compiled by
 * experiments/build-wasm.ts (test/engine/wasm-kernels.test.ts checks that they match).
 */

/** The compiled modules, base64 (one exported function each, named as the key). */
export const WASM_KERNELS = {
  // generated: gelu
  gelu: 'AGFzbQEAAAABCAFgBH9/f38AAg8BA2VudgZtZW1vcnkCAAADAgEABwgBBGdlbHUAAAq0BgGxBgIBfwl7IAAgA0F8cUECdGohBAJAA0AgACAETw0BIAD9AAIAIQUgBSAF/eYB/QwAAAC/AAAAvwAAAL8AAAC//eYB/QwAAK7CAACuwgAArsIAAK7C/ekBIQYgBv0MO6q4PzuquD87qrg/O6q4P/3mAf1qIQcgBiAH/QwAgDE/AIAxPwCAMT8AgDE//eYB/eUBIQggCCAH/QyDgF65g4BeuYOAXrmDgF65/eYB/eUBIQj9DAENUDkBDVA5AQ1QOQENUDkhCf0MYQu2OmELtjphC7Y6YQu2OiAIIAn95gH95AEhCf0MiYgIPImICDyJiAg8iYgIPCAIIAn95gH95AEhCf0Mq6oqPauqKj2rqio9q6oqPSAIIAn95gH95AEhCf0Mq6oqPquqKj6rqio+q6oqPiAIIAn95gH95AEhCf0MAAAAPwAAAD8AAAA/AAAAPyAIIAn95gH95AEhCf0MAACAPwAAgD8AAIA/AACAPyAIIAn95gH95AEhCf0MAACAPwAAgD8AAIA/AACAPyAIIAn95gH95AEhCSAJIAf9+AH9DH8AAAB/AAAAfwAAAH8AAAD9rgFBF/2rAf3mASEK/QwAAIA/AACAPwAAgD8AAIA//QwAAIA/AACAPwAAgD8AAIA/IAX94AH9DIgzbT6IM20+iDNtPogzbT795gH95AH95wEhC/0MItyHPyLchz8i3Ic/ItyHPyEM/QzjALq/4wC6v+MAur/jALq/IAsgDP3mAf3kASEM/Qzj8LU/4/C1P+PwtT/j8LU/IAsgDP3mAf3kASEM/QyOqZG+jqmRvo6pkb6OqZG+IAsgDP3mAf3kASEM/QwGeYI+BnmCPgZ5gj4GeYI+IAsgDP3mAf3kASEMIAwgC/3mASAK/eYB/QwAAAA/AAAAPwAAAD8AAAA//eYBIQz9DAAAgD8AAIA/AACAPwAAgD8gDP3lASAMIAX9DAAAAAAAAAAAAAAAAAAAAAD9Rv1SIQ0gASAFIA395gH9CwIAIAIgDSAFIAr95gH9DCpCzD4qQsw+KkLMPipCzD795gH95AH9CwIAIABBEGohACABQRBqIQEgAkEQaiECDAALCws=',
  // generated: adamw
  adamw: 'AGFzbQEAAAABFgFgEn9/f39/f39/fX19fX19fX19fwACDwEDZW52Bm1lbW9yeQIAAAMCAQAHCQEFYWRhbXcAAAqLAgGIAgICfw57IAj9EyEUIAn9EyEVIAr9EyEWIAv9EyEXIAz9EyEYIA39EyEZIA79EyEaIA/9EyEbIBD9EyEcIAdBfHFBAnQhE0EAIRICQANAIBIgE08NASACIBJq/QACACEdIAMgEmr9AAIAISAgACASav0AAgAgFP3mASAdIBX95gH95AEhHiABIBJq/QACACAW/eYBIB0gHf3mASAX/eYB/eQBIR8gBCASaiAe/QsCACAFIBJqIB/9CwIAICAgHiAY/ecBIB8gGf3nAf3jASAa/eQB/ecBIBv95gH95QEhISARBEAgISAgIBz95gH95QEhIQsgBiASaiAh/QsCACASQRBqIRIMAAsLCw==',
  // generated: transpose2d
  transpose2d: 'AGFzbQEAAAABCAFgBH9/f38AAg8BA2VudgZtZW1vcnkCAAADAgEABw8BC3RyYW5zcG9zZTJkAAAKhwMBhAMCCH8IeyACQXxxIQYgA0F8cSEHIANBAnQhCiACQQJ0IQtBACEEAkADQCAEIAZPDQFBACEFAkADQCAFIAdPDQEgACAEIANsIAVqQQJ0aiEIIAEgBSACbCAEakECdGohCSAI/QACACEMIAggCmr9AAIAIQ0gCCAKQQF0av0AAgAhDiAIIApBA2xq/QACACEPIAwgDf0NAAECAxAREhMEBQYHFBUWFyEQIAwgDf0NCAkKCxgZGhsMDQ4PHB0eHyERIA4gD/0NAAECAxAREhMEBQYHFBUWFyESIA4gD/0NCAkKCxgZGhsMDQ4PHB0eHyETIAkgECAS/Q0AAQIDBAUGBxAREhMUFRYX/QsCACAJIAtqIBAgEv0NCAkKCwwNDg8YGRobHB0eH/0LAgAgCSALQQF0aiARIBP9DQABAgMEBQYHEBESExQVFhf9CwIAIAkgC0EDbGogESAT/Q0ICQoLDA0ODxgZGhscHR4f/QsCACAFQQRqIQUMAAsLIARBBGohBAwACwsL',
  // generated: maxpool2_grad
  maxpool2_grad: 'AGFzbQEAAAABCgFgBn9/f39/fwACDwEDZW52Bm1lbW9yeQIAAAMCAQAHEQENbWF4cG9vbDJfZ3JhZAAACvABAe0BAgV/BHsgBUECdCEGIARBAXYhB0EAIQgCQANAIAggA08NAUEAIQkCQANAIAkgB08NAUEAIQoCQANAIAogBk8NASAAIApq/QACACELIAAgBmogCmr9AAIAIQwgASAKav0AAgAhDSALIAz9RiEOIAIgCmogDSAO/U79CwIAIAIgBmogCmogDSALIAz9Q/1O/QsCACAKQRBqIQoMAAsLIAAgBkEBdGohACACIAZBAXRqIQIgASAGaiEBIAlBAWohCQwACwsgBEEBcQRAIAJBACAG/AsAIAAgBmohACACIAZqIQILIAhBAWohCAwACwsL',
} as const;

/** What the kernels need of the wasm backend: its module's exported memory and heap views. */
export interface WasmHeapBackend {
  wasm: { asm?: { memory?: unknown } };
  typedArrayFromHeap(t: { dataId: object; shape: number[]; dtype: string }): Float32Array | Int32Array | Uint8Array;
}

/** The kernels' exports; pointers are byte offsets into the backend's heap. */
export interface WasmKernels {
  /** GELU value and derivative of n floats at x into v and d (the first n rounded down to a multiple of 4) */
  gelu(x: number, v: number, d: number, n: number): void;
  /** max-pool-by-2 gradient: z [B, T, C], dy [B, ⌊T/2⌋, C] → dz [B, T, C] (C a multiple of 4) */
  maxpool2_grad(z: number, dy: number, dz: number, B: number, T: number, C: number): void;
  /** one AdamW update (see wasm/adamw.wat) of the first n rounded down to a multiple of 4 */
  adamw(m: number, v: number, g: number, p: number, om: number, ov: number, op: number, n: number,
    b1: number, ob1: number, b2: number, ob2: number, bc1: number, bc2: number, eps: number, lr: number, lrwd: number, wd: number): void;
  /** dst [C, R] = src [R, C]ᵀ for the first R and C rounded down to multiples of 4 */
  transpose2d(src: number, dst: number, R: number, C: number): void;
}

/** The little of the WebAssembly global used here (this project's TS lib has no DOM/wasm types). */
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;

const instances = new WeakMap<object, WasmKernels | null>();

/**
 * The kernels instantiated on `backend`'s memory (once per backend, i.e. per thread), or
 * null when the backend exposes no WebAssembly.Memory or the engine cannot compile them
 * (no SIMD): callers then fall back to tfjs ops.
 */
export function wasmKernels(backend: WasmHeapBackend): WasmKernels | null {
  const memory = backend.wasm?.asm?.memory;
  if (!WA || !(memory instanceof WA.Memory)) return null;
  let k = instances.get(memory);
  if (k === undefined) {
    try {
      const all: Record<string, unknown> = {};
      for (const [name, b64] of Object.entries(WASM_KERNELS)) {
        const exports = new WA.Instance(new WA.Module(Buffer.from(b64, 'base64')), { env: { memory } }).exports as Record<string, unknown>;
        all[name] = exports[name];
      }
      k = all as unknown as WasmKernels;
    } catch {
      k = null;
    }
    instances.set(memory, k);
  }
  return k;
}
