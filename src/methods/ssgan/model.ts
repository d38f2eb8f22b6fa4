/**
 * SSGAN: generative semi-supervised imputation (Miao et al., AAAI 2021).
 *
 * Per iteration (alternating, each player with its own Adam):
 *   G: minimise  advWeight · L_adv + alpha · MAE (or MSE) on observed + classWeight · CE(C(x̂), y_labelled)
 *   D: minimise  BCE(D(x̂, hint), mask) on the entries the hint does not reveal
 *   C: minimise  CE(C(x̂), y) on the labelled series (a `labelRate` fraction of them)
 * with x̂ = m·x + (1−m)·G(x̃, m), x̃ = observed values with N(0, noiseStd) noise where missing,
 * and the hint = temporal reminder matrix (true mask on a `hintRate` fraction of entries,
 * 0.5 elsewhere). Data are z-normalised per channel with masked train statistics; long
 * series are cut into windows of `window` steps.
 */
import type { TimeSeriesDataset } from '../../data/dataset.js';
import { fitScaler, type ScalerStats } from '../../data/transforms.js';
import { Adam, optimizerStep } from '../../engine/optim.js';
import { Rng } from '../../engine/random.js';
import { tf, type Tensor, type Tensor2D, type Tensor3D } from '../../engine/tf.js';
import { saveModelDir } from '../../engine/weights.js';
import { TsreprError, checkNumber } from '../../errors.js';
import type { EncodeOptions, FitOptions, FitResult, LoadedArtifacts, Representation, RepresentationModel } from '../model.js';
import { cloneParams, runTraining } from '../training.js';
import { temporalContext } from './context.js';
import { temporalReminderMatrix } from './hint.js';
import { SsganNetworks } from './networks.js';

export interface SsganOptions {
  /** window length in steps that the networks see (default 48) */
  window: number;
  /** generator GRU hidden size per direction (default 32) */
  hiddenSize: number;
  /** discriminator GRU hidden size per direction (default 16) */
  discHiddenSize: number;
  /** classifier GRU hidden size (default 16) */
  clsHiddenSize: number;
  /**
   * training iterations (default 300). The defaults are the budget of the imputation benchmark
   * (experiments/imputation.ts): 600 iterations gave the same MAE on Beijing (0.113), and hidden
   * size 64 a worse one on PhysioNet-400 (0.348 vs 0.337, measured with MSE, adversarial weight 1
   * and no input bound; experiments/results/imputation/ablation.md)
   */
  iterations: number;
  /** windows per iteration (default 32) */
  batchSize: number;
  /** Adam learning rate of all three players (default 0.005) */
  lr: number;
  /** weight of the reconstruction loss on observed entries (α, default 10) */
  alpha: number;
  /**
   * reconstruction loss on observed (and held-out) entries: 'mae' (default; BRITS' L1, the
   * generator of SSGAN's released code) or 'mse'. 300 iterations, 10 % hidden, MAE of the
   * imputations: PhysioNet 2012 (400 records) 0.288 with 'mae' vs 0.327 with 'mse'; Beijing
   * (12 stations, 1461 windows) 0.113 vs 0.118 (experiments/results/imputation/ablation.md).
   */
  reconLoss: 'mae' | 'mse';
  /**
   * weight of the adversarial term in the generator loss (default 0.1, against alpha 10). In
   * SSGAN's released code the adversarial term sits beside a BRITS loss summed over time
   * steps, i.e. it is small relative to reconstruction; at weight 1 here it cost accuracy
   * (PhysioNet 2012, 400 records, 10 % hidden, 300 iterations: MAE 0.366 at 1, 0.288 at 0.1;
   * experiments/results/imputation/ablation.md)
   */
  advWeight: number;
  /** weight of the classifier term in the generator loss (default 1; 0 or no labels: plain GAN) */
  classWeight: number;
  /** probability that the hint reveals an entry's true mask (default 0.9) */
  hintRate: number;
  /** std of the noise put in missing entries of the generator's input (normalised units) */
  noiseStd: number;
  /**
   * bound (in standard deviations) on the normalised values that the generator's learned
   * branches see (default 5; 0 = none), a safeguard against data-entry outliers (on PhysioNet
   * 2012, 4000 records, it changed MAE by 0.001); the interpolation its estimate is a residual
   * on is not bounded, so imputations may still go beyond it
   */
  inputClip: number;
  /** fraction of labelled series the classifier may use (default 1) */
  labelRate: number;
  /** discriminator updates per iteration (default 1) */
  dSteps: number;
  /**
   * masked-imputation holdout (an extension, not in the SSGAN paper; SAITS' "MIT"): each
   * iteration hides this fraction of the observed entries from the generator, treats them as
   * missing everywhere (context, hint, discriminator) and adds their reconstruction MSE to the
   * loss, so that training sees gaps like the ones it will fill. 0 = the paper's loss.
   */
  holdout: number;
  /**
   * fraction of the observed entries withheld from training as a validation set (default
   * 0.05; 0 = none, and then the last weights are kept). Every `evalEvery` iterations (and
   * before the first) the generator imputes them; the generator weights with the lowest
   * validation MAE are kept, and with `patience` > 0 training stops after that many
   * evaluations without improvement. Since an untrained generator imputes the linear interpolation, the kept
   * model is never worse than that on the validation entries. Skipped when it would hold
   * fewer than 20 entries.
   */
  validation: number;
  /** iterations between validation evaluations (default 25) */
  evalEvery: number;
  /**
   * evaluations without improvement before training stops (default 0: run every iteration and
   * keep the best; on Beijing the first 100 iterations gained less than minDelta and a
   * patience of 4 stopped at the interpolation, MAE 0.120 instead of 0.113)
   */
  patience: number;
  /**
   * relative decrease of the validation MAE that counts as an improvement (default 0.01): on
   * small data a few hundred validation entries are noisy, and the untrained generator (the
   * linear interpolation) should only be left for a clearly better one
   */
  minDelta: number;
  seed: number;
}

