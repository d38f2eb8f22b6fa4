/**
 * AdamW over one concatenated parameter vector, for TS2Vec's training step.
 *
 * The engine's `Adam` updates every parameter tensor on its own: about 16 kernels per
 * tensor (768 for TS2Vec's 48 tensors), and each of its 9 scalar operands is turned into a
 * fresh scalar tensor on every call. This one concatenates the gradients and the parameters
 * into flat vectors, runs the same element-wise update once on them (the same ops in the same
 * order with the same float32 scalars, so each element gets exactly the value `Adam` would
 * give it), and splits the result back. Its state (`m/<name>`, `v/<name>`, the step count)
 * has the same names and shapes as `Adam`'s, so checkpoints are interchangeable.
 */
import { Adam, gradsByName, readFiniteLoss, type AdamOptions, type OnNonFinite, type StepResult } from '../engine/optim.js';
import { addMany, installFastWasmSlice } from '../engine/ops.js';
import { wasmAdamW } from '../engine/wasm-ops.js';
import { tf, type Tensor, type Variable } from '../engine/tf.js';
import { TsreprError } from '../errors.js';

interface Slot { name: string; p: Variable; size: number; shape: number[] }

export class FlatAdamW extends Adam {
  private readonly slots: Slot[];
  private readonly fm: Variable;
  private readonly fv: Variable;
  /** the constant scalar operands, made once */
  private readonly k: Record<'b1' | 'ob1' | 'b2' | 'ob2' | 'eps' | 'lr' | 'lrwd', tf.Scalar>;

  constructor(params: Map<string, Variable>, opts: AdamOptions) {
    super(new Map(), opts); // no per-tensor state in the base class
    this.slots = [...params].filter(([, p]) => p.trainable).map(([name, p]) => ({ name, p, size: p.size, shape: p.shape }));
    const total = this.slots.reduce((s, x) => s + x.size, 0);
    this.fm = tf.tidy(() => tf.variable(tf.zeros([total]), false));
    this.fv = tf.tidy(() => tf.variable(tf.zeros([total]), false));
    const { beta1, beta2, eps, lr, weightDecay } = this.opts;
    this.k = {
      b1: tf.scalar(beta1), ob1: tf.scalar(1 - beta1), b2: tf.scalar(beta2), ob2: tf.scalar(1 - beta2),
      eps: tf.scalar(eps), lr: tf.scalar(lr), lrwd: tf.scalar(lr * weightDecay),
    };
  }

  /** The gradients as one flat vector in parameter order (every trainable parameter needs one). */
  flatten(grads: Record<string, Tensor>): Tensor {
    return tf.tidy(() => tf.concat(this.slots.map(({ name }) => {
      const g = grads[name];
      if (!g) throw new TsreprError('BAD_INPUT', `FlatAdamW: no gradient for '${name}'`);
      return tf.reshape(g, [-1]);
    })));
  }

  override apply(grads: Record<string, Tensor>): void {
    const g = this.flatten(grads);
    try {
      this.applyFlat(g, grads);
    } finally {
      g.dispose();
    }
  }

