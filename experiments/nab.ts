/**
 * NAB benchmark: all 58 NAB series, NAB standard / reward-low-FP / reward-low-FN scores of our
 * detectors beside NAB's published scoreboard, plus TS2Vec's delay-adjusted F1.
 *
 * Protocol per series: the first 15 % (NAB's probationary period, at most 750 rows) is the
 * training part: the detector is fitted on it (model training for ts2vec) and its score statistics
 * (mean/std of the adjusted training scores) standardise the whole series. Every score is causal.
 * NAB scores: like every scoreboard entry, one threshold per detector and profile is optimised
 * over the whole corpus (NAB's sweep; no held-out split), (a) on the raw standardised scores
 * exactly as NAB's sweeper does, and (b) over k ∈ grid with the TS2Vec flag suppression.
 * Delay-adjusted F1 (delay 7): fixed k = 4 (no tuning on NAB), after the training part, all series
 * concatenated as TS2Vec does.
 *
 * Resumable: one JSON line per (detector, series) in rows.jsonl; standardised scores cached in
 * .tsrepr-cache/nab-scores/<detector>-<config hash>/ (a (detector, file) is re-run only when its row or its
 * cached scores are missing), so post-processing variants re-score in seconds.
 * Run: node --import tsx experiments/nab.ts [--detectors zscore,random,ts2vec,masked,knn,knn-knncad-setting,ts2vec-knn] [--score-only]
 */
import { appendFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { join, relative } from 'node:path';
import { loadNab } from '../src/data/nab.js';
import { initBackend } from '../src/engine/backend.js';
import { setQuiet } from '../src/engine/log.js';
import '../src/methods/ts2vec.js';
import '../src/methods/masked/model.js';
import {
  createDetector, DEFAULT_KNN_SCALES, delayAdjustedPrf, knnScalesForInterval, medianInterval, flagScores, combineOutputs, NAB_PROFILE_NAMES, NAB_PROFILES, nabNormalize, nabPrepareFile, nabProbationaryLength,
  nabScoreFlags, nabSweep, sliceSeries, suppressAfterDetection, windowRows, type CreateDetectorOptions, type NabPreparedFile,
} from '../src/tasks/anomaly/index.js';
import { anomalyLikelihood } from '../src/tasks/anomaly/likelihood.js';
import { renderSpec } from '../src/bench/plots.js';
import { Rng } from '../src/engine/random.js';

const DATA = join(process.env.TSREPR_DATA ?? '/work/shared/datasets-raw', 'anomaly/NAB');
const OUT = new URL('./results/nab/', import.meta.url).pathname;
const CACHE = new URL('../.tsrepr-cache/nab-scores/', import.meta.url).pathname;
/** A detector's score cache, keyed by its configuration too: changed options never reuse old scores. */
const cacheDir = (d: string): string => join(CACHE, `${d}-${createHash('sha256').update(JSON.stringify(DETECTORS[d] ?? d)).digest('hex').slice(0, 12)}`);
const arg = (name: string, def: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1]! : def; };

/** The anomaly-likelihood stage's options (see LIK_GRID below). */
const LIK_OPTIONS = { averagingWindow: 1, historicWindow: 8640, output: 'deviation' } as const;

/** Detector configurations; the ts2vec one is small so per-series training is cheap on 2 cores. */
/**
 * `inDetector`: the detector itself runs the likelihood stage (one per scale; `opts.likelihood`
 * adds to LIK_OPTIONS) and the spatial rule, so its cached scores are final: the likelihood rows
 * re-threshold them as they are. `scalesFromInterval`: knn-multiscale's scales come from each
 * file's median sampling interval (knnScalesForInterval: 150 minutes and one day) instead of
 * `opts.knnScales`.
 */
