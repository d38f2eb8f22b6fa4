/** Memory helpers: tensor counts and process memory, for leak checks and benchmarks. */
import { tf } from './tf.js';

export interface MemorySnapshot {
  /** live tfjs tensors */
  tensors: number;
  /** bytes held by tfjs tensors */
  tensorBytes: number;
  /** process resident set size, bytes */
  rss: number;
  /** V8 heap used, bytes */
  heapUsed: number;
}

export function memorySnapshot(): MemorySnapshot {
  const m = tf.memory();
  const p = process.memoryUsage();
  return { tensors: m.numTensors, tensorBytes: m.numBytes, rss: p.rss, heapUsed: p.heapUsed };
}

/**
 * Runs `fn` and throws if it leaves more live tensors than it found (plus `allowed`).
 * Used in tests to prove that training and encoding dispose what they create.
 */
export async function expectNoTensorLeak<T>(fn: () => Promise<T> | T, allowed = 0): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  const after = tf.memory().numTensors;
  if (after - before > allowed) throw new Error(`tensor leak: ${after - before} tensors left alive (allowed ${allowed})`);
  return out;
}

/** Tracks peak RSS while work runs (sampled every `intervalMs`). */
export function trackPeakRss(intervalMs = 50): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const h = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, intervalMs);
  h.unref();
  return { stop() { clearInterval(h); return Math.max(peak, process.memoryUsage().rss); } };
}
