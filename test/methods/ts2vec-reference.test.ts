/**
 * TS2Vec's training step (fused conv blocks, stacked views, the loss's fused gradients) against
 * the independent reference of ts2vec-official-reference.ts (the official code's formulas in
 * plain tfjs ops, differentiated by tfjs's autodiff).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DilatedConvEncoder } from '../../src/backbones/dilated-conv.js';
import { Rng } from '../../src/engine/random.js';
import { tf, type Tensor3D } from '../../src/engine/tf.js';
import { binomialMask, cropViews, sampleCrops, type SeriesArray } from '../../src/methods/crops.js';
import { dropMasks, pairedViewsLoss } from '../../src/methods/ts2vec-step.js';
import { setUpBackend } from '../helpers.js';
import { encoderForward, hierarchicalLoss } from './ts2vec-official-reference.js';

before(setUpBackend);

function gradsOf(net: DilatedConvEncoder, f: () => tf.Scalar): { loss: number; grads: Map<string, Float32Array> } {
  const params = net.namedParameters();
  const { value, grads } = tf.variableGrads(f, [...params.values()]);
  const out = new Map<string, Float32Array>();
  for (const [k, v] of params) out.set(k, grads[v.name]!.dataSync() as Float32Array);
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, grads: out };
}

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
      const dropRngs = (): [Rng, Rng] => [new Rng(seeds[0]), new Rng(seeds[1])];
      for (const stack of [true, false]) {
        const pair = pairedViewsLoss(net, views, keeps, plan.cropL, dropRngs(), { alpha: 0.5, temporalUnit: 0 }, { stack });
        const ours = gradsOf(net, pair.loss);
        pair.dispose();
        // the same dropout masks (the draw is part of our step's contract, see dropMasks)
        const [d0, d1] = dropRngs();
        const drop = dropMasks(B, [views[0].length, views[1].length], plan.cropL, D, 0.1, [d0.seed(), d1.seed()])!;
        const inputs = views.map((v, i) => [
          tf.tensor3d(v.values.map((x) => (Number.isNaN(x) ? 0 : x)), [B, v.length, C]),
          tf.tensor2d(Float32Array.from(keeps[i]!), [B, v.length]),
        ] as const);
        const ref = gradsOf(net, () => {
          const [o1, o2] = inputs.map(([x, m]) => encoderForward(net, x, m)) as [Tensor3D, Tensor3D];
          const z1 = tf.mul(tf.slice(o1, [0, o1.shape[1] - plan.cropL, 0], [B, plan.cropL, D]), tf.slice(drop, [0, 0, 0], [B, -1, -1])) as Tensor3D;
          const z2 = tf.mul(tf.slice(o2, [0, 0, 0], [B, plan.cropL, D]), tf.slice(drop, [B, 0, 0], [B, -1, -1])) as Tensor3D;
          return hierarchicalLoss(z1, z2);
        });
        tf.dispose([drop, ...inputs.flat()]);
        const tag = `step ${step} (L ${views[0].length}/${views[1].length}, crop ${plan.cropL}, ${stack ? 'stacked' : 'apart'})`;
        assert.ok(Number.isFinite(ref.loss) && ref.loss > 0, tag);
        assert.ok(Math.abs(ours.loss - ref.loss) <= 1e-5 * ref.loss, `${tag}: loss ${ours.loss} vs ${ref.loss}`);
        for (const [k, g] of ref.grads) {
          const o = ours.grads.get(k)!;
          let scale = 1e-12, diff = 0;
          for (let i = 0; i < g.length; i++) { scale = Math.max(scale, Math.abs(g[i]!)); diff = Math.max(diff, Math.abs(o[i]! - g[i]!)); }
          assert.ok(diff <= 1e-4 * scale, `${tag}: ${k} gradient differs by ${diff} (largest entry ${scale})`);
        }
      }
    }
    net.dispose();
  });
});
