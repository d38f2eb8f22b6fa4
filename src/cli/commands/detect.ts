/**
 * `tsrepr detect`: anomaly scores and flags for one series (a NAB-style `timestamp,value` CSV),
 * metrics when NAB labels are given, scores as CSV/Arrow and a plot as SVG/PNG.
 */
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { loadNab } from '../../data/nab.js';
import { writeArrow, writeCsv } from '../../data/write.js';
import { loadModel, type RepresentationModel } from '../../methods/model.js';
import '../../methods/ts2vec.js';
import '../../methods/masked/model.js';
import {
  createDetector, delayAdjustedPrf, DEFAULT_KNN_SCALES, knnScalesForInterval, medianInterval, NAB_PROFILE_NAMES, NAB_PROFILES, nabNormalize, nabPrepareFile, nabScoreFlags,
  pointAdjustedPrf, pointPrf, sliceSeries, windowRows, DETECTOR_METHODS, type Series,
} from '../../tasks/anomaly/index.js';
import { anomalyPlotSpec } from '../../tasks/anomaly/plot.js';
import { renderSpec } from '../../bench/plots.js';
import { TsreprError } from '../../errors.js';
import { action, collect, parseFloatOption, parseIntOption, parseSetOptions, printResult, setUp, withCommonOptions, type CommonOptions } from '../common.js';

interface DetectOptions extends CommonOptions {
  data: string;
  labels?: string;
  method: string;
  model?: string;
  set: string[];
  train: string;
  k: string;
  delay: string;
  coldStart?: boolean;
  likelihood?: boolean;
  spatial?: boolean | string;
  historyClip?: string;
  combine: string;
  scales: string;
  padding?: string;
  window?: string;
  maxRows?: string;
  out?: string;
  plot?: string;
}


