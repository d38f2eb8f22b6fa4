import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadEtt, type ForecastDataset } from '../../src/data/forecast.js';
import { crop } from '../../src/data/transforms.js';
import { Rng } from '../../src/engine/random.js';
import '../../src/methods/masked/model.js';
import { createModel } from '../../src/methods/model.js';
import { naiveLastValue, prepareForecastInput, ridgeForecast } from '../../src/tasks/forecasting/protocol.js';
import { fitRidgeSelect, mseMae, predictRidge } from '../../src/tasks/forecasting/ridge.js';
import { repoRoot, setUpBackend } from '../helpers.js';

before(setUpBackend);

test('ridge recovers a linear map and picks a small alpha on clean data', async () => {
  const rng = new Rng(0);
  const n = 300, d = 5, k = 2;
  const W = rng.normalArray(d * k);
  const mk = (m: number): { x: Float32Array; y: Float32Array; n: number } => {
    const x = rng.normalArray(m * d), y = new Float32Array(m * k);
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) {
      let s = 3;
      for (let a = 0; a < d; a++) s += x[i * d + a]! * W[a * k + j]!;
      y[i * k + j] = s + 0.01 * rng.normal();
    }
    return { x, y, n: m };
  };
  const tr = mk(n), va = mk(100), te = mk(100);
  const { model, alpha } = await fitRidgeSelect(tr, va, d, k);
  assert.ok(alpha <= 1);
  assert.ok(mseMae(await predictRidge(model, te.x, te.n), te.y).mse < 1e-3);
  for (let i = 0; i < d * k; i++) assert.ok(Math.abs(model.w[i]! - W[i]!) < 0.02);
  assert.ok(Math.abs(model.b[0]! - 3) < 0.02);
});

test('short masked pretraining + ridge forecast on a slice of ETTh1 beats the last-value forecast', async () => {
  const full = await loadEtt(join(repoRoot, 'datasets/forecasting/ETT/ETTh1.csv'), { features: 'S' });
  // a 2000-hour slice with a 1200/400/400 split keeps the test fast
  const data: ForecastDataset = { ...full, ...crop(full, 0, 2000), features: 'S', target: 'OT', targetIndex: 0, split: { train: [0, 1200], val: [1200, 1600], test: [1600, 2000] } };
  const prep = prepareForecastInput(data, { covariates: true });
  assert.equal(prep.input.channels, 8);
  const model = createModel('masked', 8, { patchLen: 8, dModel: 16, layers: 1, heads: 2, ff: 32, decoderDim: 16, decoderHeads: 2, contextLength: 64, batchSize: 8, iters: 20, lr: 2e-3 });
  const fit = await model.fit(crop(prep.input, 0, 1200));
  assert.ok(fit.losses.every(Number.isFinite));
  const res = await ridgeForecast(model, prep, { horizons: [24], padding: 63, level: 'last' });
  const naive = naiveLastValue(prep, 24);
  const h = res.horizons[0]!;
  assert.equal(res.reprDims, 128);
  assert.ok(h.mse < naive.mse, `ridge ${h.mse} vs last value ${naive.mse}`);
  assert.ok(h.mseRaw > h.mse);
  assert.equal(res.examples[0]!.pred.length, 24);
  model.dispose();
});
