/**
 * The shared backbone interface. A backbone maps a batch of series to per-timestamp
 * representations; it knows no training objective. TS2Vec's dilated-conv encoder and the
 * masked model's Transformer both implement it, so either objective can train either
 * backbone.
 */
import type { Rng } from '../engine/random.js';
import type { Tensor2D, Tensor3D } from '../engine/tf.js';
import { TsreprError } from '../errors.js';
import { Module } from '../nn/module.js';

export interface BackboneForwardOptions {
  /** training mode (dropout on) */
  training: boolean;
  /**
   * `[B, T]`, 1 = keep timestamp t, 0 = mask it. Applied to the projected input: masked
   * positions are filled per `maskFill`. Callers fold missing timestamps (NaN in every
   * channel) into this mask.
   */
  timestampMask?: Tensor2D;
  /** 'zero' (TS2Vec's timestamp masking) or 'token' (a learned mask token, SimMIM-style) */
  maskFill?: 'zero' | 'token';
  /** randomness for dropout */
  rng?: Rng;
}

/** JSON description of a backbone; `kind` selects the implementation. */
export interface BackboneConfig {
  kind: string;
  inputDims: number;
  outputDims: number;
  [k: string]: unknown;
}

export abstract class Backbone extends Module {
  abstract readonly kind: string;
  abstract readonly inputDims: number;
  abstract readonly outputDims: number;
  /**
   * `x [B, T, inputDims]` (no NaN: missing entries already set to 0) →
   * `[B, T, outputDims]` per-timestamp representations.
   */
  abstract forward(x: Tensor3D, opts: BackboneForwardOptions): Tensor3D;
  /** configuration from which `createBackbone` rebuilds an identical (untrained) backbone */
  abstract getConfig(): BackboneConfig;
}

type BackboneFactory = (config: BackboneConfig, rng: Rng) => Backbone;
const factories = new Map<string, BackboneFactory>();

/** Registers a backbone implementation under its `kind`. */
export function registerBackbone(kind: string, factory: BackboneFactory): void {
  factories.set(kind, factory);
}

/** Builds a backbone from its config (weights freshly initialised from `rng`). */
export function createBackbone(config: BackboneConfig, rng: Rng): Backbone {
  const f = factories.get(config.kind);
  if (!f) throw new TsreprError('BAD_OPTION', `unknown backbone '${config.kind}'; available: ${[...factories.keys()].join(', ') || 'none registered'}`);
  return f(config, rng);
}

export function backboneKinds(): string[] {
  return [...factories.keys()];
}
