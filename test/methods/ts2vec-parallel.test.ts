/**
 * TS2Vec's parallel training step (`workers` ≥ 1: ts2vec-parallel.ts, ts2vec-worker.ts)
 * against the single-thread step: the split loss equals the whole one, a fit with workers
 * gives the same losses and weights as one without (same seed, float tolerance), workers
 * leave no tensors behind and never outlive a fit, and bad `workers` values are refused.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { before, describe, it } from 'node:test';
import type { TimeSeriesDataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/engine/random.js';
import { tf, type Tensor3D } from '../../src/engine/tf.js';
import { TsreprError } from '../../src/errors.js';
import { binomialMask, cropViews, observedTimestamps, sampleCrops } from '../../src/methods/crops.js';
import { FlatAdamW } from '../../src/methods/flat-adamw.js';
import { hierarchicalContrastiveLossStacked, hierarchicalLossPart } from '../../src/methods/losses.js';
import { STACKING, createTS2Vec, ts2vecConfig } from '../../src/methods/ts2vec.js';
import { PARALLEL_STATS, ParallelStep, liveWorkers, resolveWorkers, shardRanges, shardSpans } from '../../src/methods/ts2vec-parallel.js';
import { setUpBackend } from '../helpers.js';

before(setUpBackend);

/** max |a − b| relative to max |b| */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-12, diff = 0;
  for (let i = 0; i < b.length; i++) { scale = Math.max(scale, Math.abs(b[i]!)); diff = Math.max(diff, Math.abs(a[i]! - b[i]!)); }
  return diff / scale;
}

function dataset(seed: number, n: number, T: number, C: number): TimeSeriesDataset {
  const rng = new Rng(seed);
  const values = rng.normalArray(n * T * C);
  values[5] = NaN; // a missing cell
  const mask = new Uint8Array(n * T * C).fill(1);
  mask[5] = 0;
  return { values, mask, n, length: T, channels: C, lengths: new Int32Array(n).fill(T) } as unknown as TimeSeriesDataset;
}

const SMALL = { hidden: 8, depth: 3, outputDims: 16, batchSize: 6, seed: 0 };

/** losses and final weights of a short fit */
async function fitWith(ds: TimeSeriesDataset, options: Record<string, unknown>): Promise<{ losses: number[]; params: Map<string, Float32Array> }> {
  const m = createTS2Vec(ds.channels, { ...SMALL, ...options });
  try {
    const res = await m.fit(ds);
    const params = new Map([...m.net.namedParameters()].map(([k, v]) => [k, v.dataSync() as Float32Array]));
    return { losses: res.losses, params };
  } finally {
    m.dispose();
  }
}

