import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createDataset, type TimeSeriesDataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/engine/random.js';
import { tf } from '../../src/engine/tf.js';
import { TsreprError } from '../../src/errors.js';
import { loadModel } from '../../src/methods/model.js';
import { loadModelDir } from '../../src/engine/weights.js';
import { SsganModel, temporalReminderMatrix } from '../../src/methods/ssgan/index.js';
import { temporalContext } from '../../src/methods/ssgan/context.js';
import { SsganGenerator } from '../../src/methods/ssgan/networks.js';
import { GRU } from '../../src/nn/gru.js';
import { createImputer } from '../../src/tasks/imputation/imputers.js';
import { hideObserved, scoreImputation } from '../../src/tasks/imputation/evaluate.js';
import { maxAbsDiff, setUpBackend } from '../helpers.js';

before(setUpBackend);

/** n series of 3 correlated channels (shared random-phase sine), 20 % missing at random, binary label = phase sign. */
function synthetic(n: number, T: number, seed = 0): TimeSeriesDataset {
  const rng = new Rng(seed), C = 3;
  const values = new Float32Array(n * T * C), labels = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const phase = rng.uniform(0, 2 * Math.PI), freq = rng.uniform(0.2, 0.4);
    labels[s] = Math.sin(phase) > 0 ? 1 : 0;
    for (let t = 0; t < T; t++) {
      const base = Math.sin(freq * t + phase);
      const row = [3 * base + 10, -2 * base, base + 0.5 * Math.cos(freq * t)];
      for (let c = 0; c < C; c++) values[(s * T + t) * C + c] = rng.random() < 0.2 ? NaN : row[c]! + rng.normal(0, 0.05);
    }
  }
  return createDataset({ values, n, length: T, channels: C, lengths: new Int32Array(n).fill(T), labels, classNames: ['a', 'b'] });
}

describe('temporal reminder (hint) matrix', () => {
  it('reveals the true mask exactly where hint is revealed, 0.5 elsewhere, at the requested rate', () => {
    const rng = new Rng(3);
    const mask = Uint8Array.from({ length: 20000 }, () => (rng.random() < 0.6 ? 1 : 0));
    for (const rate of [0, 0.5, 0.9, 1]) {
      const { hint, revealed } = temporalReminderMatrix(mask, rate, new Rng(1));
      let k = 0;
      for (let i = 0; i < mask.length; i++) {
        if (revealed[i]) { k++; assert.equal(hint[i], mask[i]); } else assert.equal(hint[i], 0.5);
      }
      assert.ok(Math.abs(k / mask.length - rate) < 0.015, `rate ${rate}: revealed ${k / mask.length}`);
    }
  });
  it('rejects a rate outside [0, 1]', () => {
    assert.throws(() => temporalReminderMatrix([1], 1.5, new Rng(0)), (e: TsreprError) => e.code === 'BAD_OPTION');
  });
});

describe('GRU', () => {
  it('matches the gate equations and keeps reverse outputs aligned', () => {
    const g = new GRU(2, 3, new Rng(0));
    const x = tf.tensor3d([[[1, -1], [0.5, 2]]]);
    const out = g.forward(x);
    // manual step-by-step reference in JS
    const wx = g.wx.arraySync() as number[][], bx = g.bx.arraySync() as number[];
    const wh = g.wh.arraySync() as number[][], bh = g.bh.arraySync() as number[];
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    let h = [0, 0, 0];
    const ref: number[] = [];
    for (const xt of [[1, -1], [0.5, 2]]) {
      const gx = bx.map((b, j) => b + xt[0]! * wx[0]![j]! + xt[1]! * wx[1]![j]!);
      const gh = bh.map((b, j) => b + h.reduce((s, hv, k) => s + hv * wh[k]![j]!, 0));
      h = h.map((hv, j) => {
        const r = sig(gx[j]! + gh[j]!), z = sig(gx[3 + j]! + gh[3 + j]!);
        const n = Math.tanh(gx[6 + j]! + r * gh[6 + j]!);
        return n + z * (hv - n);
      });
      ref.push(...h);
    }
    assert.ok(maxAbsDiff(out, ref) < 1e-5);
    const rev = g.forward(tf.reverse(x, 1), { reverse: true });
    assert.ok(maxAbsDiff(tf.reverse(rev, 1), out) < 1e-6, 'reverse run over a reversed input equals the forward run');
    for (const t of [x, out, rev]) t.dispose();
    g.dispose();
  });

  it('has gradients for every parameter on this backend', () => {
    const g = new GRU(2, 4, new Rng(1));
    const x = tf.randomNormal([3, 5, 2], 0, 1, 'float32', 1) as tf.Tensor3D;
    const vars = g.trainableVariables();
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(g.forward(x))) as tf.Scalar, vars);
    for (const v of vars) {
      const gr = grads[v.name]!;
      const norm = tf.tidy(() => tf.sum(tf.abs(gr)).dataSync()[0]!);
      assert.ok(norm > 0, `gradient of ${v.name}`);
      gr.dispose();
    }
    x.dispose();
    g.dispose();
  });
});

