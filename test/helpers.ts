/** Shared test set-up: the backend under test (wasm unless TSREPR_TEST_BACKEND says otherwise). */
import { initBackend } from '../src/engine/backend.js';
import { setQuiet } from '../src/engine/log.js';
import { tf } from '../src/engine/tf.js';

export async function setUpBackend(): Promise<string> {
  setQuiet(true);
  return (await initBackend(process.env.TSREPR_TEST_BACKEND ?? 'wasm')).backend;
}

/** Max absolute difference between two tensors/arrays. */
export function maxAbsDiff(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): number {
  const av = a instanceof tf.Tensor ? a.dataSync() : a;
  const bv = b instanceof tf.Tensor ? b.dataSync() : b;
  if (av.length !== bv.length) throw new Error(`length mismatch ${av.length} vs ${bv.length}`);
  let m = 0;
  for (let i = 0; i < av.length; i++) m = Math.max(m, Math.abs(av[i]! - bv[i]!));
  return m;
}

/**
 * Switches to the webgpu backend (a software adapter such as SwiftShader is fine for
 * correctness), or skips the test with the reason when no adapter exists. True when switched.
 */
export async function useWebgpuOrSkip(t: { skip(message?: string): void }): Promise<boolean> {
  process.env.TSREPR_ALLOW_FALLBACK_ADAPTER = '1';
  try {
    await initBackend('webgpu');
    return true;
  } catch (e) {
    t.skip(`no WebGPU adapter here (${(e as Error).message}); run \`eval "$(scripts/swiftshader.sh)"\` first to test on SwiftShader`);
    return false;
  }
}

export const repoRoot = new URL('..', import.meta.url).pathname;
