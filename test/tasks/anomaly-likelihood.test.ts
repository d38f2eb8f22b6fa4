import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/engine/random.js';
import { anomalyLikelihood, gaussianTail } from '../../src/tasks/anomaly/likelihood.js';

test('Gaussian tail matches tabulated values', () => {
  // Q(0) = 0.5, Q(1) = 0.158655, Q(1.96) = 0.024998, Q(3) = 0.0013499, Q(-1) = 0.841345
  for (const [z, q] of [[0, 0.5], [1, 0.158655], [1.96, 0.024998], [3, 0.0013499], [-1, 0.841345]] as const) {
    assert.ok(Math.abs(gaussianTail(z) - q) < 2e-6, `Q(${z}) = ${gaussianTail(z)}, expected ${q}`);
  }
});

test('anomaly likelihood: 0.5 while learning, hand-checked deviation after, causal, NaN passed through', () => {
  // history of averages [1, 3] (averaging window 1): mean 2, std 1 → a raw 5 is 3σ away
  const dev = anomalyLikelihood([1, 3, 5], { averagingWindow: 1, learningPeriod: 2, output: 'deviation', reestimationPeriod: 1 });
  assert.deepEqual(Array.from(dev), [0, 0, 3]);
  const lik = anomalyLikelihood([1, 3, 5], { averagingWindow: 1, learningPeriod: 2, output: 'likelihood', reestimationPeriod: 1 });
  assert.ok(Math.abs(lik[0]! - 0.5) < 1e-6);
  assert.ok(Math.abs(lik[2]! - (1 - 0.0013499)) < 1e-6);
  const log = anomalyLikelihood([1, 3, 5], { averagingWindow: 1, learningPeriod: 2, reestimationPeriod: 1 });
  assert.ok(Math.abs(log[2]! - Math.log(1.0000000001 - lik[2]!) / Math.log(1e-10)) < 1e-6);
  // short-term mean: with averaging window 2 the step-2 value is judged on (3 + 5) / 2
  const avg = anomalyLikelihood([1, 3, 5], { averagingWindow: 2, learningPeriod: 2, output: 'deviation', reestimationPeriod: 1 });
  // history of averages: [1, 2] → mean 1.5, std 0.5; (4 − 1.5) / 0.5 = 5
  assert.ok(Math.abs(avg[2]! - 5) < 1e-9, `${avg[2]}`);
  // causal: changing the future leaves the past untouched
  const rng = new Rng(3);
  const x = Array.from({ length: 500 }, () => rng.normal());
  const a = anomalyLikelihood(x, { learningPeriod: 50 });
  const y = x.slice(); for (let t = 300; t < 500; t++) y[t] = 100;
  const b = anomalyLikelihood(y, { learningPeriod: 50 });
  assert.deepEqual(Array.from(a.subarray(0, 300)), Array.from(b.subarray(0, 300)));
  assert.ok(b[300]! > 0.99 && a[300]! < 0.9, `spike ${b[300]} vs noise ${a[300]}`);
  const withNan = anomalyLikelihood([1, NaN, 3, 5], { averagingWindow: 1, learningPeriod: 2, output: 'deviation', reestimationPeriod: 1 });
  assert.ok(Number.isNaN(withNan[1]!));
  assert.equal(withNan[3], 3);
});

test('anomaly likelihood rejects absurd options', () => {
  assert.throws(() => anomalyLikelihood([1, 2], { averagingWindow: 0 }), /averagingWindow/);
  assert.throws(() => anomalyLikelihood([1, 2], { historicWindow: 1.5 }), /historicWindow/);
});

test('anomaly likelihood historyClip: an extreme score joins the history clamped to μ ± c·σ, so a later event still stands out', () => {
  const opts = { averagingWindow: 1, learningPeriod: 4, output: 'deviation', reestimationPeriod: 1 } as const;
  const x = [0, 2, 0, 2, 101, 6];
  // history [0, 2, 0, 2]: μ 1, σ 1, so 101 is 100σ out either way
  const plain = anomalyLikelihood(x, opts);
  const clipped = anomalyLikelihood(x, { ...opts, historyClip: 3 });
  assert.equal(plain[4], 100);
  assert.equal(clipped[4], 100);
  // plain: 101 joins the history → μ 21, σ √(10209/5 − 441) = √1600.8; 6 is 0.375σ away
  assert.ok(Math.abs(plain[5]! - 15 / Math.sqrt(1600.8)) < 1e-6, `${plain[5]}`);
  // clipped: 1 + 3·1 = 4 joins instead → μ 1.6, σ √(24/5 − 2.56) = √2.24; 6 is 2.94σ away
  assert.ok(Math.abs(clipped[5]! - 4.4 / Math.sqrt(2.24)) < 1e-6, `${clipped[5]}`);
  // symmetric: a score far below μ joins as μ − c·σ = −2 (history [0, 2, 0, 2, −2]: μ 0.4, σ √(12/5 − 0.16))
  const low = anomalyLikelihood([0, 2, 0, 2, -99, 3], { ...opts, historyClip: 3 });
  assert.ok(Math.abs(low[5]! - 2.6 / Math.sqrt(2.24)) < 1e-6, `${low[5]}`);
  // while learning nothing is judged, so nothing is clipped: the same as without the option
  assert.deepEqual(Array.from(anomalyLikelihood([0, 100, 0, 2, 5], { ...opts, historyClip: 3 })), Array.from(anomalyLikelihood([0, 100, 0, 2, 5], opts)));
  for (const bad of [0, -1, Number.NaN, Infinity]) assert.throws(() => anomalyLikelihood([1], { historyClip: bad }), /historyClip/);
});
