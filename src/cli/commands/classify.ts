/**
 * `tsrepr classify`: fit a representation model on a labelled train set (or load one), encode
 * train and test to one vector per series, and evaluate a probe (TS2Vec's RBF-SVM protocol, or
 * logistic regression). Prints accuracy, AUPRC and timings.
 */
import type { Command } from 'commander';
import { basename } from 'node:path';
import { loadClassificationPair } from '../../data/classification.js';
import { loadDataset } from '../../data/registry.js';
import { TsreprError } from '../../errors.js';
import '../../methods/ts2vec.js';
import { createModel, loadModel, type FitResult } from '../../methods/model.js';
import { evaluateClassification, normaliseArchivePair, type ArchiveNormalisation, type ClassificationProtocol } from '../../tasks/classification/index.js';
import { action, parseIntOption, parseSetOptions, printResult, setUp, withCommonOptions, type CommonOptions } from '../common.js';

interface ClassifyOptions extends CommonOptions {
  train?: string;
  test?: string;
  dataset?: string;
  dataDir?: string;
  method: string;
  iters?: string;
  model?: string;
  save?: string;
  protocol: string;
  normalize: string;
  set?: string[];
}

/** `NAME_TRAIN.ts(.gz)` → `NAME` */
function datasetName(path: string): string {
  return basename(path).replace(/\.gz$/, '').replace(/\.(ts|tsv|txt|arff)$/i, '').replace(/_TRAIN$/i, '');
}


export function register(program: Command): void {
  withCommonOptions(program.command('classify').description('fit (or load) a representation model and evaluate it on a classification train/test pair'))
    .option('--train <file>', 'labelled training file (.ts, .tsv, .arff, optionally .gz)')
    .option('--test <file>', 'labelled test file')
    .option('--dataset <name>', 'dataset name (bundled datasets/, then TSREPR_DATA / --data-dir)')
    .option('--data-dir <dir>', 'archive directory with the datasets-raw layout')
    .option('--method <name>', 'representation method', 'ts2vec')
    .option('--iters <n>', 'training iterations (default: the method\'s rule; TS2Vec 200 or 600)')
    .option('--set <key=value...>', 'method hyper-parameters, e.g. --set batchSize=16 lr=0.001')
    .option('--model <dir>', 'load a saved model instead of fitting')
    .option('--save <dir>', 'save the fitted model here')
    .option('--protocol <name>', 'svm (TS2Vec\'s RBF-SVM protocol) or logistic', 'svm')
    .option('--normalize <mode>', 'auto (as TS2Vec\'s UCR/UEA loaders), none, global, channel', 'auto')
    .action(action(async (opts: ClassifyOptions) => {
      const { backend, progress, seed } = await setUp(opts);
      const protocol = opts.protocol as ClassificationProtocol;
      if (!['svm', 'logistic'].includes(protocol)) throw new TsreprError('BAD_OPTION', `--protocol must be svm or logistic, got '${opts.protocol}'`);
      let train, test, name: string;
      if (opts.dataset) {
        if (opts.train || opts.test) throw new TsreprError('BAD_OPTION', 'give either --dataset or --train/--test, not both');
        const ld = await loadDataset(opts.dataset, { dataDir: opts.dataDir });
        if (ld.task !== 'classification') throw new TsreprError('BAD_OPTION', `dataset '${opts.dataset}' is a ${ld.task} dataset, not classification`);
        ({ train, test } = ld);
        name = ld.info.name;
      } else {
        if (!opts.train || !opts.test) throw new TsreprError('BAD_OPTION', 'give --train and --test files (or --dataset NAME)');
        ({ train, test } = await loadClassificationPair(opts.train, opts.test));
        name = datasetName(opts.train);
      }
      const norm = normaliseArchivePair(train, test, name, opts.normalize as ArchiveNormalisation);
      let model;
      let fit: FitResult | undefined;
      if (opts.model) {
        model = await loadModel(opts.model);
      } else {
        const hp: Record<string, unknown> = { seed, ...parseSetOptions(opts.set) };
        if (opts.iters !== undefined) hp.iters = parseIntOption('--iters', opts.iters, { min: 1 });
        model = createModel(opts.method, train.channels, hp);
        fit = await model.fit(norm.train, { onProgress: progress.callback });
        if (opts.save) await model.save(opts.save);
      }
      try {
        const res = await evaluateClassification(model, norm.train, norm.test, { protocol });
        const result = {
          dataset: name, method: model.method, protocol, normalisation: norm.mode,
          accuracy: res.accuracy, auprc: res.auprc, nClasses: res.nClasses, trainSize: res.trainSize, testSize: res.testSize,
          fitSeconds: fit?.seconds ?? null, iterations: fit?.iterations ?? null, secondsPerIteration: fit?.secondsPerIteration ?? null,
          finalLoss: fit ? fit.losses.filter(Number.isFinite).at(-1) ?? null : null,
          encodeSeconds: res.encodeSeconds, probeSeconds: res.probeSeconds, probe: res.probe,
          backend: backend.backend, seed, model: opts.model ?? null, saved: opts.save ?? null,
        };
        printResult(result, opts, (r: typeof result) => [
          `${r.dataset}: ${r.method} + ${r.protocol} (normalisation ${r.normalisation}, backend ${r.backend})`,
          `accuracy ${r.accuracy.toFixed(4)}  AUPRC ${r.auprc.toFixed(4)}  (${r.trainSize} train / ${r.testSize} test, ${r.nClasses} classes)`,
          r.fitSeconds !== null ? `fit ${r.fitSeconds.toFixed(1)} s, ${r.iterations} iterations, ${r.secondsPerIteration!.toFixed(3)} s/iter` : `model loaded from ${r.model}`,
          `encode ${r.encodeSeconds.toFixed(2)} s, probe ${r.probeSeconds.toFixed(2)} s`,
        ].join('\n'));
      } finally {
        model.dispose();
      }
    }));
}
