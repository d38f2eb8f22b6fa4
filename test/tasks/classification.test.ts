import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Rng } from '../../src/engine/random.js';
import {
  LogisticProbe, RbfSvm, accuracy, auprc, averagePrecision, evaluateFeatures, fitSvmProtocol, gammaScale, normaliseArchivePair, stratifiedFolds,
} from '../../src/tasks/classification/index.js';
import { fromArrays } from '../../src/data/dataset.js';
import { setUpBackend } from '../helpers.js';

before(setUpBackend);

/** k Gaussian blobs in d dims, well separated. */
function blobs(nPer: number, k: number, d: number, seed: number) {
  const rng = new Rng(seed);
  const data = new Float64Array(nPer * k * d), y = new Int32Array(nPer * k);
  for (let i = 0; i < nPer * k; i++) {
    const c = i % k;
    y[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = (j === c % d ? 4 * (1 + Math.floor(c / d)) : 0) + 0.5 * rng.normal();
  }
  return { x: { data, n: nPer * k, d }, y };
}

describe('metrics', () => {
  it('average precision matches a hand-computed value (sklearn definition, ties grouped)', () => {
    // scores desc: 0.9(1) 0.8(0) 0.7(1) 0.6(0) 0.5(1): thresholds give (R,P) = (1/3,1) (1/3,1/2) (2/3,2/3) (2/3,1/2) (1,3/5)
    // AP = 1/3·1 + 1/3·2/3 + 1/3·3/5
    const ap = averagePrecision([1, 0, 1, 0, 1], [0.9, 0.8, 0.7, 0.6, 0.5]);
    assert.ok(Math.abs(ap - (1 / 3 + 2 / 9 + 1 / 5)) < 1e-12);
    // tie: scores [0.5, 0.5] labels [1, 0]: one threshold, R=1, P=1/2
    assert.equal(averagePrecision([1, 0], [0.5, 0.5]), 0.5);
  });

  it('auprc: binary uses class 1 only; multiclass is the macro mean', () => {
    assert.equal(auprc([0, 1, 1], [-1, 2, 3], 2), 1);
    const labels = [0, 1, 2, 2];
    const scores = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]; // last one misranked for class 2
    const ap2 = averagePrecision([0, 0, 1, 1], [0, 0, 1, 0]);
    const ap0 = averagePrecision([1, 0, 0, 0], [1, 0, 0, 1]);
    assert.ok(Math.abs(auprc(labels, scores, 3) - (ap0 + 1 + ap2) / 3) < 1e-12);
    assert.equal(accuracy([0, 1, 2], [0, 1, 1]), 2 / 3);
  });
});

describe('SVM protocol', () => {
  it('C=inf RBF SVM separates a tiny separable problem; scores follow the predictions', () => {
    const x = { data: Float64Array.from([0, 0, 0.2, 0.1, 0.1, 0.3, 3, 3, 3.2, 2.9, 2.8, 3.1]), n: 6, d: 2 };
    const y = Int32Array.from([0, 0, 0, 1, 1, 1]);
    const svm = new RbfSvm(Infinity);
    svm.fit(x, y, 2);
    assert.deepEqual(Array.from(svm.predict(x)), [0, 0, 0, 1, 1, 1]);
    const s = svm.scores(x);
    for (let i = 0; i < 6; i++) assert.equal(s[i]! > 0, y[i] === 1, `score ${s[i]} of sample ${i}`);
    assert.ok(Math.abs(gammaScale(x) - 1 / (2 * 2.2)) < 0.05);
    svm.dispose();
  });

  it('multiclass: ovr scores argmax equals the libsvm prediction; grid search runs on ≥ 50 samples', () => {
    const { x, y } = blobs(20, 3, 4, 1);
    const { clf, cv } = fitSvmProtocol(x, y, 3);
    assert.equal(cv?.length, 10);
    const pred = clf.predict(x), s = clf.scores(x);
    for (let i = 0; i < x.n; i++) {
      let best = 0;
      for (let k = 1; k < 3; k++) if (s[i * 3 + k]! > s[i * 3 + best]!) best = k;
      assert.equal(best, pred[i]);
    }
    assert.ok(accuracy(pred, y) > 0.95);
    clf.dispose();
  });

  it('stratified folds follow scikit-learn (StratifiedKFold without shuffle)', () => {
    // y = [0]*6 + [1]*4, 2 folds: class 0 → folds 0,0,0,1,1,1; class 1 → 0,0,1,1
    assert.deepEqual(Array.from(stratifiedFolds([0, 0, 0, 0, 0, 0, 1, 1, 1, 1], 2)), [0, 0, 0, 1, 1, 1, 0, 0, 1, 1]);
  });

  it('logistic probe and evaluateFeatures on blobs', async () => {
    const a = blobs(15, 3, 5, 2), b = blobs(10, 3, 5, 3);
    const lr = new LogisticProbe({ steps: 100 });
    await lr.fit(a.x, a.y, 3);
    assert.ok(accuracy(await lr.predict(b.x), b.y) > 0.9);
    lr.dispose();
    const r = await evaluateFeatures(a.x, a.y, b.x, b.y, 3, 'svm');
    assert.ok(r.accuracy > 0.9 && r.auprc > 0.9);
  });

  it('archive normalisation: UCR as stored unless listed, UEA per channel', () => {
    const tr = fromArrays([[1, 2, 3], [4, 5, 6]], { labels: Int32Array.from([0, 1]), classNames: ['a', 'b'] });
    assert.equal(normaliseArchivePair(tr, tr, 'GunPoint').mode, 'none');
    const g = normaliseArchivePair(tr, tr, 'Chinatown');
    assert.equal(g.mode, 'global');
    assert.ok(Math.abs(g.train.values.reduce((s, v) => s + v, 0)) < 1e-5);
    const mv = fromArrays([[[1, 10], [2, 20]], [[3, 30], [4, 40]]], { labels: Int32Array.from([0, 1]), classNames: ['a', 'b'] });
    assert.equal(normaliseArchivePair(mv, mv, 'BasicMotions').mode, 'channel');
  });
});
