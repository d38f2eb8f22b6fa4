/**
 * PatchTST-style forecasting head for a patch-Transformer model (masked pretraining):
 * channel-independent; every input window of `L` steps is instance-normalised per channel
 * (RevIN: subtract the window's mean, divide by its std), encoded into `n` patch tokens
 * `[n, dModel]`, flattened, and a linear head maps the `n·dModel` values to the next H
 * steps, which are put back in the window's scale. Trained with MSE (Adam) on the train
 * split, the epoch kept per horizon is the one with the lowest validation MSE, and the test
 * split is scored. Everything is on the train-StandardScaler scale (as the papers); forecasts
 * can be returned in original units.
 *
 * Linear probe (default): the encoder is frozen, so the tokens of every window are computed
 * once and the head trains on them. One head of the largest horizon is trained, and horizon H
 * reads its first H outputs: with frozen features the MSE separates per output step, so
 * these columns are the H-step head (up to the slightly larger train set of the shorter
 * horizon), at the cost of one head instead of one per horizon. Full fine-tuning
 * (`finetuneEpochs`) then trains encoder and head together at `lr/2` (PatchTST: head
 * first, then everything); it changes the model's encoder weights (left at the state kept
 * for the last horizon).
 */
import type { ForecastDataset } from '../../data/forecast.js';
import type { ProgressCallback } from '../../engine/progress.js';
import { Adam, optimizerStep } from '../../engine/optim.js';
import { Rng } from '../../engine/random.js';
import { tf, type Tensor2D, type Tensor3D, type Variable } from '../../engine/tf.js';
import { checkNumber, checkOption } from '../../errors.js';
import type { TransformerBackbone } from '../../backbones/transformer.js';
import { instanceNormalise } from '../../methods/masked/windows.js';
import { prepareForecastInput, type ForecastInput } from './protocol.js';
import { RIDGE_ALPHAS_HEAD, disposeFactor, factorRidge, mseMae, solveRidge } from './ridge.js';

export interface PatchHeadOptions {
  /** forecast horizons (steps), e.g. [24, 48, 168, 336, 720] or [96, 192, 336, 720] */
  horizons: number[];
  /** look-back window L (default 336) */
  contextLength?: number;
  /** every n-th train window (default 1) */
  trainStride?: number;
  /** every n-th validation window for model selection (default 1) */
  valStride?: number;
  /** every n-th test window (default 1 = the standard protocol) */
  testStride?: number;
  /**
   * how the linear probe is fitted on the frozen features: 'ridge' (default: closed-form
   * least squares in the RevIN-normalised space, the ridge alpha chosen per horizon on the
   * validation MSE) or 'adam' (`epochs` of mini-batch Adam on the MSE).
   */
  probe?: 'ridge' | 'adam';
  /** ridge alphas tried by the 'ridge' probe (default {@link RIDGE_ALPHAS_HEAD}) */
  alphas?: number[];
  /** linear-probe epochs of the 'adam' probe (default 20) */
  epochs?: number;
  batchSize?: number;
  /** head learning rate (default 1e-3) */
  lr?: number;
  /** end-to-end fine-tuning epochs after the probe (default 0 = linear probe only) */
  finetuneEpochs?: number;
  /** return every test forecast in original units (memory: windows × H × channels) */
  returnForecasts?: boolean;
  seed?: number;
  onProgress?: ProgressCallback;
}

export interface PatchHeadHorizon {
  horizon: number;
  /** normalised scale (train StandardScaler) */
  mse: number;
  mae: number;
  /** original units */
  mseRaw: number;
  maeRaw: number;
  /** validation MSE of the kept head, and its epoch (1-based; 0 = the ridge probe; fine-tuning epochs follow the probe's) */
  valMse: number;
  epoch: number;
  /** ridge alpha of the kept head (ridge probe, when no fine-tuning epoch beat it) */
  alpha?: number;
  trainWindows: number;
  testWindows: number;
  /** `[testWindows, H, channels]` in original units, when `returnForecasts` */
  forecasts?: Float32Array;
}