export const SSGAN_DEFAULTS: SsganOptions = {
  window: 48, hiddenSize: 32, discHiddenSize: 16, clsHiddenSize: 16, iterations: 300, batchSize: 32, lr: 0.005,
  alpha: 10, reconLoss: 'mae', advWeight: 0.1, classWeight: 1, hintRate: 0.9, noiseStd: 0.1, inputClip: 5, labelRate: 1, dSteps: 1, holdout: 0, validation: 0.05, evalEvery: 25, patience: 0, minDelta: 0.01, seed: 0,
};

/** Validates user options (unknown keys are errors) and fills defaults. */
export function ssganOptions(user: Record<string, unknown> = {}): SsganOptions {
  // `iters` is what every other method (and the CLI's --iters) calls the iteration count.
  if ('iters' in user) {
    if ('iterations' in user) throw new TsreprError('BAD_OPTION', "give SSGAN either 'iters' or 'iterations', not both");
    const { iters, ...rest } = user;
    user = { ...rest, iterations: iters };
  }
  for (const k of Object.keys(user)) {
    if (!(k in SSGAN_DEFAULTS)) throw new TsreprError('BAD_OPTION', `unknown SSGAN option '${k}'; known: ${Object.keys(SSGAN_DEFAULTS).join(', ')}`);
  }
  const o = { ...SSGAN_DEFAULTS, ...user } as SsganOptions;
  checkNumber('window', o.window, { min: 2, max: 100000, integer: true });
  checkNumber('hiddenSize', o.hiddenSize, { min: 1, max: 4096, integer: true });
  checkNumber('discHiddenSize', o.discHiddenSize, { min: 1, max: 4096, integer: true });
  checkNumber('clsHiddenSize', o.clsHiddenSize, { min: 1, max: 4096, integer: true });
  checkNumber('iterations', o.iterations, { min: 0, integer: true });
  checkNumber('batchSize', o.batchSize, { min: 1, integer: true });
  checkNumber('lr', o.lr, { min: 0, exclusiveMin: true });
  checkNumber('alpha', o.alpha, { min: 0 });
  if (o.reconLoss !== 'mae' && o.reconLoss !== 'mse') throw new TsreprError('BAD_OPTION', `SSGAN reconLoss must be 'mae' or 'mse', got ${JSON.stringify(o.reconLoss)}`);
  checkNumber('advWeight', o.advWeight, { min: 0 });
  checkNumber('classWeight', o.classWeight, { min: 0 });
  checkNumber('hintRate', o.hintRate, { min: 0, max: 1 });
  checkNumber('noiseStd', o.noiseStd, { min: 0 });
  checkNumber('inputClip', o.inputClip, { min: 0 });
  checkNumber('labelRate', o.labelRate, { min: 0, max: 1 });
  checkNumber('dSteps', o.dSteps, { min: 0, integer: true });
  checkNumber('holdout', o.holdout, { min: 0, max: 0.9 });
  checkNumber('validation', o.validation, { min: 0, max: 0.5 });
  checkNumber('evalEvery', o.evalEvery, { min: 1, integer: true });
  checkNumber('patience', o.patience, { min: 0, integer: true });
  checkNumber('minDelta', o.minDelta, { min: 0, max: 1 });
  checkNumber('seed', o.seed, { min: 0, integer: true });
  return o;
}

