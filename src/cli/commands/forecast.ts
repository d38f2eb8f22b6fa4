/**
 * `tsrepr forecast`: forecasting evaluation of a model fitted here or loaded with
 * `--model DIR`. `--protocol head` (default for masked/combined): PatchTST-style RevIN +
 * linear head on the flattened patch tokens (linear probe: ridge in closed form by default, or
 * Adam epochs with `--probe adam`; optional fine-tuning), model
 * selected on validation. `--protocol ridge` (default for ts2vec): the TS2Vec ridge protocol
 * (ridge on the representation of the last timestamp, alpha chosen on validation). Prints
 * normalised and original-unit MSE/MAE per horizon, with the last-value forecast as a baseline.
 */
import type { Command } from 'commander';
import { loadForecastCsv, type FeatureMode } from '../../data/forecast.js';
import { crop } from '../../data/transforms.js';
import { TsreprError } from '../../errors.js';
import '../../methods/masked/model.js';
import '../../methods/ts2vec.js';
import '../../methods/combined.js';
import { createModel, loadModel } from '../../methods/model.js';
import { naiveLastValue, prepareForecastInput, ridgeForecast } from '../../tasks/forecasting/protocol.js';
import { createDataset } from '../../data/dataset.js';
import { lastValueOnWindows, patchHeadForecast, type PatchModel } from '../../tasks/forecasting/patch-head.js';
import type { ForecastDataset } from '../../data/forecast.js';
import type { RepresentationModel } from '../../methods/model.js';
import { action, collect, parseIntList, parseIntOption, parseSetOptions, printResult, setUp, withCommonOptions, type CommonOptions } from '../common.js';

interface ForecastOpts extends CommonOptions {
  data: string; target: string; features: string; method: string; model?: string; horizons: string; iters?: string;
  padding?: string; level?: string; trainStride: string; covariates: boolean; set: string[];
  protocol?: string; probe: string; context: string; epochs: string; finetuneEpochs: string; valStride: string; testStride: string;
}

