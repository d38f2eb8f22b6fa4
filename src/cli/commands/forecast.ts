/**
 * `tsrepr forecast`: the TS2Vec forecasting protocol (ridge on the representation of the
 * last timestamp, alpha chosen on the validation split) for a model fitted here or loaded
 * with `--model DIR`; prints normalised and original-unit MSE/MAE per horizon, with the
 * last-value forecast as a sanity baseline.
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
import { action, parseIntList, parseIntOption, printResult, setUp, withCommonOptions, type CommonOptions } from '../common.js';
import { parseSetOptions } from './pretrain.js';

interface ForecastOpts extends CommonOptions {
  data: string; target: string; features: string; method: string; model?: string; horizons: string; iters?: string;
  padding?: string; level?: string; trainStride: string; covariates: boolean; set: string[];
}

export function register(program: Command): void {
  withCommonOptions(program.command('forecast').description('forecasting evaluation (TS2Vec ridge protocol) of a representation model'))
    .requiredOption('--data <file>', 'forecasting CSV (date column + numeric columns), e.g. ETTh1.csv')
    .option('--target <name>', 'target column', 'OT')
    .option('--features <mode>', 'S: target only (+ time covariates); M: all channels in and out', 'S')
    .option('--method <name>', 'method to fit when no --model is given: masked, ts2vec, combined', 'masked')
    .option('--model <dir>', 'use a saved model instead of fitting one')
    .option('--horizons <list>', 'forecast horizons', '24,48,168,336,720')
    .option('--iters <n>', 'training iterations when fitting')
    .option('--padding <n>', 'causal context per timestamp (default: masked contextLength−1, else 200)')
    .option('--level <mode>', "target level anchoring: none (published protocol), last, mean (default: last for masked, none otherwise)")
    .option('--train-stride <n>', 'use every n-th train timestamp for the ridge fit', '1')
    .option('--no-covariates', 'do not append the 7 time covariates to the input')
    .option('--set <key=value>', 'method hyper-parameter (repeatable)', (v: string, p: string[] = []) => [...p, v], [])
    .action(action(async (opts: ForecastOpts) => {
      const { progress, seed, backend } = await setUp(opts);
      const features = opts.features.toUpperCase() as FeatureMode;
      if (features !== 'S' && features !== 'M') throw new TsreprError('BAD_OPTION', `--features must be S or M, got '${opts.features}'`);
      const horizons = parseIntList('--horizons', opts.horizons);
      const data = await loadForecastCsv(opts.data, { target: opts.target, features });
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
        `${r.method} on ${r.data} (${r.features}, target ${r.target}; repr ${r.reprDims}, padding ${r.padding}, level ${r.level}) [${r.backend}]`,
        'H      MSE     MAE     MSE(raw)  MAE(raw)  alpha  last-value MSE',
        ...r.horizons.map((h) => `${String(h.horizon).padEnd(6)} ${h.mse.toFixed(4)}  ${h.mae.toFixed(4)}  ${h.mseRaw.toFixed(3).padStart(8)}  ${h.maeRaw.toFixed(3).padStart(8)}  ${String(h.alpha).padStart(5)}  ${h.naiveMse.toFixed(4)}`),
        `fit ${r.fitSeconds} s, encode ${r.encodeSeconds} s, total ${r.totalSeconds} s`,
      ].join('\n'));
    }));
}
