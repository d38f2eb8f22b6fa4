/**
 * Imputation on top of any fitted representation model ('representation'; 'masked' = the same
 * with a masked-pretraining model). Per channel, a ridge regression maps
 * `[r(t) (D), linear interpolation of the channel at t, …]` → the value at t, where `r(t)` is the
 * per-timestamp representation computed with the value at t hidden from the encoder (the entry is
 * NaN, so the backbone's timestamp mask hides step t). Training pairs come from observed entries
 * hidden at random (`hideRate` per round), so training and application see the same kind of input;
 * the ridge (alpha chosen on a 20 % validation split) is applied to the missing entries, unless
 * plain linear interpolation scores better on that validation split (then the channel uses it).
 * Everything happens on per-channel z-scores of the observed entries. Observed values never change.
 */
import { createDataset, type TimeSeriesDataset } from '../../data/dataset.js';
import { Rng } from '../../engine/random.js';
import { checkNumber, TsreprError } from '../../errors.js';
import { createModel, loadModel, type FitOptions, type RepresentationModel } from '../../methods/model.js';
import { fitRidgeSelect, predictRidge, type RidgeWeights } from '../forecasting/ridge.js';
import type { ImputeResult, Imputer } from './imputers.js';

export interface RepresentationImputerOptions {
  /** a fitted model (kept, not disposed by the imputer) */
  model?: RepresentationModel;
  /** a saved model directory (loaded on `fit`) */
  modelDir?: string;
  /** registered method trained on the data in `fit` when neither `model` nor `modelDir` is given (default 'masked') */
  method?: string;
  /** hyper-parameters for that method */
  modelOptions?: Record<string, unknown>;
  /** fraction of observed entries hidden per training round (default 0.15) */
  hideRate?: number;
  /** training rounds (each a fresh random hiding, one encode) (default 2) */
  rounds?: number;
  /** most training pairs per channel (default 20000) */
  maxSamples?: number;
  /** representations wider than this are randomly projected to this many dimensions (default 64) */
  maxDims?: number;
  /** series per encode call (default 16) */
  batchSize?: number;
  /**
   * longer series are encoded in consecutive windows of this many steps (default 512), so the
   * encoder's memory stays bounded (a Transformer's attention grows with the square of the length)
   */
  window?: number;
  seed?: number;
}

const OWN_KEYS = ['model', 'modelDir', 'method', 'modelOptions', 'hideRate', 'rounds', 'maxSamples', 'maxDims', 'batchSize', 'window', 'seed'];

/** Imputer options from a flat option bag (e.g. the CLI's): unknown keys become `modelOptions`. */
export function representationImputerOptions(o: Record<string, unknown>): RepresentationImputerOptions {
  const own: Record<string, unknown> = {}, model: Record<string, unknown> = { ...((o.modelOptions as Record<string, unknown>) ?? {}) };
  for (const [k, v] of Object.entries(o)) if (OWN_KEYS.includes(k)) own[k] = v; else model[k] = v;
  return { ...own, modelOptions: model } as RepresentationImputerOptions;
}

/** Per-channel z-scores of the observed entries (NaN stays NaN). */
function normalise(ds: TimeSeriesDataset, mean: Float64Array, std: Float64Array): Float32Array {
  const C = ds.channels;
  return Float32Array.from(ds.values, (v, i) => (Number.isNaN(v) ? NaN : (v - mean[i % C]!) / std[i % C]!));
}

/**
 * Linear interpolation of `[N, T, C]` values (NaN = missing) between the neighbouring observations
 * of the same series and channel, constant beyond the first/last one, 0 (the z-scored mean) for a
 * channel never observed in a series. Only steps within `lengths[s]` are filled.
 */
export function linearFill(values: Float32Array, n: number, L: number, C: number, lengths: Int32Array): Float32Array {
  const out = Float32Array.from(values);
  for (let s = 0; s < n; s++) {
    const len = lengths[s]!;
    for (let c = 0; c < C; c++) {
      const at = (t: number) => (s * L + t) * C + c;
      let prev = -1;
      for (let t = 0; t <= len; t++) {
        if (t < len && Number.isNaN(values[at(t)]!)) continue;
        for (let u = prev + 1; u < t; u++) {
          const a = prev >= 0 ? values[at(prev)]! : NaN, b = t < len ? values[at(t)]! : NaN;
          out[at(u)] = prev < 0 && t >= len ? 0 : prev < 0 ? b : t >= len ? a : a + ((b - a) * (u - prev)) / (t - prev);
        }
        prev = t;
      }
    }
  }
  return out;
}

