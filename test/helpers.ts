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

export const repoRoot = new URL('..', import.meta.url).pathname;
