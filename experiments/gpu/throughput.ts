/**
 * Training and encoding throughput of each method at its default size, per backend, for
 * the GPU issue: samples/s in training and series/s in encoding, with the ratio against
 * wasm measured in the same run. Writes experiments/results/gpu/<label>.{json,md}.
 *
 *   node --import tsx experiments/gpu/throughput.ts --backends webgpu,wasm [--iters 20] [--label h100] [--check] [--small]
 *
 * Each (method, backend) pair first fits a throw-away model for 2 iterations (kernel and
 * shader compilation, XNNPACK packing), then times a fresh fit of `--iters` iterations and
 * one encode of the whole set. Synthetic data of a realistic size: 7 channels × 512 steps
 * (ETTh1-like context) for the masked Transformer, 1 channel × 150 steps (GunPoint) for
 * TS2Vec, 35 channels × 48 steps (PhysioNet) for SSGAN. `--small` shrinks data and models (a
 * smoke run on a software adapter). `--check` first trains each method for 3 iterations from
 * the same seed on every backend and compares the losses and the per-timestamp representations
 * with the first backend's (relative L2 error), so a device run also proves correctness.
 * Results go to `--out DIR` (default experiments/results/gpu under the working directory).
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
const small = args.includes('--small');
const check = args.includes('--check');
// relative to the working directory (the repo root): the bundled copy lives in .device/
const outDir = arg('--out', join(process.cwd(), 'experiments', 'results', 'gpu'));

function synthetic(n: number, T: number, C: number, seed: number): TimeSeriesDataset {
  const r = new Rng(seed);
  const series = Array.from({ length: n }, (_, i) => Array.from({ length: T }, (_, t) =>
    Array.from({ length: C }, (_, c) => Math.sin((t + 7 * i) / (6 + c)) + 0.1 * r.normal())));
  return fromArrays(series, { labels: Int32Array.from({ length: n }, (_, i) => i % 2) });
}

const setups: Record<string, { data: () => TimeSeriesDataset; options: Record<string, unknown>; batch: number }> = small ? {
  masked: { data: () => synthetic(8, 64, 3, 1), options: { contextLength: 64, dModel: 32, layers: 1, heads: 2, ff: 64, batchSize: 4 }, batch: 4 },
  ts2vec: { data: () => synthetic(8, 64, 1, 2), options: { hidden: 16, depth: 3, outputDims: 32, batchSize: 4 }, batch: 4 },
  ssgan: { data: () => synthetic(16, 24, 5, 3), options: { batchSize: 8, hiddenSize: 16 }, batch: 8 },
} : {
  masked: { data: () => synthetic(64, 512, 7, 1), options: { contextLength: 512 }, batch: 32 },
  ts2vec: { data: () => synthetic(64, 150, 1, 2), options: {}, batch: 8 },
  ssgan: { data: () => synthetic(128, 48, 35, 3), options: {}, batch: 64 },
};

/** Relative L2 error of `b` against `a`. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i]! - b[i]!) ** 2; den += a[i]! ** 2; }
  return a.length === b.length ? Math.sqrt(num / Math.max(den, 1e-12)) : Infinity;
}

interface CheckRow { method: string; backend: string; lossRelErr: number; reprRelErr: number; error?: string }
const checks: CheckRow[] = [];
if (check) {
  const ref = new Map<string, { losses: number[]; repr: Float32Array }>();
  for (const backend of backends) {
    try { await initBackend(backend); } catch (e) { console.error(`${backend}: unavailable: ${(e as Error).message}`); continue; }
    for (const method of methods) {
      const s = setups[method];
      if (!s) continue;
      try {
        const ds = s.data();
        const model = createModel(method, ds.channels, { ...s.options, iters: 3, seed: 0 });
        const fit = await model.fit(ds, { lossEvery: 1 });
        const rep = await model.encode(ds, { pooling: 'timestamp' });
        model.dispose();
        const r = ref.get(method);
        if (!r) ref.set(method, { losses: fit.losses, repr: rep.data });
        const row = { method, backend, lossRelErr: r ? relErr(r.losses, fit.losses) : 0, reprRelErr: r ? relErr(r.repr, rep.data) : 0 };
        checks.push(row);
        console.error(`check ${backend} ${method}: losses ${fit.losses.map((l) => l.toFixed(4)).join(' ')}; rel. error vs ${backends[0]}: loss ${row.lossRelErr.toExponential(2)}, representation ${row.reprRelErr.toExponential(2)}`);
      } catch (e) {
        checks.push({ method, backend, lossRelErr: NaN, reprRelErr: NaN, error: (e as Error).message });
        console.error(`check ${backend} ${method}: failed: ${(e as Error).message}`);
      }
    }
  }
}

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
  ...(checks.length ? ['', `## Correctness: 3 seeded training iterations per backend vs ${backends[0]} (relative L2 error)`, '',
    '| method | backend | losses | per-timestamp representation |', '|---|---|---:|---:|',
    ...checks.map((c) => `| ${c.method} | ${c.backend} | ${c.error ? `failed: ${c.error}` : c.lossRelErr.toExponential(2)} | ${c.error ? '' : c.reprRelErr.toExponential(2)} |`)] : []),
];
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, `${label}.json`), JSON.stringify({ label, date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, small, rows, checks }, null, 2));
writeFileSync(join(outDir, `${label}.md`), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
process.exit(0);