export function register(program: Command): void {
  withCommonOptions(program.command('forecast').description('forecasting evaluation (TS2Vec ridge protocol) of a representation model'))
    .requiredOption('--data <file>', 'forecasting CSV (date column + numeric columns), e.g. ETTh1.csv')
    .option('--target <name>', 'target column', 'OT')
    .option('--features <mode>', 'S: target only (+ time covariates); M: all channels in and out', 'S')
    .option('--method <name>', 'method to fit when no --model is given: masked, ts2vec, combined', 'masked')
    .option('--model <dir>', 'use a saved model instead of fitting one')
    .option('--protocol <name>', 'head (PatchTST RevIN linear head; default for masked/combined) or ridge (TS2Vec protocol; default otherwise)')
    .option('--horizons <list>', 'forecast horizons (TS2Vec: 24,48,168,336,720; PatchTST: 96,192,336,720)', '24,48,168,336,720')
    .option('--context <n>', 'head: look-back window L', '336')
    .option('--probe <kind>', 'head: ridge (closed-form linear probe, alpha per horizon on validation) or adam (--epochs of Adam)', 'ridge')
    .option('--epochs <n>', 'head: Adam linear-probe epochs (with --probe adam)', '20')
    .option('--finetune-epochs <n>', 'head: end-to-end fine-tuning epochs after the probe', '0')
    .option('--val-stride <n>', 'head: every n-th validation window for model selection', '1')
    .option('--test-stride <n>', 'head: every n-th test window (1 = the standard protocol)', '1')
    .option('--iters <n>', 'training iterations when fitting')
    .option('--padding <n>', 'causal context per timestamp (default: masked contextLength−1, else 200)')
    .option('--level <mode>', "target level anchoring: none (published protocol), last, mean (default: last for masked, none otherwise)")
    .option('--train-stride <n>', 'use every n-th train timestamp (ridge) / train window (head)', '1')
    .option('--no-covariates', 'do not append the 7 time covariates to the input')
    .option('--set <key=value>', 'method hyper-parameter (repeatable)', collect, [])
    .action(action(async (opts: ForecastOpts) => {
      const { progress, seed, backend } = await setUp(opts);
      const features = opts.features.toUpperCase() as FeatureMode;
      if (features !== 'S' && features !== 'M') throw new TsreprError('BAD_OPTION', `--features must be S or M, got '${opts.features}'`);
      const horizons = parseIntList('--horizons', opts.horizons);
      const data = await loadForecastCsv(opts.data, { target: opts.target, features });
      const methodName = opts.model ? undefined : opts.method;
      const protocol = opts.protocol ?? (methodName === 'ts2vec' ? 'ridge' : 'head');
      if (protocol !== 'head' && protocol !== 'ridge') throw new TsreprError('BAD_OPTION', `--protocol must be head or ridge, got '${protocol}'`);
      if (protocol === 'head') return forecastHead(opts, data, features, horizons, progress.callback, seed, backend.backend);
      const prep = prepareForecastInput(data, { covariates: opts.covariates });
      const t0 = performance.now();
      let fitSeconds = 0;
      const model = opts.model
        ? await loadModel(opts.model)
        : createModel(opts.method, prep.input.channels, { seed, ...parseSetOptions(opts.set), ...(opts.iters ? { iters: parseIntOption('--iters', opts.iters, { min: 0 }) } : {}) });
      if (!opts.model) {
        const fit = await model.fit(crop(prep.input, data.split.train[0], data.split.train[1]), { onProgress: progress.callback });
        fitSeconds = fit.seconds;
      }
      const cfg = model.getConfig() as { contextLength?: number };
      const padding = opts.padding ? parseIntOption('--padding', opts.padding, { min: 0 }) : cfg.contextLength ? cfg.contextLength - 1 : 200;
      const level = (opts.level ?? (model.method === 'masked' ? 'last' : 'none')) as 'none' | 'last' | 'mean';
      if (!['none', 'last', 'mean'].includes(level)) throw new TsreprError('BAD_OPTION', `--level must be none, last or mean, got '${level}'`);
      const res = await ridgeForecast(model, prep, { horizons, padding, level, trainStride: parseIntOption('--train-stride', opts.trainStride, { min: 1 }), onProgress: progress.callback });
      const result = {
        data: opts.data, features, target: data.target, method: model.method, model: opts.model ?? null, reprDims: res.reprDims, padding, level,
        horizons: res.horizons.map((h) => ({ ...h, naiveMse: naiveLastValue(prep, h.horizon).mse, naiveMae: naiveLastValue(prep, h.horizon).mae })),
        fitSeconds: +fitSeconds.toFixed(2), encodeSeconds: +res.encodeSeconds.toFixed(2), totalSeconds: +((performance.now() - t0) / 1000).toFixed(2), backend: backend.backend,
      };
      model.dispose();
      printResult(result, opts, (r: typeof result) => [
        `${r.method} on ${r.data} (${r.features}, target ${r.target}; ridge protocol, repr ${r.reprDims}, padding ${r.padding}, level ${r.level}) [${r.backend}]`,
        'H      MSE     MAE     MSE(raw)  MAE(raw)  alpha  last-value MSE',
        ...r.horizons.map((h) => `${String(h.horizon).padEnd(6)} ${h.mse.toFixed(4)}  ${h.mae.toFixed(4)}  ${h.mseRaw.toFixed(3).padStart(8)}  ${h.maeRaw.toFixed(3).padStart(8)}  ${String(h.alpha).padStart(5)}  ${h.naiveMse.toFixed(4)}`),
        `fit ${r.fitSeconds} s, encode ${r.encodeSeconds} s, total ${r.totalSeconds} s`,
      ].join('\n'));
    }));
}