describe('TS2Vec parallel step', () => {
  it('the instance part of the whole batch (in spans of timestamps) plus the local parts of its shards equal the hierarchical loss (value and gradient)', () => {
    const rng = new Rng(2);
    for (const [B, T, alpha, temporalUnit] of [[5, 13, 0.5, 0], [4, 16, 0, 0], [4, 9, 1, 0], [3, 20, 0.3, 2], [1, 8, 0.5, 0]] as const) {
      const zz = tf.tensor3d(rng.normalArray(2 * B * T * 6), [2 * B, T, 6]);
      const opts = { alpha, temporalUnit };
      const whole = tf.valueAndGrad((z: tf.Tensor) => hierarchicalContrastiveLossStacked(z as Tensor3D, opts))(zz);
      const split = tf.valueAndGrad((z: tf.Tensor) => tf.tidy(() => {
        const rows = (f: number, t: number) => tf.concat([tf.slice(z, [f, 0, 0], [t - f, T, 6]), tf.slice(z, [B + f, 0, 0], [t - f, T, 6])], 0) as Tensor3D;
        // the instance part in three spans of the timestamps, the local part in up to three shards
        let total: tf.Tensor = tf.scalar(0);
        for (const span of shardSpans(3, 0.4)) total = tf.add(total, hierarchicalLossPart(z as Tensor3D, 'instance', B, { ...opts, span }));
        for (const [f, t] of shardRanges(B, Math.min(B, 3))) total = tf.add(total, hierarchicalLossPart(rows(f, t), 'local', B, opts));
        return total as tf.Scalar;
      }))(zz);
      const ctx = `B=${B} T=${T} alpha=${alpha} unit=${temporalUnit}`;
      assert.ok(relErr(split.value.dataSync(), whole.value.dataSync()) < 1e-6, `${ctx}: loss ${split.value.dataSync()[0]} vs ${whole.value.dataSync()[0]}`);
      assert.ok(relErr(split.grad.dataSync(), whole.grad.dataSync()) < 1e-5, `${ctx}: gradient`);
      tf.dispose([zz, whole.value, whole.grad, split.value, split.grad]);
    }
  });

  it('shards and spans: proportional to the weights, covering the batch and [0, 1]', () => {
    assert.deepEqual(shardRanges(8, 2, 1), [[0, 4], [4, 8]]);
    assert.deepEqual(shardRanges(7, 2, 1), [[0, 3], [3, 7]]);
    assert.deepEqual(shardRanges(8, 3, 1), [[0, 2], [2, 5], [5, 8]]);
    assert.deepEqual(shardRanges(8, 2, 0.6), [[0, 3], [3, 8]]);
    assert.deepEqual(shardRanges(2, 2, 0.1), [[0, 1], [1, 2]], 'every shard has an instance');
    assert.deepEqual(shardSpans(2, 1), [[0, 0.5], [0.5, 1]]);
    const sp = shardSpans(3, 0.5);
    assert.equal(sp[0]![0], 0);
    assert.equal(sp[2]![1], 1);
    assert.ok(Math.abs(sp[0]![1] - 0.2) < 1e-12 && sp[1]![1] === sp[2]![0]);
  });

  it('a fit with 1 or 2 workers gives the single-thread losses and weights (stacked and apart views, dropout)', async () => {
    const ds = dataset(7, 14, 40, 2);
    const saved = STACKING.maxPaddedSteps;
    try {
      for (const maxPadded of [0, 1e9]) {
        STACKING.maxPaddedSteps = maxPadded; // 0: every step runs the views apart; 1e9: stacked
        const ref = await fitWith(ds, { iters: 5, workers: 0 });
        for (const workers of [1, 2]) {
          const par = await fitWith(ds, { iters: 5, workers });
          const ctx = `workers ${workers}, maxPadded ${maxPadded}`;
          assert.ok(relErr(par.losses, ref.losses) < 1e-5, `${ctx}: losses ${par.losses} vs ${ref.losses}`);
          for (const [k, v] of ref.params) assert.ok(relErr(par.params.get(k)!, v) < 1e-5, `${ctx}: ${k}`);
        }
      }
    } finally {
      STACKING.maxPaddedSteps = saved;
    }
    assert.equal(liveWorkers(), 0, 'every worker terminated at the end of fit');
  });

  it('also without the instance term (alpha 0: nothing is exchanged), without the temporal one (alpha 1) and without dropout', async () => {
    const ds = dataset(8, 10, 24, 1);
    for (const extra of [{ alpha: 0 }, { dropout: 0 }, { alpha: 1 }]) {
      const ref = await fitWith(ds, { iters: 3, workers: 0, ...extra });
      const par = await fitWith(ds, { iters: 3, workers: 1, ...extra });
      assert.ok(relErr(par.losses, ref.losses) < 1e-5, `${JSON.stringify(extra)}: ${par.losses} vs ${ref.losses}`);
      for (const [k, v] of ref.params) assert.ok(relErr(par.params.get(k)!, v) < 1e-5, `${JSON.stringify(extra)}: ${k}`);
    }
  });

  it('leaves the tensor count flat on both threads across steps', async () => {
    const net = createTS2Vec(2, { ...SMALL, dropout: 0.1 }).net;
    const params = net.namedParameters();
    const adam = new FlatAdamW(params, { lr: 1e-3, weightDecay: 0.01 });
    const par = await ParallelStep.start(1, net, params);
    try {
      const rng = new Rng(3);
      const x = { values: rng.normalArray(6 * 30 * 2), n: 6, length: 30, channels: 2 };
      const run = async () => {
        const plan = sampleCrops(rng, 30, 6);
        const views = cropViews(x, plan);
        const keeps = views.map((v) => { const k = observedTimestamps(v); const r = binomialMask(rng, v.n, v.length); for (let i = 0; i < k.length; i++) k[i] = k[i]! & r[i]!; return k; }) as [Uint8Array, Uint8Array];
        await par.step(adam, { views, keeps, cropL: plan.cropL, dropRngs: [rng.fork(), rng.fork()], lossOpts: { alpha: 0.5, temporalUnit: 0 } });
      };
      await run();
      const main0 = tf.memory().numTensors, [w0] = await par.workerMemory();
      for (let i = 0; i < 4; i++) await run();
      const [w1] = await par.workerMemory();
      assert.equal(tf.memory().numTensors, main0, 'caller');
      assert.equal(w1!.numTensors, w0!.numTensors, 'worker');
    } finally {
      await par.close();
      adam.dispose();
      net.dispose();
    }
    assert.equal(liveWorkers(), 0);
  });

  it('an aborted fit terminates its workers', async () => {
    const ac = new AbortController();
    const m = createTS2Vec(1, { ...SMALL, iters: 50, workers: 1 });
    try {
      await assert.rejects(
        m.fit(dataset(9, 12, 30, 1), { signal: ac.signal, onProgress: (p) => { if (p.done === 2) ac.abort(); } }),
        (e: unknown) => e instanceof TsreprError && e.code === 'ABORTED',
      );
    } finally {
      m.dispose();
    }
    assert.equal(liveWorkers(), 0);
  });

  it('a diverging parallel fit stops with DIVERGED (or skips the steps), leaving no workers and no tensors', async () => {
    const absurd = dataset(10, 8, 32, 1);
    for (let i = 0; i < absurd.values.length; i++) absurd.values[i]! *= 1e30;
    const tensors = tf.memory().numTensors;
    const m1 = createTS2Vec(1, { ...SMALL, batchSize: 4, iters: 4, workers: 1 });
    await assert.rejects(m1.fit(absurd), (e: unknown) => e instanceof TsreprError && e.code === 'DIVERGED');
    m1.dispose();
    assert.equal(liveWorkers(), 0);
    const m2 = createTS2Vec(1, { ...SMALL, batchSize: 4, iters: 4, workers: 1 });
    const r = await m2.fit(absurd, { onNonFinite: 'skip' });
    assert.equal(r.iterations, 4);
    assert.ok(r.skippedSteps > 0, `skippedSteps = ${r.skippedSteps}`);
    m2.dispose();
    assert.equal(liveWorkers(), 0);
    assert.equal(tf.memory().numTensors, tensors);
  });

  it('a worker that dies is reported, not waited for', async () => {
    const net = createTS2Vec(1, SMALL).net;
    const params = net.namedParameters();
    const adam = new FlatAdamW(params, { lr: 1e-3 });
    const par = await ParallelStep.start(1, net, params);
    try {
      await (par as unknown as { handles: { worker: { terminate(): Promise<number> } }[] }).handles[0]!.worker.terminate();
      const rng = new Rng(1);
      const x = { values: rng.normalArray(4 * 20), n: 4, length: 20, channels: 1 };
      const plan = sampleCrops(rng, 20, 4);
      const views = cropViews(x, plan);
      const keeps = views.map((v) => observedTimestamps(v)) as [Uint8Array, Uint8Array];
      await assert.rejects(par.step(adam, { views, keeps, cropL: plan.cropL, dropRngs: [rng.fork(), rng.fork()], lossOpts: { alpha: 0.5, temporalUnit: 0 } }), /exited/);
    } finally {
      await par.close();
      adam.dispose();
      net.dispose();
    }
  });

  it("'auto' runs the parallel step on long series (with >= 2 cores) and gives the single-thread result", async () => {
    const ds = dataset(11, 8, 64, 1);
    const before = PARALLEL_STATS.steps;
    const auto = await fitWith(ds, { batchSize: 4, iters: 50 });
    assert.equal(PARALLEL_STATS.steps - before, availableParallelism() >= 2 ? 50 : 0);
    const single = await fitWith(ds, { batchSize: 4, iters: 50, workers: 0 });
    for (const [k, v] of single.params) assert.ok(relErr(auto.params.get(k)!, v) < 1e-4, k);
    assert.equal(liveWorkers(), 0);
  });

  it("'auto' falls back to one thread when no worker can start; an explicit workers count fails with the cause", { skip: availableParallelism() < 2 }, async () => {
    const ds = dataset(12, 8, 64, 1);
    const start = ParallelStep.start;
    (ParallelStep as unknown as { start: () => Promise<never> }).start = async () => { throw new Error('simulated: cannot find the worker module'); };
    try {
      const auto = await fitWith(ds, { batchSize: 4, iters: 50 });
      const single = await fitWith(ds, { batchSize: 4, iters: 50, workers: 0 });
      assert.deepEqual(auto.losses, single.losses, 'the fallback is the single-thread path, bit for bit');
      await assert.rejects(fitWith(ds, { batchSize: 4, iters: 2, workers: 1 }), /simulated/);
    } finally {
      (ParallelStep as unknown as { start: typeof start }).start = start;
    }
    assert.equal(liveWorkers(), 0);
  });

  it('validates the workers option and resolves auto', () => {
    for (const bad of [-1, 1.5, 'two', 65, true, null]) {
      assert.throws(() => ts2vecConfig(1, { workers: bad }), (e: unknown) => e instanceof TsreprError && e.code === 'BAD_OPTION' && /workers/.test(e.message), String(bad));
    }
    assert.equal(ts2vecConfig(1, { workers: '2' }).workers, 2);
    assert.equal(ts2vecConfig(1, {}).workers, ts2vecConfig(1, { workers: 'auto' }).workers);
    const ctx = { batch: 8, length: 150, steps: 200, backend: 'wasm' };
    assert.equal(resolveWorkers(0, ctx), 0);
    assert.equal(resolveWorkers(3, { ...ctx, batch: 2 }), 1, 'at most B − 1');
    assert.equal(resolveWorkers('auto', { ...ctx, backend: 'webgpu' }), 0);
    assert.equal(resolveWorkers('auto', { ...ctx, steps: 3 }), 0, 'short runs do not pay for starting a worker');
    assert.equal(resolveWorkers('auto', { ...ctx, length: 24 }), 0, 'short series: the single thread wins');
    assert.equal(resolveWorkers('auto', ctx), availableParallelism() >= 2 ? 1 : 0);
    assert.throws(() => resolveWorkers(1, { ...ctx, backend: 'webgpu' }), (e: unknown) => e instanceof TsreprError && e.code === 'BAD_OPTION');
  });
});