interface DetectorConfig { method: string; opts: CreateDetectorOptions; budget: string; inDetector?: boolean; scalesFromInterval?: boolean }
const DETECTORS: Record<string, DetectorConfig> = {
  zscore: { method: 'zscore', opts: { zscore: { window: 64, on: 'both' } }, budget: 'no training; rolling window 64' },
  random: { method: 'random', opts: {}, budget: 'uniform random scores (NAB random detector), seed 0' },
  ts2vec: {
    method: 'ts2vec',
    opts: { padding: 32, batchSize: 512, modelOptions: { hidden: 16, depth: 4, outputDims: 32, iters: 30, batchSize: 8, maxTrainLength: 750, seed: 0 } },
    budget: 'hidden 16, depth 4, 32-d output, 30 iterations on the ≤750-row probationary part, causal windows of 33 steps',
  },
  'knn-knncad-setting': {
    method: 'knn',
    opts: { knn: { window: 19, k: 27, reference: 750, lag: 19, metric: 'mahalanobis' } },
    budget: "no training; KNN CAD's window 19, k 27 and Mahalanobis metric (fitted on the probationary part), 750 reference windows ending 19–768 steps earlier",
  },
  'ts2vec-knn': {
    method: 'ts2vec-knn',
    opts: { padding: 32, batchSize: 512, knn: { k: 10, reference: 750, lag: 30 }, modelOptions: { hidden: 16, depth: 4, outputDims: 32, iters: 30, batchSize: 8, maxTrainLength: 750, seed: 0 } },
    budget: 'the ts2vec model (hidden 16, depth 4, 32-d, 30 iterations on the probationary part); sum of the 10 smallest squared distances between the representation of the 33-step causal window and those 30–779 steps earlier',
  },
  knn: {
    method: 'knn',
    opts: { knn: { window: 30, k: 10, reference: 750, lag: 30, metric: 'euclidean' } },
    budget: 'no training; window 30, sum of the 10 smallest squared Euclidean distances to the 750 windows ending 30–779 steps earlier',
  },
  'knn-spatial': {
    method: 'knn',
    opts: { knn: { window: 30, k: 10, reference: 750, lag: 30, metric: 'euclidean' }, likelihood: LIK_OPTIONS, spatialTolerance: 0.05 },
    inDetector: true,
    budget: "knn (above) with the likelihood stage and HTM's spatial rule (tolerance 0.05) inside the detector",
  },
  'knn-multiscale-nospatial': {
    method: 'knn-multiscale',
    opts: { likelihood: { ...LIK_OPTIONS, historyClip: 15 }, combine: 'fisher' },
    scalesFromInterval: true,
    inDetector: true,
    budget: 'no training; knn at two scales written in time (knnScalesForInterval: 150 minutes, at least 8 samples, and one day as 48 block means; on 5-minute data 30 raw steps and 48 six-step means, on hourly data 8 and 24 raw steps), k 10, 750 reference windows each (scored once 75 are there), one likelihood stage per scale (history winsorised at 15 σ), the two deviations combined by Fisher\'s method (combine \'fisher\': their two-sided Gaussian p-values, χ² with 4 degrees of freedom, back to σ), each scale flagging once per event (refractory = its span; the combined score counts for the larger deviation\'s scale)',
  },
  'knn-multiscale': {
    method: 'knn-multiscale',
    opts: { likelihood: { ...LIK_OPTIONS, historyClip: 15 }, spatialTolerance: 0.05, combine: 'fisher' },
    scalesFromInterval: true,
    inDetector: true,
    budget: "knn-multiscale-nospatial plus HTM's spatial rule (a value 5 % of the seen range beyond the running min/max is flagged, even within the hold)",
  },
  'knn-multiscale-max': {
    method: 'knn-multiscale',
    opts: { likelihood: { ...LIK_OPTIONS, historyClip: 15 }, spatialTolerance: 0.05 },
    scalesFromInterval: true,
    inDetector: true,
    budget: 'knn-multiscale with the larger of the two deviations flagged instead of their Fisher combination (the configuration before 2026-12-02, third search)',
  },
  'knn-multiscale-steps': {
    method: 'knn-multiscale',
    opts: { knnScales: [...DEFAULT_KNN_SCALES], likelihood: { ...LIK_OPTIONS, historyClip: 15 }, spatialTolerance: 0.05, combine: 'fisher' },
    inDetector: true,
    budget: 'knn-multiscale with the scales in samples for every file (30 raw steps; 48 six-step means), whatever the sampling interval',
  },
  'knn-multiscale-noclip': {
    method: 'knn-multiscale',
    opts: { spatialTolerance: 0.05, combine: 'fisher' },
    scalesFromInterval: true,
    inDetector: true,
    budget: "knn-multiscale with NuPIC's likelihood history (not winsorised)",
  },
  masked: {
    method: 'masked',
    opts: { padding: 71, batchSize: 512, modelOptions: { patchLen: 12, dModel: 32, layers: 2, heads: 4, ff: 64, decoderDim: 32, decoderHeads: 4, iters: 30, contextLength: 144, batchSize: 16, seed: 0 } },
    budget: 'patch 12, d_model 32, 2 layers, 30 iterations on the probationary part; last 12-step patch of a 72-step causal window hidden',
  },
};

/** NAB v1.0 scoreboard (README) — numbers from /work/shared/notes/anchors-imputation-anomaly.md §3a. */
const SCOREBOARD: [string, number, number, number][] = [
  ['Perfect', 100, 100, 100], ['ARTime', 74.9, 65.1, 80.4], ['Numenta HTM (NuPIC 1.0, best seed)', 70.5, 62.6, 75.2],
  ['CAD OSE', 69.9, 67.0, 73.2], ['earthgecko Skyline', 58.2, 46.2, 63.9], ['KNN CAD', 58.0, 43.4, 64.8],
  ['Relative Entropy', 54.6, 47.6, 58.8], ['Random Cut Forest', 51.7, 38.4, 59.7], ['Twitter ADVec (tuned on NAB)', 47.1, 33.6, 53.5],
  ['Windowed Gaussian', 39.6, 20.9, 47.4], ['Etsy Skyline', 35.7, 27.1, 44.5], ['Bayesian Changepoint', 17.7, 3.2, 32.2],
  ['EXPoSE', 16.4, 3.2, 26.9], ['Random (seed mean)', 11.0, 1.2, 19.5], ['Null', 0, 0, 0],
];
const K_GRID = Array.from({ length: 61 }, (_, i) => i * 0.25); // 0 … 15
const DELAY = 7;
/**
 * Anomaly-likelihood post-processing (HTM's, src/tasks/anomaly/likelihood.ts): each score is
 * re-standardised against the Gaussian of its own file's score history (NuPIC's 8640 steps),
 * flags above k ∈ LIK_GRID are suppressed for `hold` ∈ LIK_HOLDS rows after a flag (one row per
 * hold). The averaging window (1 of {1, 5, 10}) and the holds (200 of {7, 50, 200, 400} for
 * ts2vec; 100 of {50, 75, 100, 150, 200, 400} for knn) were chosen by the standard-profile score
 * on NAB itself (like the threshold): an optimistic choice.
 */