interface SsganState {
  channels: number;
  channelNames: string[];
  numClasses: number;
  mean: number[];
  std: number[];
}

/** A window of a series: series index, start step, number of real (unpadded) steps. */
interface Win { s: number; start: number; len: number }

/** Cuts every series into windows of `w` steps with the given stride; the last one ends at the series end. */
function windowsOf(ds: TimeSeriesDataset, w: number, stride: number): Win[] {
  const out: Win[] = [];
  for (let s = 0; s < ds.n; s++) {
    const L = ds.lengths[s]!;
    if (L <= 0) continue;
    if (L <= w) { out.push({ s, start: 0, len: L }); continue; }
    let start = 0;
    for (; start + w < L; start += stride) out.push({ s, start, len: w });
    out.push({ s, start: L - w, len: w });
  }
  return out;
}

export class SsganModel implements RepresentationModel {
  readonly method = 'ssgan';
  readonly opts: SsganOptions;
  private nets?: SsganNetworks;
  private state?: SsganState;

  constructor(readonly inputDims: number, options: Record<string, unknown> = {}) {
    checkNumber('inputDims', inputDims, { min: 1, integer: true });
    this.opts = ssganOptions(options);
  }

  get reprDims(): number { return 2 * this.opts.hiddenSize; }
  get fitted(): boolean { return this.nets !== undefined; }
  get channelNames(): string[] | undefined { return this.state?.channelNames; }

  getConfig(): object { return { ...this.opts, inputDims: this.inputDims, ...(this.state ?? {}) }; }

  private scaler(): ScalerStats {
    const st = this.state!;
    return { mode: 'channel', channels: st.channels, mean: Float64Array.from(st.mean), std: Float64Array.from(st.std) };
  }

  /** Normalised values with 0 at missing entries, as a flat `[N, T, C]` array. */
  private normalise(ds: TimeSeriesDataset): Float32Array {
    const C = ds.channels, { mean, std } = this.state!;
    const out = new Float32Array(ds.values.length);
    for (let i = 0; i < out.length; i++) out[i] = ds.mask[i] ? (ds.values[i]! - mean[i % C]!) / std[i % C]! : 0;
    return out;
  }

  private checkData(ds: TimeSeriesDataset): void {
    if (ds.channels !== this.inputDims) {
      throw new TsreprError('BAD_INPUT', `SSGAN model has ${this.inputDims} channels, data has ${ds.channels}`);
    }
  }

