/**
 * Imputers: one interface for every way of filling missing entries of a TimeSeriesDataset.
 * `impute` never changes an observed entry; it fills every missing entry within each series'
 * length (padding beyond `lengths[s]` stays NaN) and says which ones it filled.
 */
import type { TimeSeriesDataset } from '../../data/dataset.js';
import { loadModelDir, saveModelDir } from '../../engine/weights.js';
import { TsreprError } from '../../errors.js';
import type { FitOptions } from '../../methods/model.js';
import { SsganModel } from '../../methods/ssgan/index.js';
import { RepresentationImputer, representationImputerOptions } from './representation.js';

export const IMPUTE_METHODS = ['ssgan', 'masked', 'representation', 'linear', 'locf', 'mean'] as const;
export type ImputeMethod = (typeof IMPUTE_METHODS)[number];

export interface ImputeResult {
  /** `[N, T, C]` like `ds.values`, missing entries filled (padding stays NaN) */
  values: Float32Array;
  /** `[N, T, C]`, 1 where the entry was missing and has been filled */
  imputedMask: Uint8Array;
}

export interface Imputer {
  readonly method: ImputeMethod;
  /** channel names it was fitted on (a fitted imputer checks them against new data) */
  readonly channelNames?: string[];
  fit(ds: TimeSeriesDataset, opts?: FitOptions): Promise<void>;
  impute(ds: TimeSeriesDataset): Promise<ImputeResult>;
  save(dir: string): Promise<void>;
  dispose(): void;
}

/** Copies observed entries, fills missing ones within the length from `fill`, marks them. */
function finish(ds: TimeSeriesDataset, fill: (i: number) => number): ImputeResult {
  const { n, length: L, channels: C } = ds;
  const values = Float32Array.from(ds.values);
  const imputedMask = new Uint8Array(values.length);
  for (let s = 0; s < n; s++) {
    const len = ds.lengths[s]!;
    for (let t = 0; t < len; t++) {
      for (let c = 0; c < C; c++) {
        const i = (s * L + t) * C + c;
        if (ds.mask[i]) continue;
        const v = fill(i);
        if (Number.isFinite(v)) { values[i] = v; imputedMask[i] = 1; }
      }
    }
  }
  return { values, imputedMask };
}

/** Per-channel means over observed entries (NaN for an unobserved channel). */
export function channelMeans(ds: TimeSeriesDataset): Float64Array {
  const C = ds.channels, sum = new Float64Array(C), cnt = new Float64Array(C);
  for (let i = 0; i < ds.values.length; i++) if (ds.mask[i]) { const c = i % C; sum[c] = sum[c]! + ds.values[i]!; cnt[c] = cnt[c]! + 1; }
  return sum.map((s, c) => (cnt[c] ? s / cnt[c]! : NaN));
}

function checkChannels(imp: { method: string; channelNames?: string[] }, ds: TimeSeriesDataset, width: number): void {
  if (width !== ds.channels) {
    throw new TsreprError('BAD_INPUT', `${imp.method} imputer was fitted on ${width} channels (${imp.channelNames?.join(', ') ?? '?'}), data has ${ds.channels} (${ds.channelNames.join(', ')})`);
  }
}

type SimpleKind = 'mean' | 'locf' | 'linear';

/**
 * Mean, LOCF and linear interpolation. All fit the per-channel means, used by 'mean' and as
 * the fallback of LOCF/linear for a series in which a channel is never observed.
 * LOCF: last observation carried forward, then the first observation carried backward to
 * the start. Linear: straight line between the neighbouring observations of the same
 * series and channel, constant beyond the first/last observation.
 */
export class SimpleImputer implements Imputer {
  means?: Float64Array;
  channelNames?: string[];
  constructor(readonly method: SimpleKind) {}

  async fit(ds: TimeSeriesDataset): Promise<void> {
    this.means = channelMeans(ds);
    this.channelNames = ds.channelNames.slice();
  }

