/**
 * Training and encoding throughput of each method at its default size, per backend, for
 * the GPU issue: samples/s in training and series/s in encoding, with the ratio against
 * wasm measured in the same run. Writes experiments/results/gpu/<label>.{json,md}.
 *
 *   node --import tsx experiments/gpu/throughput.ts --backends webgpu,wasm [--iters 20] [--label h100]
 *
 * Each (method, backend) pair first fits a throw-away model for 2 iterations (kernel and
 * shader compilation, XNNPACK packing), then times a fresh fit of `--iters` iterations and
 * one encode of the whole set. Synthetic data of a realistic size: 7 channels × 512 steps
 * (ETTh1-like context) for the masked Transformer, 1 channel × 150 steps (GunPoint) for
 * TS2Vec, 35 channels × 48 steps (PhysioNet) for SSGAN.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fromArrays, type TimeSeriesDataset } from '../../src/data/dataset.js';
import { initBackend } from '../../src/engine/backend.js';
import { setQuiet } from '../../src/engine/log.js';
import { Rng } from '../../src/engine/random.js';
import { tf } from '../../src/engine/tf.js';
import { createModel } from '../../src/methods/index.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : dflt; };
const backends = arg('--backends', 'wasm').split(',');
const iters = Number(arg('--iters', '10'));
const label = arg('--label', os.hostname());
const methods = arg('--methods', 'masked,ts2vec,ssgan').split(',');
const outDir = join(new URL('.', import.meta.url).pathname, '..', 'results', 'gpu');

function synthetic(n: number, T: number, C: number, seed: number): TimeSeriesDataset {
  const r = new Rng(seed);
  const series = Array.from({ length: n }, (_, i) => Array.from({ length: T }, (_, t) =>
    Array.from({ length: C }, (_, c) => Math.sin((t + 7 * i) / (6 + c)) + 0.1 * r.normal())));
  return fromArrays(series, { labels: Int32Array.from({ length: n }, (_, i) => i % 2) });
}

const setups: Record<string, { data: () => TimeSeriesDataset; options: Record<string, unknown>; batch: number }> = {
  masked: { data: () => synthetic(64, 512, 7, 1), options: { contextLength: 512 }, batch: 32 },
  ts2vec: { data: () => synthetic(64, 150, 1, 2), options: {}, batch: 8 },
  ssgan: { data: () => synthetic(128, 48, 35, 3), options: {}, batch: 64 },
};

interface Row { method: string; backend: string; iters: number; trainSecondsPerIter: number; trainSamplesPerSecond: number; encodeSeconds: number; encodeSeriesPerSecond: number; error?: string }
const rows: Row[] = [];
setQuiet(true);
for (const backend of backends) {
  try {
    await initBackend(backend);
  } catch (e) {
    console.error(`${backend}: unavailable: ${(e as Error).message}`);
    continue;
  }
  for (const method of methods) {
    const s = setups[method];
    if (!s) continue;
    const ds = s.data();
    try {
      const warm = createModel(method, ds.channels, { ...s.options, iters: 2, seed: 0 });
      await warm.fit(ds);
      warm.dispose();
      const model = createModel(method, ds.channels, { ...s.options, iters, seed: 0 });
      const t0 = performance.now();
      await model.fit(ds);
      const fitS = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const rep = await model.encode(ds, { pooling: 'full' });
      const encS = (performance.now() - t1) / 1000;
      model.dispose();
      const batch = Math.min(s.batch, ds.n);
      rows.push({ method, backend, iters, trainSecondsPerIter: +(fitS / iters).toFixed(4), trainSamplesPerSecond: +((iters * batch) / fitS).toFixed(2),
        encodeSeconds: +encS.toFixed(3), encodeSeriesPerSecond: +(ds.n / encS).toFixed(2) });
      console.error(`${backend} ${method}: ${(fitS / iters).toFixed(3)} s/iter, encode ${encS.toFixed(2)} s (repr ${rep.shape.join('x')}) tensors=${tf.memory().numTensors}`);
    } catch (e) {
      rows.push({ method, backend, iters, trainSecondsPerIter: NaN, trainSamplesPerSecond: NaN, encodeSeconds: NaN, encodeSeriesPerSecond: NaN, error: (e as Error).message });
      console.error(`${backend} ${method}: failed: ${(e as Error).message}`);
    }
  }
}
const ref = (m: string) => rows.find((r) => r.method === m && r.backend === 'wasm');
const lines = [
  `# Throughput per backend (${label})`, '',
  `Date ${new Date().toISOString()}; ${os.cpus()[0]?.model} × ${os.cpus().length}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${iters} timed iterations after a 2-iteration warm-up.`, '',
  '| method | backend | s/iter | train samples/s | × wasm | encode series/s | × wasm |', '|---|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.method} | ${r.backend} | ${r.error ? `failed: ${r.error}` : r.trainSecondsPerIter} | ${r.trainSamplesPerSecond} | ${ref(r.method) ? (r.trainSamplesPerSecond / ref(r.method)!.trainSamplesPerSecond).toFixed(1) : '–'} | ${r.encodeSeriesPerSecond} | ${ref(r.method) ? (r.encodeSeriesPerSecond / ref(r.method)!.encodeSeriesPerSecond).toFixed(1) : '–'} |`),
];
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, `${label}.json`), JSON.stringify({ label, date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, rows }, null, 2));
writeFileSync(join(outDir, `${label}.md`), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
process.exit(0);
