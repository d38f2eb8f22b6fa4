/**
 * The pieces of TS2Vec's training step that both the single-thread path (`pairedViewsLoss`)
 * and the parallel one (ts2vec-parallel.ts, with ts2vec-worker.ts) build it from: the
 * encoder's input batches of the two views, the representation-dropout masks, and the loss of
 * one shard of the batch. Plain typed arrays in, so a worker thread can be sent its share.
 */
import type { DilatedConvEncoder } from '../backbones/dilated-conv.js';
import { dropoutKeepMask } from '../engine/ops.js';
import { tf, type Tensor3D } from '../engine/tf.js';
import type { Rng } from '../engine/random.js';
import type { SeriesArray } from './crops.js';
import { hierarchicalContrastiveLossStacked } from './losses.js';

/**
 * When `pairedViewsLoss` stacks the two views into one padded batch: when the padding,
 * B·|L1 − L2| timesteps, is at most `maxPaddedSteps`. Stacking halves the encoder's kernel
 * calls (it wins on short series, which are dispatch-bound); apart, no FLOPs go to padding
 * (it wins on long series with views of very different lengths, which are FLOP-bound).
 * Both give the same loss and gradients up to float rounding. 64 (B = 8: views within 8 steps
 * of each other) measured best of 0/32/64/128/always on ItalyPowerDemand, GunPoint and Coffee
 * (experiments/ts2vec-speed.ts --max-padded). Exported for experiments.
 */
export const STACKING = { maxPaddedSteps: 64 };

/** Whether the step with this batch size and these view lengths stacks the views (`STACKING`). */
export function stacksViews(B: number, L1: number, L2: number): boolean {
  return B * Math.abs(L1 - L2) <= STACKING.maxPaddedSteps;
}

/** One encoder input batch as plain arrays (see `viewBatches`). */
export interface ViewBatch {
  /** `[rows, L, C]` values, NaN replaced by 0 */
  xs: Float32Array;
  /** `[rows, L]` timestamp keep-mask (0 also at padding) */
  ms: Float32Array;
  /** `[rows, L, 1]` 1 = a real timestep, when views of different lengths are stacked */
  valid?: Float32Array;
  rows: number;
  L: number;
  C: number;
  /** the crop's timesteps of each group of rows (`forwardTraining`'s `cut.groups`) */
  groups: { rows: number; start: number }[];
}

/**
 * The encoder's inputs for instances `[from, to)` of the two views: one `[2b, Lmax, C]` batch
 * (view 1's rows, then view 2's, the shorter view zero-padded at the end) when `stack`, else one
 * `[b, Li, C]` batch per view (b = to − from).
 */
export function viewBatches(
  views: readonly [SeriesArray, SeriesArray], keeps: readonly [Uint8Array, Uint8Array], cropL: number, stack: boolean,
  from = 0, to = views[0].n,
): ViewBatch[] {
  const B = to - from, C = views[0].channels;
  const L1 = views[0].length, L2 = views[1].length;
  const Lmax = stack ? Math.max(L1, L2) : 0;
  return (stack ? [[0, 1]] : [[0], [1]]).map((which) => {
    const L = stack ? Lmax : views[which[0]!]!.length;
    const rows = which.length * B;
    const xs = new Float32Array(rows * L * C), ms = new Float32Array(rows * L);
    which.forEach((vi, k) => {
      const v = views[vi]!, keep = keeps[vi]!;
      for (let i = 0; i < B; i++) {
        const row = k * B + i;
        for (let t = 0; t < v.length; t++) {
          const r = (from + i) * v.length + t;
          ms[row * L + t] = keep[r]!;
          for (let c = 0; c < C; c++) { const x = v.values[r * C + c]!; xs[(row * L + t) * C + c] = Number.isNaN(x) ? 0 : x; }
        }
      }
    });
    let valid: Float32Array | undefined;
    if (which.length === 2 && L1 !== L2) {
      valid = new Float32Array(rows * L);
      for (let row = 0; row < rows; row++) valid.fill(1, row * L, row * L + (row < B ? L1 : L2));
    }
    const groups = which.map((vi) => ({ rows: B, start: vi === 0 ? L1 - cropL : 0 }));
    return { xs, ms, valid, rows, L, C, groups };
  });
}

/** A `ViewBatch` as tensors, for `forwardTraining`. */
export interface BatchTensors { x: Tensor3D; m: tf.Tensor2D; valid?: Tensor3D; groups: { rows: number; start: number }[] }