export interface PatchHeadResult {
  horizons: PatchHeadHorizon[];
  contextLength: number;
  channels: number;
  featureDims: number;
  featureSeconds: number;
  headSeconds: number;
  /** first test window per horizon, last channel, original units (for plots) */
  examples: { horizon: number; start: number; pred: number[]; truth: number[] }[];
}

/** Models the head can drive: a patch Transformer backbone in channel-independent mode. */
export interface PatchModel {
  readonly backbone: TransformerBackbone;
  readonly config: { instanceNorm?: boolean };
}

/**
 * Window starts t (the first forecast step) of a split: inputs `[t − L, t)`, targets
 * `[t, t + H)`. Validation/test inputs may reach back into the previous split (Informer's borders).
 */
function windowStarts(from: number, to: number, L: number, H: number, stride: number, lowest: number): number[] {
  const out: number[] = [];
  for (let t = Math.max(from, lowest + L); t + H <= to; t += stride) out.push(t);
  return out;
}

/** Instance-normalised input rows `[starts · k, L]` (row = window · k + channel) and their statistics. */
function inputRows(prep: ForecastInput, starts: number[], L: number): { x: Float32Array; mean: Float32Array; std: Float32Array } {
  const { targets, k } = prep;
  const x = new Float32Array(starts.length * k * L);
  starts.forEach((t, w) => {
    for (let c = 0; c < k; c++) {
      const o = (w * k + c) * L;
      for (let s = 0; s < L; s++) x[o + s] = targets[(t - L + s) * k + c]!;
    }
  });
  const { mean, std } = instanceNormalise(x, starts.length * k, L, 1);
  return { x, mean, std };
}

/** Target rows `[starts · k, H]` on the scaled axis. */
function targetRows(prep: ForecastInput, starts: number[], H: number): Float32Array {
  const { targets, k } = prep;
  const y = new Float32Array(starts.length * k * H);
  starts.forEach((t, w) => {
    for (let c = 0; c < k; c++) for (let h = 0; h < H; h++) y[(w * k + c) * H + h] = targets[(t + h) * k + c]!;
  });
  return y;
}

/** Flattened patch tokens of normalised rows `[rows, L]` → `[rows, n·dModel]` (a tensor, caller disposes). */
function tokenFeatures(backbone: TransformerBackbone, x: Tensor2D, training: boolean, rng?: Rng): Tensor2D {
  return tf.tidy(() => {
    const [rows, L] = x.shape;
    const { patches, nPatches } = backbone.patchify(tf.reshape(x, [rows, L, 1]) as Tensor3D);
    const enc = backbone.encodeTokens(backbone.embedPatches(patches), Int32Array.from({ length: nPatches }, (_, i) => i), { training, rng });
    return tf.reshape(enc, [rows, -1]) as Tensor2D;
  });
}

/** Frozen-encoder features of all rows, in batches → Float32Array `[rows, F]`. */
async function frozenFeatures(backbone: TransformerBackbone, x: Float32Array, rows: number, L: number, batch: number, onBatch?: () => void): Promise<{ data: Float32Array; F: number }> {
  let data: Float32Array | undefined;
  let F = 0;
  for (let r0 = 0; r0 < rows; r0 += batch) {
    const r1 = Math.min(rows, r0 + batch);
    const f = tf.tidy(() => tokenFeatures(backbone, tf.tensor2d(x.subarray(r0 * L, r1 * L), [r1 - r0, L]), false));
    F = f.shape[1];
    data ??= new Float32Array(rows * F);
    data.set(await f.data() as Float32Array, r0 * F);
    f.dispose();
    onBatch?.();
  }
  return { data: data ?? new Float32Array(0), F };
}

/** `feat [rows, F]` @ W + b, de-normalised with the rows' statistics → `[rows, H]` (first H columns of the head). */
/** Copies of the parameters' values, read back asynchronously (no sync read-back on WebGPU). */
async function readParams(params: Map<string, Variable>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [n, v] of params) out.set(n, Float32Array.from(await v.data()));
  return out;
}

