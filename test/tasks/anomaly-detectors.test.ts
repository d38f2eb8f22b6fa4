import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import '../../src/methods/ts2vec.js';
import '../../src/methods/masked/model.js';
import { Rng } from '../../src/engine/random.js';
import {
  DEFAULT_KNN_SCALES, KnnScorer, MultiScaleKnnScorer, SpatialRangeRule, ThresholdState, cholesky, createDetector, delayAdjustedPrf, flagScores, invertLowerTriangular, knnScalesForInterval, medianInterval, resolveThreshold, sliceSeries,
  type AnomalyDetector, type Detection, type Series,
} from '../../src/tasks/anomaly/index.js';
import { setUpBackend } from '../helpers.js';

/** A noisy sine with spikes at the given steps. */
function synthetic(T: number, spikes: number[], seed = 1): Series {
  const rng = new Rng(seed);
  const v = new Float32Array(T);
  for (let t = 0; t < T; t++) v[t] = Math.sin((2 * Math.PI * t) / 24) + 0.05 * rng.normal();
  for (const s of spikes) v[s] = v[s]! + 4;
  return { values: v, channels: 1 };
}

async function streamAll(det: AnomalyDetector, s: Series, chunks: number[]): Promise<Detection> {
  const st = det.stream(s.channels);
  const parts: Detection[] = [];
  let pos = 0;
  for (const k of chunks) { parts.push(await st.update(s.values.slice(pos, pos + k))); pos += k; }
  assert.equal(pos, s.values.length);
  assert.equal(st.seen, pos);
  const cat = <T extends Float32Array | Uint8Array>(get: (d: Detection) => T, C: new (n: number) => T): T => {
    const out = new C(parts.reduce((a, p) => a + get(p).length, 0)); let o = 0;
    for (const p of parts) { out.set(get(p), o); o += get(p).length; }
    return out;
  };
  return { raw: cat((d) => d.raw, Float32Array), adjusted: cat((d) => d.adjusted, Float32Array), z: cat((d) => d.z, Float32Array), flags: cat((d) => d.flags, Uint8Array) };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) && Number.isNaN(b[i]!)) continue;
    m = Math.max(m, Math.abs(a[i]! - b[i]!));
  }
  return m;
}