  async impute(ds: TimeSeriesDataset): Promise<ImputeResult> {
    const means = this.means ?? channelMeans(ds);
    checkChannels(this, ds, means.length);
    const { n, length: L, channels: C } = ds;
    if (this.method === 'mean') return finish(ds, (i) => means[i % C]!);
    const fillv = new Float64Array(ds.values.length).fill(NaN);
    for (let s = 0; s < n; s++) {
      const len = ds.lengths[s]!;
      for (let c = 0; c < C; c++) {
        const at = (t: number) => (s * L + t) * C + c;
        let prev = -1;
        for (let t = 0; t <= len; t++) {
          if (t < len && !ds.mask[at(t)]) continue;
          // gap (prev, t): prev = last observed step (or −1), t = next observed step (or len)
          for (let u = prev + 1; u < t; u++) {
            let v: number;
            if (prev < 0 && t >= len) v = means[c]!;
            else if (prev < 0) v = ds.values[at(t)]!;
            else if (t >= len || this.method === 'locf') v = ds.values[at(prev)]!;
            else { const a = ds.values[at(prev)]!, b = ds.values[at(t)]!; v = a + ((b - a) * (u - prev)) / (t - prev); }
            fillv[at(u)] = v;
          }
          prev = t;
        }
      }
    }
    return finish(ds, (i) => fillv[i]!);
  }

  async save(dir: string): Promise<void> {
    if (!this.means) throw new TsreprError('NOT_FITTED', `${this.method} imputer is not fitted`);
    await saveModelDir(dir, {
      method: 'imputer-baseline',
      config: { kind: this.method, means: Array.from(this.means, (v) => (Number.isNaN(v) ? null : v)), channelNames: this.channelNames },
      tensors: new Map(),
    });
  }

  dispose(): void {}
}

/** SSGAN as an imputer (see methods/ssgan). */
export class SsganImputer implements Imputer {
  readonly method = 'ssgan';
  model?: SsganModel;
  constructor(readonly options: Record<string, unknown> = {}, model?: SsganModel) { this.model = model; }
  get channelNames(): string[] | undefined { return this.model?.channelNames; }

  async fit(ds: TimeSeriesDataset, opts: FitOptions = {}): Promise<void> {
    this.model?.dispose();
    this.model = new SsganModel(ds.channels, this.options);
    await this.model.fit(ds, opts);
  }

  async impute(ds: TimeSeriesDataset): Promise<ImputeResult> {
    if (!this.model?.fitted) throw new TsreprError('NOT_FITTED', 'SSGAN imputer is not fitted');
    checkChannels(this, ds, this.model.inputDims);
    const filled = await this.model.imputeValues(ds);
    return finish(ds, (i) => filled[i]!);
  }

  async save(dir: string): Promise<void> {
    if (!this.model) throw new TsreprError('NOT_FITTED', 'SSGAN imputer is not fitted');
    await this.model.save(dir);
  }

  dispose(): void { this.model?.dispose(); }
}

/** Creates an unfitted imputer; `options` are the method's hyper-parameters (SSGAN only). */
export function createImputer(method: string, options: Record<string, unknown> = {}): Imputer {
  switch (method) {
    case 'mean': case 'locf': case 'linear': return new SimpleImputer(method);
    case 'ssgan': return new SsganImputer(options);
    // ridge on per-timestamp representations of a fitted model (options.model / modelDir), or of a model trained in fit
    case 'representation': return new RepresentationImputer('representation', representationImputerOptions(options));
    case 'masked': return new RepresentationImputer('masked', { ...representationImputerOptions(options), method: 'masked' });
    default:
      throw new TsreprError('BAD_OPTION', `unknown imputation method '${method}'; available: ${IMPUTE_METHODS.join(', ')}`);
  }
}

/** Loads a fitted imputer from a model directory (SSGAN or a saved baseline). */
export async function loadImputer(dir: string): Promise<Imputer> {
  const art = await loadModelDir(dir);
  try {
    if (art.manifest.method === 'ssgan') return new SsganImputer({}, SsganModel.fromArtifacts(art));
    if (art.manifest.method === 'imputer-baseline') {
      const cfg = art.config as { kind: SimpleKind; means: (number | null)[]; channelNames?: string[] };
      const imp = new SimpleImputer(cfg.kind);
      imp.means = Float64Array.from(cfg.means, (v) => v ?? NaN);
      imp.channelNames = cfg.channelNames;
      return imp;
    }
    throw new TsreprError('BAD_MODEL', `${dir}: a '${art.manifest.method}' model is not an imputer (expected ssgan or a saved baseline imputer)`);
  } finally {
    for (const t of art.tensors.values()) t.dispose();
  }
}
