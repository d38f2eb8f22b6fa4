/** Compiling src/engine/wasm/*.wat with wabt (a dev dependency), for experiments/build-wasm.ts and the tests. */
import { readFile } from 'node:fs/promises';
import wabtInit from 'wabt';

/** The kernels with a .wat source, by name (= file name without .wat, = key in WASM_KERNELS). */
export const WASM_KERNEL_SOURCES = ['gelu', 'maxpool2_grad', 'transpose2d', 'adamw'] as const;

/** The bytes of `src/engine/wasm/<name>.wat`, compiled with SIMD enabled. */
export async function compileWat(name: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const path = new URL(`../src/engine/wasm/${name}.wat`, import.meta.url);
  const mod = wabt.parseWat(`${name}.wat`, await readFile(path, 'utf8'), { simd: true, bulk_memory: true });
  try {
    mod.validate();
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}
