/**
 * Imputation benchmark: our SSGAN vs mean / LOCF / linear on PhysioNet 2012 set-a and Beijing
 * multi-site air quality at 10 / 20 / 50 % extra missingness (seeded), the semi-supervised
 * effect (label rates 5 / 20 / 100 % of in-hospital mortality labels), a 1-million-cell table
 * through the `impute` API (timed) and streaming Arrow imputation with RSS sampled.
 *
 * CPU here is 2 shared cores, so everything is subsampled (sizes in the results). Results are
 * appended to experiments/results/imputation/results.jsonl as each run finishes; a markdown
 * summary is written at the end. Run: node --import tsx experiments/imputation.ts [part…]
 * (parts: table, stream, physionet, beijing, labels, inductive; default all).
 */
import { appendFileSync, mkdirSync, statSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import * as arrow from 'apache-arrow';
import { selectSeries, type TimeSeriesDataset } from '../src/data/dataset.js';
import { fitScaler } from '../src/data/transforms.js';
import { loadPhysionet2012 } from '../src/data/physionet.js';
import { loadBeijingMultiSite } from '../src/data/airquality.js';
import { initBackend } from '../src/engine/backend.js';
import { setQuiet } from '../src/engine/log.js';
import { trackPeakRss } from '../src/engine/memory.js';
import { Rng } from '../src/engine/random.js';
import { impute, imputeArrowFile } from '../src/tasks/imputation/api.js';
import { evaluateImputation } from '../src/tasks/imputation/protocol.js';
import { hideObserved, scoreImputation } from '../src/tasks/imputation/evaluate.js';
import { createImputer } from '../src/tasks/imputation/imputers.js';

const DATA = process.env.TSREPR_DATA ?? '/work/shared/datasets-raw';
const OUT = new URL('./results/imputation/', import.meta.url).pathname;
const JSONL = join(OUT, 'results.jsonl');
/** set-a has 4000 records; 'all' (the default) loads every one */
const PHYSIONET_RECORDS = process.env.PHYSIONET_RECORDS && process.env.PHYSIONET_RECORDS !== 'all' ? Number(process.env.PHYSIONET_RECORDS) : Infinity;
/** 24-step windows of the 12-station table (1461 in all, TSI-Bench's layout); 'all' (the default) keeps every one */
const BEIJING_WINDOWS = process.env.BEIJING_WINDOWS && process.env.BEIJING_WINDOWS !== 'all' ? Number(process.env.BEIJING_WINDOWS) : Infinity;
const SSGAN_ITERS = Number(process.env.SSGAN_ITERS ?? 300);
/** SSGAN's masked-imputation holdout (0 = the paper's loss; see SsganOptions.holdout) */
const SSGAN_HOLDOUT = Number(process.env.SSGAN_HOLDOUT ?? 0);
/** SSGAN's reconstruction loss ('mae' default; see SsganOptions.reconLoss) */
const SSGAN_LOSS = process.env.SSGAN_LOSS ?? 'mae';
/** the SSGAN budget and options of every SSGAN row (the model's defaults otherwise: adversarial weight 0.1, inputClip 5) */
const SSGAN = {
  iterations: SSGAN_ITERS, batchSize: 32, hiddenSize: 32, discHiddenSize: 16, clsHiddenSize: 16, lr: 0.005, reconLoss: SSGAN_LOSS,
  ...(SSGAN_HOLDOUT > 0 ? { holdout: SSGAN_HOLDOUT } : {}),
};
const RATES = (process.env.RATES ?? '0.1,0.2,0.5').split(',').map(Number);
const METHODS = (process.env.METHODS ?? 'mean,locf,linear,ssgan').split(',');

mkdirSync(OUT, { recursive: true });
const load = () => os.loadavg()[0]!.toFixed(2);
function record(r: object): void {
  const line = { ...r, load1: load(), at: new Date().toISOString() };
  appendFileSync(JSONL, `${JSON.stringify(line)}\n`);
  console.error(JSON.stringify(line));
}

async function physionet(): Promise<TimeSeriesDataset> {
  const dir = join(DATA, 'imputation/physionet2012');
  return loadPhysionet2012(join(dir, 'set-a'), { ...(Number.isFinite(PHYSIONET_RECORDS) ? { limit: PHYSIONET_RECORDS } : {}), outcomesPath: join(dir, 'Outcomes-a.txt.gz') });
}

/** 12 stations × 11 measurements = 132 channels, hourly, cut into 24-step windows (SAITS layout); the first `BEIJING_WINDOWS` windows. */
async function beijing(): Promise<TimeSeriesDataset> {
  return loadBeijingMultiSite(join(DATA, 'imputation/beijing_multisite_air_quality'), Number.isFinite(BEIJING_WINDOWS) ? { maxWindows: BEIJING_WINDOWS } : {});
}

async function rates(name: string, ds: TimeSeriesDataset, methods: string[]): Promise<void> {
  for (const missingRate of RATES) {
    for (const method of methods) {
      const res = await evaluateImputation(ds, method, { missingRate, seed: 1, methodOptions: method === 'ssgan' ? { ...SSGAN, labelRate: 1 } : undefined });
      record({ part: name, series: ds.n, length: ds.length, channels: ds.channels, ...res, ssgan: method === 'ssgan' ? SSGAN : undefined });
    }
  }
}

/**
 * Inductive check (TSI-Bench style): split the records 80/20 (seeded), apply the same extra
 * missingness (`rate` of the observed entries) to both parts, fit on the 80 % and impute the
 * other 20 % without retraining, scored on their hidden entries. The main rows are
 * transductive: the imputer is fitted on the very series it fills (with the hidden entries
 * removed, so it never sees them).
 */
async function inductivePart(name: string, ds: TimeSeriesDataset): Promise<void> {
  const perm = new Rng(7).permutation(ds.n), cut = Math.round(0.8 * ds.n);
  const train = selectSeries(ds, perm.slice(0, cut)), test = selectSeries(ds, perm.slice(cut));
  for (const missingRate of RATES) {
    const hidden = hideObserved(test, missingRate, 1), trainDs = hideObserved(train, missingRate, 2).ds;
    // normalised with the train split's statistics: the test split's own, after hiding, can put
    // one hidden outlier tens of σ out (RMSE 22.8 for every method at 50 %)
    const stats = fitScaler(trainDs);
    for (const method of METHODS) {
      const imp = createImputer(method, method === 'ssgan' ? { ...SSGAN, labelRate: 1 } : undefined);
      try {
        const t0 = performance.now();
        await imp.fit(trainDs); // the baselines too: mean imputation uses the train split's channel means
        const t1 = performance.now();
        const { values } = await imp.impute(hidden.ds);
        record({
          part: `${name}-inductive`, protocol: 'train split with the same extra missingness', series: test.n, trainSeries: train.n, length: ds.length, channels: ds.channels, method, missingRate, hidden: hidden.indices.length,
          raw: scoreImputation(values, hidden, ds.channels), normalised: scoreImputation(values, hidden, ds.channels, stats),
          fitSeconds: (t1 - t0) / 1000, imputeSeconds: (performance.now() - t1) / 1000, ssgan: method === 'ssgan' ? SSGAN : undefined,
        });
      } finally {
        imp.dispose();
      }
    }
  }
}

async function tablePart(): Promise<void> {
  // 100,000 rows × 10 numeric columns (+ an id and a time column) = 1,000,000 imputable cells, 10 % missing.
  const rng = new Rng(0), rows = 100_000, cols = 10;
  const table: Record<string, unknown[] | Float64Array> = { id: Array.from({ length: rows }, (_, i) => `s${i % 100}`), t: Float64Array.from({ length: rows }, (_, i) => Math.floor(i / 100)) };
  for (let c = 0; c < cols; c++) table[`x${c}`] = Float64Array.from({ length: rows }, (_, i) => (rng.random() < 0.1 ? NaN : Math.sin(i / 100 + c) + rng.normal(0, 0.1)));
  for (const method of ['mean', 'locf', 'linear'] as const) {
    const t0 = performance.now();
    const r = await impute(table, { method, groupBy: 'id', time: 't' });
    record({ part: 'table-1M', method, rows, cells: rows * cols, imputed: r.imputedCount, seconds: (performance.now() - t0) / 1000 });
  }
  const t0 = performance.now();
  const r = await impute(table, { method: 'ssgan', groupBy: 'id', time: 't', methodOptions: SSGAN });
  record({ part: 'table-1M', method: 'ssgan', note: `${SSGAN.iterations} training iterations + imputation of all 1M cells (100 series × 1000 rows, windows of 48)`, rows, cells: rows * cols, imputed: r.imputedCount, seconds: (performance.now() - t0) / 1000 });
}

async function streamPart(): Promise<void> {
  const path = join(os.tmpdir(), 'tsrepr-impute-stream-in.arrow'), outPath = join(os.tmpdir(), 'tsrepr-impute-stream-out.arrow');
  const batches = 200, per = 20_000, cols = 5, rng = new Rng(2);
  if (!existsSync(path)) {
    const writer = arrow.RecordBatchFileWriter.throughNode();
    const sink = createWriteStream(path);
    const done = new Promise<void>((r) => sink.on('finish', () => r()));
    writer.pipe(sink);
    for (let b = 0; b < batches; b++) {
      const vecs: Record<string, arrow.Vector> = {};
      for (let c = 0; c < cols; c++) vecs[`x${c}`] = arrow.vectorFromArray(Array.from({ length: per }, (_, i) => (rng.random() < 0.1 ? null : Math.sin((b * per + i) / 50 + c))), new arrow.Float64());
      const t = new arrow.Table(vecs);
      for (const rb of t.batches) writer.write(rb);
    }
    writer.end();
    await done;
  }
  const inBytes = statSync(path).size;
  const rss0 = process.memoryUsage().rss;
  const peak = trackPeakRss(20);
  const t0 = performance.now();
  const res = await imputeArrowFile(path, outPath, { method: 'linear' });
  const seconds = (performance.now() - t0) / 1000;
  const peakRss = peak.stop();
  record({ part: 'stream-arrow', method: 'linear', rows: res.rows, batches: res.batches, cells: res.rows * cols, imputed: res.imputedCount, seconds,
    fileMiB: +(inBytes / 2 ** 20).toFixed(1), rssBeforeMiB: +(rss0 / 2 ** 20).toFixed(1), peakRssMiB: +(peakRss / 2 ** 20).toFixed(1) });
}

async function labelsPart(ds: TimeSeriesDataset): Promise<void> {
  // every label rate with the classifier (classWeight 1), and all labels without it (classWeight 0: plain GAN imputation)
  for (const labelRate of (process.env.LABEL_RATES ?? '0.05,0.2,1').split(',').map(Number)) {
    for (const classWeight of labelRate === 1 ? [1, 0] : [1]) {
      const res = await evaluateImputation(ds, 'ssgan', { missingRate: 0.1, seed: 1, methodOptions: { ...SSGAN, labelRate, classWeight } });
      record({ part: 'physionet-labels', labelRate, classWeight, series: ds.n, ...res, ssgan: SSGAN });
    }
  }
}

interface Scores { mae: number; rmse: number; mre: number }
interface Row {
  part: string; method?: string; missingRate: number; labelRate?: number; classWeight?: number; series: number; length: number; channels: number;
  normalised: Scores; raw: Scores; fitSeconds: number; load1: string; rows?: number; cells?: number; imputed?: number; seconds: number;
  peakRssMiB?: number; note?: string; fileMiB?: number; rssBeforeMiB?: number;
  /** the SSGAN budget of an SSGAN row */
  ssgan?: { iterations?: number; holdout?: number; reconLoss?: string };
}

function summary(): void {
  if (!existsSync(JSONL)) return;
  const rows = readFileSync(JSONL, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
  const lines = ['# Imputation benchmark (tsrepr)', '', `Generated ${new Date().toISOString()} from results.jsonl (latest run of each configuration).`,
    'Runs of the earlier SSGAN (randomly initialised correction branches, adversarial weight 1, MSE loss, no input bound; 400 PhysioNet records, 300 Beijing windows) are in results-v1.jsonl / summary-v1.md.', ''];
  const latest = new Map<string, Row>();
  const sorted = (o?: object) => (o ? Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))) : null);
  for (const r of rows) latest.set(JSON.stringify([r.part, r.series, r.method, r.missingRate, r.labelRate, r.classWeight, sorted(r.ssgan)]), r);
  const all = [...latest.values()];
  const ssganLabel = (r: Row) => (r.ssgan ? ` (${r.ssgan.iterations} iterations, ${r.ssgan.reconLoss ?? 'mae'} loss${r.ssgan.holdout ? `, holdout ${r.ssgan.holdout}` : ''})` : '');
  for (const part of ['physionet', 'beijing', 'physionet-inductive']) {
    for (const series of [...new Set(all.filter((r) => r.part === part).map((r) => r.series))]) {
      const rs = all.filter((r) => r.part === part && r.series === series);
      lines.push(`## ${part} (${series} series × ${rs[0]!.length} steps × ${rs[0]!.channels} channels), normalised scale`, '',
        '| rate | method | MAE | RMSE | MRE | MAE (data units) | fit s | load |', '|---|---|---|---|---|---|---|---|');
      for (const r of rs.sort((a, b) => a.missingRate - b.missingRate)) {
        lines.push(`| ${r.missingRate} | ${r.method}${ssganLabel(r)} | ${r.normalised.mae.toFixed(3)} | ${r.normalised.rmse.toFixed(3)} | ${(100 * r.normalised.mre).toFixed(1)} % | ${r.raw.mae.toFixed(3)} | ${r.fitSeconds.toFixed(1)} | ${r.load1} |`);
      }
      lines.push('');
    }
  }
  const lab = all.filter((r) => r.part === 'physionet-labels');
  if (lab.length) {
    lines.push('## Semi-supervised effect (PhysioNet, 10 % hidden, SSGAN)', '',
      'Label rate: the fraction of series whose in-hospital mortality label the classifier is trained on; class weight 0 = no classifier (plain GAN imputation). Same SSGAN budget and seed (1) in every row.', '',
      '| label rate | class weight | MAE | RMSE | MRE | iterations |', '|---|---|---|---|---|---|');
    lab.sort((a, b) => (a.labelRate ?? 0) - (b.labelRate ?? 0) || (b.classWeight ?? 0) - (a.classWeight ?? 0));
    for (const r of lab) lines.push(`| ${r.labelRate} | ${r.classWeight} | ${r.normalised.mae.toFixed(3)} | ${r.normalised.rmse.toFixed(3)} | ${(100 * r.normalised.mre).toFixed(1)} % | ${r.ssgan?.iterations ?? '?'} (${r.series} series) |`);
    lines.push('');
  }
  const big = all.filter((r) => r.part === 'table-1M' || r.part === 'stream-arrow');
  if (big.length) {
    lines.push('## Scale', '', '| part | method | rows | cells | imputed | seconds | peak RSS MiB | note |', '|---|---|---|---|---|---|---|---|');
    for (const r of big) lines.push(`| ${r.part} | ${r.method} | ${r.rows} | ${r.cells} | ${r.imputed} | ${r.seconds.toFixed(2)} | ${r.peakRssMiB ?? ''} | ${r.note ?? (r.fileMiB ? `file ${r.fileMiB} MiB, RSS before ${r.rssBeforeMiB} MiB` : '')} (load ${r.load1}) |`);
    lines.push('');
  }
  writeFileSync(join(OUT, 'summary.md'), lines.join('\n'));
}

setQuiet(true);
await initBackend('wasm');
const parts = process.argv.slice(2);
const want = (p: string) => parts.length === 0 || parts.includes(p);
try {
  if (want('physionet') || want('labels') || want('inductive')) {
    const ds = await physionet();
    if (want('physionet')) await rates('physionet', ds, METHODS);
    if (want('labels')) await labelsPart(ds);
    if (want('inductive')) await inductivePart('physionet', ds);
  }
  if (want('beijing')) await rates('beijing', await beijing(), METHODS);
  if (want('table')) await tablePart();
  if (want('stream')) await streamPart();
} finally {
  summary();
}
