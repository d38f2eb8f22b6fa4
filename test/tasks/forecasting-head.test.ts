import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createDataset } from '../../src/data/dataset.js';
import { loadEtt, type ForecastDataset } from '../../src/data/forecast.js';
import { crop } from '../../src/data/transforms.js';
import { Rng } from '../../src/engine/random.js';
import { tf } from '../../src/engine/tf.js';
import { MaskedModel, maskedConfig } from '../../src/methods/masked/model.js';
import type { RepresentationModel } from '../../src/methods/model.js';
import { lastValueOnWindows, patchHeadForecast } from '../../src/tasks/forecasting/patch-head.js';
import { naiveLastValue, prepareForecastInput, ridgeForecast } from '../../src/tasks/forecasting/protocol.js';
import { repoRoot, setUpBackend } from '../helpers.js';

before(setUpBackend);

/** A 3000-hour slice of the bundled ETTh1 with a 2000/500/500 split (fast). */
async function slice(features: 'S' | 'M'): Promise<ForecastDataset> {
  const full = await loadEtt(join(repoRoot, 'datasets/forecasting/ETT/ETTh1.csv'), { features });
  return { ...full, ...crop(full, 0, 3000), split: { train: [0, 2000], val: [2000, 2500], test: [2500, 3000] } };
}

test('level-anchored ridge on pure-noise features falls back to the last-value forecast (alpha grid reaches far enough)', async () => {
  // Regression test: with TS2Vec's grid (max alpha 1000) this was ~30 % worse than last-value.
  const prep = prepareForecastInput(await slice('S'), { covariates: false });
  const D = 256;
  const noise = { encode: async (ds: { length: number }) => ({ data: new Rng(3).normalArray(ds.length * D), shape: [1, ds.length, D] }) } as unknown as RepresentationModel;
  const res = await ridgeForecast(noise, prep, { horizons: [24], padding: 50, trainStride: 2, level: 'last' });
  const naive = naiveLastValue(prep, 24).mse;
  assert.ok(res.horizons[0]!.alpha > 1000, `alpha ${res.horizons[0]!.alpha}`);
  assert.ok(res.horizons[0]!.mse < naive * 1.03, `ridge ${res.horizons[0]!.mse} vs last-value ${naive}`);
});

test('short masked pretraining (instance-normalised) + RevIN linear head beats last-value on ETTh1 (12/4/4-month split); forecasts in original units', async () => {
  // The whole bundled file: on a short slice, validation and test periods differ too much for
  // any alpha choice to be meaningful.
  const data = await loadEtt(join(repoRoot, 'datasets/forecasting/ETT/ETTh1.csv'), { features: 'S' });
  const prep = prepareForecastInput(data, { covariates: false });
  const T = data.split.train[1];
  const m = new MaskedModel(maskedConfig(1, { patchLen: 12, dModel: 16, layers: 1, heads: 2, ff: 32, decoderDim: 16, decoderHeads: 2, maskRatio: 0.4, contextLength: 96, batchSize: 16, iters: 15 }));
  await m.fit(createDataset({ values: prep.targets.slice(0, T), n: 1, length: T, channels: 1 }));
  const before = tf.memory().numTensors;
  const res = await patchHeadForecast(m, data, { horizons: [48, 96], contextLength: 96, trainStride: 4, valStride: 4, returnForecasts: true });
  assert.equal(tf.memory().numTensors, before, 'no tensor leak');
  for (const h of res.horizons) {
    const naive = lastValueOnWindows(data, h.horizon, 96).mse;
    assert.ok(h.mse < naive, `H=${h.horizon}: head ${h.mse} vs last-value ${naive}`);
    // original units: forecasts [windows, H, 1] scaled back with the train scaler
    assert.equal(h.forecasts!.length, h.testWindows * h.horizon);
    const std = prep.targetStd[0]!;
    assert.ok(Math.abs(h.mseRaw / (std * std) - h.mse) < 1e-3 * Math.max(1, h.mse));
  }
  assert.equal(res.featureDims, 8 * 16); // 96/12 patches × dModel
  // The default ridge probe is the closed-form optimum of the same linear head: its alpha
  // comes from the grid, and on validation it is at least as good as a few Adam epochs.
  const adam = await patchHeadForecast(m, data, { horizons: [48, 96], contextLength: 96, trainStride: 4, valStride: 4, testStride: 4, probe: 'adam', epochs: 6 });
  for (const [i, h] of res.horizons.entries()) {
    assert.ok(h.alpha !== undefined && h.epoch === 0, `ridge horizon ${h.horizon}: alpha ${h.alpha}`);
    assert.equal(adam.horizons[i]!.alpha, undefined);
    assert.ok(h.valMse <= adam.horizons[i]!.valMse * 1.001, `H=${h.horizon}: ridge val ${h.valMse} vs adam val ${adam.horizons[i]!.valMse}`);
  }
  await assert.rejects(patchHeadForecast(m, data, { horizons: [48], contextLength: 96, probe: 'lasso' as never }), /probe must be 'ridge' or 'adam'/);
  await assert.rejects(patchHeadForecast(m, data, { horizons: [48], contextLength: 96, alphas: [-1] }), /alpha/);
  m.dispose();
});

test('a step split into gradient chunks (wasm heap guard) trains, keeps memory flat and matches the unchunked loss scale', async () => {
  const cfg = maskedConfig(2, { patchLen: 4, dModel: 8, layers: 1, heads: 2, ff: 16, decoderDim: 8, decoderHeads: 2, dropout: 0, contextLength: 32, batchSize: 4, iters: 1 });
  // PatchTST's default size needs several chunks for B=64 (the size that crashed unchunked)
  const big = new MaskedModel(maskedConfig(7, { patchLen: 12, dModel: 128, layers: 3, heads: 16, ff: 512, maskRatio: 0.4, contextLength: 512, decoderDim: 64, decoderHeads: 4 }));
  assert.ok(big.seriesPerChunk(512, 7) < 64 && big.seriesPerChunk(512, 7) >= 1);
  big.dispose();
  const x = tf.tensor3d(new Rng(5).normalArray(4 * 32 * 2), [4, 32, 2]);
  const { newAdam } = await import('../../src/methods/masked/model.js');
  const losses: Record<string, number[]> = {};
  for (const chunked of [false, true]) {
    const m = new MaskedModel(cfg);
    m.seriesPerChunk = () => (chunked ? 1 : 4);
    const params = m.parameters();
    const opt = newAdam(params, { lr: 1e-2 });
    const w0 = params.get('backbone.embed.weight')!.dataSync().slice();
    let n0 = 0;
    losses[String(chunked)] = [];
    for (let i = 0; i < 4; i++) {
      const r = await m.trainStep(opt, params, x);
      losses[String(chunked)]!.push(r.loss!);
      if (i === 1) n0 = tf.memory().numTensors;
    }
    assert.equal(tf.memory().numTensors, n0, 'memory flat across chunked steps');
    const w1 = params.get('backbone.embed.weight')!.dataSync();
    assert.ok(w1.some((v, i) => v !== w0[i]), 'parameters moved');
    opt.dispose(); m.dispose();
  }
  // same model/init/data: the chunk-weighted loss is the batch loss up to the different masks
  const a = losses.false!, b = losses.true!;
  assert.ok(Math.abs(a[0]! - b[0]!) < 0.5 * a[0]!, `${a[0]} vs ${b[0]}`);
  x.dispose();
});