export function register(program: Command): void {
  withCommonOptions(program.command('detect').description('detect anomalies in a series (NAB CSV); metrics with --labels'))
    .requiredOption('--data <csv>', 'series CSV with timestamp,value columns (NAB format)')
    .option('--labels <json>', 'NAB label windows JSON ({"category/file.csv": [[start, end], ...]}), matched by file-name suffix')
    .option('--method <name>', `detector: ${DETECTOR_METHODS.join(', ')}`, 'zscore')
    .option('--model <dir>', 'use this trained model (ts2vec / masked) instead of training one on the training part')
    .option('--set <key=value>', 'model hyper-parameter (repeatable), e.g. --set hidden=16 --set iters=20', collect, [])
    .option('--train <fraction>', 'leading fraction of the series used to fit the detector and its threshold (NAB probation: 0.15)', '0.15')
    .option('--k <n>', 'threshold: mean + k·std of the training scores', '4')
    .option('--delay <n>', 'suppress flags within n steps after a flag; also the delay of the delay-adjusted F1', '7')
    .option('--cold-start', 'expanding-window threshold over everything seen (no training statistics)')
    .option('--likelihood', "HTM's anomaly-likelihood stage: judge each score against the series' own score history (k then counts its σ; on NAB --method knn-multiscale --spatial --history-clip 15 --combine fisher with k 4.5 and --delay 100 did best, ts2vec with k 5.5 and --delay 200); learning period = the training part")
    .option('--spatial [tolerance]', "HTM's spatial rule: flag a value beyond the running min/max of the series by more than this fraction of their range (default 0.05, NuPIC's)")
    .option('--history-clip <sigma>', 'with --likelihood: a judged score joins the score history clamped to μ ± sigma·σ, so one extreme score does not hide later ones (NAB best: 15)')
    .option('--combine <max|fisher>', "knn-multiscale: one step score from the scales' scores: 'max' the largest, 'fisher' Fisher's combination of their p-values (needs --likelihood or standardised scores; NAB best)", 'max')
    .option('--scales <time|steps>', "knn-multiscale: 'time': scales of 150 minutes and one day at the series' median sampling interval (needs timestamps; the 5-minute defaults without them); 'steps': 30 raw steps and 48 six-step means whatever the interval", 'time')
    .option('--padding <n>', 'causal context of each score (ts2vec default 200, masked 63)')
    .option('--window <n>', 'zscore: rolling window length', '64')
    .option('--max-rows <n>', 'use only the first n rows')
    .option('--out <path>', 'write per-timestamp scores and flags (.csv or .arrow)')
    .option('--plot <path>', 'plot of the series, scores, flags and label windows (.svg or .png)')
    .action(action(async (opts: DetectOptions) => {
      const { progress, seed } = await setUp(opts);
      const nab = await loadNab(opts.data, opts.labels);
      let T = nab.length;
      if (opts.maxRows) T = Math.min(T, parseIntOption('--max-rows', opts.maxRows, { min: 10 }));
      const series: Series = { values: nab.values.slice(0, T), channels: 1 };
      const timestamps = nab.timestamps ? nab.timestamps.slice(0, T) : undefined;
      const trainFrac = parseFloatOption('--train', opts.train, { min: 0, max: 1 });
      const trainLen = Math.max(2, Math.floor(trainFrac * T));
      const k = parseFloatOption('--k', opts.k);
      const delay = parseIntOption('--delay', opts.delay, { min: 0 });
      let model: RepresentationModel | undefined;
      if (opts.model) model = await loadModel(opts.model);
      if (opts.scales !== 'time' && opts.scales !== 'steps') throw new TsreprError('BAD_OPTION', `--scales must be 'time' or 'steps', got '${opts.scales}'`);
      if (opts.historyClip !== undefined && !opts.likelihood) throw new TsreprError('BAD_OPTION', '--history-clip applies to the likelihood stage; add --likelihood');
      const historyClip = opts.historyClip !== undefined ? parseFloatOption('--history-clip', opts.historyClip, { min: 0 }) : undefined;
      if (historyClip === 0) throw new TsreprError('BAD_OPTION', '--history-clip must be > 0 (standard deviations)');
      if (opts.combine !== 'max' && opts.combine !== 'fisher') throw new TsreprError('BAD_OPTION', `--combine must be 'max' or 'fisher', got '${opts.combine}'`);
      const interval = timestamps ? medianInterval(timestamps) : NaN;
      const knnScales = opts.method === 'knn-multiscale' ? (opts.scales === 'time' && interval > 0 ? knnScalesForInterval(interval) : [...DEFAULT_KNN_SCALES]) : undefined;
      const det = createDetector(opts.method, {
        k, delay, combine: opts.combine, mode: opts.coldStart ? 'coldStart' : 'normal', minWindow: Math.max(2, Math.floor(T / 10)),
        model, modelOptions: { seed, ...parseSetOptions(opts.set) },
        padding: opts.padding !== undefined ? parseIntOption('--padding', opts.padding, { min: 1 }) : undefined,
        zscore: { window: parseIntOption('--window', opts.window ?? '64', { min: 2 }) }, seed,
        ...(opts.likelihood ? { likelihood: { learningPeriod: trainLen, ...(historyClip !== undefined ? { historyClip } : {}) } } : {}),
        ...(knnScales ? { knnScales } : {}),
        ...(opts.spatial !== undefined ? { spatialTolerance: typeof opts.spatial === 'string' ? parseFloatOption('--spatial', opts.spatial, { min: 0 }) : 0.05 } : {}),
      });
      const t0 = performance.now();
      await det.fit(sliceSeries(series, 0, trainLen), { onProgress: progress.callback });
      const fitSeconds = (performance.now() - t0) / 1000;
      const r = await det.detect(series, { onProgress: progress.callback });
      const scoreSeconds = (performance.now() - t0) / 1000 - fitSeconds;
      progress.stop();

      const flagged = r.flags.reduce((a, b) => a + b, 0);
      const result: Record<string, unknown> = {
        data: opts.data, method: det.name, rows: T, trainRows: trainLen, threshold: { k, delay, mode: det.threshold.mode },
        statistics: det.statistics ?? null, flagged, fitSeconds: +fitSeconds.toFixed(3), scoreSeconds: +scoreSeconds.toFixed(3),
      };
      const labels = nab.pointLabels.slice(0, T);
      if (opts.labels) {
        const test = (a: ArrayLike<number>) => Array.prototype.slice.call(a, trainLen) as number[];
        const f = (p: { precision: number; recall: number; f1: number }) => ({ precision: p.precision, recall: p.recall, f1: p.f1 });
        const rows = windowRows(timestamps ?? Float64Array.from({ length: T }, (_, i) => i), nab.windows);
        const file = nabPrepareFile(T, rows);
        const nabScores: Record<string, unknown> = {};
        for (const name of NAB_PROFILE_NAMES) {
          const s = nabScoreFlags(file, r.flags, NAB_PROFILES[name]);
          nabScores[name] = { raw: s.raw, normalized: nabNormalize(s.raw, s.nullRaw, s.perfect), tp: s.tp, fn: s.fn, fp: s.fp };
        }
        result.labelKey = nab.labelKey ?? null;
        result.windows = rows.length;
        result.metrics = {
          evaluatedFrom: trainLen,
          point: f(pointPrf(test(r.flags), test(labels))),
          pointAdjusted: f(pointAdjustedPrf(test(r.flags), test(labels))),
          delayAdjusted: { delay, ...f(delayAdjustedPrf(test(r.flags), test(labels), delay)) },
          nab: nabScores,
        };
      }
      if (opts.out) {
        const cols: Record<string, ArrayLike<unknown>> = {};
        if (timestamps) cols.timestamp = Array.from(timestamps, (t) => new Date(t));
        cols.value = Float64Array.from(series.values);
        const S = det.outputs;
        if (S === 1) {
          cols.raw = Float64Array.from(r.raw);
          cols.adjusted = Float64Array.from(r.adjusted);
        } else {
          // one raw/adjusted column per scorer output (e.g. knn-multiscale's scales)
          for (let o = 0; o < S; o++) {
            cols[`raw_${o}`] = Float64Array.from({ length: T }, (_, t) => r.raw[t * S + o]!);
            cols[`adjusted_${o}`] = Float64Array.from({ length: T }, (_, t) => r.adjusted[t * S + o]!);
          }
        }
        cols.score = Float64Array.from(r.z);
        cols.flag = Float64Array.from(r.flags);
        if (opts.labels) cols.label = Float64Array.from(labels);
        if (/\.(arrow|feather|ipc)$/i.test(opts.out)) await writeArrow(cols, opts.out); else await writeCsv(cols, opts.out);
        result.out = opts.out;
      }
      if (opts.plot) {
        const x = timestamps ?? Float64Array.from({ length: T }, (_, i) => i);
        const spec = anomalyPlotSpec({
          x, isTime: Boolean(timestamps), value: series.values, score: r.z, flags: r.flags, threshold: k,
          windows: timestamps ? nab.windows : windowRows(x, nab.windows), title: `${det.name} on ${nab.labelKey ?? opts.data}`,
        });
        const { svg, png } = await renderSpec(spec as never);
        await writeFile(opts.plot, /\.png$/i.test(opts.plot) ? png : svg);
        result.plot = opts.plot;
      }
      det.scorer.dispose?.();
      model?.dispose();
      printResult(result, opts, (res: typeof result) => {
        const lines = [`${res.method}: ${res.flagged} of ${res.rows} steps flagged (trained on the first ${res.trainRows})`];
        const m = res.metrics as Record<string, { f1: number }> & { nab: Record<string, { normalized: number }> } | undefined;
        if (m) {
          lines.push(`F1 point ${m.point!.f1.toFixed(3)}, point-adjusted ${m.pointAdjusted!.f1.toFixed(3)}, delay-adjusted ${m.delayAdjusted!.f1.toFixed(3)}`);
          lines.push(`NAB (this file, flags as detections): ${Object.entries(m.nab).map(([p, v]) => `${p} ${v.normalized.toFixed(1)}`).join(', ')}`);
        }
        return lines.join('\n');
      });
    }));
}