/** Features of entry `i = (s·L + t)·C + c`: the representation at (s, t), and the interpolated value. */
function featuresInto(dst: Float32Array, off: number, repr: Float32Array, D: number, i: number, C: number, interp: Float32Array): void {
  const st = Math.floor(i / C);
  dst.set(repr.subarray(st * D, st * D + D), off);
  const v = interp[i]!;
  dst[off + D] = v;
}

/** The representation-model imputer (see the module comment). */
export class RepresentationImputer implements Imputer {
  channelNames?: string[];
  private model?: RepresentationModel;
  private ownsModel = false;
  private mean?: Float64Array;
  private std?: Float64Array;
  /** per channel: ridge weights, or undefined = interpolation (too few pairs, or it validated better) */
  private ridges: (RidgeWeights | undefined)[] = [];
  readonly hideRate: number;
  readonly rounds: number;
  readonly maxSamples: number;
  readonly batchSize: number;
  readonly maxDims: number;
  readonly window: number;
  private projection?: Float32Array;

  constructor(readonly method: 'representation' | 'masked', readonly options: RepresentationImputerOptions = {}) {
    this.hideRate = checkNumber('hideRate', options.hideRate ?? 0.15, { min: 0, max: 0.9, exclusiveMin: true });
    this.rounds = checkNumber('rounds', options.rounds ?? 2, { min: 1, integer: true });
    this.maxSamples = checkNumber('maxSamples', options.maxSamples ?? 20000, { min: 10, integer: true });
    this.batchSize = checkNumber('batchSize', options.batchSize ?? 16, { min: 1, integer: true });
    this.maxDims = checkNumber('maxDims', options.maxDims ?? 64, { min: 1, integer: true });
    this.window = checkNumber('window', options.window ?? 512, { min: 8, integer: true });
    checkNumber('seed', options.seed ?? 0, { min: 0, integer: true });
    this.model = options.model;
  }

  /** Encodes z-scored values `[N, T, C]` → per-timestamp representations `[N·T·D]`. */
  private async encode(z: Float32Array, ds: TimeSeriesDataset): Promise<{ repr: Float32Array; D: number }> {
    const r = await this.encodeWindows(z, ds);
    const D = r.D;
    if (D <= this.maxDims) return { repr: r.data, D };
    // wide representations (e.g. channel-independent models: C · d_model) are reduced with a
    // fixed seeded Gaussian projection so the per-channel ridge stays small
    if (!this.projection || this.projection.length !== D * this.maxDims) {
      this.projection = new Rng((this.options.seed ?? 0) + 7919).normalArray(D * this.maxDims, 0, 1 / Math.sqrt(this.maxDims));
    }
    const P = this.projection, K = this.maxDims, rows = r.data.length / D;
    const out = new Float32Array(rows * K);
    for (let i = 0; i < rows; i++) {
      for (let d = 0; d < D; d++) {
        const v = r.data[i * D + d]!;
        if (v === 0) continue;
        for (let k = 0; k < K; k++) out[i * K + k] = out[i * K + k]! + v * P[d * K + k]!;
      }
    }
    return { repr: out, D: K };
  }

