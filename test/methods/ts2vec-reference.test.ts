/**
 * TS2Vec's training step (fused conv blocks, stacked views, the loss's fused gradients) against
 * the independent reference of ts2vec-official-reference.ts (the official code's formulas in
 * plain tfjs ops, differentiated by tfjs's autodiff).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DilatedConvEncoder } from '../../src/backbones/dilated-conv.js';
import { Rng } from '../../src/engine/random.js';
import { binomialMask, cropViews, sampleCrops, type SeriesArray } from '../../src/methods/crops.js';
import { setUpBackend } from '../helpers.js';
import { compareStep } from './ts2vec-official-reference.js';

before(setUpBackend);

describe('TS2Vec training step vs the official formulas (independent reference, tfjs autodiff)', () => {
  it('equal loss and gradients of every parameter (relative error < 1e-4) on sampled crops, stacked and apart', () => {
    const B = 4, T = 48, C = 2, D = 16;
    // depth 6: dilations 1 … 32 and the final block's 64, so the last blocks see views shorter
    // than their dilation (centre tap only, run on the crop alone); dropout as in training
    const net = new DilatedConvEncoder({ inputDims: C, hidden: 8, depth: 6, outputDims: D, dropout: 0.1 }, new Rng(11));
    const rng = new Rng(5);
    const series: SeriesArray = { values: rng.normalArray(B * T * C), n: B, length: T, channels: C };
    series.values[7] = NaN; // one missing cell: zeroed at the input and its timestamp masked
    for (let step = 0; step < 6; step++) {
      const plan = sampleCrops(rng, T, B);
      const views = cropViews(series, plan);
      const keeps = views.map((v) => {
        const k = binomialMask(rng, v.n, v.length);
        for (let r = 0; r < k.length; r++) for (let c = 0; c < C; c++) if (Number.isNaN(v.values[r * C + c]!)) k[r] = 0;
        return k;
      }) as [Uint8Array, Uint8Array];
      const seeds: [number, number] = [rng.seed(), rng.seed()];
      for (const stack of [true, false]) {
        const c = compareStep(net, views, keeps, plan.cropL, seeds, stack);
        const tag = `step ${step} (L ${views[0].length}/${views[1].length}, crop ${plan.cropL}, ${stack ? 'stacked' : 'apart'})`;
        assert.ok(Number.isFinite(c.refLoss) && c.refLoss > 0, tag);
        assert.ok(Math.abs(c.loss - c.refLoss) <= 1e-5 * c.refLoss, `${tag}: loss ${c.loss} vs ${c.refLoss}`);
        assert.equal(c.errors.length, net.namedParameters().size);
        for (const e of c.errors) assert.ok(e.diff <= 1e-4 * e.scale, `${tag}: ${e.name} gradient differs by ${e.diff} (largest entry ${e.scale})`);
      }
    }
    net.dispose();
  });
});