  /** Trains generator, discriminator and (with labels) classifier on `ds`. */
  async fit(ds: TimeSeriesDataset, fitOpts: FitOptions = {}): Promise<FitResult> {
    this.checkData(ds);
    const o = this.opts, C = ds.channels, W = o.window;
    const rng = new Rng(o.seed);
    const stats = fitScaler(ds);
    const labels = ds.labels instanceof Int32Array && o.classWeight >= 0 ? ds.labels : undefined;
    const numClasses = labels && o.labelRate > 0 ? Math.max(ds.classNames?.length ?? 0, ...Array.from(labels, (y) => y + 1)) : 0;
    this.state = { channels: C, channelNames: ds.channelNames.slice(), numClasses, mean: Array.from(stats.mean), std: Array.from(stats.std) };
    this.nets?.dispose();
    const nets = (this.nets = new SsganNetworks(C, { ...o, numClasses }, rng.fork()));
    // Labelled subset: a seeded `labelRate` fraction of the series.
    const labelled = new Uint8Array(ds.n);
    if (numClasses > 1) {
      const perm = rng.permutation(ds.n);
      const k = Math.round(o.labelRate * ds.n);
      for (let i = 0; i < k; i++) labelled[perm[i]!] = 1;
    }
    const x = this.normalise(ds);
    // Validation entries: a seeded fraction of the observed entries, never shown to the players.
    let trainMask: Uint8Array = ds.mask;
    let valIdx: Int32Array | undefined;
    if (o.validation > 0) {
      const obs: number[] = [];
      for (let i = 0; i < ds.mask.length; i++) if (ds.mask[i]) obs.push(i);
      const k = Math.floor(o.validation * obs.length);
      if (k >= 20) {
        for (let j = 0; j < k; j++) { const r = j + rng.int(0, obs.length - j); const tmp = obs[j]!; obs[j] = obs[r]!; obs[r] = tmp; }
        valIdx = Int32Array.from(obs.slice(0, k)).sort();
        trainMask = Uint8Array.from(ds.mask);
        for (const i of valIdx) trainMask[i] = 0;
      }
    }
    const wins = windowsOf(ds, Math.min(W, ds.length), Math.max(1, Math.floor(W / 2)));
    if (wins.length === 0) throw new TsreprError('EMPTY_INPUT', 'SSGAN: no non-empty series to train on');
    const T = Math.min(W, ds.length), L = ds.length, B = Math.min(o.batchSize, Math.max(wins.length, 1));
    const gParams = nets.generator.namedParameters();
    const dParams = nets.discriminator.namedParameters();
    const cParams = nets.classifier?.namedParameters();
    // Built inside a tidy: Adam's constructor leaves its zerosLike initialisers undisposed.
    let optG!: Adam, optD!: Adam, optC: Adam | undefined;
    tf.tidy(() => {
      optG = new Adam(gParams, { lr: o.lr });
      optD = new Adam(dParams, { lr: o.lr });
      optC = cParams ? new Adam(cParams, { lr: o.lr }) : undefined;
    });
    const optimizers: Record<string, Adam> = { generator: optG, discriminator: optD, ...(optC ? { classifier: optC } : {}) };
    const size = B * T * C;
    const stepFn = async (i: number, readLoss: boolean): Promise<number | undefined | null> => {
      const xb = new Float32Array(size), mb = new Float32Array(size), vb = new Float32Array(size), xin = new Float32Array(size);
      const yb = new Float32Array(B * Math.max(numClasses, 1)), lw = new Float32Array(B);
      for (let b = 0; b < B; b++) {
        const w = wins[rng.int(0, wins.length)]!;
        for (let t = 0; t < w.len; t++) {
          const src = ((w.s * L) + w.start + t) * C, dst = (b * T + t) * C;
          for (let c = 0; c < C; c++) {
            const obs = trainMask[src + c]!;
            xb[dst + c] = obs ? x[src + c]! : 0;
            mb[dst + c] = obs;
            vb[dst + c] = 1;
            xin[dst + c] = obs ? x[src + c]! : (o.noiseStd > 0 ? rng.normal(0, o.noiseStd) : 0);
          }
        }
        if (numClasses > 1 && labelled[w.s]) { yb[b * numClasses + labels![w.s]!] = 1; lw[b] = 1; }
      }
      // Masked-imputation holdout: these observed entries become missing for this iteration
      // (mb, the generator's input) and are scored separately (held).
      let held: Float32Array | undefined, nHeld = 0;
      if (o.holdout > 0) {
        held = new Float32Array(size);
        for (let k = 0; k < size; k++) {
          if (mb[k] && rng.random() < o.holdout) {
            mb[k] = 0; held[k] = 1; nHeld++;
            xin[k] = o.noiseStd > 0 ? rng.normal(0, o.noiseStd) : 0;
          }
        }
      }
      const { hint, revealed } = temporalReminderMatrix(mb, o.hintRate, rng);
      // D is judged on valid entries that the hint does not reveal.
      const dw = new Float32Array(size);
      for (let k = 0; k < size; k++) dw[k] = vb[k]! * (1 - revealed[k]!);
      const sumOf = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
      const nObs = Math.max(1, sumOf(mb)), nD = Math.max(1, sumOf(dw)), nLab = sumOf(lw);
      const gw = new Float32Array(size);
      for (let k = 0; k < size; k++) gw[k] = dw[k]! * (1 - mb[k]!);
      const nG = Math.max(1, sumOf(gw));
      const shape: [number, number, number] = [B, T, C];
      const tx = tf.tensor3d(xb, shape), tm = tf.tensor3d(mb, shape), tin = tf.tensor3d(xin, shape);
      const tctx = tf.tensor3d(temporalContext(xb, mb, B, T, C), [B, T, 3 * C]);
      const th = tf.tensor3d(hint, shape), tdw = tf.tensor3d(dw, shape), tgw = tf.tensor3d(gw, shape);
      const ty = numClasses > 1 ? tf.tensor2d(yb, [B, numClasses]) : undefined;
      const tlw = tf.tensor1d(lw);
      const theld = held && nHeld > 0 ? tf.tensor3d(held, shape) : undefined;
      let xHat: Tensor3D | undefined;
      const classLoss = (logits: Tensor2D): Tensor =>
        tf.div(tf.sum(tf.mul(tf.losses.softmaxCrossEntropy(ty!, logits, undefined, 0, tf.Reduction.NONE), tlw)), Math.max(1, nLab));
      try {
        const onNonFinite = fitOpts.onNonFinite;
        const g = await optimizerStep(optG, gParams, () => {
          const est = nets.generator.apply(tin, tm, tctx);
          const filled = tf.add(tf.mul(tm, tx), tf.mul(tf.sub(1, tm), est)) as Tensor3D;
          xHat = tf.keep(tf.clone(filled));
          const err = o.reconLoss === 'mae' ? tf.abs(tf.sub(est, tx)) : tf.square(tf.sub(est, tx));
          const recon = tf.div(tf.sum(tf.mul(tm, err)), nObs);
          const heldRecon = theld ? tf.div(tf.sum(tf.mul(theld, err)), nHeld) : undefined;
          let loss: Tensor = tf.mul(heldRecon ? tf.add(recon, heldRecon) : recon, o.alpha);
          if (o.advWeight > 0) {
            const d = nets.discriminator.apply(filled, th);
            // non-saturating generator loss on imputed entries: −log σ(d)
            loss = tf.add(loss, tf.mul(tf.div(tf.sum(tf.mul(tgw, tf.softplus(tf.neg(d)))), nG), o.advWeight));
          }
          if (nets.classifier && o.classWeight > 0 && nLab > 0) {
            loss = tf.add(loss, tf.mul(classLoss(nets.classifier.apply(filled, tm)), o.classWeight));
          }
          return loss as tf.Scalar;
        }, { readLoss, onNonFinite, stepLabel: i + 1 });
        if (g.skipped) return null;
        for (let k = 0; k < o.dSteps && o.advWeight > 0; k++) {
          const d = await optimizerStep(optD, dParams, () => {
            const logits = nets.discriminator.apply(xHat!, th);
            return tf.div(tf.sum(tf.mul(tdw, tf.sub(tf.softplus(logits), tf.mul(tm, logits)))), nD) as tf.Scalar;
          }, { readLoss: false, onNonFinite, stepLabel: i + 1 });
          if (d.skipped) return null;
        }
        if (nets.classifier && optC && nLab > 0) {
          const c = await optimizerStep(optC, cParams!, () => classLoss(nets.classifier!.apply(xHat!, tm)) as tf.Scalar,
            { readLoss: false, onNonFinite, stepLabel: i + 1 });
          if (c.skipped) return null;
        }
        return g.loss;
      } finally {
        for (const t of [tx, tm, tin, tctx, th, tdw, tgw, ty, tlw, theld, xHat]) t?.dispose();
      }
    };
    // Model selection on the validation entries (MAE of the generator's estimates there).
    const valMae = async (): Promise<number> => {
      const est = await this.estimates(ds, x, trainMask);
      let sum = 0;
      for (const i of valIdx!) sum += Math.abs(est[i]! - x[i]!);
      return sum / valIdx!.length;
    };
    const history: { iteration: number; value: number }[] = [];
    let best = Infinity, bestIteration = 0, since = 0, stoppedEarly = false;
    let bestWeights: Map<string, Tensor> | undefined;
    const keepBest = (iteration: number, value: number) => {
      bestWeights?.forEach((t) => t.dispose());
      bestWeights = cloneParams(gParams);
      best = value; bestIteration = iteration; since = 0;
    };
    if (valIdx && !fitOpts.resume) {
      const v0 = await valMae();
      history.push({ iteration: 0, value: v0 });
      keepBest(0, v0);
    }
    const afterStep = valIdx ? async (i: number): Promise<boolean> => {
      if ((i + 1) % o.evalEvery !== 0 && i + 1 !== o.iterations) return false;
      await syncMeta();
      const v = await valMae();
      history.push({ iteration: i + 1, value: v });
      if (v < best * (1 - o.minDelta) - 1e-9) keepBest(i + 1, v); else since++;
      stoppedEarly = o.patience > 0 && since >= o.patience && i + 1 < o.iterations;
      return stoppedEarly;
    } : undefined;
    // the kept weights and the selection state are checkpointed, so a resumed run selects as an uninterrupted one
    // (the checkpoint writer disposes what get() returns: hand it copies; the restored selection
    // state is read asynchronously at the next evaluation, since WebGPU cannot read synchronously)
    let pendingMeta: Tensor | undefined;
    const syncMeta = async () => {
      if (!pendingMeta) return;
      const [b, it, sn] = await pendingMeta.data();
      best = b!; bestIteration = it!; since = sn!;
      pendingMeta.dispose();
      pendingMeta = undefined;
    };
    const extraState = valIdx ? {
      get: () => {
        const m = new Map<string, Tensor>();
        if (bestWeights) for (const [k, t] of bestWeights) m.set(`best/${k}`, tf.clone(t));
        m.set('best/meta', tf.tensor1d([best, bestIteration, since], 'float32'));
        return m;
      },
      set: (m: Map<string, Tensor>) => {
        pendingMeta?.dispose();
        const meta = m.get('best/meta');
        pendingMeta = meta ? tf.clone(meta) : undefined;
        bestWeights?.forEach((t) => t.dispose());
        bestWeights = new Map();
        for (const [k, t] of m) if (k.startsWith('best/') && k !== 'best/meta') bestWeights.set(k.slice(5), tf.clone(t));
        if (bestWeights.size === 0) bestWeights = undefined;
      },
    } : undefined;
    try {
      const res = await runTraining({
        name: 'ssgan fit', totalSteps: o.iterations, stepsPerEpoch: Math.max(1, Math.ceil(wins.length / B)),
        params: nets.namedParameters(), optimizers, rng, step: stepFn, afterStep, extraState,
      }, fitOpts);
      await syncMeta();
      if (valIdx && bestWeights) {
        tf.tidy(() => { for (const [k, v] of gParams) v.assign(bestWeights!.get(k)!); });
        res.validation = { metric: 'mae (normalised, validation entries)', history, bestIteration, best, stoppedEarly };
      }
      return res;
    } finally {
      for (const opt of Object.values(optimizers)) opt.dispose();
      bestWeights?.forEach((t) => t.dispose());
      pendingMeta?.dispose();
    }
  }