describe('anomaly detectors', () => {
  before(setUpBackend);

  it('zscore finds injected spikes, suppresses repeats, and streaming equals batch', async () => {
    const s = synthetic(400, [250, 251, 320]);
    const det = createDetector('zscore', { k: 4, delay: 7, zscore: { window: 48 } });
    await det.fit(sliceSeries(s, 0, 200));
    const batch = await det.detect(s);
    const flagged = [...batch.flags.keys()].filter((i) => batch.flags[i]);
    assert.ok(flagged.includes(250) && flagged.includes(320), `flags at ${flagged}`);
    assert.ok(!flagged.includes(251), '251 is within the delay after 250');
    assert.ok(flagged.length <= 4, `too many flags: ${flagged}`);
    const label = new Uint8Array(400); label.fill(1, 250, 253); label[320] = 1;
    assert.equal(delayAdjustedPrf(batch.flags, label, 7).recall, 1);
    const streamed = await streamAll(det, s, [1, 5, 100, 37, 57, 200]);
    assert.ok(maxDiff(batch.raw, streamed.raw) <= 1e-6);
    assert.ok(maxDiff(batch.z, streamed.z) <= 1e-6);
    assert.deepEqual([...streamed.flags], [...batch.flags]);
  });

  it('anomaly-likelihood stage: flags the spikes in units of the score history, streaming equals batch', async () => {
    const s = synthetic(600, [450, 520]);
    const det = createDetector('zscore', { k: 5, delay: 7, zscore: { window: 48 }, likelihood: { learningPeriod: 100 } });
    assert.deepEqual(det.likelihood, { averagingWindow: 1, output: 'deviation', learningPeriod: 100 });
    await det.fit(sliceSeries(s, 0, 100));
    const batch = await det.detect(s);
    const flagged = [...batch.flags.keys()].filter((i) => batch.flags[i]);
    assert.ok(flagged.includes(450) && flagged.includes(520), `flags at ${flagged}`);
    assert.ok(flagged.length <= 4, `too many flags: ${flagged}`);
    assert.ok(batch.z.subarray(0, 100).every((v) => v === 0 || Number.isNaN(v)), 'no judgement during the learning period');
    const streamed = await streamAll(det, s, [7, 93, 1, 250, 249]);
    assert.ok(maxDiff(batch.z, streamed.z) <= 1e-6);
    assert.deepEqual([...streamed.flags], [...batch.flags]);
    assert.throws(() => createDetector('zscore', { likelihood: { averagingWindow: 0 } }), /averagingWindow/);
  });

  it('detect before fit is refused in the normal setting; cold start needs no fit statistics', async () => {
    const s = synthetic(300, [200]);
    await assert.rejects(createDetector('zscore').detect(s), /fit/);
    const cold = createDetector('zscore', { mode: 'coldStart', minWindow: 30, zscore: { window: 24 } });
    const r = await cold.detect(s);
    assert.equal(r.flags[200], 1);
    assert.equal([...r.flags.subarray(0, 30)].reduce((a, b) => a + b, 0), 0);
  });

  it('knn: hand-worked sums of the k smallest squared distances to the lagged reference windows', async () => {
    // windows of 2 ending at t: t=1 (0,1), t=2 (1,0), t=3 (0,1), t=4 (1,0), t=5 (0,5); references end at t−3 … t−2
    const s: Series = { values: Float32Array.from([0, 1, 0, 1, 0, 5]), channels: 1 };
    const k1 = new KnnScorer({ window: 2, k: 1, reference: 2, lag: 2 });
    await k1.fit(s);
    assert.equal(k1.context, 2 + 2 + 2 - 2);
    const r1 = await k1.scoreRange(s, 0);
    assert.deepEqual([...r1.subarray(0, 3)].map(Number.isNaN), [true, true, true], 'incomplete window or no reference yet');
    assert.deepEqual([...r1.subarray(3)], [0, 0, 16]); // (0,5) vs (0,1): 0 + 16
    const k2 = new KnnScorer({ window: 2, k: 2, reference: 2, lag: 2 });
    await k2.fit(s);
    const r2 = await k2.scoreRange(s, 0);
    assert.ok(Number.isNaN(r2[3]!), 'only one complete reference window at t = 3');
    assert.deepEqual([...r2.subarray(4)], [2, 42]); // t=4: (1,0) vs (0,1) 2 + vs (1,0) 0; t=5: 16 + 26
    assert.deepEqual([...(await k2.scoreRange(s, 4))], [2, 42], 'scoreRange(start) scores only [start, T)');
    // a missing value makes the windows through it incomplete
    const gap: Series = { values: Float32Array.from([0, 1, 0, NaN, 0, 5]), channels: 1 };
    const rg = await k1.scoreRange(gap, 0);
    assert.ok(Number.isNaN(rg[3]!) && Number.isNaN(rg[4]!));
    assert.equal(rg[5], 26); // (0,5) vs the only complete reference (1,0): 1 + 25
  });

  it('knn: the Mahalanobis metric whitens by the training windows\' uncentred second moment', async () => {
    const L = cholesky(Float64Array.from([4, 0, 2, 3]), 2); // lower triangle of [[4,2],[2,3]]
    assert.deepEqual([...L].map((v) => +v.toFixed(12)), [2, 0, 1, +Math.SQRT2.toFixed(12)]);
    const inv = invertLowerTriangular(L, 2);
    assert.deepEqual([...inv].map((v) => +v.toFixed(12)), [0.5, 0, +(-1 / (2 * Math.SQRT2)).toFixed(12), +(1 / Math.SQRT2).toFixed(12)]);
    // train windows (1,2), (2,1), (1,2): M = [[2,2],[2,3]], M⁻¹ = [[1.5,−1],[−1,1]]
    const sc = new KnnScorer({ window: 2, k: 1, reference: 1, lag: 1, metric: 'mahalanobis', ridge: 0 });
    await sc.fit({ values: Float32Array.from([1, 2, 1, 2]), channels: 1 });
    const r = await sc.scoreRange({ values: Float32Array.from([0, 0, 1, 0]), channels: 1 }, 0);
    assert.ok(Number.isNaN(r[0]!) && Number.isNaN(r[1]!));
    assert.ok(Math.abs(r[2]! - 1) < 1e-9, `d = (0,1): ${r[2]}`);
    assert.ok(Math.abs(r[3]! - 4.5) < 1e-9, `d = (1,−1): 1.5 + 2 + 1, got ${r[3]}`);
    assert.throws(() => new KnnScorer({ k: 20, reference: 10 }), /reference/);
    assert.throws(() => new KnnScorer({ metric: 'cosine' as never }), /metric/);
    assert.throws(() => createDetector('knn', { knn: { window: 0 } }), /window/);
    // the metric is learned in fit: scoring unfitted, or fitting on no complete window, is an error, not silently Euclidean
    const unfitted = new KnnScorer({ window: 2, k: 1, reference: 1, lag: 1, metric: 'mahalanobis' });
    await assert.rejects(unfitted.scoreRange({ values: Float32Array.from([0, 0, 1, 0]), channels: 1 }, 0), /fit/);
    await assert.rejects(unfitted.fit({ values: Float32Array.from([1, NaN, 2, NaN]), channels: 1 }), /complete 2-step window/);
    assert.throws(() => createDetector('ts2vec-knn', { knn: { window: 5 } }), /knn\.window applies to 'knn' only/);
    assert.throws(() => createDetector('ts2vec-knn', { knn: { metric: 'mahalanobis' } }), /knn\.metric/);
  });

  it('knn detector: causal, finds injected spikes with the likelihood stage, streaming equals batch', async () => {
    const s = synthetic(700, [450, 600]);
    const det = createDetector('knn', { k: 4, delay: 50, knn: { window: 12, k: 5, reference: 200 }, likelihood: { learningPeriod: 150 } });
    assert.equal(det.name, 'knn');
    assert.equal(det.maWindow, 0);
    await det.fit(sliceSeries(s, 0, 150));
    const batch = await det.detect(s);
    const flagged = [...batch.flags.keys()].filter((i) => batch.flags[i]);
    assert.ok(flagged.includes(450) && flagged.includes(600), `flags at ${flagged}`);
    assert.ok(flagged.length <= 4, `too many flags: ${flagged}`);
    // causality: changing the future leaves every earlier raw score unchanged
    const changed: Series = { values: s.values.slice(), channels: 1 };
    for (let t = 500; t < 700; t++) changed.values[t] = 10 * Math.cos(t);
    const other = await det.detect(changed);
    assert.deepEqual([...other.raw.subarray(0, 500)], [...batch.raw.subarray(0, 500)]);
    assert.deepEqual([...other.z.subarray(0, 500)], [...batch.z.subarray(0, 500)]);
    const streamed = await streamAll(det, s, [1, 30, 200, 1, 1, 300, 167]);
    assert.ok(maxDiff(batch.raw, streamed.raw) <= 1e-6, `max diff ${maxDiff(batch.raw, streamed.raw)}`);
    assert.ok(maxDiff(batch.z, streamed.z) <= 1e-6);
    assert.deepEqual([...streamed.flags], [...batch.flags]);
  });

  it('knn block option: hand-worked distances between windows of block means', async () => {
    // blocks of 2 steps, windows of 2 blocks (span 4): the window ending at t holds the means of
    // steps (t−3, t−2) and (t−1, t); lag defaults to the span
    const s: Series = { values: Float32Array.from([0, 2, 4, 6, 0, 2, 4, 6, 10, 10]), channels: 1 };
    const sc = new KnnScorer({ window: 2, block: 2, k: 1, reference: 3 });
    assert.equal(sc.span, 4);
    assert.equal(sc.lag, 4);
    assert.equal(sc.context, 4 + 3 + 4 - 2);
    await sc.fit(s);
    const r = await sc.scoreRange(s, 0);
    // t=3: steps 0..3 → (1, 5); t=4: (3, 3); t=5: (5, 1); t=6: (3, 3); t=7: (1, 5); t=8: (3, 8); t=9: (5, 10).
    // References of t end at t−6 … t−4, so none is complete before t = 7.
    assert.ok([...r.subarray(0, 7)].every(Number.isNaN));
    assert.equal(r[7], 0); // vs t=3 (1,5)
    assert.equal(r[8], 13); // vs t=3 (1,5): 4 + 9; t=4 (3,3): 0 + 25
    assert.equal(r[9], 41); // vs t=3: 16 + 25; t=4: 4 + 49; t=5: 0 + 81
    const pool = new KnnScorer({ window: 2, block: 2, k: 1, reference: 3, minReference: 2 });
    const rp = await pool.scoreRange(s, 0);
    assert.ok(Number.isNaN(rp[7]!), 'one usable reference window at t = 7, two needed');
    assert.deepEqual([rp[8], rp[9]], [13, 41]);
    assert.throws(() => new KnnScorer({ reference: 3, k: 1, minReference: 4 }), /minReference/);
    const gap: Series = { values: s.values.slice(), channels: 1 };
    gap.values[1] = NaN; // breaks the windows ending at t = 3 and 4 (their first block)
    const rg = await sc.scoreRange(gap, 0);
    assert.ok(Number.isNaN(rg[7]!), 'the only reference of t = 7 is incomplete');
    assert.equal(rg[9], 81); // only t=5 is left among t=3..5
  });

  it('knn-multiscale: one output per scale, each standardised on its own, the larger flagged; streaming equals batch', async () => {
    // a sine with period 24 whose amplitude halves for two whole periods: every 12-step window is
    // a plausible stretch of some sine, but the long scale (12 four-step means) has never seen it
    const T = 900, v = new Float32Array(T), rng = new Rng(3);
    for (let t = 0; t < T; t++) v[t] = (t >= 600 && t < 648 ? 0.5 : 1) * Math.sin((2 * Math.PI * t) / 24) + 0.02 * rng.normal();
    const s: Series = { values: v, channels: 1 };
    const scales = [{ window: 12, k: 3, reference: 200 }, { window: 12, block: 4, k: 3, reference: 200 }];
    const det = createDetector('knn-multiscale', { k: 5, delay: 100, knnScales: scales, likelihood: { learningPeriod: 250 } });
    assert.equal(det.outputs, 2);
    assert.equal(det.name, 'knn-multiscale');
    const sc = det.scorer as MultiScaleKnnScorer;
    assert.equal(sc.context, Math.max(...sc.scales.map((x) => x.context)));
    await det.fit(sliceSeries(s, 0, 250));
    assert.equal(det.outputStatistics!.length, 2);
    const batch = await det.detect(s);
    assert.equal(batch.raw.length, 2 * T);
    assert.equal(batch.z.length, T);
    // each output equals the single-scale scorer's raw score
    const single = new KnnScorer(scales[1]);
    await single.fit(sliceSeries(s, 0, 250));
    const r1 = await single.scoreRange(s, 0);
    assert.ok(maxDiff(Float32Array.from({ length: T }, (_, t) => batch.raw[2 * t + 1]!), r1) === 0);
    const flagged = [...batch.flags.keys()].filter((i) => batch.flags[i]);
    assert.ok(flagged.some((t) => t >= 600 && t < 700), `flags at ${flagged}`);
    assert.ok(flagged.every((t) => t >= 600 && t < 760), `flags at ${flagged}`);
    assert.deepEqual(sc.refractory, [12, 48]);
    // re-thresholding the stored per-output scores applies the detector's own rule
    assert.deepEqual([...flagScores(batch.zByOutput!, { k: 5, delay: 100, outputs: 2, refractory: sc.refractory })], [...batch.flags]);
    const streamed = await streamAll(det, s, [1, 249, 3, 300, 47, 300]);
    assert.ok(maxDiff(batch.raw, streamed.raw) <= 1e-6);
    assert.ok(maxDiff(batch.z, streamed.z) <= 1e-6);
    assert.deepEqual([...streamed.flags], [...batch.flags]);
    assert.throws(() => createDetector('knn-multiscale', { knnScales: [] }), /at least one scale/);
    assert.throws(() => createDetector('knn-multiscale', { knn: { window: 3 } }), /knnScales/);
    assert.throws(() => createDetector('knn', { knnScales: scales }), /knn-multiscale/);
    assert.throws(() => createDetector('knn-multiscale', { knnScales: [{ block: 0 }] }), /block/);
  });

  it('knn-multiscale defaults on a clean 3-channel series: one damped channel is flagged, nothing else (warm-up scores do not inflate the history)', async () => {
    const T = 3000, C = 3, v = new Float32Array(T * C), rng = new Rng(5);
    for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) v[t * C + c] = Math.sin((2 * Math.PI * t) / 48 + c) + 0.05 * rng.normal();
    for (let t = 2000; t < 2100; t++) v[t * C + 1] = v[t * C + 1]! * 0.3;
    const det = createDetector('knn-multiscale', { likelihood: { learningPeriod: 600 }, spatialTolerance: 0.05, k: 3.75, delay: 100 });
    await det.fit({ values: v.subarray(0, 600 * C), channels: C });
    const r = await det.detect({ values: v, channels: C });
    const flagged = [...r.flags.keys()].filter((i) => r.flags[i] && i >= 600);
    assert.ok(flagged.length >= 1 && flagged.every((t) => t >= 2000 && t < 2100 + 288), `flags at ${flagged}`);
  });

  it('a scale with no finite training score starts unscaled under the likelihood stage, and is refused without it', async () => {
    const s = synthetic(400, [350]);
    const scales = [{ window: 5, k: 2, reference: 20 }, { window: 10, block: 10, k: 2, reference: 50 }]; // span 100 + 50 references > 100 training steps
    const withLik = createDetector('knn-multiscale', { knnScales: scales, likelihood: { learningPeriod: 50 } });
    await withLik.fit(sliceSeries(s, 0, 100));
    assert.deepEqual(withLik.outputStatistics![1], { mean: 0, std: 1 });
    assert.ok((await withLik.detect(s)).z.some(Number.isFinite));
    await assert.rejects(createDetector('knn-multiscale', { knnScales: scales }).fit(sliceSeries(s, 0, 100)), /output 1 of 2/);
  });

  it('knn scales written in time: the defaults on 5-minute data, 150 minutes and one day otherwise; median interval', () => {
    const min = 60_000;
    assert.deepEqual(knnScalesForInterval(5 * min), DEFAULT_KNN_SCALES);
    const hourly = knnScalesForInterval(60 * min); // 150 min = 2.5 samples → the floor of 8; a day = 24 samples
    assert.deepEqual(hourly.map((o) => [o.window, o.block ?? 1, o.k, o.reference, o.minReference]), [[8, 1, 10, 750, 75], [24, 1, 10, 750, 75]]);
    assert.deepEqual(knnScalesForInterval(10 * min).map((o) => [o.window, o.block ?? 1]), [[15, 1], [48, 3]]);
    assert.deepEqual(knnScalesForInterval(30 * min).map((o) => [o.window, o.block ?? 1]), [[8, 1], [48, 1]]);
    assert.deepEqual(knnScalesForInterval(1 * min).map((o) => [o.window, o.block ?? 1]), [[30, 1], [48, 30]]); // finer data keeps 30 raw steps
    assert.deepEqual(new MultiScaleKnnScorer(hourly).refractory, [8, 24]);
    for (const bad of [0, -5, Number.NaN]) assert.throws(() => knnScalesForInterval(bad), /intervalMs/);
    assert.equal(medianInterval([0, 5, 10, 20, 25]), 5);
    assert.ok(Number.isNaN(medianInterval([7])));
  });

  it('a spatial-rule flag is kept within the hold after a score flag, and starts a new hold', async () => {
    const s = synthetic(600, []);
    for (let t = 400; t < 600; t++) s.values[t] = s.values[t]! + (t >= 420 ? 6 : 3); // two never-seen levels, 20 steps apart
    const det = createDetector('zscore', { k: 100, delay: 50, zscore: { window: 48 }, spatialTolerance: 0.05 });
    await det.fit(sliceSeries(s, 0, 200));
    const r = await det.detect(s);
    assert.equal(r.flags[400], 1);
    assert.equal(r.flags[420], 1, 'the jump to a new level 20 steps after a flag is flagged although the hold is 50');
    // a score-based flag within the hold the spatial flag started stays suppressed (the z = +∞ steps are the spatial ones)
    const st = new ThresholdState(resolveThreshold({ k: 1, delay: 5 }), { mean: 0, std: 1 });
    for (let i = 0; i < 6; i++) st.push(0);
    assert.deepEqual([st.push(0, true).flag, st.push(3).flag, st.push(0, true).flag, ...[0, 0, 0, 0, 0].map((v) => st.push(v).flag), st.push(3).flag], [true, false, true, false, false, false, false, false, true]);
  });

  it('threshold state with several outputs: per-output statistics, the maximum flagged, forced flags exempt from the delay but starting one', () => {
    const st = new ThresholdState(resolveThreshold({ k: 2, delay: 3 }), [{ mean: 0, std: 1 }, { mean: 10, std: 2 }]);
    for (let i = 0; i < 5; i++) st.push([NaN, NaN]); // past TS2Vec's unsuppressed first `delay` steps
    assert.deepEqual(st.push([1, 12]), { z: 1, flag: false }); // step 5: z = max(1, 1)
    assert.deepEqual(st.push([NaN, 16]), { z: 3, flag: true }); // step 6: the NaN output is ignored
    assert.deepEqual(st.push([NaN, 16]), { z: 3, flag: false }); // step 7: above k, but within the delay after 6
    assert.deepEqual(st.push([0, 10], true), { z: Infinity, flag: true }); // step 8: forced, so flagged within the delay
    assert.ok(Number.isNaN(st.push([NaN, NaN]).z));
    assert.deepEqual(st.push([6, 10]), { z: 6, flag: false }); // step 10: within the delay that the forced flag at 8 started
    assert.deepEqual(st.push([0, 10], true), { z: Infinity, flag: true }); // step 11: forced again
    for (let i = 0; i < 2; i++) st.push([0, 10]); // steps 12, 13
    assert.deepEqual(st.push([6, 10]), { z: 6, flag: false }); // step 14: 3 steps after 11
    assert.deepEqual(st.push([6, 10]), { z: 6, flag: true }); // step 15
    assert.throws(() => new ThresholdState(resolveThreshold({}), [{ mean: 0, std: 1 }], undefined, { outputs: 2 }), /statistics for 1 outputs/);
  });

  it('refractory rule: an output that stays above k flags once per episode; another output still flags', () => {
    const st = new ThresholdState(resolveThreshold({ k: 1, delay: 0 }), [{ mean: 0, std: 1 }, { mean: 0, std: 1 }], undefined, { refractory: [0, 3] });
    // output 1 is above k at steps 0–5, below for 3 steps (6–8), above at 9 (flags), below for
    // only 2 steps (10–11), above at 12 (no flag); output 0 (no refractory) flags at 4
    const seq: [number, number][] = [[0, 2], [0, 2], [0, 2], [0, 2], [2, 2], [0, 2], [0, 0], [0, 0], [0, 0], [0, 2], [0, 0], [0, 0], [0, 2]];
    assert.deepEqual(seq.map((x) => (st.push(x).flag ? 1 : 0)), [1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0]);
    assert.throws(() => new ThresholdState(resolveThreshold({}), undefined, undefined, { outputs: 2, refractory: [1] }), /refractory periods for 1/);
  });

  it('spatial rule: hand-worked range checks, and in a detector it flags a never-seen level at once; streaming equals batch', async () => {
    const r = new SpatialRangeRule(0.1);
    // after 0, 10 the range is [0, 10] (± 1): 10.5 is inside; then [0, 10.5] (± 1.05): 12 is
    // outside; then [0, 12] (± 1.2): −1.5 is outside; NaN is skipped
    assert.deepEqual([0, 10, 10.5, 12, -1.5, NaN, 5].map((v) => r.push([v])), [false, false, false, true, true, false, false]);
    const two = new SpatialRangeRule(0, 2);
    assert.deepEqual([[0, 0], [1, 1], [0.5, 2], [0.5, 0.5]].map((p) => two.push(p)), [false, false, true, false]);
    assert.throws(() => new SpatialRangeRule(-1), /spatialTolerance/);
    const s = synthetic(500, []);
    for (let t = 400; t < 500; t++) s.values[t] = s.values[t]! + 3; // a level shift to a never-seen range
    const det = createDetector('zscore', { k: 100, delay: 50, zscore: { window: 48 }, spatialTolerance: 0.05 });
    await det.fit(sliceSeries(s, 0, 200));
    const batch = await det.detect(s);
    const flagged = [...batch.flags.keys()].filter((i) => batch.flags[i] && i >= 200);
    assert.equal(flagged[0], 400, `flags at ${flagged}`);
    assert.equal(batch.z[400], Infinity);
    assert.equal(batch.spatial![400], 1);
    assert.deepEqual([...flagScores(batch.z, { k: 100, delay: 50, forced: batch.spatial })], [...batch.flags]);
    const streamed = await streamAll(det, s, [10, 390, 1, 99]);
    assert.deepEqual([...streamed.flags], [...batch.flags]);
    assert.throws(() => createDetector('zscore', { spatialTolerance: -0.1 }), /spatialTolerance/);
  });

  it('ts2vec protocol: streaming scores equal batch scores (1e-4), bounded context', async () => {
    const s = synthetic(160, [120]);
    const det = createDetector('ts2vec', {
      padding: 16, batchSize: 64, k: 3,
      modelOptions: { hidden: 8, depth: 2, outputDims: 16, iters: 2, batchSize: 4, seed: 3 },
    });
    await det.fit(sliceSeries(s, 0, 80));
    assert.equal(det.scorer.context, 16);
    const batch = await det.detect(s);
    assert.equal(batch.raw.length, 160);
    assert.ok(batch.raw.every((v) => Number.isFinite(v) && v >= 0));
    assert.ok(batch.raw.some((v) => v > 0), 'masking the last step changes the representation');
    const streamed = await streamAll(det, s, [3, 40, 1, 1, 75, 40]);
    assert.ok(maxDiff(batch.raw, streamed.raw) <= 1e-4, `max diff ${maxDiff(batch.raw, streamed.raw)}`);
    assert.ok(maxDiff(batch.adjusted, streamed.adjusted) <= 1e-3);
    det.scorer.dispose?.();
  });

  it('ts2vec-knn: k-NN over representations of causal windows; causal, streaming equals batch (1e-4)', async () => {
    const s = synthetic(220, [170]);
    const det = createDetector('ts2vec-knn', {
      padding: 8, batchSize: 64, k: 3, knn: { k: 2, reference: 40, lag: 5 },
      modelOptions: { hidden: 8, depth: 2, outputDims: 8, iters: 2, batchSize: 4, seed: 3 },
    });
    assert.equal(det.name, 'ts2vec-knn');
    assert.equal(det.scorer.context, 8 + 5 + 40 - 1);
    await det.fit(sliceSeries(s, 0, 100));
    const batch = await det.detect(s);
    assert.ok(batch.raw.subarray(0, 6).every(Number.isNaN), 'fewer than k reference steps before t = 6');
    assert.ok(batch.raw.subarray(6).every((v) => Number.isFinite(v) && v >= 0));
    const changed: Series = { values: s.values.slice(), channels: 1 };
    for (let t = 150; t < 220; t++) changed.values[t] = 3;
    const other = await det.detect(changed);
    assert.ok(maxDiff(other.raw.subarray(0, 150), batch.raw.subarray(0, 150)) <= 1e-5, 'the future does not change earlier scores');
    const streamed = await streamAll(det, s, [2, 60, 1, 100, 57]);
    assert.ok(maxDiff(batch.raw, streamed.raw) <= 1e-4 * (1 + Math.max(...batch.raw.filter(Number.isFinite))), `max diff ${maxDiff(batch.raw, streamed.raw)}`);
    det.scorer.dispose?.();
  });

  it('masked model reconstruction error: finite scores, streaming equals batch (1e-4)', async () => {
    const s = synthetic(150, [110]);
    const det = createDetector('masked', {
      padding: 23, batchSize: 64, k: 3,
      modelOptions: { patchLen: 6, dModel: 16, layers: 1, heads: 2, ff: 32, decoderDim: 16, decoderHeads: 2, iters: 3, contextLength: 48, batchSize: 4, seed: 1 },
    });
    await det.fit(sliceSeries(s, 0, 70));
    const batch = await det.detect(s);
    assert.ok(batch.raw.every((v) => Number.isFinite(v) && v >= 0));
    const streamed = await streamAll(det, s, [10, 1, 60, 79]);
    assert.ok(maxDiff(batch.raw, streamed.raw) <= 1e-4, `max diff ${maxDiff(batch.raw, streamed.raw)}`);
    det.scorer.dispose?.();
  });
});