const LIK_GRID = Array.from({ length: 113 }, (_, i) => 2 + i * 0.25); // 2 … 30
const LIK_HOLDS = [100, 200];
/**
 * Post-hoc combinations (not detectors): the mean of the members' likelihood deviations per
 * step, then the same k-grid and holds. One fixed rule for the whole corpus.
 */
const ENSEMBLES = [['knn', 'masked'], ['knn', 'ts2vec'], ['knn', 'ts2vec-knn'], ['knn', 'ts2vec', 'masked']];

/** A detector's options for one file: in-detector likelihood with the file's learning period, scales from its sampling interval. */
function detectorOptions(d: string, interval: number, trainLen: number): CreateDetectorOptions {
  const cfg = DETECTORS[d]!;
  const lik = typeof cfg.opts.likelihood === 'object' ? cfg.opts.likelihood : {};
  return {
    ...cfg.opts,
    ...(cfg.inDetector ? { likelihood: { ...LIK_OPTIONS, ...lik, learningPeriod: trainLen } } : {}),
    ...(cfg.scalesFromInterval ? { knnScales: knnScalesForInterval(interval) } : {}),
  };
}

async function listCsv(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await listCsv(p)); else if (/\.csv(\.gz)?$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

async function main(): Promise<void> {
  setQuiet(true);
  await initBackend(process.env.TSREPR_BACKEND ?? 'wasm');
  const detectors = arg('--detectors', 'zscore,random,ts2vec,masked,knn,knn-knncad-setting,ts2vec-knn').split(',');
  const limit = Number(arg('--limit', '1000'));
  // --score-only: no detection runs; score the files every requested detector has finished
  const scoreOnly = process.argv.includes('--score-only');
  await mkdir(OUT, { recursive: true });
  const labelsPath = existsSync(join(DATA, 'labels/combined_windows.json.gz')) ? join(DATA, 'labels/combined_windows.json.gz') : join(DATA, 'labels/combined_windows.json');
  const files = (await listCsv(join(DATA, 'data'))).slice(0, limit);
  const rowsPath = join(OUT, 'rows.jsonl');
  const done = new Set<string>();
  if (existsSync(rowsPath)) for (const l of (await readFile(rowsPath, 'utf8')).split('\n')) if (l.trim()) { const r = JSON.parse(l); done.add(`${r.detector}|${r.file}`); }
  console.error(`NAB: ${files.length} files; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  const prepared: { key: string; file: NabPreparedFile; labels: Uint8Array; T: number; trainLen: number; interval: number }[] = [];
  for (const path of files) {
    const nab = await loadNab(path, labelsPath);
    const key = nab.labelKey!;
    const T = nab.length;
    const trainLen = Math.max(50, nabProbationaryLength(T));
    const interval = medianInterval(nab.timestamps!);
    prepared.push({ key, file: nabPrepareFile(T, windowRows(nab.timestamps!, nab.windows)), labels: nab.pointLabels, T, trainLen, interval });
    for (const d of detectors) {
      const cachePath = join(cacheDir(d), key.replace(/\//g, '__') + '.f32');
      if (done.has(`${d}|${key}`) && existsSync(cachePath)) continue;
      if (scoreOnly) continue;
      const det = createDetector(DETECTORS[d]!.method, { ...detectorOptions(d, interval, trainLen), k: 4, delay: DELAY });
      const series = { values: nab.values, channels: 1 };
      const t0 = performance.now();
      await det.fit(sliceSeries(series, 0, trainLen));
      const t1 = performance.now();
      const r = await det.detect(series);
      const t2 = performance.now();
      det.scorer.dispose?.();
      await mkdir(cacheDir(d), { recursive: true });
      await writeFile(cachePath, Buffer.from(r.z.buffer, r.z.byteOffset, r.z.byteLength));
      // multi-output detectors: each output's score and the spatial rule's steps, so that re-thresholding applies the detector's own flag rule
      if (r.zByOutput) await writeFile(cachePath.replace(/\.f32$/, '.zo.f32'), Buffer.from(r.zByOutput.buffer, r.zByOutput.byteOffset, r.zByOutput.byteLength));
      if (r.spatial) await writeFile(cachePath.replace(/\.f32$/, '.sp.u8'), r.spatial);
      const row = { detector: d, file: key, rows: T, trainRows: trainLen, fitSeconds: (t1 - t0) / 1000, scoreSeconds: (t2 - t1) / 1000, flaggedAtK4: r.flags.reduce((a, b) => a + b, 0), load1: os.loadavg()[0] };
      await appendFile(rowsPath, JSON.stringify(row) + '\n');
      console.error(`${d} ${key}: T=${T} fit ${row.fitSeconds.toFixed(1)} s, score ${row.scoreSeconds.toFixed(1)} s, ${row.flaggedAtK4} flags`);
    }
  }

  // corpus scoring (on the files every requested detector has scores for)
  const all = prepared.length;
  const cached = (d: string, key: string) => existsSync(join(cacheDir(d), key.replace(/\//g, '__') + '.f32'));
  for (let i = prepared.length - 1; i >= 0; i--) if (!detectors.every((d) => cached(d, prepared[i]!.key))) prepared.splice(i, 1);
  if (prepared.length < all) console.error(`scoring ${prepared.length} of ${all} files (the others lack scores of some detector)`);
  const summary: Record<string, unknown> = {};
  const likOf: Record<string, Float32Array[]> = {};
  /** best k of `grid` for flags `scores > k` suppressed for `hold` rows: corpus NAB score */
  /** flags of file i at threshold k and hold: `scores > k` suppressed for hold rows, or the detector's own rule (flagScores) for in-detector scores */
  type Flagger = (i: number, k: number, hold: number) => Uint8Array;
  const plainFlags = (scores: Float32Array[]): Flagger => (i, k, hold) => suppressAfterDetection(Uint8Array.from(scores[i]!, (v) => (v > k ? 1 : 0)), hold);
  const bestK = (scores: Float32Array[] | Flagger, grid: number[], hold: number, prof: (typeof NAB_PROFILE_NAMES)[number]) => {
    const flagsOf = typeof scores === 'function' ? scores : plainFlags(scores);
    let best = { k: NaN, raw: -Infinity, nullRaw: 0, perfect: 0, tp: 0, fn: 0, fp: 0 };
    for (const k of grid) {
      let raw = 0, nullRaw = 0, perfect = 0, tp = 0, fn = 0, fp = 0;
      prepared.forEach((p, i) => {
        const s = nabScoreFlags(p.file, flagsOf(i, k, hold), NAB_PROFILES[prof]);
        raw += s.raw; nullRaw += s.nullRaw; perfect += s.perfect; tp += s.tp; fn += s.fn; fp += s.fp;
      });
      if (raw > best.raw) best = { k, raw, nullRaw, perfect, tp, fn, fp };
    }
    // windows found / missed and detections outside windows (after the probationary period) at that k
    return { k: best.k, delay: hold, score: nabNormalize(best.raw, best.nullRaw, best.perfect), windowsFound: best.tp, windowsMissed: best.fn, falseDetections: best.fp };
  };
  for (const d of detectors) {
    const z: Float32Array[] = [];
    for (const p of prepared) {
      const buf = await readFile(join(cacheDir(d), p.key.replace(/\//g, '__') + '.f32'));
      z.push(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4));
    }
    const perProfile: Record<string, unknown> = {};
    const lik = DETECTORS[d]?.inDetector ? z : prepared.map((p, i) => anomalyLikelihood(z[i]!, { ...LIK_OPTIONS, learningPeriod: p.trainLen }));
    let inDetectorFlags: Flagger | undefined;
    if (DETECTORS[d]?.inDetector) {
      // the detector's own flag rule on its stored per-output scores (refractory periods, spatial steps)
      const zo: (Float32Array | Float64Array)[] = [], sp: (Uint8Array | undefined)[] = [], shapes: { S: number; refractory?: readonly number[]; combine: 'max' | 'fisher' }[] = [];
      for (const [i, p] of prepared.entries()) {
        const shape = createDetector(DETECTORS[d]!.method, detectorOptions(d, p.interval, p.trainLen)); // per file: the scales may follow its sampling interval
        const S = shape.outputs;
        shapes.push({ S, refractory: shape.scorer.refractory, combine: shape.threshold.combine });
        const base = join(cacheDir(d), p.key.replace(/\//g, '__'));
        const b = S > 1 ? await readFile(base + '.zo.f32') : undefined;
        const stored = b ? new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4) : z[i]!;
        zo.push(S > 1 && shapes[i]!.combine !== 'max' ? combineOutputs(stored, S, shapes[i]!.combine) : stored); // combined once, re-thresholded under 'max' (same flags)
        sp.push(existsSync(base + '.sp.u8') ? new Uint8Array(await readFile(base + '.sp.u8')) : undefined);
      }
      inDetectorFlags = (i, k, hold) => flagScores(zo[i]!, { k, delay: hold, outputs: shapes[i]!.S, refractory: shapes[i]!.refractory, forced: sp[i] });
    }
    likOf[d] = lik;
    for (const prof of NAB_PROFILE_NAMES) {
      const sweep = nabSweep(prepared.map((p) => p.file), z, NAB_PROFILES[prof]);
      perProfile[prof] = {
        sweep: { threshold: sweep.threshold, score: sweep.score },
        suppressed: bestK(z, K_GRID, DELAY, prof),
        likelihood: d === 'random' ? undefined : LIK_HOLDS.map((hold) => bestK(inDetectorFlags ?? lik, LIK_GRID, hold, prof)),
      };
    }
    // TS2Vec protocol F1 at k = 4 after the training part, all series concatenated
    // delay adjustment per series, counts summed (= F1 of the concatenated series)
    let tp = 0, fp = 0, fn = 0;
    prepared.forEach((p, i) => {
      const flags = suppressAfterDetection(Uint8Array.from(z[i]!, (v) => (v > 4 ? 1 : 0)), DELAY);
      const r = delayAdjustedPrf(flags.subarray(p.trainLen), p.labels.subarray(p.trainLen), DELAY);
      tp += r.tp; fp += r.fp; fn += r.fn;
    });
    const precision = tp + fp ? tp / (tp + fp) : 0, recall = tp + fn ? tp / (tp + fn) : 0;
    // per series: standard-profile score at the corpus-optimal (sweep) threshold
    const thr = (perProfile.standard as { sweep: { threshold: number } }).sweep.threshold;
    const perSeries = prepared.map((p, i) => {
      const s = nabScoreFlags(p.file, Uint8Array.from(z[i]!, (v) => (v >= thr ? 1 : 0)), NAB_PROFILES.standard);
      return { file: p.key, windows: p.file.windowCount, raw: +s.raw.toFixed(4), tp: s.tp, fn: s.fn, fp: s.fp };
    });
    summary[d] = { budget: DETECTORS[d]!.budget, nab: perProfile, perSeriesStandard: perSeries, delayAdjustedF1: { k: 4, delay: DELAY, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 } };
  }
  const ensembles: Record<string, Record<string, { k: number; delay: number; score: number }[]>> = {};
  for (const members of ENSEMBLES.filter((m) => m.every((d) => likOf[d] && d !== 'random'))) {
    const mean = prepared.map((p, i) => Float32Array.from({ length: p.T }, (_, t) => members.reduce((a, d) => a + likOf[d]![i]![t]!, 0) / members.length));
    ensembles[members.join('+')] = Object.fromEntries(NAB_PROFILE_NAMES.map((prof) => [prof, LIK_HOLDS.map((hold) => bestK(mean, LIK_GRID, hold, prof))]));
  }
  // scorer check: NAB's random detector (uniform scores in [0, 1]) over 5 seeds; NAB reports a
  // seed mean of 11.0 / 1.2 / 19.5 and a standard-profile spread of 7.95–16.83
  const randomCheck = Object.fromEntries(NAB_PROFILE_NAMES.map((prof) => {
    const scores = [0, 1, 2, 3, 4].map((seed) => {
      const rng = new Rng(1000 + seed);
      return nabSweep(prepared.map((p) => p.file), prepared.map((p) => rng.uniformArray(p.T)), NAB_PROFILES[prof]).score;
    });
    return [prof, { mean: scores.reduce((a, b) => a + b, 0) / scores.length, min: Math.min(...scores), max: Math.max(...scores) }];
  }));
  const rows = (await readFile(rowsPath, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  // the last row of each (detector, file): a re-run appends a new row
  const lastRow = new Map<string, { detector: string; fitSeconds: number; scoreSeconds: number }>();
  for (const r of rows) lastRow.set(`${r.detector}|${r.file}`, r);
  const timing = Object.fromEntries(detectors.map((d) => {
    const rs = [...lastRow.values()].filter((r) => r.detector === d);
    return [d, { series: rs.length, fitSeconds: rs.reduce((a, r) => a + r.fitSeconds, 0), scoreSeconds: rs.reduce((a, r) => a + r.scoreSeconds, 0) }];
  }));
  const result = { corpus: relative(process.cwd(), DATA), files: prepared.length, filesInCorpus: all, windows: prepared.reduce((a, p) => a + p.file.windowCount, 0), detectors: summary, ensembles, randomCheck, timing, scoreboard: SCOREBOARD, date: new Date().toISOString(), load: os.loadavg() };
  await writeFile(join(OUT, 'results.json'), JSON.stringify(result, null, 2) + '\n');

  // markdown
  type Lik = { k: number; delay: number; score: number; windowsFound: number; windowsMissed: number; falseDetections: number };
  type Nab = Record<string, { sweep: { score: number }; suppressed: { score: number; k: number }; likelihood?: Lik[] }>;
  const nabOf = (d: string) => (summary[d] as { nab: Nab }).nab;
  /** best standard score of a detector over its rows */
  const bestStandard = (d: string) => { const n = nabOf(d).standard!; return Math.max(n.sweep.score, n.suppressed.score, ...(n.likelihood ?? []).map((l) => l.score)); };
  const md: string[] = [
    '# NAB benchmark', '',
    `${prepared.length} of ${all} NAB files${prepared.length < all ? ' (INCOMPLETE: the other files were not yet scored by every detector; scores are not comparable with the full-corpus scoreboard)' : ''}, ${result.windows} label windows (${labelsPath.replace(/.*NAB\//, 'NAB/')}). Command: \`node --import tsx experiments/nab.ts --detectors ${detectors.join(',')}\`.`, '',
    'Training part = NAB probationary period (first 15 %, ≤ 750 rows). Every score is causal (a row\'s score uses the rows up to it; models and the knn metric are fitted on the training part only) and every detector uses one set of parameters for all 58 files (knn-multiscale\'s scales are written in time, so their lengths in samples follow each file\'s sampling interval). All NAB numbers use one threshold per detector and profile optimised over the whole corpus, as NAB\'s `--optimize` step does for every scoreboard entry (no held-out split). "sweep": NAB\'s exact sweep over our standardised scores; "k-grid + suppression": k ∈ {0, 0.25, …, 15} with flags suppressed for 7 steps after a flag. "+ anomaly likelihood, hold h": HTM\'s post-processing (`anomalyLikelihood`: each score re-standardised against the Gaussian of its file\'s score history, 8640 steps), k ∈ {2, 2.25, …, 30}, flags suppressed for h rows after a flag.', '',
    '**Hyper-parameters chosen on NAB itself** (by the standard score, besides the threshold), so those rows are tuned on NAB more than a scoreboard entry that only optimises its threshold: the likelihood\'s averaging window (1 of {1, 5, 10}, on ts2vec; {1, 5} re-checked on knn) and the hold (200 of {7, 50, 200, 400} for ts2vec; 100 of {50, 75, 100, 150, 200, 400} for knn). For knn the whole configuration was picked on NAB from a small search of about 25 corpus runs: metric {Mahalanobis as in KNN CAD, Euclidean}, window {10, 15, 19, 20, 30, 40, 45, 60}, k {1, 3, 5, 10, 27}, reference windows {375, 750, 1500}, lag {1, window}; also tried and dropped: KNN CAD\'s conformal rank among the last 750 scores instead of the likelihood, sqrt/log/clipping of the non-conformity, the conformal rank fed to the likelihood, the mean or max of the likelihood deviations of windows 15/30/60, a mean with zscore\'s; likelihood histories of {1000, 2000, 4000} steps instead of 8640 (4000 scored about 1 point higher, the others lower) and a hold of 1/5 of the probationary period (KNN CAD\'s; about 1 point higher); neither was adopted. The row knn-knncad-setting is the same scorer with KNN CAD\'s own window, k and metric, for comparison. **knn-multiscale** (a search on 2026-12-02, about 30 corpus runs of a scratch harness that computes the same scores): the long scale (48 means of 6-step blocks) was chosen among 48×6, 30×10, and the three-scale sets {30 raw, 48×6, 48×36}, {30 raw, 48×3, 48×12}, {30 raw, 30×2, 48×6} (69.1–70.5 against 70.7); the scales are combined by the maximum of their likelihood deviations (also tried: the mean, the root mean square and a weight of 0.5 or 0.75 on the long scale, all lower); the spatial rule\'s tolerance is NuPIC\'s 0.05 (0.02, 0.1 and 0.2 scored 0.1–1.1 lower); the refractory rule uses each scale\'s span (30 and 288 steps; none: 70.0; 100/288: 70.75); also tried and dropped: a time-of-day feature appended to the window (weights 1–4: no gain), the spatial rule also on 6-, 30- or 288-step means (−1.8 to +0.4), a log or square root of the non-conformity (−0.8, −3.8), likelihood averaging windows 3/5/10 (±0.2) and a learning period counted in finite scores (−0.7). Each scale is scored once 75 of its 750 reference windows are there (minReference, default k = 10): this came from a synthetic failure (a clean 3-channel sine, where inflated warm-up scores swamped the likelihood history; test in anomaly-detectors.test.ts), not from NAB, where it moved the score from 70.7 to 70.9. **knn-multiscale, second search** (2026-12-02, about 45 corpus runs of a scratch harness that re-thresholds the stored per-scale scores or recomputes the likelihood stage from stored raw scores, hold 100 throughout unless stated), three changes adopted, each a general mechanism (src/tasks/anomaly): (1) a spatial-rule flag is kept even within the hold after an earlier flag (it still starts a new hold): HTM\'s spatial rule sets the final score to 1, which NAB\'s numenta detector never suppresses, and the rule cannot repeat on one level because each flagged value widens the range (70.9 → 72.4; also tried: exempt and not starting a hold 72.2, only not starting a hold 71.6; without the exemption holds 50/75/150 scored 70.6/70.8/68.8 and holds of 0.1/0.15/0.2/0.25 of the probationary period 72.3/72.4/72.5/71.7); (2) the likelihood history winsorised at μ ± 15σ (`historyClip`): a spike hundreds of σ out no longer inflates σ for the rest of the file, so later events of the same kind still stand out (72.4 → 73.2; clips of 2/3/4/6/10/25 σ scored 68.9/70.7/71.4/72.4/72.9/73.1, clipping already during the learning period (3, 6 σ) 69.7/71.9, leaving steps beyond 3 or 6 σ out of the history 67.2/69.4); (3) the scales written in time (`knnScalesForInterval`: 150 minutes, at least 8 samples, and one day as 48 block means), which changes only the files not sampled every 5 minutes (hourly realAdExchange and ambient_temperature, 30-minute nyc_taxi, 10-minute TravelTime) (73.2 → 74.2; only the long scale in time, before (2): +0.1; a floor of 5 or 12 samples instead of 8: 74.2/73.8). Tried and dropped: judging from the end of the probationary period once 30/100/200/288 finite scores exist (71.1/70.7/71.2/72.2 against 72.4; with (2) and (3), 100/288: 72.8/73.4 against 74.2) and a learning period of max(100 or 200, half the probationary period) (72.2/72.4); a threshold of 1.5 or 2 k for 300/600/1000 steps after a flag (69.8–71.4); flags only after 2 or 3 consecutive steps above k (72.7/72.5, without the refractory rule); a windowed spatial rule on the range of the last 750/1500/2880 steps, tolerance 0.1/0.25/0.5 (66.7–72.2); likelihood histories of 2000/4000 steps (71.1/72.1); re-estimating μ, σ every step or every 25 steps (72.7/72.7; with (2) and (3) every step 73.6–73.9); with (2) and (3), a long scale of block extremes (the block value farthest from its mean, as ARTime downsamples) instead of block means (73.7); with all three changes, holds of 75/150/200 steps (73.9/74.7/73.6) and a hold written in time (100 five-minute steps, at least 10 or 25 samples: 73.6/73.7): the hold stays 100, chosen before this search, although 150 scored 0.5 higher. **knn-multiscale, third search** (2026-12-02, 10 corpus runs of a scratch harness that recomputes the likelihood stage from the stored raw scores of the adopted scales, hold 100 unless stated), one change adopted: the two scales\' deviations combined by Fisher\'s method (`combine: \'fisher\'`, threshold.ts: each deviation read as a two-sided Gaussian p-value, −2·Σ log p as χ² with 4 degrees of freedom, turned back into σ; the combined score counts for the scale with the larger deviation in the refractory rule) instead of their maximum, so that a step unusual at both scales outweighs one a little more extreme at one scale: 74.2 → 75.2 (the combination scored above the maximum at every k from 3.75 to 5: 74.4/74.6/74.9/75.2/74.5/73.9 against 74.2/73.7/73.6/73.7/72.5/72.8 at k 3.75/4/4.25/4.5/4.75/5). Tried and dropped: within the hold, a flag anyway when the score exceeds 1.5/2/3 times the largest score since the last flag (ARTime lets a much lower similarity through its mask after an anomaly) (74.1/74.2/74.2); within a scale\'s refractory period, a flag anyway at 1.5/2/3 times its score when it rose (74.1/74.1/74.2); the refractory period counted from the scale\'s last flag instead of its last exceedance (73.8); a threshold raised with the recent rate of flags, k·(1 + g·(flags in the last 2880 steps)), g 0.1/0.25/0.5 (72.4/71.7/71.1); with the Fisher combination, holds of 50/75/150/200 (74.7/74.9/75.5/74.8): the hold stays 100. knn-multiscale-max (the maximum instead of the Fisher combination: the configuration before the third search), knn-multiscale-steps (without (3)) and knn-multiscale-noclip (without (2)) are for attribution. knn-spatial and knn-multiscale-nospatial are the two halves of knn-multiscale, for attribution. ts2vec-knn reuses knn\'s k, reference and lag (30) and the ts2vec detector\'s model without a search of its own.', '',
    '| detector | Standard | Low FP | Low FN | source |', '|---|---:|---:|---:|---|',
  ];
  const fmt = (v: number) => v.toFixed(1);
  for (const d of detectors) {
    const n = nabOf(d);
    md.push(`| **ours: ${d}** (sweep) | ${NAB_PROFILE_NAMES.map((p) => fmt(n[p]!.sweep.score)).join(' | ')} | this run |`);
    md.push(`| **ours: ${d}** (k-grid + suppression; k = ${NAB_PROFILE_NAMES.map((p) => n[p]!.suppressed.k).join('/')}) | ${NAB_PROFILE_NAMES.map((p) => fmt(n[p]!.suppressed.score)).join(' | ')} | this run |`);
    LIK_HOLDS.forEach((hold, h) => {
      if (n.standard!.likelihood) md.push(`| **ours: ${d} + anomaly likelihood, hold ${hold}** (k = ${NAB_PROFILE_NAMES.map((p) => n[p]!.likelihood![h]!.k).join('/')}) | ${NAB_PROFILE_NAMES.map((p) => fmt(n[p]!.likelihood![h]!.score)).join(' | ')} | this run |`);
    });
  }
  for (const [name, e] of Object.entries(ensembles)) {
    LIK_HOLDS.forEach((hold, h) => md.push(`| ours, post-hoc: mean of the likelihood deviations of ${name.split('+').join(', ')}, hold ${hold} (k = ${NAB_PROFILE_NAMES.map((p) => e[p]![h]!.k).join('/')}) | ${NAB_PROFILE_NAMES.map((p) => fmt(e[p]![h]!.score)).join(' | ')} | this run |`));
  }
  for (const [name, a, b, c] of SCOREBOARD) md.push(`| ${name} | ${a} | ${b} | ${c} | NAB README scoreboard |`);
  md.push('', `Scorer check — NAB's random detector (uniform scores) re-scored here over 5 seeds: ${NAB_PROFILE_NAMES.map((p) => `${p} ${randomCheck[p]!.mean.toFixed(1)} (${randomCheck[p]!.min.toFixed(1)}–${randomCheck[p]!.max.toFixed(1)})`).join(', ')}; NAB reports a seed mean of 11.0 / 1.2 / 19.5 (standard spread 7.95–16.83).`);
  md.push('', '## TS2Vec protocol: delay-adjusted F1 (delay 7, k = 4 fixed, after the training part)', '', '| detector | precision | recall | F1 |', '|---|---:|---:|---:|');
  for (const d of detectors) {
    const f = (summary[d] as { delayAdjustedF1: { precision: number; recall: number; f1: number } }).delayAdjustedF1;
    md.push(`| ${d} | ${f.precision.toFixed(3)} | ${f.recall.toFixed(3)} | ${f.f1.toFixed(3)} |`);
  }
  md.push('', '## Budget and time', '', '| detector | budget | series | fit s (total) | score s (total) |', '|---|---|---:|---:|---:|');
  for (const d of detectors) md.push(`| ${d} | ${DETECTORS[d]!.budget} | ${timing[d]!.series} | ${timing[d]!.fitSeconds.toFixed(1)} | ${timing[d]!.scoreSeconds.toFixed(1)} |`);
  const ours = detectors.filter((d) => d !== 'random');
  const bestOurs = Math.max(...ours.map(bestStandard));
  const bestName = ours.find((d) => bestStandard(d) === bestOurs);
  const rivals = SCOREBOARD.filter(([n]) => !['Perfect', 'Null'].includes(n));
  const above = rivals.filter(([, v]) => v > bestOurs).map(([n]) => n);
  const below = rivals.filter(([, v]) => v <= bestOurs).map(([n]) => n);
  const edges = ours.flatMap((d) => NAB_PROFILE_NAMES.flatMap((p) => {
    const n = nabOf(d)[p]!;
    return [...(n.suppressed.k >= K_GRID.at(-1)! ? [`${d} (k-grid, ${p})`] : []), ...(n.likelihood ?? []).filter((l) => l.k <= LIK_GRID[0]! || l.k >= LIK_GRID.at(-1)!).map((l) => `${d} (likelihood hold ${l.delay}, ${p})`)];
  }));
  const bestRow = (nabOf(bestName!).standard!.likelihood ?? []).find((l) => l.score === bestOurs);
  const counts = bestRow ? ` At its standard threshold (k ${bestRow.k}, hold ${bestRow.delay}) it finds ${bestRow.windowsFound} of the ${bestRow.windowsFound + bestRow.windowsMissed} scored windows with ${bestRow.falseDetections} detections outside windows.` : '';
  md.push('', `**Verdict:** our best detector is ${bestName} at ${bestOurs.toFixed(1)} (standard profile).${counts} It beats ${below.join(', ')}${above.length ? `; it does NOT beat ${above.join(', ')}` : ''}. Twitter ADVec tuned its model parameters on NAB; for the other scoreboard entries the NAB files say nothing of tuning beyond the threshold, while our best row also chose its configuration and hold on NAB (above).${edges.length ? ` The chosen k lies on a grid edge for ${edges.join(', ')}; a wider grid might add a little there.` : ''}`);
  md.push('', `Load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (2 shared cores).`);
  await writeFile(join(OUT, 'results.md'), md.join('\n') + '\n');

  // plot: NAB standard score, ours vs scoreboard
  const bars = [
    ...detectors.map((d) => ({ detector: `ours: ${d}`, score: bestStandard(d), kind: 'ours' })),
    ...SCOREBOARD.filter(([n]) => n !== 'Perfect').map(([n, s]) => ({ detector: n, score: s, kind: 'NAB scoreboard' })),
  ];
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: 'NAB standard profile (normalised score)', width: 500,
    data: { values: bars }, mark: 'bar',
    encoding: { y: { field: 'detector', type: 'nominal', sort: '-x' }, x: { field: 'score', type: 'quantitative' }, color: { field: 'kind', type: 'nominal' } },
  };
  const { svg } = await renderSpec(spec as never);
  await writeFile(join(OUT, 'nab_standard.svg'), svg);
  console.log(JSON.stringify(result.detectors, null, 1));
}

await main();