  /**
   * Runs the generator over every series and returns `[N, T, C]` values in the data's units:
   * observed entries are copied unchanged, missing ones (within each series' length) get the
   * generator's estimate; padding stays NaN.
   */
  async imputeValues(ds: TimeSeriesDataset, opts: { batchSize?: number } = {}): Promise<Float32Array> {
    this.requireFitted();
    this.checkData(ds);
    const C = ds.channels;
    const { mean, std } = this.state!;
    const e = await this.estimates(ds, this.normalise(ds), ds.mask, opts.batchSize);
    const out = Float32Array.from(ds.values);
    for (let s = 0; s < ds.n; s++) {
      const base = s * ds.length * C;
      for (let i = base; i < base + ds.lengths[s]! * C; i++) if (!ds.mask[i]) out[i] = e[i]! * std[i % C]! + mean[i % C]!;
    }
    return out;
  }

  /**
   * The generator's normalised estimate of every entry within each series' length, `[N, L, C]`
   * flat, from the normalised values `x` observed where `mask` is 1 (windows of `window` steps,
   * the last one ending at the series end).
   */
  private async estimates(ds: TimeSeriesDataset, x: Float32Array, mask: ArrayLike<number>, batchSize = 256): Promise<Float32Array> {
    const nets = this.requireFitted();
    const C = ds.channels, L = ds.length, T = Math.min(this.opts.window, L);
    const out = new Float32Array(ds.values.length);
    const wins = windowsOf(ds, T, T);
    for (let w0 = 0; w0 < wins.length; w0 += batchSize) {
      const chunk = wins.slice(w0, w0 + batchSize), B = chunk.length;
      const xin = new Float32Array(B * T * C), mb = new Float32Array(B * T * C);
      chunk.forEach((w, b) => {
        for (let t = 0; t < w.len; t++) {
          const src = (w.s * L + w.start + t) * C, dst = (b * T + t) * C;
          for (let c = 0; c < C; c++) { const m = mask[src + c]!; mb[dst + c] = m; xin[dst + c] = m ? x[src + c]! : 0; }
        }
      });
      const ctx = temporalContext(xin, mb, B, T, C);
      const est = tf.tidy(() => nets.generator.apply(tf.tensor3d(xin, [B, T, C]), tf.tensor3d(mb, [B, T, C]), tf.tensor3d(ctx, [B, T, 3 * C])));
      const e = await est.data();
      est.dispose();
      chunk.forEach((w, b) => {
        for (let t = 0; t < w.len; t++) out.set(e.subarray((b * T + t) * C, (b * T + t + 1) * C), (w.s * L + w.start + t) * C);
      });
    }
    return out;
  }

