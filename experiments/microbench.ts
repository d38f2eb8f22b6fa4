/**
 * Micro-benchmark of the kernels every model is made of, on each backend that is
 * available here: 2-D matMul (plain and through the built-in transposed gradient path),
 * dilated conv1d forward+backward (our custom gradient), and scaled dot-product attention
 * forward+backward. Prints GFLOP/s and writes experiments/results/microbench/<backend>.json.
 *
 *   node --import tsx experiments/microbench.ts [--backends wasm,cpu,webgpu] [--reps 5]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src/engine/backend.js';
import { bmm, conv1d, matMul2d } from '../src/engine/ops.js';
import { Rng } from '../src/engine/random.js';
import { tf } from '../src/engine/tf.js';

interface Row { kernel: string; shape: string; gflop: number; ms: number; gflops: number }

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : dflt; };
const backends = arg('--backends', 'wasm,cpu').split(',');
const reps = Number(arg('--reps', '5'));
const outDir = join(new URL('.', import.meta.url).pathname, 'results', 'microbench');

async function time(fn: () => tf.Tensor | tf.Tensor[], n: number): Promise<number> {
  const sync = async (r: tf.Tensor | tf.Tensor[]) => { for (const t of Array.isArray(r) ? r : [r]) { await t.data(); t.dispose(); } };
  await sync(fn()); // warm-up (kernel compilation, XNNPACK packing)
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await sync(fn());
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!; // median
}

async function bench(name: string): Promise<Row[]> {
  await initBackend(name);
  const rng = new Rng(0);
  const rows: Row[] = [];
  const scale = name === 'cpu' ? 0.5 : 1; // the cpu backend is ~50× slower: smaller shapes
  const n = name === 'cpu' ? Math.max(2, Math.floor(reps / 2)) : reps;
  const add = async (kernel: string, shape: string, flop: number, fn: () => tf.Tensor | tf.Tensor[]) => {
    const ms = await time(fn, n);
    rows.push({ kernel, shape, gflop: flop / 1e9, ms: +ms.toFixed(2), gflops: +(flop / 1e9 / (ms / 1000)).toFixed(2) });
    console.log(`${name.padEnd(7)} ${kernel.padEnd(34)} ${shape.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms ${(flop / 1e9 / (ms / 1000)).toFixed(2).padStart(7)} GFLOP/s`);
  };
  // matMul
  const m = Math.round(512 * scale);
  const a = tf.tensor(rng.normalArray(m * m), [m, m]) as tf.Tensor2D;
  const b = tf.tensor(rng.normalArray(m * m), [m, m]) as tf.Tensor2D;
  await add('matMul 2-D (plain)', `${m}x${m} @ ${m}x${m}`, 2 * m ** 3, () => tf.matMul(a, b));
  await add('matMul transposeB (built-in path)', `${m}x${m} @ (${m}x${m})^T`, 2 * m ** 3, () => tf.matMul(a, b, false, true));
  await add('matMul2d fwd+bwd (ours)', `${m}x${m} @ ${m}x${m}`, 6 * m ** 3, () => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(matMul2d(x as tf.Tensor2D, y as tf.Tensor2D)))([a, b]));
  await add('tf.matMul fwd+bwd (built-in grad)', `${m}x${m} @ ${m}x${m}`, 6 * m ** 3, () => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D)))([a, b]));
  // dilated conv1d (TS2Vec block size): B=16, L=512, 64→64, K=3, dilation 4
  const B = name === 'cpu' ? 4 : 16, L = 512, C = 64, K = 3;
  const x = tf.tensor(rng.normalArray(B * L * C), [B, L, C]) as tf.Tensor3D;
  const w = tf.tensor(rng.normalArray(K * C * C, 0, 0.1), [K, C, C]) as tf.Tensor3D;
  const convFlop = 2 * B * L * C * C * K;
  await add('conv1d dilated fwd', `B${B} L${L} ${C}->${C} K${K} d4`, convFlop, () => conv1d(x, w, { dilation: 4, padding: 'same' }));
  await add('conv1d dilated fwd+bwd (ours)', `B${B} L${L} ${C}->${C} K${K} d4`, 3 * convFlop, () => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(conv1d(p as tf.Tensor3D, q as tf.Tensor3D, { dilation: 4, padding: 'same' })))([x, w]));
  // attention: batch·heads = 64, L = 64 tokens, head dim 32 (B=8, 8 heads)
  const BH = name === 'cpu' ? 16 : 64, T = 64, dh = 32;
  const q = tf.tensor(rng.normalArray(BH * T * dh), [BH, T, dh]) as tf.Tensor3D;
  const k = tf.tensor(rng.normalArray(BH * T * dh), [BH, T, dh]) as tf.Tensor3D;
  const v = tf.tensor(rng.normalArray(BH * T * dh), [BH, T, dh]) as tf.Tensor3D;
  const attn = (qq: tf.Tensor3D, kk: tf.Tensor3D, vv: tf.Tensor3D) =>
    bmm(tf.softmax(tf.mul(bmm(qq, tf.transpose(kk, [0, 2, 1])), 1 / Math.sqrt(dh))) as tf.Tensor3D, vv);
  const attnFlop = 2 * 2 * BH * T * T * dh;
  await add('attention fwd', `BH${BH} T${T} dh${dh}`, attnFlop, () => attn(q, k, v));
  await add('attention fwd+bwd', `BH${BH} T${T} dh${dh}`, 3 * attnFlop, () => tf.grads((p: tf.Tensor, r: tf.Tensor, s: tf.Tensor) => tf.sum(attn(p as tf.Tensor3D, r as tf.Tensor3D, s as tf.Tensor3D)))([q, k, v]));
  tf.dispose([a, b, x, w, q, k, v]);
  return rows;
}

mkdirSync(outDir, { recursive: true });
for (const name of backends) {
  try {
    const rows = await bench(name);
    const meta = { backend: name, date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, load: os.loadavg(), reps };
    writeFileSync(join(outDir, `${name}.json`), JSON.stringify({ ...meta, rows }, null, 2));
  } catch (e) {
    console.log(`${name}: unavailable (${(e as Error).message})`);
  }
}
process.exit(0);
