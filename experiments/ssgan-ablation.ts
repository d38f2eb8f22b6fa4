/**
 * SSGAN ablation runs (the numbers quoted in SsganOptions' doc comments and the README): one
 * dataset, one missing rate, SSGAN with the imputation benchmark's budget plus OPTS, and the
 * baselines named in METHODS. Prints one line per method.
 *   PART=physionet|beijing N=<records or windows> RATE=0.1 METHODS=linear,ssgan OPTS='{"advWeight":0}' \
 *     node --import tsx experiments/ssgan-ablation.ts
 */
import { join } from 'node:path';
import type { TimeSeriesDataset } from '../src/data/dataset.js';
import { loadPhysionet2012 } from '../src/data/physionet.js';
import { loadBeijingMultiSite } from '../src/data/airquality.js';
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
  ds = await loadBeijingMultiSite(join(DATA, 'imputation/beijing_multisite_air_quality'), { maxWindows: Number(process.env.N ?? 300) });
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
