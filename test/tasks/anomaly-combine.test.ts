import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/engine/random.js';
import {
  ThresholdState, combineOutputs, createDetector, fisherCombine, flagScores, gaussianTail, logGaussianTail, resolveThreshold, sliceSeries, type Series,
} from '../../src/tasks/anomaly/index.js';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe('Fisher combination of per-scale scores (combine: fisher)', () => {
  it('logGaussianTail: log Q(z) below and beyond the switch to the asymptotic series', () => {
    close(logGaussianTail(2), Math.log(gaussianTail(2)), 1e-12, 'z 2');
    close(logGaussianTail(10), -53.23128515051246, 1e-5, 'z 10'); // log(erfc(10/√2)/2), Python math.erfc
    close(logGaussianTail(29.999), -454.2912111961238, 1e-4, 'z 29.999');
    close(logGaussianTail(30.001), -454.2912111961238 - 0.002 * 30, 0.01, 'z 30.001 continues the curve');
    assert.equal(logGaussianTail(Infinity), -Infinity);
    close(logGaussianTail(1000), -500000 - Math.log(1000 * Math.sqrt(2 * Math.PI)), 1e-3, 'z 1000 (Q underflows)');
  });

  it('fisherCombine: hand-worked values (p = 2Q(z), χ² with 2n degrees of freedom, back to σ)', () => {
    // references: the same formula in Python with math.erfc and a 200-step bisection
    close(fisherCombine([4, 4]), 5.363587424198277, 1e-5, '4, 4');
    close(fisherCombine([3.5, 3.5]), 4.636808235185292, 1e-5, '3.5, 3.5');
    close(fisherCombine([5, 0]), 4.44442484678424, 1e-5, '5, 0');
    close(fisherCombine([4.2, 0]), 3.6086588098106214, 1e-5, '4.2, 0');
    close(fisherCombine([4.2, 1]), 3.8732693420069726, 1e-5, '4.2, 1');
    close(fisherCombine([3, 3, 3]), 4.641037188567319, 1e-5, '3, 3, 3');
    // one finite score: itself (negative → 0); NaN skipped; +∞ wins; nothing finite → NaN
    close(fisherCombine([3.25]), 3.25, 1e-9, 'single');
    close(fisherCombine([NaN, 2.5]), 2.5, 1e-9, 'NaN skipped');
    assert.equal(fisherCombine([-1]), 0);
    assert.equal(fisherCombine([Infinity, 1]), Infinity);
    assert.ok(Number.isNaN(fisherCombine([NaN, NaN])));
    // far in the tail (Q underflows): two equal huge scores combine above either
    const big = fisherCombine([60, 60]);
    assert.ok(big > 60 && big < 60 * Math.SQRT2 + 1e-9, `60, 60 → ${big}`);
  });

  it('ThresholdState: fisher flags two moderately unusual scales that max misses, and not a lone 4.2 σ', () => {
    const steps = [[3.5, 3.5], [0, 0], [4.2, 0], [0, 0]];
    const run = (combine: 'max' | 'fisher') => {
      const st = new ThresholdState(resolveThreshold({ k: 4, delay: 0, combine }), [{ mean: 0, std: 1 }, { mean: 0, std: 1 }]);
      return steps.map((x) => st.push(x));
    };
    const mx = run('max'), fi = run('fisher');
    assert.deepEqual(mx.map((r) => r.flag), [false, false, true, false]);
    assert.deepEqual(fi.map((r) => r.flag), [true, false, false, false]);
    close(fi[0]!.z, 4.636808235185292, 1e-5, 'combined z');
    close(mx[0]!.z, 3.5, 0, 'max z');
    // perOutput keeps each output's own score
    const st = new ThresholdState(resolveThreshold({ k: 4, delay: 0, combine: 'fisher' }), [{ mean: 0, std: 1 }, { mean: 0, std: 1 }]);
    const per: number[] = [];
    st.push([3.5, 3.5], false, per);
    assert.deepEqual(per, [3.5, 3.5]);
  });

  it('ThresholdState: the combined score counts for the larger scale (its refractory period applies)', () => {
    // output 1 (refractory 3) leads at steps 0 and 1: the second is within its refractory period;
    // at step 3 output 0 (refractory 0) leads and flags
    const z = [1, 5, 1, 5, 0, 0, 5, 1];
    const flags = flagScores(Float32Array.from(z), { k: 4, delay: 0, outputs: 2, refractory: [0, 3], combine: 'fisher' });
    assert.deepEqual([...flags], [1, 0, 0, 1]);
    // under max the same rule holds with the raw maximum
    assert.deepEqual([...flagScores(Float32Array.from(z), { k: 4, delay: 0, outputs: 2, refractory: [0, 3] })], [1, 0, 0, 1]);
  });

  it('options: combine is validated, and fisher needs the likelihood deviation output', () => {
    assert.throws(() => resolveThreshold({ combine: 'mean' as never }), /combine must be 'max' or 'fisher'/);
    assert.throws(() => createDetector('knn-multiscale', { combine: 'fisher', likelihood: { output: 'log' } }), /needs the likelihood's 'deviation' output/);
    assert.equal(createDetector('knn-multiscale', { combine: 'fisher', likelihood: true }).threshold.combine, 'fisher');
    assert.equal(createDetector('knn-multiscale').threshold.combine, 'max');
  });

  it('knn-multiscale with combine fisher: detector z is the combination, flagScores re-thresholds it the same, streaming equals batch', async () => {
    const T = 900, v = new Float32Array(T), rng = new Rng(3);
    for (let t = 0; t < T; t++) v[t] = (t >= 600 && t < 648 ? 0.5 : 1) * Math.sin((2 * Math.PI * t) / 24) + 0.02 * rng.normal();
    const s: Series = { values: v, channels: 1 };
    const scales = [{ window: 12, k: 3, reference: 200 }, { window: 12, block: 4, k: 3, reference: 200 }];
    const det = createDetector('knn-multiscale', { k: 5, delay: 100, knnScales: scales, likelihood: { learningPeriod: 250 }, combine: 'fisher' });
    await det.fit(sliceSeries(s, 0, 250));
    const batch = await det.detect(s);
    const zo = batch.zByOutput!;
    for (let t = 0; t < T; t++) {
      const pair = [zo[2 * t]!, zo[2 * t + 1]!];
      // the larger output carries the combination, the other keeps its own score; z is the larger
      const top = Number.isNaN(pair[1]!) || pair[0]! >= pair[1]! ? 0 : 1;
      const vals = pair.map((x, o) => (o === top ? fisherCombine(pair) : x)).filter((x) => !Number.isNaN(x));
      const want = vals.length ? Math.max(...vals) : NaN;
      if (Number.isNaN(want)) assert.ok(Number.isNaN(batch.z[t]!), `t ${t}`);
      else assert.ok(Math.abs(batch.z[t]! - want) <= 1e-4 * Math.max(1, want), `t ${t}: ${batch.z[t]} vs ${want}`);
    }
    const flagged = [...batch.flags.keys()].filter((i) => batch.flags[i]);
    assert.ok(flagged.some((t) => t >= 600 && t < 700), `flags at ${flagged}`);
    assert.deepEqual([...flagScores(zo, { k: 5, delay: 100, outputs: 2, refractory: [12, 48], combine: 'fisher' })], [...batch.flags]);
    // combining once and re-thresholding under 'max' gives the same flags at any k
    const carried = combineOutputs(zo, 2, 'fisher');
    for (const k of [2, 3.5, 5, 8]) {
      assert.deepEqual([...flagScores(carried, { k, delay: 100, outputs: 2, refractory: [12, 48] })], [...flagScores(zo, { k, delay: 100, outputs: 2, refractory: [12, 48], combine: 'fisher' })], `k ${k}`);
    }
    assert.deepEqual([...combineOutputs(zo, 2, 'max')], [...zo]);
    assert.throws(() => combineOutputs(zo, 7, 'fisher'), /not a multiple of 7/);
    const st = det.stream(1);
    const a = await st.update(v.slice(0, 333)), b = await st.update(v.slice(333));
    assert.deepEqual([...a.flags, ...b.flags], [...batch.flags]);
  });
});
