/**
 * Patch Transformer backbone (PatchTST/TSFormer style). The series is cut into
 * non-overlapping patches of `patchLen` steps, aligned to the END of the series (the input is
 * zero-padded on the left when T is not a multiple of `patchLen`, so the last patch always
 * ends at the last timestamp — what forecasting reads). Each patch is embedded linearly,
 * gets a sinusoidal positional encoding (any number of patches), and goes through a
 * pre-norm Transformer encoder.
 *
 * - `channelMode: 'independent'` (default, PatchTST): each channel is patched and encoded
 *   separately with shared weights; the per-timestamp output concatenates the channels'
 *   tokens, so `outputDims = dModel · inputDims`.
 * - `channelMode: 'mixing'`: a patch holds all channels (`patchLen · C` values);
 *   `outputDims = dModel`.
 *
 * `forward` broadcasts each patch token to its timestamps (`[B, T, outputDims]`), which is
 * the shared `Backbone` contract; the token-level API (`patchify`, `embedPatches`,
 * `encodeTokens`) is what the masked (MAE) method uses.
 */
import type { Rng } from '../engine/random.js';
import { tf, type Tensor3D, type Variable } from '../engine/tf.js';
import { checkNumber, checkOption } from '../errors.js';
import { Linear } from '../nn/layers.js';
import { normalInit } from '../nn/module.js';
import { sinusoidalEncoding, TransformerEncoder } from '../nn/transformer.js';
import { Backbone, registerBackbone, type BackboneConfig, type BackboneForwardOptions } from './backbone.js';

export type ChannelMode = 'independent' | 'mixing';

export interface TransformerBackboneOptions {
  /** steps per patch (default 12, PatchTST's ETT setting; TSFormer also uses 12) */
  patchLen?: number;
  /** model width (default 128) */
  dModel?: number;
  /** encoder layers (default 3) */
  layers?: number;
  /** attention heads (default 8) */
  heads?: number;
  /** MLP hidden width (default 256) */
  ff?: number;
  /** dropout (default 0.1) */
  dropout?: number;
  /** default 'independent' */
  channelMode?: ChannelMode;
}

export interface TransformerBackboneConfig extends BackboneConfig, Required<TransformerBackboneOptions> {
  kind: 'transformer';
}

/** Fills defaults and validates; `outputDims` follows from the channel mode. */
export function transformerBackboneConfig(inputDims: number, o: TransformerBackboneOptions = {}): TransformerBackboneConfig {
  const cfg = {
    patchLen: o.patchLen ?? 12, dModel: o.dModel ?? 128, layers: o.layers ?? 3, heads: o.heads ?? 8,
    ff: o.ff ?? 256, dropout: o.dropout ?? 0.1, channelMode: o.channelMode ?? 'independent',
  };
  checkNumber('inputDims', inputDims, { min: 1, integer: true });
  checkNumber('patchLen', cfg.patchLen, { min: 1, integer: true });
  checkNumber('dModel', cfg.dModel, { min: 1, integer: true });
  checkNumber('layers', cfg.layers, { min: 0, max: 64, integer: true }); // 1000 layers would exhaust memory before failing
  checkNumber('heads', cfg.heads, { min: 1, integer: true });
  checkNumber('ff', cfg.ff, { min: 1, integer: true });
  checkNumber('dropout', cfg.dropout, { min: 0, max: 0.95 });
  checkOption(cfg.dModel % cfg.heads === 0, `dModel ${cfg.dModel} must be divisible by heads ${cfg.heads}`);
  checkOption(cfg.channelMode === 'independent' || cfg.channelMode === 'mixing', `channelMode must be 'independent' or 'mixing', got '${String(cfg.channelMode)}'`);
  const outputDims = cfg.channelMode === 'independent' ? cfg.dModel * inputDims : cfg.dModel;
  return { kind: 'transformer', inputDims, outputDims, ...cfg };
}

export interface Patches {
  /** `[rows, nPatches, patchDim]`, rows = B·C (independent) or B (mixing) */
  patches: Tensor3D;
  /** zero steps added on the left */
  pad: number;
  nPatches: number;
}

export class TransformerBackbone extends Backbone {
  readonly kind = 'transformer';
  readonly inputDims: number;
  readonly outputDims: number;
  readonly patchDim: number;
  readonly embed: Linear;
  readonly encoder: TransformerEncoder;
  /** learned per-channel input value for `maskFill: 'token'` */
  readonly inputMaskToken: Variable;

  constructor(readonly config: TransformerBackboneConfig, rng: Rng) {
    super();
    this.inputDims = config.inputDims;
    this.outputDims = config.outputDims;
    this.patchDim = config.channelMode === 'independent' ? config.patchLen : config.patchLen * config.inputDims;
    this.embed = this.child('embed', new Linear(this.patchDim, config.dModel, rng));
    this.encoder = this.child('encoder', new TransformerEncoder(config.layers, {
      dim: config.dModel, heads: config.heads, ff: config.ff, dropout: config.dropout,
    }, rng));
    this.inputMaskToken = this.param('inputMaskToken', normalInit(rng, [config.inputDims], 0.02));
  }

