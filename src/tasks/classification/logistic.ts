/**
 * Multinomial logistic-regression probe on tfjs: features standardised with the training
 * statistics, softmax cross-entropy plus an L2 penalty `‖W‖² / (2·C·N)` (scikit-learn's
 * `LogisticRegression(C)` objective divided by N), full-batch Adam.
 */
import { Adam } from '../../engine/optim.js';
import { tf, type Tensor2D, type Variable } from '../../engine/tf.js';
import { checkNumber, TsreprError } from '../../errors.js';
import type { Classifier, Features } from './classifier.js';
import { matMul2d } from '../../engine/ops.js';

export interface LogisticOptions {
  /** inverse L2 strength, as scikit-learn (default 1) */
  C?: number;
  /** Adam steps (default 500) and learning rate (default 0.05) */
  steps?: number;
  lr?: number;
}

export class LogisticProbe implements Classifier {
  private w?: Variable;
  private b?: Variable;
  private mean?: Float64Array;
  private std?: Float64Array;
  private nClasses = 0;
  readonly opts: Required<LogisticOptions>;

  constructor(opts: LogisticOptions = {}) {
    this.opts = { C: 1, steps: 500, lr: 0.05, ...opts };
    checkNumber('C', this.opts.C, { min: 0, exclusiveMin: true });
    checkNumber('steps', this.opts.steps, { min: 1, integer: true });
    checkNumber('lr', this.opts.lr, { min: 0, exclusiveMin: true });
  }

  private standardise(x: Features): Float32Array {
    const out = new Float32Array(x.n * x.d);
    for (let i = 0; i < x.n; i++) for (let j = 0; j < x.d; j++) out[i * x.d + j] = (x.data[i * x.d + j]! - this.mean![j]!) / this.std![j]!;
    return out;
  }

  async fit(x: Features, y: Int32Array, nClasses: number): Promise<void> {
    this.dispose();
    this.nClasses = nClasses;
    this.mean = new Float64Array(x.d); this.std = new Float64Array(x.d);
    for (let j = 0; j < x.d; j++) {
      let s = 0, s2 = 0;
      for (let i = 0; i < x.n; i++) { const v = x.data[i * x.d + j]!; s += v; s2 += v * v; }
      const m = s / x.n;
      this.mean[j] = m;
      const sd = Math.sqrt(Math.max(s2 / x.n - m * m, 0));
      this.std[j] = sd > 1e-12 ? sd : 1;
    }
    const xs = tf.tensor2d(this.standardise(x), [x.n, x.d]);
    const yOne = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), nClasses), 'float32'));
    // tidy: the initial zeros tensors would otherwise stay alive (2 leaked tensors per fit)
    this.w = tf.tidy(() => tf.variable(tf.zeros([x.d, nClasses])));
    this.b = tf.tidy(() => tf.variable(tf.zeros([nClasses])));
    const params = new Map<string, Variable>([['w', this.w], ['b', this.b]]);
    const adam = new Adam(params, { lr: this.opts.lr });
    const l2 = 1 / (2 * this.opts.C * x.n);
    try {
      for (let s = 0; s < this.opts.steps; s++) {
        const { grads, value } = tf.variableGrads(() => tf.tidy(() => {
          const logits = tf.add(matMul2d(xs, this.w as unknown as Tensor2D), this.b!);
          const ce = tf.losses.softmaxCrossEntropy(yOne, logits);
          return tf.add(ce, tf.mul(tf.sum(tf.square(this.w!)), l2)) as tf.Scalar;
        }), [this.w, this.b]);
        adam.apply({ w: grads[this.w.name]!, b: grads[this.b.name]! });
        value.dispose();
        for (const g of Object.values(grads)) g.dispose();
      }
    } finally {
      adam.dispose();
      xs.dispose();
      yOne.dispose();
    }
  }

  /** Class probabilities `[n, K]` (read back asynchronously: WebGPU in Node has no sync read-back). */
  async scores(x: Features): Promise<Float64Array> {
    if (!this.w) throw new TsreprError('NOT_FITTED', 'logistic probe is not fitted');
    const p = tf.tidy(() => tf.softmax(tf.add(matMul2d(tf.tensor2d(this.standardise(x), [x.n, x.d]), this.w as unknown as Tensor2D), this.b!)));
    const out = Float64Array.from(await p.data());
    p.dispose();
    return out;
  }

  async predict(x: Features): Promise<Int32Array> {
    const s = await this.scores(x), K = this.nClasses;
    const out = new Int32Array(x.n);
    for (let i = 0; i < x.n; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (s[i * K + k]! > s[i * K + best]!) best = k;
      out[i] = best;
    }
    return out;
  }

  describe(): Record<string, unknown> {
    return { classifier: 'logistic', ...this.opts };
  }

  dispose(): void {
    this.w?.dispose(); this.b?.dispose();
    this.w = undefined; this.b = undefined;
  }
}
