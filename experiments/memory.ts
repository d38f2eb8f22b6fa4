/**
 * Memory over long runs: process RSS and live tensors before/after long training runs of
 * every method (tiny configurations), batched encoding of many series, and streaming an Arrow
 * file larger than a memory budget through `imputeArrowFile`.
 *
 *   node --import tsx experiments/memory.ts            # ITERS=150 ROWS=3000000 by default
 *   MEM_ITERS=300 MEM_ROWS=6000000 node --import tsx experiments/memory.ts
 *
 * Writes experiments/results/memory/memory.json and memory.md. Synthetic data only.
 */
import { mkdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { initBackend } from '../src/engine/backend.js';
import { setQuiet } from '../src/engine/log.js';
import { memorySnapshot, trackPeakRss } from '../src/engine/memory.js';
import { createModel } from '../src/methods/model.js';
import { imputeArrowFile } from '../src/tasks/imputation/api.js';
import { METHODS, syntheticDataset, tinyOptions } from '../test/reliability/models.js';

const ITERS = Number(process.env.MEM_ITERS ?? 150);
const ROWS = Number(process.env.MEM_ROWS ?? 3_000_000);
const MB = 2 ** 20;
const mb = (b: number) => +(b / MB).toFixed(1);
const outDir = join(import.meta.dirname, 'results', 'memory');
mkdirSync(outDir, { recursive: true });
setQuiet(true);
const backend = (await initBackend(process.env.TSREPR_BACKEND ?? 'wasm')).backend;
const load0 = loadavg()[0]!;

interface Row { experiment: string; rssBeforeMiB: number; rssAfterMiB: number; peakRssMiB: number; tensorsBefore: number; tensorsAfter: number; note: string }
const rows: Row[] = [];

// 1. long training runs + repeated batched encoding, per method
for (const method of METHODS) {
  const ds = syntheticDataset(32, 64);
  const model = createModel(method, ds.channels, tinyOptions(method, ITERS));
  await model.fit(syntheticDataset(8, 64), {}); // warm-up run: wasm heap and kernels
  const s0 = memorySnapshot();
  const peak = trackPeakRss();
  const perStep: number[] = [];
  const t0 = performance.now();
  await model.fit(ds, { onProgress: () => { perStep.push(memorySnapshot().tensors); } });
  const s1 = memorySnapshot();
  rows.push({
    experiment: `${method}: fit ${ITERS} iterations`, rssBeforeMiB: mb(s0.rss), rssAfterMiB: mb(s1.rss), peakRssMiB: mb(peak.stop()),
    tensorsBefore: s0.tensors, tensorsAfter: s1.tensors,
    note: `live tensors per step min ${Math.min(...perStep.slice(5))} max ${Math.max(...perStep.slice(5))} after step 5; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  });
  const big = syntheticDataset(2000, 64);
  const e0 = memorySnapshot();
  const ep = trackPeakRss();
  let reprBytes = 0;
  for (let k = 0; k < 5; k++) reprBytes = (await model.encode(big, { batchSize: 64 })).data.byteLength;
  const e1 = memorySnapshot();
  rows.push({
    experiment: `${method}: encode 2000×64×2 five times, batch 64`, rssBeforeMiB: mb(e0.rss), rssAfterMiB: mb(e1.rss), peakRssMiB: mb(ep.stop()),
    tensorsBefore: e0.tensors, tensorsAfter: e1.tensors, note: `output ${mb(reprBytes)} MiB per call`,
  });
  model.dispose();
  console.error(rows.slice(-2));
}

// 2. streaming imputation of an Arrow file larger than the budget
const dir = join(tmpdir(), `tsrepr-mem-${process.pid}`);
mkdirSync(dir, { recursive: true });
const inPath = join(dir, 'big.arrow'), outPath = join(dir, 'big-imputed.arrow');
{
  const writer = new arrow.RecordBatchFileWriter();
  const sink = createWriteStream(inPath);
  const done = new Promise<void>((r) => sink.on('finish', () => r()));
  writer.toNodeStream().pipe(sink);
  const B = 100_000;
  for (let start = 0; start < ROWS; start += B) {
    const n = Math.min(B, ROWS - start);
    const cols: Record<string, Float64Array> = {};
    for (const c of ['a', 'b', 'c', 'd']) {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) { const t = start + i; v[i] = (t * 2654435761) % 97 === 0 ? NaN : Math.sin(t / 50 + c.charCodeAt(0)); }
      cols[c] = v;
    }
    writer.write(arrow.tableFromArrays(cols).batches[0]!);
  }
  writer.finish();
  await done;
}
const fileBytes = statSync(inPath).size;
global.gc?.();
const i0 = memorySnapshot();
const ip = trackPeakRss(20);
const t0 = performance.now();
const res = await imputeArrowFile(inPath, outPath, { method: 'linear' });
const i1 = memorySnapshot();
const peakImpute = ip.stop();
rows.push({
  experiment: `imputeArrowFile (linear, streaming) of a ${mb(fileBytes)} MiB Arrow file (${ROWS} rows × 4 float64)`,
  rssBeforeMiB: mb(i0.rss), rssAfterMiB: mb(i1.rss), peakRssMiB: mb(peakImpute), tensorsBefore: i0.tensors, tensorsAfter: i1.tensors,
  note: `peak RSS − start = ${mb(peakImpute - i0.rss)} MiB (${((peakImpute - i0.rss) / fileBytes * 100).toFixed(0)} % of the file); ${res.batches} batches, ${res.imputedCount} cells imputed, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
});
console.error(rows.slice(-1));
rmSync(dir, { recursive: true, force: true });

const meta = { backend, node: process.version, iters: ITERS, rows: ROWS, loadAverageAtStart: load0, loadAverageAtEnd: loadavg()[0], date: new Date().toISOString() };
writeFileSync(join(outDir, 'memory.json'), JSON.stringify({ meta, rows }, null, 2));
const md = [
  `# Memory over long runs (${backend}, Node ${process.version})`, '',
  `Tiny configurations (test/reliability/models.ts), synthetic data; load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on 2 cores (timings are contended).`,
  `Command: \`MEM_ITERS=${ITERS} MEM_ROWS=${ROWS} node --import tsx experiments/memory.ts\``, '',
  '| experiment | RSS before (MiB) | RSS after (MiB) | peak RSS (MiB) | tensors before | tensors after | note |',
  '|---|---:|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.experiment} | ${r.rssBeforeMiB} | ${r.rssAfterMiB} | ${r.peakRssMiB} | ${r.tensorsBefore} | ${r.tensorsAfter} | ${r.note} |`),
  '',
].join('\n');
writeFileSync(join(outDir, 'memory.md'), md);
console.log(md);