  /**
   * Per-timestamp representations `[N·T·D]` of z-scored values: series up to `window` steps in
   * one call; longer ones cut into consecutive windows of `window` steps (the last one padded
   * with NaN), encoded as a batch of windows and stitched back in time order.
   */
  private async encodeWindows(z: Float32Array, ds: TimeSeriesDataset): Promise<{ data: Float32Array; D: number }> {
    const { n, length: L, channels: C } = ds;
    const W = Math.min(L, this.window), per = Math.ceil(L / W);
    let view: TimeSeriesDataset;
    if (per === 1) {
      view = createDataset({ values: Float32Array.from(z), n, length: L, channels: C, lengths: ds.lengths, channelNames: ds.channelNames });
    } else {
      const values = new Float32Array(n * per * W * C).fill(NaN), lengths = new Int32Array(n * per);
      for (let s = 0; s < n; s++) {
        for (let k = 0; k < per; k++) {
          const t0 = k * W, t1 = Math.min(L, t0 + W);
          values.set(z.subarray((s * L + t0) * C, (s * L + t1) * C), (s * per + k) * W * C);
          lengths[s * per + k] = Math.max(1, Math.min(t1, ds.lengths[s]!) - t0);
        }
      }
      view = createDataset({ values, n: n * per, length: W, channels: C, lengths, channelNames: ds.channelNames });
    }
    const r = await this.model!.encode(view, { pooling: 'timestamp', batchSize: this.batchSize });
    if (r.shape.length !== 3 || r.shape[0] !== view.n || r.shape[1] !== W) {
      throw new TsreprError('BAD_MODEL', `${this.model!.method} model gave representations of shape [${r.shape.join(', ')}], expected [${view.n}, ${W}, D]`);
    }
    const D = r.shape[2]!;
    if (per === 1) return { data: r.data, D };
    const out = new Float32Array(n * L * D);
    for (let s = 0; s < n; s++) {
      for (let k = 0; k < per; k++) {
        const t0 = k * W, t1 = Math.min(L, t0 + W);
        out.set(r.data.subarray((s * per + k) * W * D, ((s * per + k) * W + (t1 - t0)) * D), (s * L + t0) * D);
      }
    }
    return { data: out, D };
  }

  /** Gets the model (given, loaded, or trained on `ds`), then fits one ridge per channel. */
  async fit(ds: TimeSeriesDataset, opts: FitOptions = {}): Promise<void> {
    const { n, length: L, channels: C } = ds;
    const mean = new Float64Array(C), sq = new Float64Array(C), cnt = new Float64Array(C);
    ds.values.forEach((v, i) => { if (ds.mask[i] && Number.isFinite(v)) { const c = i % C; mean[c] = mean[c]! + v; sq[c] = sq[c]! + v * v; cnt[c] = cnt[c]! + 1; } });
    for (let c = 0; c < C; c++) {
      const m = cnt[c] ? mean[c]! / cnt[c]! : 0;
      mean[c] = m;
      sq[c] = Math.sqrt(Math.max(0, cnt[c] ? sq[c]! / cnt[c]! - m * m : 0)) || 1;
    }
    this.mean = mean; this.std = sq; this.channelNames = ds.channelNames.slice();
    const z = normalise(ds, mean, sq);

    if (!this.model) {
      if (this.options.modelDir) this.model = await loadModel(this.options.modelDir);
      else {
        this.model = createModel(this.options.method ?? 'masked', C, { ...(this.options.modelOptions ?? {}), seed: this.options.seed ?? 0 });
        await this.model.fit(createDataset({ values: Float32Array.from(z), n, length: L, channels: C, lengths: ds.lengths, channelNames: ds.channelNames }), opts);
      }
      this.ownsModel = true;
    }

    const rng = new Rng(this.options.seed ?? 0);
    const perChannel: number[][] = Array.from({ length: C }, () => []);
    const feats: { x: Float32Array; y: number }[][] = Array.from({ length: C }, () => []);
    for (let r = 0; r < this.rounds; r++) {
      const zr = Float32Array.from(z);
      for (const a of perChannel) a.length = 0;
      for (let s = 0; s < n; s++) {
        for (let t = 0; t < ds.lengths[s]!; t++) {
          for (let c = 0; c < C; c++) {
            const i = (s * L + t) * C + c;
            if (!Number.isNaN(z[i]!) && rng.uniform() < this.hideRate) { zr[i] = NaN; perChannel[c]!.push(i); }
          }
        }
      }
      const { repr, D } = await this.encode(zr, ds);
      const interp = linearFill(zr, n, L, C, ds.lengths);
      const cap = Math.ceil(this.maxSamples / this.rounds);
      for (let c = 0; c < C; c++) {
        const idx = perChannel[c]!;
        const keep = idx.length > cap ? cap / idx.length : 1;
        for (const i of idx) {
          if (keep < 1 && rng.uniform() >= keep) continue;
          const x = new Float32Array(D + 1);
          featuresInto(x, 0, repr, D, i, C, interp);
          feats[c]!.push({ x, y: z[i]! });
        }
      }
    }

    this.ridges = [];
    for (const pairs of feats) this.ridges.push(await this.fitChannelRidge(pairs, rng));
  }