  /** One update from the flat gradient `g` (`grads`, by name, is only read for clipNorm). */
  applyFlat(g: Tensor, grads?: Record<string, Tensor>): void {
    this.step++;
    const { beta1, beta2, weightDecay, clipNorm } = this.opts;
    const bc1 = 1 - beta1 ** this.step, bc2 = 1 - beta2 ** this.step;
    const k = this.k;
    tf.tidy(() => {
      let gg = g;
      if (clipNorm !== undefined) {
        // the norm as Adam forms it: per-tensor sums of squares, then their sum
        const parts = grads ? this.slots.map(({ name }) => tf.sum(tf.square(grads[name]!))) : [tf.sum(tf.square(g))];
        const norm = tf.sqrt(addMany(parts));
        gg = tf.mul(g, tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6))));
      }
      const p = tf.concat(this.slots.map(({ p: pv }) => tf.reshape(pv, [-1])));
      const { beta1: b1, beta2: b2, eps, lr } = this.opts;
      // on wasm one SIMD pass with the same float32 operations as the kernels below
      const fused = wasmAdamW(this.fm, this.fv, gg, p, { b1, ob1: 1 - b1, b2, ob2: 1 - b2, bc1, bc2, eps, lr, lrwd: lr * weightDecay }, weightDecay !== 0);
      let next: Tensor;
      if (fused) {
        this.fm.assign(fused[0]);
        this.fv.assign(fused[1]);
        next = fused[2];
      } else {
        const m = tf.add(tf.mul(this.fm, k.b1), tf.mul(gg, k.ob1));
        const v = tf.add(tf.mul(this.fv, k.b2), tf.mul(tf.square(gg), k.ob2));
        this.fm.assign(m);
        this.fv.assign(v);
        const update = tf.div(tf.div(m, tf.scalar(bc1)), tf.add(tf.sqrt(tf.div(v, tf.scalar(bc2))), k.eps));
        next = tf.sub(p, tf.mul(update, k.lr));
        if (weightDecay) next = tf.sub(next, tf.mul(p, k.lrwd));
      }
      const pieces = this.pieces(next);
      this.slots.forEach((s, i) => s.p.assign(tf.reshape(pieces[i]!, s.shape)));
    });
  }

  /**
   * The per-parameter pieces of a flat vector. (Slices, not `tf.split`: wasm's SplitV runs
   * the stock Slice, which copies the whole input for every piece; ops.ts's fast Slice does not.)
   */
  private pieces(flat: Tensor): Tensor[] {
    installFastWasmSlice();
    let off = 0;
    return this.slots.map((s) => { const t = tf.slice(flat, [off], [s.size]); off += s.size; return t; });
  }

  override getState(): { step: number; tensors: Map<string, Tensor> } {
    const tensors = new Map<string, Tensor>();
    tf.tidy(() => {
      const ms = this.pieces(this.fm), vs = this.pieces(this.fv);
      this.slots.forEach((s, i) => {
        tensors.set(`m/${s.name}`, tf.keep(tf.reshape(ms[i]!, s.shape)));
        tensors.set(`v/${s.name}`, tf.keep(tf.reshape(vs[i]!, s.shape)));
      });
    });
    return { step: this.step, tensors };
  }

  override setState(state: { step: number; tensors: Map<string, Tensor> }): void {
    this.step = state.step;
    tf.tidy(() => {
      for (const [which, flat] of [['m', this.fm], ['v', this.fv]] as const) {
        const cur = this.pieces(flat);
        flat.assign(tf.concat(this.slots.map((s, i) => {
          const t = state.tensors.get(`${which}/${s.name}`);
          if (t && t.size !== cur[i]!.size) {
            throw new TsreprError('BAD_MODEL', `optimizer state '${which}/${s.name}' has shape [${t.shape.join(', ')}], the parameter has [${s.shape.join(', ')}]`);
          }
          return tf.reshape(t ?? cur[i]!, [-1]);
        })));
      }
    });
  }

  override dispose(): void {
    super.dispose();
    this.fm.dispose();
    this.fv.dispose();
    for (const t of Object.values(this.k)) t.dispose();
  }
}

/**
 * `optimizerStep` (engine/optim.ts) for a `FlatAdamW`: the same loss and non-finite checks
 * and the same update, but the gradients are flattened once, and the gradient norm of the
 * finiteness check is one sum over the flat vector (it only decides finite or not).
 */
export async function flatOptimizerStep(
  opt: FlatAdamW,
  params: Map<string, Variable>,
  lossFn: () => tf.Scalar,
  opts: { onNonFinite?: OnNonFinite; readLoss?: boolean; stepLabel?: number } = {},
): Promise<StepResult> {
  const readLoss = opts.readLoss ?? true;
  const trainable = [...params.entries()].filter(([, v]) => v.trainable);
  const { value, grads } = tf.variableGrads(lossFn, trainable.map(([, v]) => v));
  const byName = gradsByName(trainable, grads);
  let flat: Tensor | undefined;
  try {
    flat = opt.flatten(byName);
    let loss: number | undefined;
    if (readLoss) {
      const r = await readFiniteLoss(value, tf.tidy(() => tf.sum(tf.square(flat!))), opts, opt.step + 1);
      loss = r.loss;
      if (r.skip) return { loss, skipped: true };
    }
    opt.applyFlat(flat, byName);
    return { loss, skipped: false };
  } finally {
    value.dispose();
    flat?.dispose();
    for (const g of Object.values(grads)) g.dispose();
  }
}
