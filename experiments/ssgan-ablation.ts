/**
 * SSGAN ablation runs (the numbers quoted in SsganOptions' doc comments and the README): one
 * dataset, one missing rate, SSGAN with the imputation benchmark's budget plus OPTS, and the
 * baselines named in METHODS. Prints one line per method.
 *   PART=physionet|beijing N=<records or windows> RATE=0.1 METHODS=linear,ssgan OPTS='{"advWeight":0}' \
 *     node --import tsx experiments/ssgan-ablation.ts
 */
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { createDataset, type TimeSeriesDataset } from '../src/data/dataset.js';
import { loadPhysionet2012 } from '../src/data/physionet.js';
import { loadBeijingAirQuality } from '../src/data/airquality.js';
import { initBackend } from '../src/engine/backend.js';
import { setQuiet } from '../src/engine/log.js';
import { evaluateImputation } from '../src/tasks/imputation/protocol.js';
const DATA = process.env.TSREPR_DATA ?? '/work/shared/datasets-raw';
setQuiet(true);
await initBackend('wasm');
const part = process.env.PART ?? 'physionet';
let ds: TimeSeriesDataset;
if (part === 'physionet') {
  const dir = join(DATA, 'imputation/physionet2012');
  ds = await loadPhysionet2012(join(dir, 'set-a'), { limit: Number(process.env.N ?? 400), outcomesPath: join(dir, 'Outcomes-a.txt.gz') });
} else {
  const dir = join(DATA, 'imputation/beijing_multisite_air_quality');
  const files = readdirSync(dir).filter((f) => f.startsWith('PRSA_Data_')).sort();
  const stations: TimeSeriesDataset[] = [];
  for (const f of files) stations.push(await loadBeijingAirQuality(join(dir, f)));
  const S = stations.length, C1 = stations[0]!.channels, T = 24;
  const rows = Math.min(...stations.map((s) => s.length));
  const n = Math.min(Number(process.env.N ?? 300), Math.floor(rows / T)), C = S * C1;
  const values = new Float32Array(n * T * C);
  for (let w = 0; w < n; w++) for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) for (let c = 0; c < C1; c++) values[(w * T + t) * C + s * C1 + c] = stations[s]!.values[(w * T + t) * C1 + c]!;
  ds = createDataset({ values, n, length: T, channels: C, lengths: new Int32Array(n).fill(T), source: dir });
}
const rate = Number(process.env.RATE ?? 0.1);
const methods = (process.env.METHODS ?? 'linear,ssgan').split(',');
const extra = JSON.parse(process.env.OPTS ?? '{}');
for (const m of methods) {
  const base = { iterations: 80, batchSize: 32, hiddenSize: 32, discHiddenSize: 16, clsHiddenSize: 16, lr: 0.005, labelRate: 1 };
  const r = await evaluateImputation(ds, m, { missingRate: rate, seed: 1, methodOptions: m === 'ssgan' ? { ...base, ...extra } : undefined });
  console.log(part, ds.n, rate, m, JSON.stringify(extra), 'MAE', r.normalised.mae.toFixed(4), 'RMSE', r.normalised.rmse.toFixed(4), 'fit', r.fitSeconds.toFixed(1));
}
process.exit(0);