  /** Ridge for one channel from (features, value) pairs, or undefined when interpolation does as well. */
  private async fitChannelRidge(pairs: { x: Float32Array; y: number }[], rng: Rng): Promise<RidgeWeights | undefined> {
    if (pairs.length < 10) return undefined;
    const d = pairs[0]!.x.length;
    // shuffled 80/20 train/validation split (alpha selection)
    for (let j = pairs.length - 1; j > 0; j--) { const k = rng.int(0, j + 1); const tmp = pairs[j]!; pairs[j] = pairs[k]!; pairs[k] = tmp; }
    const nVal = Math.max(2, Math.floor(pairs.length * 0.2));
    const pack = (ps: typeof pairs) => {
      const x = new Float32Array(ps.length * d), y = new Float32Array(ps.length);
      ps.forEach((p, j) => { x.set(p.x, j * d); y[j] = p.y; });
      return { x, y, n: ps.length };
    };
    const val = pack(pairs.slice(0, nVal));
    const fitted = await fitRidgeSelect(pack(pairs.slice(nVal)), val, d, 1);
    // keep the ridge only when it beats plain interpolation on the validation pairs
    let se = 0, ae = 0;
    for (let j = 0; j < val.n; j++) { const e = val.x[j * d + d - 1]! - val.y[j]!; se += e * e; ae += Math.abs(e); }
    const interpScore = Math.sqrt(se / val.n) + ae / val.n;
    return fitted.valScore < interpScore ? fitted.model : undefined;
  }

  /** Fills the missing entries within each series' length; observed entries are copied unchanged. */
  async impute(ds: TimeSeriesDataset): Promise<ImputeResult> {
    if (!this.mean || !this.std || !this.model) throw new TsreprError('NOT_FITTED', `${this.method} imputer is not fitted`);
    const { n, length: L, channels: C } = ds;
    if (C !== this.mean.length) {
      throw new TsreprError('BAD_INPUT', `${this.method} imputer was fitted on ${this.mean.length} channels (${this.channelNames?.join(', ') ?? '?'}), data has ${C} (${ds.channelNames.join(', ')})`);
    }
    const z = normalise(ds, this.mean, this.std);
    const { repr, D } = await this.encode(z, ds);
    const interp = linearFill(z, n, L, C, ds.lengths);
    const values = Float32Array.from(ds.values);
    const imputedMask = new Uint8Array(values.length);
    const missing: number[][] = Array.from({ length: C }, () => []);
    for (let s = 0; s < n; s++) {
      for (let t = 0; t < ds.lengths[s]!; t++) for (let c = 0; c < C; c++) { const i = (s * L + t) * C + c; if (!ds.mask[i]) missing[c]!.push(i); }
    }
    for (let c = 0; c < C; c++) {
      const idx = missing[c]!;
      if (!idx.length) continue;
      const w = this.ridges[c];
      let pred: Float32Array;
      if (w && w.d === D + 1) {
        const x = new Float32Array(idx.length * (D + 1));
        idx.forEach((i, j) => featuresInto(x, j * (D + 1), repr, D, i, C, interp));
        pred = await predictRidge(w, x, idx.length);
      } else {
        pred = Float32Array.from(idx, (i) => interp[i]!);
      }
      idx.forEach((i, j) => {
        const v = pred[j]! * this.std![c]! + this.mean![c]!;
        if (Number.isFinite(v)) { values[i] = v; imputedMask[i] = 1; }
      });
    }
    return { values, imputedMask };
  }

  async save(dir: string): Promise<void> {
    throw new TsreprError('BAD_OPTION', `${this.method} imputer cannot be saved as one directory (${dir}); save its representation model and refit the imputer with modelDir`);
  }

  dispose(): void {
    if (this.ownsModel) this.model?.dispose();
    this.model = undefined;
  }
}