function headPredict(feat: Tensor2D, w: tf.Tensor, b: tf.Tensor, mean: Tensor2D, std: Tensor2D, H: number): Tensor2D {
  return tf.tidy(() => {
    const F = feat.shape[1];
    const wh = H === w.shape[1] ? w : tf.slice(w, [0, 0], [F, H]);
    const bh = H === b.shape[0] ? b : tf.slice(b, [0], [H]);
    return tf.add(tf.mul(tf.add(tf.matMul(feat, wh as Tensor2D), bh), std), mean) as Tensor2D;
  });
}

/**
 * Trains and evaluates the PatchTST-style head on a forecasting dataset (see the file
 * comment). `model` must be a channel-independent patch Transformer model (masked method).
 * Features 'S' forecast the target from its own past; 'M' every channel from its own past.
 */
export async function patchHeadForecast(model: PatchModel, data: ForecastDataset, opts: PatchHeadOptions): Promise<PatchHeadResult> {
  const backbone = model.backbone;
  checkOption(backbone?.kind === 'transformer' && backbone.config !== undefined,
    `the PatchTST head needs a model with a patch Transformer backbone (masked, or combined with backbone=transformer); this model has ${backbone?.kind ?? 'no'} backbone: use the ridge protocol (--protocol ridge)`);
  checkOption(backbone.config.channelMode === 'independent', 'the PatchTST head needs a channel-independent patch Transformer (channelMode independent)');
  checkOption(opts.horizons.length > 0, 'no horizons');
  const L = opts.contextLength ?? 336;
  checkNumber('contextLength', L, { min: backbone.config.patchLen, integer: true });
  for (const H of opts.horizons) checkNumber('horizon', H, { min: 1, integer: true });
  const probe = opts.probe ?? 'ridge';
  checkOption(probe === 'ridge' || probe === 'adam', `probe must be 'ridge' or 'adam', got '${String(probe)}'`);
  const alphas = opts.alphas ?? RIDGE_ALPHAS_HEAD;
  checkOption(alphas.length > 0, 'no ridge alphas');
  for (const a of alphas) checkNumber('ridge alpha', a, { min: 0 });
  const epochs = probe === 'adam' ? (opts.epochs ?? 20) : 0, ftEpochs = opts.finetuneEpochs ?? 0;
  if (probe === 'adam') checkNumber('epochs', epochs, { min: 1, integer: true });
  checkNumber('finetuneEpochs', ftEpochs, { min: 0, integer: true });
  const batch = opts.batchSize ?? 128, lr = opts.lr ?? 1e-3;
  const rng = new Rng(opts.seed ?? 0);
  const prep = prepareForecastInput(data, { covariates: false });
  const { split, k } = prep;
  const Hmax = Math.max(...opts.horizons), Hmin = Math.min(...opts.horizons);
  const stride = (v: number | undefined): number => Math.max(1, Math.floor(v ?? 1));
  // Train windows for the longest horizon (the head's), val windows with the shortest
  // horizon's range (each horizon scores the windows its own horizon allows).
  const trStarts = windowStarts(split.train[0], split.train[1], L, Hmax, stride(opts.trainStride), 0);
  const vaStarts = windowStarts(split.val[0], split.val[1], L, Hmin, stride(opts.valStride), 0);
  const teStarts = windowStarts(split.test[0], split.test[1], L, Hmin, stride(opts.testStride), 0);
  checkOption(trStarts.length > 0 && vaStarts.length > 0 && teStarts.length > 0, `context ${L} + horizon ${Hmax} leave no windows in one of the splits`);
  const tr = inputRows(prep, trStarts, L), va = inputRows(prep, vaStarts, L), te = inputRows(prep, teStarts, L);
  const trY = targetRows(prep, trStarts, Hmax);

  const nTr = trStarts.length * k, nVa = vaStarts.length * k, nTe = teStarts.length * k;
  const total = Math.ceil(nTr / 256) + Math.ceil(nVa / 256) + Math.ceil(nTe / 256);
  let done = 0;
  const tick = (): void => { done++; opts.onProgress?.({ phase: 'features', done, total }); };
  const f0 = performance.now();
  const trF = await frozenFeatures(backbone, tr.x, nTr, L, 256, tick);
  const vaF = await frozenFeatures(backbone, va.x, nVa, L, 256, tick);
  const F = trF.F;
  const featureSeconds = (performance.now() - f0) / 1000;

  // Validation rows valid per horizon: windows whose H steps fit in the split.
  const validRows = (starts: number[], end: number, H: number): number => starts.filter((t) => t + H <= end).length * k;
  const vaY = new Map(opts.horizons.map((H) => [H, targetRows(prep, vaStarts.filter((t) => t + H <= split.val[1]), H)]));

  const h0 = performance.now();
  const zw = tf.zeros([F, Hmax]), zb = tf.zeros([Hmax]);
  const w = tf.variable(zw, true, `head.w.${rng.int(0, 1e9)}`);
  const b = tf.variable(zb, true, `head.b.${rng.int(0, 1e9)}`);
  tf.dispose([zw, zb]); // the variables hold their own reference
  const head = new Map<string, Variable>([['head.w', w], ['head.b', b]]);
  type Snapshot = { valMse: number; epoch: number; alpha?: number; w: Float32Array; b: Float32Array; enc?: Map<string, Float32Array> };
  const best = new Map<number, Snapshot>();
  // the Adam probe's inputs on the device (the ridge probe reads the features from host memory)
  const trFeat = probe === 'adam' ? tf.tensor2d(trF.data, [nTr, F]) : undefined;
  const trYT = tf.tensor2d(trY, [nTr, Hmax]);
  const trMean = tf.tensor2d(tr.mean, [nTr, 1]), trStd = tf.tensor2d(tr.std, [nTr, 1]);
  let vaFeat = tf.tensor2d(vaF.data, [nVa, F]);
  const vaMean = tf.tensor2d(va.mean, [nVa, 1]), vaStd = tf.tensor2d(va.std, [nVa, 1]);
  const encParams = backbone.namedParameters('backbone.');

  /** Validation MSE per horizon with the current head (and features) → keeps improvements. */
  const validate = async (epoch: number, withEncoder: boolean, alpha?: number): Promise<void> => {
    const pred = headPredict(vaFeat, w, b, vaMean, vaStd, Hmax);
    const pv = await pred.data() as Float32Array;
    pred.dispose();
    for (const H of opts.horizons) {
      const rows = validRows(vaStarts, split.val[1], H);
      const y = vaY.get(H)!;
      let se = 0;
      for (let r = 0; r < rows; r++) for (let h = 0; h < H; h++) { const e = pv[r * Hmax + h]! - y[r * H + h]!; se += e * e; }
      const mse = se / (rows * H);
      const cur = best.get(H);
      if (!cur || mse < cur.valMse) {
        const snap: Snapshot = { valMse: mse, epoch, ...(alpha !== undefined ? { alpha } : {}), w: Float32Array.from(await w.data()), b: Float32Array.from(await b.data()) };
        if (withEncoder) snap.enc = await readParams(encParams);
        best.set(H, snap);
      }
    }
  };

  const trainEpoch = async (opt: Adam, params: Map<string, Variable>, lossFn: (idx: tf.Tensor1D) => tf.Scalar): Promise<void> => {
    const perm = rng.permutation(nTr);
    for (let i0 = 0; i0 < nTr; i0 += batch) {
      const idx = tf.tensor1d(Int32Array.from(perm.subarray(i0, Math.min(nTr, i0 + batch))), 'int32');
      try {
        await optimizerStep(opt, params, () => lossFn(idx), { readLoss: false });
      } finally { idx.dispose(); }
    }
  };

  try {
    // 1. Linear probe on frozen features.
    let opt: Adam;
    if (probe === 'ridge') {
      // Closed form in the RevIN space: features → (y − window mean) / window std. Each output
      // column is its own least-squares problem, so the first H columns of the Hmax solution are
      // the H-step head; every horizon keeps the alpha with its lowest validation MSE.
      const z = new Float32Array(nTr * Hmax);
      for (let r = 0; r < nTr; r++) {
        const m = tr.mean[r]!, sd = tr.std[r]!;
        for (let h = 0; h < Hmax; h++) z[r * Hmax + h] = (trY[r * Hmax + h]! - m) / sd;
      }
      // No free intercept: 0 in the RevIN space is the window's own mean, and an unpenalised
      // offset fitted to the train period's trend does not transfer (ETTh2-M at H = 720: 5.8
      // MSE with one, against 0.45 for the Adam probe, which starts from zero).
      const factor = await factorRidge(trF.data, z, nTr, F, Hmax, { intercept: false });
      try {
        for (const [i, a] of alphas.entries()) {
          const sol = await solveRidge(factor, a);
          tf.tidy(() => { w.assign(tf.tensor2d(sol.w, [F, Hmax])); b.assign(tf.tensor1d(sol.b)); });
          await validate(0, false, a);
          opts.onProgress?.({ phase: 'head', done: i + 1, total: alphas.length, metrics: { valMse: best.get(Hmin)!.valMse } });
        }
      } finally { disposeFactor(factor); }
    } else {
      opt = newAdamTidy(head, lr);
      for (let e = 1; e <= epochs; e++) {
        await trainEpoch(opt, head, (idx) => tf.tidy(() => {
          const p = headPredict(tf.gather(trFeat!, idx), w, b, tf.gather(trMean, idx), tf.gather(trStd, idx), Hmax);
          return tf.mean(tf.square(tf.sub(p, tf.gather(trYT, idx)))) as tf.Scalar;
        }));
        await validate(e, false);
        opts.onProgress?.({ phase: 'head', done: e, total: epochs + ftEpochs, metrics: { valMse: best.get(Hmin)!.valMse } });
      }
      opt.dispose();
    }
    // 2. Optional end-to-end fine-tuning (dropout on), from the probe's best head for the longest horizon.
    if (ftEpochs > 0) {
      const start = best.get(Hmax)!;
      tf.tidy(() => { w.assign(tf.tensor2d(start.w, [F, Hmax])); b.assign(tf.tensor1d(start.b)); });
      const pretrained = await readParams(encParams);
      for (const s of best.values()) s.enc = pretrained;
      const all = new Map<string, Variable>([...encParams, ...head]);
      opt = newAdamTidy(all, lr / 2);
      const trX = tf.tensor2d(tr.x, [nTr, L]);
      const vaX = va.x;
      try {
        for (let e = 1; e <= ftEpochs; e++) {
          await trainEpoch(opt, all, (idx) => tf.tidy(() => {
            const p = headPredict(tokenFeatures(backbone, tf.gather(trX, idx) as Tensor2D, true, rng), w, b, tf.gather(trMean, idx), tf.gather(trStd, idx), Hmax);
            return tf.mean(tf.square(tf.sub(p, tf.gather(trYT, idx)))) as tf.Scalar;
          }));
          const nv = await frozenFeatures(backbone, vaX, nVa, L, 256);
          vaFeat.dispose();
          vaFeat = tf.tensor2d(nv.data, [nVa, F]);
          await validate(epochs + e, true);
          opts.onProgress?.({ phase: 'finetune', done: epochs + e, total: epochs + ftEpochs, metrics: { valMse: best.get(Hmin)!.valMse } });
        }
      } finally { opt.dispose(); trX.dispose(); }
    }
    const headSeconds = (performance.now() - h0) / 1000;

    // 3. Test: each horizon with its kept epoch.
    const out: PatchHeadHorizon[] = [];
    const examples: PatchHeadResult['examples'] = [];
    let teFeatFor: Map<string, Float32Array> | undefined | null = null;
    let teF: { data: Float32Array; F: number } | undefined;
    const t0 = performance.now();
    for (const H of opts.horizons) {
      const s = best.get(H)!;
      if (teFeatFor !== s.enc) { // (re)compute test features for this encoder state
        if (s.enc) for (const [n, v] of encParams) v.assign(tf.tensor(s.enc.get(n)!, v.shape));
        teF = await frozenFeatures(backbone, te.x, nTe, L, 256, tick);
        teFeatFor = s.enc;
      }
      const starts = teStarts.filter((t) => t + H <= split.test[1]);
      const rows = starts.length * k;
      const pv = tf.tidy(() => headPredict(tf.tensor2d(teF!.data.subarray(0, rows * F), [rows, F]), tf.tensor2d(s.w, [F, Hmax]), tf.tensor1d(s.b),
        tf.tensor2d(te.mean.subarray(0, rows), [rows, 1]), tf.tensor2d(te.std.subarray(0, rows), [rows, 1]), H));
      const pred = await pv.data() as Float32Array;
      pv.dispose();
      const truth = targetRows(prep, starts, H);
      const norm = mseMae(pred, truth);
      const raw = rawUnits(prep, pred, truth, starts.length, H);
      out.push({ horizon: H, mse: norm.mse, mae: norm.mae, mseRaw: raw.mse, maeRaw: raw.mae, valMse: s.valMse, epoch: s.epoch, ...(s.alpha !== undefined ? { alpha: s.alpha } : {}), trainWindows: trStarts.length, testWindows: starts.length, ...(opts.returnForecasts ? { forecasts: raw.forecasts } : {}) });
      const c = k - 1;
      examples.push({ horizon: H, start: starts[0]!, pred: Array.from({ length: H }, (_, h) => raw.forecasts[h * k + c]!), truth: Array.from({ length: H }, (_, h) => raw.truth[h * k + c]!) });
    }
    return { horizons: out, contextLength: L, channels: k, featureDims: F, featureSeconds: featureSeconds + (performance.now() - t0) / 1000, headSeconds, examples };
  } finally {
    tf.dispose([w, b, trYT, trMean, trStd, vaFeat, vaMean, vaStd, ...(trFeat ? [trFeat] : [])]);
  }
}

