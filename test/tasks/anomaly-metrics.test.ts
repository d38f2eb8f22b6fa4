import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  adjustPredictions, delayAdjustedPrf, labelSegments, onRegularGrid, pointAdjustedPrf, pointPrf,
} from '../../src/tasks/anomaly/metrics.js';
import {
  NAB_PROFILES, nabNormalize, nabPrepareFile, nabProbationaryLength, nabScoreFlags, nabSweep, scaledSigmoid, windowRows,
} from '../../src/tasks/anomaly/nab-score.js';
import {
  movingAverageAdjust, suppressAfterDetection, ThresholdState, resolveThreshold,
} from '../../src/tasks/anomaly/threshold.js';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

describe('F1 variants (hand-worked)', () => {
  // t:      0  1  2  3  4  5
  const pred = [1, 1, 0, 0, 1, 0];
  const label = [1, 0, 0, 1, 1, 0];
  it('point-wise: tp=2 (t0,t4), fp=1 (t1), fn=1 (t3)', () => {
    const r = pointPrf(pred, label);
    assert.deepEqual([r.tp, r.fp, r.fn], [2, 1, 1]);
    close(r.precision, 2 / 3); close(r.recall, 2 / 3); close(r.f1, 2 / 3);
  });
  it('point-adjusted: the hit at t4 marks segment [3,5) detected → tp=3, fp=1, fn=0', () => {
    assert.deepEqual(labelSegments(label), [[0, 1], [3, 5]]);
    const r = pointAdjustedPrf(pred, label);
    assert.deepEqual([r.tp, r.fp, r.fn], [3, 1, 0]);
    close(r.f1, 6 / 7);
  });
  it('delay-adjusted: delay 0 needs a hit at the segment start (t3) → segment missed', () => {
    assert.deepEqual([...adjustPredictions(pred, label, 0)], [1, 1, 0, 0, 0, 0]);
    const r = delayAdjustedPrf(pred, label, 0);
    assert.deepEqual([r.tp, r.fp, r.fn], [1, 1, 2]);
    close(r.precision, 0.5); close(r.recall, 1 / 3); close(r.f1, 0.4);
    // delay 1: t4 is within 1 step of the start
    close(delayAdjustedPrf(pred, label, 1).f1, 6 / 7);
  });
  it('a segment running to the end of the series is handled', () => {
    assert.deepEqual([...adjustPredictions([0, 0, 0, 1], [0, 0, 1, 1], 7)], [0, 0, 1, 1]);
    assert.deepEqual([...adjustPredictions([0, 0, 0, 1], [0, 0, 1, 1], 0)], [0, 0, 0, 0]);
  });
  it('no positives anywhere gives 0, not NaN', () => {
    assert.equal(pointPrf([0, 0], [0, 0]).f1, 0);
  });
  it('regular grid inserts missing steps as label 0 / flag 0', () => {
    const g = onRegularGrid([0, 60, 180, 240], [0, 1, 1, 0], [0, 0, 1, 0]);
    assert.deepEqual([...g.label], [0, 1, 0, 1, 0]);
    assert.deepEqual([...g.pred], [0, 0, 0, 1, 0]);
  });
  it('rejects mismatched lengths', () => {
    assert.throws(() => pointPrf([1], [1, 0]), /BAD_INPUT|labels have/);
  });
});