describe('SSGAN', () => {
  it('validates hyper-parameters', async () => {
    assert.throws(() => new SsganModel(3, { hintRate: 2 }), (e: TsreprError) => e.code === 'BAD_OPTION' && /hintRate/.test(e.message));
    assert.throws(() => new SsganModel(3, { labelRate: -0.1 }), (e: TsreprError) => e.code === 'BAD_OPTION');
    assert.throws(() => new SsganModel(3, { hiden: 3 }), (e: TsreprError) => e.code === 'BAD_OPTION' && /unknown/.test(e.message));
    assert.throws(() => new SsganModel(3, { holdout: 0.95 }), (e: TsreprError) => e.code === 'BAD_OPTION' && /holdout/.test(e.message));
    await assert.rejects(new SsganModel(3).imputeValues(synthetic(1, 4)), (e: TsreprError) => e.code === 'NOT_FITTED');
  });

  it('the generator context never uses the entry itself', () => {
    const x = Float32Array.from([1, 5, 3, 9]), m = [1, 1, 1, 1];
    const ctx = temporalContext(x, m, 1, 4, 1);
    assert.deepEqual(Array.from(ctx.filter((_, i) => i % 3 === 0)), [5, 2, 7, 3]); // interpolation of the neighbours only
  });

  it('an untrained generator imputes exactly the linear interpolation (the correction branches start at zero)', async () => {
    const ds = synthetic(6, 16, 2);
    const linear = createImputer('linear');
    await linear.fit(ds);
    const ref = (await linear.impute(ds)).values;
    const model = new SsganModel(3, { iterations: 0, window: 16, hiddenSize: 8, discHiddenSize: 4, clsHiddenSize: 4 });
    await model.fit(ds);
    const ours = await model.imputeValues(ds);
    let worst = 0, gaps = 0;
    for (let i = 0; i < ours.length; i++) {
      if (ds.mask[i]) { assert.equal(ours[i], ds.values[i]); continue; }
      gaps++;
      worst = Math.max(worst, Math.abs(ours[i]! - ref[i]!) / (1 + Math.abs(ref[i]!)));
    }
    assert.ok(gaps > 20, `${gaps} missing entries`);
    assert.ok(worst < 1e-5, `max relative difference to linear interpolation ${worst}`);
    model.dispose();
  });

  it('validation: keeps the best generator (here the untrained one, i.e. linear interpolation) and stops early', async () => {
    const ds = synthetic(12, 16, 8);
    const linear = createImputer('linear');
    await linear.fit(ds);
    const ref = (await linear.impute(ds)).values;
    // an absurd learning rate makes every update worse on the withheld entries
    const model = new SsganModel(3, { iterations: 40, window: 16, hiddenSize: 8, discHiddenSize: 4, clsHiddenSize: 4, batchSize: 4, lr: 5, validation: 0.2, evalEvery: 2, patience: 2 });
    const res = await model.fit(ds);
    const v = res.validation!;
    assert.ok(v, 'validation summary');
    assert.equal(v.history[0]!.iteration, 0);
    assert.ok(v.history.every((h) => h.value >= v.best), 'best is the minimum');
    assert.equal(v.bestIteration, 0, JSON.stringify(v.history));
    assert.ok(v.stoppedEarly && res.iterations === 4, `stopped after ${res.iterations} iterations`);
    const ours = await model.imputeValues(ds);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) if (!ds.mask[i]) worst = Math.max(worst, Math.abs(ours[i]! - ref[i]!) / (1 + Math.abs(ref[i]!)));
    assert.ok(worst < 1e-5, `kept weights impute the interpolation (max rel. diff ${worst})`);
    model.dispose();
    for (const bad of [{ validation: 0.9 }, { evalEvery: 0 }, { patience: -1 }, { minDelta: 2 }]) {
      assert.throws(() => new SsganModel(3, bad), (e: TsreprError) => e.code === 'BAD_OPTION', JSON.stringify(bad));
    }
  });

  it('inputClip: an outlier reaches the learned branches only up to the bound', () => {
    const gen = new SsganGenerator(2, 4, new Rng(3), 5);
    gen.featW.assign(tf.tensor2d([[0, 2], [2, 0]]));
    gen.head.weight.assign(tf.randomNormal(gen.head.weight.shape, 0, 0.3, 'float32', 7));
    const run = (v: number) => tf.tidy(() => {
      const x = tf.tensor3d([[[0.5, 0.1], [v, 0.2], [0.3, 0]]]), m = tf.tensor3d([[[1, 1], [1, 1], [1, 0]]]);
      const ctx = tf.tensor3d(temporalContext(x.dataSync() as Float32Array, m.dataSync(), 1, 3, 2), [1, 3, 6]);
      return gen.apply(x, m, ctx).arraySync();
    });
    const at5 = run(5), outlier = run(1000), at4 = run(4);
    // channel 1 at step 1 is predicted from channel 0 at step 1 (feature regression) and the
    // GRU states: an input of 1000 acts exactly like the bound 5 there
    assert.ok(Math.abs(outlier[0]![1]![1]! - at5[0]![1]![1]!) < 1e-5, `${outlier[0]![1]![1]} vs ${at5[0]![1]![1]}`);
    assert.ok(Math.abs(at4[0]![1]![1]! - at5[0]![1]![1]!) > 1e-3, 'below the bound the input still matters');
    gen.dispose();
    assert.throws(() => new SsganModel(3, { inputClip: -1 }), (e: TsreprError) => e.code === 'BAD_OPTION' && /inputClip/.test(e.message));
  });

  it("reconLoss: the first loss of an untrained generator is alpha × the mean |error| ('mae') or squared error ('mse') of the interpolation; 'huber' is refused", async () => {
    assert.throws(() => new SsganModel(3, { reconLoss: 'huber' }), (e: TsreprError) => e.code === 'BAD_OPTION' && /reconLoss/.test(e.message));
    // one series that fills one batch window exactly: the first step's loss is the reconstruction
    // of the zero-initialised generator, i.e. of the leave-one-out interpolation
    const ds = synthetic(1, 16, 4);
    const first = async (reconLoss: string) => {
      const model = new SsganModel(3, { iterations: 1, window: 16, hiddenSize: 8, discHiddenSize: 4, clsHiddenSize: 4, reconLoss, batchSize: 1, advWeight: 0, classWeight: 0, noiseStd: 0, alpha: 2 });
      const res = await model.fit(ds);
      const { mean, std } = model.scalerStats();
      model.dispose();
      return { loss: res.losses[0]!, mean, std };
    };
    const mae = await first('mae'), mse = await first('mse');
    const C = 3, T = 16, x = new Float32Array(T * C), m = new Float32Array(T * C);
    for (let i = 0; i < x.length; i++) { m[i] = ds.mask[i]!; x[i] = m[i] ? (ds.values[i]! - mae.mean[i % C]!) / mae.std[i % C]! : 0; }
    const ctx = temporalContext(x, m, 1, T, C);
    let sa = 0, ss = 0, n = 0;
    for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) {
      const i = t * C + c;
      if (!m[i]) continue;
      const e = ctx[t * 3 * C + c]! - x[i]!;
      sa += Math.abs(e); ss += e * e; n++;
    }
    assert.ok(Math.abs(mae.loss - 2 * sa / n) < 1e-4 * (1 + mae.loss), `mae loss ${mae.loss} vs ${2 * sa / n}`);
    assert.ok(Math.abs(mse.loss - 2 * ss / n) < 1e-4 * (1 + mse.loss), `mse loss ${mse.loss} vs ${2 * ss / n}`);
  });

  it('a model saved before inputClip/reconLoss existed loads without the bound', async () => {
    const ds = synthetic(4, 16, 6);
    const model = new SsganModel(3, { iterations: 1, window: 16, hiddenSize: 4, discHiddenSize: 4, clsHiddenSize: 4, batchSize: 2 });
    await model.fit(ds);
    const dir = mkdtempSync(join(tmpdir(), 'ssgan-old-'));
    try {
      await model.save(join(dir, 'm'));
      const art = await loadModelDir(join(dir, 'm'));
      const cfg = art.config as { options: Record<string, unknown> };
      delete cfg.options.inputClip; delete cfg.options.reconLoss;
      const old = SsganModel.fromArtifacts(art);
      assert.equal(old.opts.inputClip, 0);
      assert.equal(old.opts.reconLoss, 'mse');
      old.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      model.dispose();
    }
  });

  it('short training beats mean imputation on held-out entries; memory is flat; save/load round-trips', async () => {
    const ds = synthetic(32, 16);
    const { ds: train, indices, truth } = hideObserved(ds, 0.1, 5);
    const mean = createImputer('mean');
    await mean.fit(train);
    const base = scoreImputation((await mean.impute(train)).values, { indices, truth }, 3);
    const opts = { iterations: 20, batchSize: 16, window: 16, hiddenSize: 16, discHiddenSize: 8, clsHiddenSize: 8, lr: 0.01, labelRate: 0.5 };
    const short = new SsganModel(3, { ...opts, iterations: 2 });
    const n0 = tf.memory().numTensors;
    await short.fit(train);
    const perFit = tf.memory().numTensors - n0;
    const model = new SsganModel(3, opts);
    const n1 = tf.memory().numTensors;
    const res = await model.fit(train);
    assert.equal(tf.memory().numTensors - n1, perFit, 'tensor count does not grow with iterations');
    assert.equal(res.iterations, 20);
    const imputed = await model.imputeValues(train);
    const ours = scoreImputation(imputed, { indices, truth }, 3);
    assert.ok(ours.mae < 0.7 * base.mae, `SSGAN MAE ${ours.mae} vs mean ${base.mae}`);
    for (let i = 0; i < train.values.length; i++) if (train.mask[i]) assert.equal(imputed[i], train.values[i]);
    const dir = mkdtempSync(join(tmpdir(), 'ssgan-'));
    try {
      await model.save(join(dir, 'm'));
      const back = await loadModel(join(dir, 'm'));
      assert.equal(back.method, 'ssgan');
      const diff = maxAbsDiff((await (back as SsganModel).imputeValues(train)).filter((_, i) => !train.mask[i]), imputed.filter((_, i) => !train.mask[i]));
      assert.ok(diff < 1e-5, `reloaded model imputes the same (max diff ${diff})`);
      const rep = await back.encode(train, { pooling: 'full' });
      assert.deepEqual(rep.shape, [32, 32]);
      back.dispose();
    } finally { rmSync(dir, { recursive: true, force: true }); }
    short.dispose();
    model.dispose();
  });

  it('the masked-imputation holdout trains on hidden observed entries: still beats mean, memory flat, observed values kept', async () => {
    const ds = synthetic(32, 16);
    const { ds: train, indices, truth } = hideObserved(ds, 0.3, 7);
    const mean = createImputer('mean');
    await mean.fit(train);
    const base = scoreImputation((await mean.impute(train)).values, { indices, truth }, 3);
    const opts = { batchSize: 16, window: 16, hiddenSize: 16, discHiddenSize: 8, clsHiddenSize: 8, lr: 0.01, holdout: 0.3 };
    const short = new SsganModel(3, { ...opts, iterations: 2 });
    const n0 = tf.memory().numTensors;
    await short.fit(train);
    const perFit = tf.memory().numTensors - n0;
    const model = new SsganModel(3, { ...opts, iterations: 20 });
    const n1 = tf.memory().numTensors;
    const res = await model.fit(train);
    assert.equal(tf.memory().numTensors - n1, perFit, 'tensor count does not grow with iterations');
    assert.equal(res.skippedSteps, 0);
    assert.ok(res.losses.filter(Number.isFinite).length > 0 && res.losses.every((l) => Number.isNaN(l) || Number.isFinite(l)), 'finite losses');
    const imputed = await model.imputeValues(train);
    const ours = scoreImputation(imputed, { indices, truth }, 3);
    assert.ok(ours.mae < 0.7 * base.mae, `SSGAN (holdout) MAE ${ours.mae} vs mean ${base.mae}`);
    for (let i = 0; i < train.values.length; i++) if (train.mask[i]) assert.equal(imputed[i], train.values[i]);
    short.dispose();
    model.dispose();
  });
});