/** Rows `[windows·k, H]` (row = window·k + channel) → `[windows, H, k]` in original units, and the MSE/MAE there. */
function rawUnits(prep: ForecastInput, pred: Float32Array, truth: Float32Array, windows: number, H: number): { mse: number; mae: number; forecasts: Float32Array; truth: Float32Array } {
  const k = prep.k;
  const p = new Float32Array(windows * H * k), t = new Float32Array(windows * H * k);
  for (let w = 0; w < windows; w++) for (let c = 0; c < k; c++) for (let h = 0; h < H; h++) {
    const src = (w * k + c) * H + h, dst = (w * H + h) * k + c;
    p[dst] = pred[src]! * prep.targetStd[c]! + prep.targetMean[c]!;
    t[dst] = truth[src]! * prep.targetStd[c]! + prep.targetMean[c]!;
  }
  return { ...mseMae(p, t), forecasts: p, truth: t };
}

function newAdamTidy(params: Map<string, Variable>, lr: number): Adam {
  let opt: Adam | undefined;
  tf.tidy(() => { opt = new Adam(params, { lr }); });
  return opt!;
}

/** Last-value forecast on the same test windows (scaled): MSE/MAE per horizon. */
export function lastValueOnWindows(data: ForecastDataset, H: number, L = 1): { mse: number; mae: number } {
  const prep = prepareForecastInput(data, { covariates: false });
  const { targets, k, split } = prep;
  let se = 0, ae = 0, n = 0;
  for (const t of windowStarts(split.test[0], split.test[1], L, H, 1, 0)) {
    for (let c = 0; c < k; c++) for (let h = 0; h < H; h++) {
      const e = targets[(t - 1) * k + c]! - targets[(t + h) * k + c]!;
      se += e * e; ae += Math.abs(e); n++;
    }
  }
  return { mse: se / n, mae: ae / n };
}