describe('NAB score (hand-worked on a 20-row file)', () => {
  // 20 rows → probation floor(0.15·20) = 3 rows. Windows: rows [8, 11] (width 4), [15, 16] (width 2).
  const file = nabPrepareFile(20, [[8, 11], [15, 16]]);
  const S = (y: number) => 2 / (1 + Math.exp(5 * y)) - 1;
  it('scaled sigmoid: edges and the cut-off at 3', () => {
    close(scaledSigmoid(-1), 0.98661, 1e-5);
    close(scaledSigmoid(0), 0);
    close(scaledSigmoid(1), -0.98661, 1e-5);
    assert.equal(scaledSigmoid(3), -1);
    assert.equal(nabProbationaryLength(20), 3);
    assert.equal(nabProbationaryLength(100000), 750);
  });
  it('first detection counts; FP before any window costs A_FP; FP after a window uses its distance', () => {
    // detections: row 1 (probation, ignored), 5 (FP, no window before), 9 and 10 (window 1; only
    // 9 counts: position −(11−9+1)/4 = −0.75), 13 (FP, |11−13|/(4−1) = 2/3 past window 1); window 2 missed
    const flags = new Uint8Array(20);
    for (const i of [1, 5, 9, 10, 13]) flags[i] = 1;
    const tpValue = S(-0.75) / S(-1); // 0.966989
    const fpAfter = S(2 / 3); // −0.931110
    close(tpValue, 0.9669891, 1e-6);
    close(fpAfter, -0.9311096, 1e-6);
    const expected = {
      standard: tpValue - 0.11 + 0.11 * fpAfter - 1, // −0.245433
      reward_low_FP_rate: tpValue - 0.22 + 0.22 * fpAfter - 1, // −0.457855
      reward_low_FN_rate: tpValue - 0.11 + 0.11 * fpAfter - 2, // −1.245433
    };
    close(expected.standard, -0.245433, 1e-6);
    for (const [name, want] of Object.entries(expected)) {
      const r = nabScoreFlags(file, flags, NAB_PROFILES[name as keyof typeof NAB_PROFILES]);
      close(r.raw, want, 1e-9);
      assert.deepEqual([r.tp, r.fn, r.fp], [1, 1, 2]);
    }
    const r = nabScoreFlags(file, flags, NAB_PROFILES.standard);
    assert.equal(r.nullRaw, -2);
    assert.equal(r.perfect, 2);
    close(nabNormalize(r.raw, r.nullRaw, r.perfect), (100 * (expected.standard + 2)) / 4, 1e-9);
  });
  it('detecting each window at its left edge is perfect (100); nothing detected is null (0)', () => {
    const flags = new Uint8Array(20); flags[8] = 1; flags[15] = 1;
    const r = nabScoreFlags(file, flags, NAB_PROFILES.standard);
    close(r.raw, 2);
    close(nabNormalize(r.raw, r.nullRaw, r.perfect), 100);
    const z = nabScoreFlags(file, new Uint8Array(20), NAB_PROFILES.standard);
    close(nabNormalize(z.raw, z.nullRaw, z.perfect), 0);
  });
  it('a window inside the probationary period is not scorable but counts toward perfect', () => {
    const f = nabPrepareFile(20, [[0, 1], [10, 12]]);
    assert.deepEqual(f.scorableWindows, [1]);
    const r = nabScoreFlags(f, new Uint8Array(20), NAB_PROFILES.standard);
    assert.equal(r.nullRaw, -1);
    assert.equal(r.perfect, 2);
  });
  it('corpus sweep picks the best threshold (hand-worked)', () => {
    // scores: row 8 (window-1 left edge) 0.9, row 5 (FP) 0.8, row 15 (window-2 left edge) 0.7
    // thr 0.9: 1 − 1 = 0; thr 0.8: −0.11; thr 0.7: 1 − 0.11 + 1 = 1.89; thr 0: many more FPs
    const scores = new Float32Array(20);
    scores[8] = 0.9; scores[5] = 0.8; scores[15] = 0.7;
    const r = nabSweep([file], [scores], NAB_PROFILES.standard);
    close(r.threshold, 0.7, 1e-6);
    close(r.raw, 1.89, 1e-9);
    close(r.score, (100 * 3.89) / 4, 1e-9);
    // summed over two copies of the file: same threshold, doubled raw / null / perfect
    const r2 = nabSweep([file, file], [scores, scores], NAB_PROFILES.standard);
    close(r2.raw, 3.78, 1e-9); assert.equal(r2.nullRaw, -4); assert.equal(r2.perfect, 4);
  });
  it('window rows from time stamps', () => {
    assert.deepEqual(windowRows([0, 10, 20, 30, 40], [[10, 30], [100, 200]]), [[1, 3]]);
  });
});

describe('threshold and suppression', () => {
  it('moving-average adjustment uses the previous window errors only', () => {
    const adj = movingAverageAdjust([1, 1, 1, 4, 2], 3);
    assert.ok(Number.isNaN(adj[0]!) && Number.isNaN(adj[2]!));
    close(adj[3]!, 3); // (4 − 1)/1
    close(adj[4]!, (2 - 2) / 2); // MA of [1, 1, 4] = 2
  });
  it('suppression drops flags within delay steps after a kept flag (sequential)', () => {
    // delay 2: 0 kept; 2 dropped (0 is 2 back); 3 kept; 4, 5 dropped; 6 kept (last kept flag 3 back)
    assert.deepEqual([...suppressAfterDetection([1, 0, 1, 1, 1, 1, 1, 0], 2)], [1, 0, 0, 1, 0, 0, 1, 0]);
    // TS2Vec: the first `delay` steps are never suppressed
    assert.deepEqual([...suppressAfterDetection([1, 1, 1], 2)], [1, 1, 0]);
  });
  it('normal threshold: mean + k·std of training statistics', () => {
    const st = new ThresholdState(resolveThreshold({ k: 2, delay: 0 }), { mean: 1, std: 0.5 });
    assert.equal(st.push(2.0).flag, false); // z = 2, not > 2
    assert.equal(st.push(2.1).flag, true);
    close(st.push(0).z, -2);
  });
  it('cold start: expanding statistics including the current point, nothing before minWindow', () => {
    const st = new ThresholdState(resolveThreshold({ k: 1, delay: 0, mode: 'coldStart', minWindow: 3 }));
    assert.equal(st.push(0).flag, false);
    assert.equal(st.push(10).flag, false); // only 2 seen
    const r = st.push(0); // mean 10/3, std sqrt(200/9)
    close(r.z, (0 - 10 / 3) / Math.sqrt(100 / 3 - 100 / 9), 1e-9);
    assert.equal(st.push(100).flag, true);
  });
  it('validates options', () => {
    assert.throws(() => resolveThreshold({ delay: -1 }), /delay/);
    assert.throws(() => resolveThreshold({ mode: 'x' as never }), /mode/);
  });
});
