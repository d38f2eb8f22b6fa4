/**
 * ETT forecasting benchmark: masked (MAE/TSFormer-style) pretraining + TS2Vec ridge protocol
 * on ETTh1, ETTh2, ETTm1, univariate (OT + time covariates) and multivariate, against the
 * published TS2Vec and PatchTST self-supervised numbers; optional TS2Vec (ours); one
 * pretraining step timed at PatchTST's default size; plots of forecasts and of a masked
 * reconstruction.
 *
 *   node --import tsx experiments/ett.ts            # everything (reduced CPU budget, see README)
 *   ETT_ONLY=ETTh1:S ETT_ITERS=100 node --import tsx experiments/ett.ts
 *   ETT_STEP_TIMING=1 ETT_ONLY=none node --import tsx experiments/ett.ts   # only the s/step timing
 *
 * Env: TSREPR_DATA (raw data root), ETT_ONLY (comma list of DATASET:S|M, or 'none'), ETT_ITERS,
 * ETT_TRAIN_STRIDE, ETT_TS2VEC=1 (also run TS2Vec ours), ETT_STEP_TIMING=1, ETT_PLOTS=1.
 */
import { writeFileSync, mkdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { loadEtt, type FeatureMode } from '../src/data/forecast.js';
import { crop } from '../src/data/transforms.js';
import { initBackend } from '../src/engine/backend.js';
import { setQuiet } from '../src/engine/log.js';
import { Rng } from '../src/engine/random.js';
import { tf } from '../src/engine/tf.js';
import { maskSegments } from '../src/methods/masked/masking.js';
import { MaskedModel, maskedConfig, newAdam } from '../src/methods/masked/model.js';
import { createModel, registeredMethods } from '../src/methods/model.js';
import { optimizerStep } from '../src/engine/optim.js';
import { naiveLastValue, prepareForecastInput, ridgeForecast, type RidgeForecastResult } from '../src/tasks/forecasting/protocol.js';

const OUT = 'experiments/results/ett';
const DATA = process.env.TSREPR_DATA ?? '/work/shared/datasets-raw';
mkdirSync(OUT, { recursive: true });
setQuiet(true);
const backend = (await initBackend('wasm')).backend;
const uptime = (): string => execSync('uptime').toString().trim();

// Published numbers (MSE/MAE, normalised scale). Sources: shared/notes/ts2vec-reference.md
// (TS2Vec paper univariate table), anchors-forecasting.md (PatchTST Table 6: ETTh1
// multivariate linear probe, and its TS2Vec baseline row, MSE only).
const PUBLISHED: Record<string, Record<number, { ts2vec?: [number, number?]; patchtstSS?: [number, number] }>> = {
  'ETTh1:S': { 24: { ts2vec: [0.039, 0.152] }, 48: { ts2vec: [0.062, 0.191] }, 168: { ts2vec: [0.134, 0.282] }, 336: { ts2vec: [0.154, 0.310] }, 720: { ts2vec: [0.163, 0.327] } },
  'ETTh2:S': { 24: { ts2vec: [0.090, 0.229] }, 48: { ts2vec: [0.124, 0.273] }, 168: { ts2vec: [0.208, 0.360] }, 336: { ts2vec: [0.213, 0.369] }, 720: { ts2vec: [0.214, 0.374] } },
  'ETTm1:S': { 24: { ts2vec: [0.015, 0.092] }, 48: { ts2vec: [0.027, 0.126] }, 96: { ts2vec: [0.044, 0.161] }, 288: { ts2vec: [0.103, 0.246] }, 672: { ts2vec: [0.156, 0.307] } },
  'ETTh1:M': {
    24: { ts2vec: [0.599], patchtstSS: [0.322, 0.369] }, 48: { ts2vec: [0.629], patchtstSS: [0.354, 0.385] },
    168: { ts2vec: [0.755], patchtstSS: [0.419, 0.424] }, 336: { ts2vec: [0.907], patchtstSS: [0.445, 0.446] }, 720: { ts2vec: [1.048], patchtstSS: [0.487, 0.478] },
  },
  'ETTh2:M': {}, 'ETTm1:M': {},
};

const ITERS = Number(process.env.ETT_ITERS ?? 150);
const STRIDE = Number(process.env.ETT_TRAIN_STRIDE ?? 4);
const CONTEXT = 168;
/** reduced CPU budget configuration (stated in the README) */
const MASKED_OPTS = { patchLen: 12, dModel: 64, layers: 2, heads: 4, ff: 128, dropout: 0.1, decoderDim: 32, decoderHeads: 2, maskRatio: 0.75, contextLength: CONTEXT, batchSize: 16, lr: 1e-3, iters: ITERS };

const runs = (process.env.ETT_ONLY ?? 'ETTh1:S,ETTh1:M,ETTm1:S,ETTh2:S,ETTm1:M,ETTh2:M').split(',').filter((r) => r && r !== 'none');
const resultsPath = join(OUT, 'results.json');
const all: Record<string, unknown> = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {};

function save(): void {
  writeFileSync(resultsPath, JSON.stringify(all, null, 1));
  const lines = ['# ETT forecasting: masked pretraining + ridge (TS2Vec protocol)', '',
    `Backend ${backend}. Reduced budget: ${JSON.stringify(MASKED_OPTS)}, ridge on every ${STRIDE}th train step, level anchoring 'last'.`, '',
    '| run | H | masked MSE | masked MAE | last-value MSE | TS2Vec ours MSE/MAE | TS2Vec published MSE/MAE | PatchTST SS (LP) MSE/MAE | beats TS2Vec pub. | within 5 % of PatchTST |',
    '|---|---:|---:|---:|---:|---|---|---|---|---|'];
  for (const [key, r] of Object.entries(all)) {
    if (!key.includes(':')) continue;
    const rr = r as { masked: RidgeForecastResult; naive: Record<number, { mse: number }>; ts2vec?: RidgeForecastResult };
    for (const h of rr.masked.horizons) {
      const pub = PUBLISHED[key]?.[h.horizon] ?? {};
      const ours = rr.ts2vec?.horizons.find((x) => x.horizon === h.horizon);
      const f = (v?: number): string => (v === undefined ? '–' : v.toFixed(3));
      lines.push(`| ${key} | ${h.horizon} | ${f(h.mse)} | ${f(h.mae)} | ${f(rr.naive[h.horizon]?.mse)} | ${ours ? `${f(ours.mse)}/${f(ours.mae)}` : '–'} | ${pub.ts2vec ? `${f(pub.ts2vec[0])}/${f(pub.ts2vec[1])}` : 'n/a'} | ${pub.patchtstSS ? `${f(pub.patchtstSS[0])}/${f(pub.patchtstSS[1])}` : 'n/a'} | ${pub.ts2vec ? (h.mse < pub.ts2vec[0] ? 'yes' : 'no') : '–'} | ${pub.patchtstSS ? (h.mse <= pub.patchtstSS[0] * 1.05 ? 'yes' : 'no') : '–'} |`);
    }
  }
  if (all.stepTiming) lines.push('', '## One pretraining step at PatchTST default size', '', '```', JSON.stringify(all.stepTiming, null, 1), '```');
  writeFileSync(join(OUT, 'results.md'), `${lines.join('\n')}\n`);
}

for (const run of runs) {
  const [name, feat] = run.split(':') as [string, FeatureMode];
  const hourly = name.startsWith('ETTh');
  const horizons = hourly ? [24, 48, 168, 336, 720] : [24, 48, 96, 288, 672];
  const data = await loadEtt(join(DATA, `forecasting/ETT/${name}.csv.gz`), { features: feat });
  const prep = prepareForecastInput(data, { covariates: true });
  const train = crop(prep.input, data.split.train[0], data.split.train[1]);
  const C = prep.input.channels;
  console.error(`[${run}] ${uptime()}`);
  const model = createModel('masked', C, { ...MASKED_OPTS, seed: 0 }) as MaskedModel;
  const fit = await model.fit(train, { onProgress: (e) => { if (e.done % 25 === 0) console.error(`  ${run} fit ${e.done}/${e.total} loss ${e.metrics?.loss?.toFixed(4)}`); } });
  const res = await ridgeForecast(model, prep, { horizons, padding: CONTEXT - 1, trainStride: STRIDE, level: 'last', batchSize: 128 });
  const naive: Record<number, { mse: number; mae: number }> = {};
  for (const H of horizons) naive[H] = naiveLastValue(prep, H);
  const entry: Record<string, unknown> = { masked: res, naive, fit: { iters: fit.iterations, seconds: fit.seconds, secondsPerIteration: fit.secondsPerIteration, firstLoss: fit.losses[0], lastLoss: fit.losses.at(-1) }, config: model.getConfig(), load: uptime() };
  if (run === 'ETTh1:S' || process.env.ETT_PLOTS === '1') entry.reconstruction = reconstructionExample(model, train);
  if (process.env.ETT_TS2VEC === '1' && registeredMethods().includes('ts2vec')) {
    const ts = createModel('ts2vec', C, { iters: ITERS, seed: 0 });
    const tfit = await ts.fit(train);
    entry.ts2vec = await ridgeForecast(ts, prep, { horizons, padding: 200, trainStride: STRIDE, batchSize: 256 });
    entry.ts2vecFit = { iters: tfit.iterations, seconds: tfit.seconds };
    ts.dispose();
  }
  model.dispose();
  all[run] = entry;
  save();
  console.error(`[${run}] done: ${res.horizons.map((h) => `${h.horizon}:${h.mse.toFixed(3)}`).join(' ')}  encode ${res.encodeSeconds.toFixed(0)} s, fit ${fit.seconds.toFixed(0)} s`);
  if (run === 'ETTh1:S' || process.env.ETT_PLOTS === '1') await plots(run, entry);
}

/** A masked reconstruction of one training window (channel OT), in normalised units. */
function reconstructionExample(model: MaskedModel, train: ReturnType<typeof crop>): { input: number[]; recon: number[]; masked: number[] } {
  const C = train.channels, L = CONTEXT;
  const x = tf.tensor3d(train.values.slice(0, L * C), [1, L, C]);
  const { patches, nPatches } = model.backbone.patchify(x);
  const mask = maskSegments(new Rng(1), patches.shape[0], nPatches, model.config.maskRatio);
  const recon = tf.tidy(() => model.decoder.apply(model.encodeVisible(patches, mask, false), mask, false));
  const rows = recon.arraySync(), src = patches.arraySync();
  const r = C - 1; // OT is the last channel
  const out = { input: src[r]!.flat(), recon: rows[r]!.flat(), masked: Array.from(mask.masked.subarray(r * nPatches, (r + 1) * nPatches)) };
  tf.dispose([x, patches, recon]);
  return out;
}

async function plots(run: string, entry: Record<string, unknown>): Promise<void> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const { Resvg } = await import('@resvg/resvg-js');
  const render = async (spec: object, file: string): Promise<void> => {
    const view = new vega.View(vega.parse(vl.compile(spec as never).spec), { renderer: 'none' });
    const svg = await view.toSVG();
    writeFileSync(join(OUT, `${file}.svg`), svg);
    writeFileSync(join(OUT, `${file}.png`), new Resvg(svg, { background: 'white' }).render().asPng());
  };
  const res = entry.masked as RidgeForecastResult;
  const values = res.examples.flatMap((e) => e.pred.flatMap((p, h) => [
    { horizon: `H=${e.horizon}`, step: h + 1, series: 'forecast', value: p }, { horizon: `H=${e.horizon}`, step: h + 1, series: 'truth', value: e.truth[h] },
  ]));
  await render({
    data: { values }, facet: { row: { field: 'horizon', sort: null } }, resolve: { scale: { x: 'independent' } },
    spec: { width: 600, height: 120, mark: 'line', encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', title: 'OT' }, color: { field: 'series' } } },
    title: `${run}: masked model + ridge, first test window (original units)`,
  }, `forecast-${run.replace(':', '-')}`);
  const rec = entry.reconstruction as { input: number[]; recon: number[]; masked: number[] } | undefined;
  if (rec) {
    const P = rec.input.length / rec.masked.length;
    const rv = rec.input.flatMap((v, t) => [
      { t, series: 'input', value: v, masked: rec.masked[Math.floor(t / P)] ? 'masked' : 'visible' },
      { t, series: 'reconstruction', value: rec.recon[t], masked: rec.masked[Math.floor(t / P)] ? 'masked' : 'visible' },
    ]).filter((d) => d.series === 'input' || d.masked === 'masked');
    await render({
      data: { values: rv }, width: 700, height: 200, title: `${run}: masked reconstruction (OT, normalised; reconstruction shown on masked patches)`,
      mark: { type: 'point', size: 12 }, encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, color: { field: 'series' }, shape: { field: 'masked' } },
    }, `reconstruction-${run.replace(':', '-')}`);
  }
}

if (process.env.ETT_STEP_TIMING === '1') {
  // One pretraining step at PatchTST's default size: B=64, context 512, patch 12, d 128, 3 layers, 16 heads, ff 512, 7 channels.
  const cfg = maskedConfig(7, { patchLen: 12, dModel: 128, layers: 3, heads: 16, ff: 512, dropout: 0.2, maskRatio: 0.4, contextLength: 512, batchSize: 64, decoderDim: 64, decoderHeads: 4 });
  const m = new MaskedModel(cfg);
  const params = m.parameters();
  const opt = newAdam(params, { lr: 1e-4 });
  const x = tf.tensor3d(new Rng(0).normalArray(64 * 512 * 7), [64, 512, 7]);
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    await optimizerStep(opt, params, () => m.reconstructionLoss(x, m.rng));
    times.push((performance.now() - t0) / 1000);
  }
  all.stepTiming = { secondsPerStep: times, note: 'first step includes warm-up; PatchTST reference 2.31 s/step (torch, 2 threads, mask 0.4, encoder sees all 42 patches)', load: uptime(), backend, maskRatio: 0.4, params: m.backbone.parameterCount() + m.decoder.parameterCount() };
  console.error(JSON.stringify(all.stepTiming));
  save();
  x.dispose();
}