  /** Generator hidden states: `[N, T, 2H]` ('timestamp') or max-pooled `[N, 2H]` ('full'). */
  async encode(ds: TimeSeriesDataset, opts: EncodeOptions = {}): Promise<Representation> {
    const nets = this.requireFitted();
    this.checkData(ds);
    const pooling = opts.pooling ?? 'full';
    if (pooling === 'multiscale') throw new TsreprError('BAD_OPTION', "SSGAN encode supports pooling 'full' or 'timestamp'");
    const C = ds.channels, L = ds.length, D = this.reprDims, bs = opts.batchSize ?? 64;
    const x = this.normalise(ds);
    const out = new Float32Array(pooling === 'full' ? ds.n * D : ds.n * L * D);
    for (let s0 = 0; s0 < ds.n; s0 += bs) {
      const B = Math.min(bs, ds.n - s0);
      const xin = x.subarray(s0 * L * C, (s0 + B) * L * C);
      const mb = Float32Array.from(ds.mask.subarray(s0 * L * C, (s0 + B) * L * C));
      const h = tf.tidy(() => {
        const hs = nets.generator.hiddenStates(tf.tensor3d(xin, [B, L, C]), tf.tensor3d(mb, [B, L, C]));
        return pooling === 'full' ? tf.max(hs, 1) : hs;
      });
      out.set(await h.data(), pooling === 'full' ? s0 * D : s0 * L * D);
      h.dispose();
      opts.onProgress?.({ phase: 'ssgan encode', done: s0 + B, total: ds.n });
    }
    return { data: out, shape: pooling === 'full' ? [ds.n, D] : [ds.n, L, D] };
  }