export function batchTensors(b: ViewBatch): BatchTensors {
  return {
    x: tf.tensor3d(b.xs, [b.rows, b.L, b.C]), m: tf.tensor2d(b.ms, [b.rows, b.L]),
    valid: b.valid ? tf.tensor3d(b.valid, [b.rows, b.L, 1]) : undefined, groups: b.groups,
  };
}

export function disposeBatchTensors(bs: readonly BatchTensors[]): void {
  for (const b of bs) { b.x.dispose(); b.m.dispose(); b.valid?.dispose(); }
}

/**
 * Representation dropout as nn/layers `dropout` on each view's `[B, Li, D]` output, with the
 * view's own seed (the same draws as when the views are encoded apart); only the crop's
 * rows are needed, so the scaled masks are cut to it, and to instances `[from, to)`:
 * `[2b, cropL, D]` (view 1's rows, then view 2's). Undefined when `rate` is 0.
 * (`tf.randomUniform` fills its output in order from one seeded stream, so instances
 * `[0, to)` of a `[B, Li, D]` draw are a `[to, Li, D]` draw: only that much is drawn.)
 */
export function dropMasks(
  B: number, lengths: readonly [number, number], cropL: number, D: number, rate: number, seeds: readonly [number, number],
  from = 0, to = B,
): Tensor3D | undefined {
  if (rate <= 0) return undefined;
  return tf.tidy(() => tf.concat([0, 1].map((v) => viewDropMask(v, lengths, cropL, D, rate, seeds[v]!, from, to)), 0)) as Tensor3D;
}

/** View `v`'s part of `dropMasks`: `[b, cropL, D]` (instances `[from, to)`). */
export function viewDropMask(v: number, lengths: readonly [number, number], cropL: number, D: number, rate: number, seed: number, from: number, to: number): Tensor3D {
  const L = lengths[v]!, start = v === 0 ? L - cropL : 0;
  return tf.tidy(() => dropoutKeepMask(tf.randomUniform([to, L, D], 0, 1, 'float32', seed) as Tensor3D, rate, [from, start], [to - from, cropL]));
}

/** The encoder's output on the crop, `[z1; z2]` (`[2b, cropL, D]`), with the dropout applied. */
export function encodeCrop(net: DilatedConvEncoder, batches: readonly BatchTensors[], cropL: number, drop?: Tensor3D): Tensor3D {
  // the encoder returns only the crop's timesteps: view 1's last cropL, view 2's first
  const outs = batches.map((b) => net.forwardTraining(b.x, b.m, b.valid, { length: cropL, groups: b.groups }));
  let zz = outs.length === 1 ? outs[0]! : tf.concat(outs, 0) as Tensor3D;
  if (drop) zz = tf.mul(zz, drop);
  return zz;
}

/**
 * One training step's loss on the two crops of a batch, as a closure for `optimizerStep`.
 * `views` are the two views (`[B, L1, C]`, `[B, L2, C]`, NaN = missing), `keeps` their
 * timestamp keep-masks (`[B, Li]`, observed AND the random binomial mask), `cropL` the
 * overlap (the last `cropL` steps of view 1, the first of view 2), `dropRngs` the two views'
 * dropout randomness.
 *
 * Both views go through the encoder as ONE batch of 2B series (view 1's rows, then view 2's),
 * the shorter view zero-padded at the end and kept at zero through every layer
 * (`DilatedConvEncoder.forwardTraining`), so the encoder's kernels run once per step instead
 * of once per view. The result equals encoding the views apart (`forward` on each, then
 * dropout with each view's own seed) up to float rounding; test/methods/ts2vec-stacked.test.ts
 * checks it.
 */
export function pairedViewsLoss(
  net: DilatedConvEncoder, views: readonly [SeriesArray, SeriesArray], keeps: readonly [Uint8Array, Uint8Array], cropL: number,
  dropRngs: readonly [Rng, Rng], lossOpts: { alpha: number; temporalUnit: number }, opts: { stack?: boolean } = {},
): { loss: () => tf.Scalar; dispose: () => void } {
  const B = views[0].n;
  const L1 = views[0].length, L2 = views[1].length;
  const stack = opts.stack ?? stacksViews(B, L1, L2);
  const batches = viewBatches(views, keeps, cropL, stack).map(batchTensors);
  const rate = net.config.dropout;
  const drop = rate > 0 ? dropMasks(B, [L1, L2], cropL, net.outputDims, rate, [dropRngs[0].seed(), dropRngs[1].seed()]) : undefined;
  return {
    loss: () => hierarchicalContrastiveLossStacked(encodeCrop(net, batches, cropL, drop), lossOpts),
    dispose: () => {
      disposeBatchTensors(batches);
      drop?.dispose();
    },
  };
}
