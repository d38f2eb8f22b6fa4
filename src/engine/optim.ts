/**
 * Adam / AdamW written on tfjs-core ops (tfjs has no AdamW), with state that can be saved
 * and restored exactly, for checkpoints and `--resume`.
 */
import { TsreprError } from '../errors.js';
import { addMany } from './ops.js';
import { tf, type Tensor, type Variable } from './tf.js';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** decoupled weight decay (AdamW); 0 gives plain Adam */
  weightDecay?: number;
  /** clip the global gradient norm to this value (off when undefined) */
  clipNorm?: number;
}

export class Adam {
  step = 0;
  private readonly m = new Map<string, Variable>();
  private readonly v = new Map<string, Variable>();
  readonly opts: Required<Omit<AdamOptions, 'clipNorm'>> & { clipNorm?: number };

  constructor(private readonly params: Map<string, Variable>, opts: AdamOptions) {
    this.opts = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, ...opts };
    for (const [name, p] of params) {
      if (!p.trainable) continue;
      // tf.variable copies its initial value: build the zeros inside tidy so they are freed.
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /** Applies one update from gradients keyed like the parameters (missing grads are skipped). */
  apply(grads: Record<string, Tensor>): void {
    this.step++;
    const { lr, beta1, beta2, eps, weightDecay, clipNorm } = this.opts;
    const bc1 = 1 - beta1 ** this.step, bc2 = 1 - beta2 ** this.step;
    tf.tidy(() => {
      let scale: Tensor | undefined;
      if (clipNorm !== undefined) {
        const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)));
        const norm = tf.sqrt(addMany(sq));
        scale = tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6)));
      }
      for (const [name, p] of this.params) {
        let g = grads[name];
        if (!g || !p.trainable) continue;
        if (scale) g = tf.mul(g, scale);
        const m = this.m.get(name)!, v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
        let next = tf.sub(p, tf.mul(update, lr));
        if (weightDecay) next = tf.sub(next, tf.mul(p, lr * weightDecay));
        p.assign(next);
      }
    });
  }

  /** Optimizer state as named tensors (copies) plus the step count. */
  getState(): { step: number; tensors: Map<string, Tensor> } {
    const tensors = new Map<string, Tensor>();
    for (const [k, t] of this.m) tensors.set(`m/${k}`, tf.clone(t));
    for (const [k, t] of this.v) tensors.set(`v/${k}`, tf.clone(t));
    return { step: this.step, tensors };
  }

  setState(state: { step: number; tensors: Map<string, Tensor> }): void {
    this.step = state.step;
    for (const [k, t] of this.m) { const s = state.tensors.get(`m/${k}`); if (s) t.assign(s); }
    for (const [k, t] of this.v) { const s = state.tensors.get(`v/${k}`); if (s) t.assign(s); }
  }

  dispose(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
  }
}

export type OnNonFinite = 'error' | 'skip';

export interface StepResult {
  /** loss value (read back only when `readLoss` is true) */
  loss?: number;
  /** true if the step was skipped because of a non-finite loss or gradient */
  skipped: boolean;
}

/**
 * Reads the loss and the squared gradient norm `gnorm` back (asynchronously; `gnorm` is
 * disposed) and applies the non-finite policy: a non-finite value raises DIVERGED naming the
 * step, or with `onNonFinite: 'skip'` returns `skip: true`.
 */
export async function readFiniteLoss(
  value: Tensor, gnorm: Tensor, opts: { onNonFinite?: OnNonFinite; stepLabel?: number }, step: number,
): Promise<{ loss: number; skip: boolean }> {
  const [lv, gv] = [(await value.data())[0]!, (await gnorm.data())[0]!];
  gnorm.dispose();
  if (Number.isFinite(lv) && Number.isFinite(gv)) return { loss: lv, skip: false };
  if (opts.onNonFinite === 'skip') return { loss: lv, skip: true };
  const what = !Number.isFinite(lv) ? `loss is ${lv}` : `gradient norm is ${gv}`;
  throw new TsreprError(
    'DIVERGED',
    `training diverged at step ${opts.stepLabel ?? step}: ${what}. Likely causes: learning rate too high, or unnormalised input (z-normalise the data); use --on-nan skip to skip such batches`,
  );
}

/** `tf.variableGrads`' gradients (keyed by variable name) keyed by parameter name instead. */
export function gradsByName(trainable: [string, Variable][], grads: Record<string, Tensor>): Record<string, Tensor> {
  const varToName = new Map(trainable.map(([n, v]) => [v.name, n]));
  const byName: Record<string, Tensor> = {};
  for (const [vname, g] of Object.entries(grads)) byName[varToName.get(vname) ?? vname] = g;
  return byName;
}

/**
 * One optimisation step: computes the loss and gradients of `lossFn` w.r.t. the
 * optimiser's parameters and applies the update. When `readLoss` (default true) it first
 * reads the loss and the gradient norm back (asynchronously: WebGPU in Node has no
 * synchronous read-back) and checks they are finite: a non-finite value raises a DIVERGED
 * error naming the step, or with `onNonFinite: 'skip'` skips the update. `readLoss: false`
 * avoids the device→CPU sync entirely (use it on GPUs for most steps).
 */
export async function optimizerStep(
  opt: Adam,
  params: Map<string, Variable>,
  lossFn: () => tf.Scalar,
  opts: { onNonFinite?: OnNonFinite; readLoss?: boolean; stepLabel?: number } = {},
): Promise<StepResult> {
  const readLoss = opts.readLoss ?? true;
  const trainable = [...params.entries()].filter(([, v]) => v.trainable);
  const { value, grads } = tf.variableGrads(lossFn, trainable.map(([, v]) => v));
  try {
    let loss: number | undefined;
    if (readLoss) {
      const gnorm = tf.tidy(() => addMany(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
      const r = await readFiniteLoss(value, gnorm, opts, opt.step + 1);
      loss = r.loss;
      if (r.skip) return { loss, skipped: true };
    }
    const byName = gradsByName(trainable, grads);
    opt.apply(byName);
    return { loss, skipped: false };
  } finally {
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
  }
}