  private requireFitted(): SsganNetworks {
    if (!this.nets || !this.state) throw new TsreprError('NOT_FITTED', 'SSGAN model is not fitted; call fit() or load a model directory');
    return this.nets;
  }

  /** The per-channel normalisation statistics (train, masked). */
  scalerStats(): ScalerStats { this.requireFitted(); return this.scaler(); }

  async save(dir: string): Promise<void> {
    const nets = this.requireFitted();
    await saveModelDir(dir, { method: 'ssgan', config: { options: this.opts, inputDims: this.inputDims, state: this.state }, tensors: nets.namedParameters() });
  }

  /** Rebuilds a fitted model from `loadModelDir` artifacts. */
  static fromArtifacts(art: LoadedArtifacts): SsganModel {
    const cfg = art.config as { options: SsganOptions; inputDims: number; state: SsganState };
    if (!cfg?.options || !cfg.state) throw new TsreprError('BAD_MODEL', 'SSGAN config.json lacks options/state');
    // Models saved before `inputClip` and `reconLoss` existed were trained (and must keep
    // imputing) without the bound and with the MSE loss: absent keys take those, not today's defaults.
    const m = new SsganModel(cfg.inputDims, { inputClip: 0, reconLoss: 'mse', ...(cfg.options as unknown as Record<string, unknown>) });
    m.state = cfg.state;
    m.nets = new SsganNetworks(cfg.inputDims, { ...m.opts, numClasses: cfg.state.numClasses }, new Rng(0));
    m.nets.loadParameters(art.tensors);
    return m;
  }

  dispose(): void {
    this.nets?.dispose();
    this.nets = undefined;
  }
}