/** `--protocol head`: fit (on the scaled target channels of the train split) or load, then the RevIN linear head. */
async function forecastHead(opts: ForecastOpts, data: ForecastDataset, features: string, horizons: number[], onProgress: Parameters<typeof patchHeadForecast>[2]['onProgress'], seed: number, backend: string): Promise<void> {
  const t0 = performance.now();
  const prep = prepareForecastInput(data, { covariates: false });
  const T = data.split.train[1], k = prep.k;
  const L = parseIntOption('--context', opts.context, { min: 2 });
  let fitSeconds = 0;
  let model: RepresentationModel;
  if (opts.model) model = await loadModel(opts.model);
  else {
    model = createModel(opts.method, k, { seed, ...(opts.method === 'masked' ? { contextLength: L } : {}), ...parseSetOptions(opts.set), ...(opts.iters ? { iters: parseIntOption('--iters', opts.iters, { min: 0 }) } : {}) });
    const fit = await model.fit(createDataset({ values: prep.targets.slice(0, T * k), n: 1, length: T, channels: k, channelNames: prep.targetNames }), { onProgress });
    fitSeconds = fit.seconds;
  }
  const pm = model as unknown as Partial<PatchModel>;
  if (!pm.backbone || (pm.backbone as { kind?: string }).kind !== 'transformer') {
    model.dispose();
    throw new TsreprError('BAD_OPTION', `--protocol head needs a patch Transformer model (masked, or combined with the transformer backbone); use --protocol ridge for ${model.method}`);
  }
  if (opts.probe !== 'ridge' && opts.probe !== 'adam') {
    model.dispose();
    throw new TsreprError('BAD_OPTION', `--probe must be ridge or adam, got '${opts.probe}'`);
  }
  const res = await patchHeadForecast(pm as PatchModel, data, {
    horizons, contextLength: L, probe: opts.probe, epochs: parseIntOption('--epochs', opts.epochs, { min: 1 }), finetuneEpochs: parseIntOption('--finetune-epochs', opts.finetuneEpochs, { min: 0 }),
    trainStride: parseIntOption('--train-stride', opts.trainStride, { min: 1 }), valStride: parseIntOption('--val-stride', opts.valStride, { min: 1 }),
    testStride: parseIntOption('--test-stride', opts.testStride, { min: 1 }), seed, onProgress,
  });
  const result = {
    data: opts.data, features, target: data.target, method: model.method, model: opts.model ?? null, protocol: 'head', probe: opts.probe, contextLength: L, featureDims: res.featureDims,
    horizons: res.horizons.map((h) => { const n = lastValueOnWindows(data, h.horizon, L); return { ...h, naiveMse: n.mse, naiveMae: n.mae }; }),
    fitSeconds: +fitSeconds.toFixed(2), headSeconds: +res.headSeconds.toFixed(2), totalSeconds: +((performance.now() - t0) / 1000).toFixed(2), backend,
  };
  model.dispose();
  printResult(result, opts, (r: typeof result) => [
    `${r.method} on ${r.data} (${r.features}, target ${r.target}; RevIN linear head (${r.probe} probe), L ${r.contextLength}, ${r.featureDims} features) [${r.backend}]`,
    `H      MSE     MAE     MSE(raw)  MAE(raw)  ${r.probe === 'ridge' ? 'alpha/epoch' : 'epoch'}  last-value MSE`,
    ...r.horizons.map((h) => `${String(h.horizon).padEnd(6)} ${h.mse.toFixed(4)}  ${h.mae.toFixed(4)}  ${h.mseRaw.toFixed(3).padStart(8)}  ${h.maeRaw.toFixed(3).padStart(8)}  ${String(h.alpha !== undefined ? `a=${h.alpha}` : h.epoch).padStart(r.probe === 'ridge' ? 11 : 5)}  ${h.naiveMse.toFixed(4)}`),
    `fit ${r.fitSeconds} s, head ${r.headSeconds} s, total ${r.totalSeconds} s`,
  ].join('\n'));
}
