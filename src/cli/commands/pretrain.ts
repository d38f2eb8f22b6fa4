/**
 * `tsrepr pretrain`: fits any registered method on a data file or named dataset and saves
 * the model directory that the task commands load with `--model DIR`.
 * Forecasting data (a CSV with a date column, or a forecasting dataset) is z-scored with its
 * train split and, unless `--no-covariates`, gets the 7 time covariates, exactly as
 * `tsrepr forecast` prepares it; only the train split is used for fitting.
 */
import type { Command } from 'commander';
import { loadLabelledFile } from '../../data/classification.js';
import type { TimeSeriesDataset } from '../../data/dataset.js';
import { loadForecastCsv, type FeatureMode } from '../../data/forecast.js';
import { loadDataset } from '../../data/registry.js';
import { crop } from '../../data/transforms.js';
import { TsreprError } from '../../errors.js';
import '../../methods/masked/model.js';
import '../../methods/ts2vec.js';
import '../../methods/combined.js';
import { createModel, registeredMethods } from '../../methods/model.js';
import { prepareForecastInput } from '../../tasks/forecasting/protocol.js';
import { action, collect, parseIntOption, parseSetOptions, printResult, setUp, withCommonOptions, type CommonOptions } from '../common.js';


export function register(program: Command): void {
  withCommonOptions(program.command('pretrain').description('pretrain a representation model and save it (load it later with --model DIR)'))
    .requiredOption('--method <name>', 'pretraining method (see the list in --help of tsrepr)')
    .option('--data <file>', 'data file: a forecasting CSV (with a date column) or a labelled series file')
    .option('--dataset <name>', 'named dataset (bundled, TSREPR_DATA or --data-dir)')
    .option('--data-dir <dir>', 'archive directory for --dataset')
    .requiredOption('--out <dir>', 'model directory to write')
    .option('--iters <n>', 'training iterations')
    .option('--features <mode>', 'forecasting data: S (target only) or M (all channels)', 'S')
    .option('--target <name>', 'forecasting target column', 'OT')
    .option('--no-covariates', 'forecasting data: do not append the time covariates')
    .option('--set <key=value>', 'method hyper-parameter (repeatable)', collect, [])
    .option('--checkpoint-every <n>', 'write a crash-safe checkpoint every N iterations (into --checkpoint-dir)')
    .option('--checkpoint-dir <dir>', 'checkpoint directory (default: <out>.checkpoints)')
    .option('--resume', 'continue from the latest checkpoint in --checkpoint-dir (same seed and options give the same final weights)')
    .option('--on-nan <what>', "NaN/Inf loss or gradient: 'error' (stop, naming the step) or 'skip' (skip the batch and count it)", 'error')
    .action(action(async (opts: CommonOptions & { method: string; data?: string; dataset?: string; dataDir?: string; out: string; iters?: string; features: string; target: string; covariates: boolean; set: string[]; checkpointEvery?: string; checkpointDir?: string; resume?: boolean; onNan: string }) => {
      const { progress, seed, backend } = await setUp(opts);
      if (!registeredMethods().includes(opts.method)) throw new TsreprError('BAD_OPTION', `unknown method '${opts.method}'; available: ${registeredMethods().join(', ')}`);
      if (!!opts.data === !!opts.dataset) throw new TsreprError('BAD_OPTION', 'give exactly one of --data FILE or --dataset NAME');
      let train: TimeSeriesDataset;
      let source: string;
      const features = opts.features.toUpperCase() as FeatureMode;
      if (opts.dataset) {
        const ld = await loadDataset(opts.dataset, { dataDir: opts.dataDir });
        source = ld.info.name;
        if (ld.task === 'forecasting') {
          const data = features === ld.data.features ? ld.data : await loadForecastCsv(ld.info.files!.csv!, { target: opts.target, features });
          const prep = prepareForecastInput(data, { covariates: opts.covariates });
          train = crop(prep.input, data.split.train[0], data.split.train[1]);
        } else if (ld.task === 'classification' || ld.task === 'regression') train = ld.train;
        else train = ld.data;
      } else {
        source = opts.data!;
        if (/\.csv(\.gz)?$/i.test(opts.data!)) {
          const data = await loadForecastCsv(opts.data!, { target: opts.target, features });
          const prep = prepareForecastInput(data, { covariates: opts.covariates });
          train = crop(prep.input, data.split.train[0], data.split.train[1]);
        } else train = await loadLabelledFile(opts.data!);
      }
      const options = { seed, ...parseSetOptions(opts.set), ...(opts.iters ? { iters: parseIntOption('--iters', opts.iters, { min: 0 }) } : {}) };
      const model = createModel(opts.method, train.channels, options);
      if (opts.onNan !== 'error' && opts.onNan !== 'skip') throw new TsreprError('BAD_OPTION', `--on-nan must be 'error' or 'skip', got '${opts.onNan}'`);
      const checkpointEvery = opts.checkpointEvery ? parseIntOption('--checkpoint-every', opts.checkpointEvery, { min: 1 }) : undefined;
      const checkpointDir = opts.checkpointDir ?? (checkpointEvery || opts.resume ? `${opts.out.replace(/\/+$/, '')}.checkpoints` : undefined);
      const fit = await model.fit(train, { onProgress: progress.callback, checkpointEvery, checkpointDir, resume: opts.resume, onNonFinite: opts.onNan });
      await model.save(opts.out);
      const result = {
        method: opts.method, source, out: opts.out, inputDims: train.channels, reprDims: model.reprDims, series: train.n, length: train.length,
        iterations: fit.iterations, resumedFrom: fit.resumedFrom, skippedSteps: fit.skippedSteps, seconds: +fit.seconds.toFixed(2), secondsPerIteration: +fit.secondsPerIteration.toFixed(4),
        firstLoss: fit.losses.find(Number.isFinite) ?? null, lastLoss: [...fit.losses].reverse().find(Number.isFinite) ?? null,
        backend: backend.backend, config: model.getConfig(),
      };
      model.dispose();
      printResult(result, opts, (r: typeof result) => `${r.method} on ${r.source}: ${r.iterations} iterations in ${r.seconds} s (loss ${r.firstLoss?.toFixed(4)} → ${r.lastLoss?.toFixed(4)}), saved to ${r.out} [${r.backend}]`);
    }));
}