  getConfig(): TransformerBackboneConfig {
    return { ...this.config };
  }

  /** rows per series of the token tensors: C (independent) or 1 (mixing) */
  get rowsPerSeries(): number {
    return this.config.channelMode === 'independent' ? this.inputDims : 1;
  }

  /** `x [B, T, C]` → end-aligned patches (no parameters involved). */
  patchify(x: Tensor3D): Patches {
    const [B, T, C] = x.shape;
    const P = this.config.patchLen;
    const nPatches = Math.ceil(T / P);
    const pad = nPatches * P - T;
    const patches = tf.tidy(() => {
      const xp = pad ? tf.pad(x, [[0, 0], [pad, 0], [0, 0]]) : x;
      return this.config.channelMode === 'independent'
        ? tf.reshape(tf.transpose(xp, [0, 2, 1]), [B * C, nPatches, P]) as Tensor3D
        : tf.reshape(xp, [B, nPatches, P * C]) as Tensor3D;
    });
    return { patches, pad, nPatches };
  }

  /** `[rows, n, patchDim]` → `[rows, n, dModel]` */
  embedPatches(patches: Tensor3D): Tensor3D {
    return this.embed.apply(patches);
  }

  /**
   * Adds positional encodings and runs the encoder. `positions`: the patch index of every
   * token, either `n` entries shared by all rows or `rows·n` entries (row-major), so a
   * gathered subset of patches keeps its original positions.
   */
  encodeTokens(tokens: Tensor3D, positions: ArrayLike<number>, opts: { training: boolean; rng?: Rng }): Tensor3D {
    return tf.tidy(() => {
      const [rows, n, D] = tokens.shape;
      checkOption(positions.length === n || positions.length === rows * n, `encodeTokens: ${positions.length} positions for ${rows}×${n} tokens`);
      const pe = sinusoidalEncoding(positions, D);
      const withPos = positions.length === n ? tf.add(tokens, pe) : tf.add(tokens, tf.reshape(pe, [rows, n, D]));
      return this.encoder.apply(withPos as Tensor3D, opts.training, opts.rng);
    });
  }

  /** `x [B, T, C]` → patch tokens in series layout `[B, nPatches, outputDims]`, plus the left pad. */
  forwardTokens(x: Tensor3D, opts: BackboneForwardOptions): { tokens: Tensor3D; pad: number } {
    let pad = 0;
    const tokens = tf.tidy(() => {
      const [B, , C] = x.shape;
      let xin: Tensor3D = x;
      if (opts.timestampMask) {
        const m = tf.expandDims(opts.timestampMask, 2) as Tensor3D; // [B, T, 1]
        xin = tf.mul(x, m) as Tensor3D;
        if (opts.maskFill === 'token') xin = tf.add(xin, tf.mul(tf.sub(1, m), this.inputMaskToken)) as Tensor3D;
      }
      const p = this.patchify(xin);
      pad = p.pad;
      const n = p.nPatches;
      const positions = Int32Array.from({ length: n }, (_, i) => i);
      const enc = this.encodeTokens(this.embedPatches(p.patches), positions, { training: opts.training, rng: opts.rng });
      if (this.config.channelMode === 'mixing') return enc;
      const D = this.config.dModel;
      return tf.reshape(tf.transpose(tf.reshape(enc, [B, C, n, D]), [0, 2, 1, 3]), [B, n, C * D]) as Tensor3D;
    });
    return { tokens, pad };
  }

  /** `x [B, T, C]` → `[B, T, outputDims]`: each timestamp gets its patch's token. */
  forward(x: Tensor3D, opts: BackboneForwardOptions): Tensor3D {
    return tf.tidy(() => {
      const { tokens, pad } = this.forwardTokens(x, opts);
      return tokensToTimestamps(tokens, this.config.patchLen, pad, x.shape[1]);
    });
  }
}

/** `[B, n, D]` patch tokens → `[B, T, D]` per timestamp (drops the `pad` leading steps). */
export function tokensToTimestamps(tokens: Tensor3D, patchLen: number, pad: number, T: number): Tensor3D {
  return tf.tidy(() => {
    const [B, n, D] = tokens.shape;
    const rep = tf.mul(tf.expandDims(tokens, 2), tf.ones([1, 1, patchLen, 1])); // [B, n, P, D]
    const flat = tf.reshape(rep, [B, n * patchLen, D]) as Tensor3D;
    return pad ? tf.slice(flat, [0, pad, 0], [B, T, D]) : flat;
  });
}

/** Index of the patch holding timestamp `t` of a series of length T (end-aligned patches). */
export function patchIndexOf(t: number, T: number, patchLen: number): number {
  const pad = Math.ceil(T / patchLen) * patchLen - T;
  return Math.floor((t + pad) / patchLen);
}

registerBackbone('transformer', (config, rng) => {
  const c = config as Partial<TransformerBackboneConfig> & BackboneConfig;
  const full = transformerBackboneConfig(c.inputDims, c);
  return new TransformerBackbone(full, rng);
});
