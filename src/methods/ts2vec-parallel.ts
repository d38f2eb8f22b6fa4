/**
 * TS2Vec's training step on several threads (the `workers` option): the batch's instances are
 * split into shards; the calling thread encodes the first shard and each `worker_threads`
 * worker (ts2vec-worker.ts, with its own tfjs wasm backend) one of the others, in parallel.
 *
 * The hierarchical loss splits the same way (`hierarchicalLossPart`). Its temporal terms and
 * all its positive terms are sums over instances, so each shard computes them on its own rows.
 * Only the instance terms' log-sum-exps contrast instances with each other; they are sums
 * over timestamps, so each shard computes them for its span of the timestamps, on the whole
 * batch. Per step:
 *
 * 1. the caller writes the flat parameter vector into a SharedArrayBuffer and posts each
 *    worker its shard's inputs. Every thread draws the views' dropout masks from the same
 *    seeds as the single-thread path, and keeps its rows;
 * 2. each thread encodes its shard, puts its representations into shared memory, computes
 *    its local part of the loss, then gathers the whole batch from the others and computes
 *    its span of the instance part;
 * 3. in the backward pass each thread puts its instance part's dL/dz (whole batch) into shared
 *    memory and adds the others' rows for its own instances to its own, then backpropagates
 *    its encoder pass; the workers write their weight gradients into shared memory;
 * 4. the caller sums the gradients and takes the optimiser step.
 *
 * The exchanges happen inside tfjs's tape, which runs forward and backward in one synchronous
 * call, so they are synchronous (`Atomics.wait`). The result equals the single-thread step
 * up to float rounding (gradients are summed per shard, loss terms in another order):
 * test/methods/ts2vec-parallel.test.ts compares them.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DilatedConvConfig, DilatedConvEncoder } from '../backbones/dilated-conv.js';
import { customGrad } from '../engine/ops.js';
import { readFiniteLoss, gradsByName, type OnNonFinite, type StepResult } from '../engine/optim.js';
import { tf, type Tensor, type Tensor3D, type Variable } from '../engine/tf.js';
import { TsreprError } from '../errors.js';
import type { SeriesArray } from './crops.js';
import type { FlatAdamW } from './flat-adamw.js';
import { hierarchicalLossPart } from './losses.js';
import { batchTensors, disposeBatchTensors, encodeCrop, stacksViews, viewBatches, viewDropMask, type BatchTensors, type ViewBatch } from './ts2vec-step.js';

/**
 * Milliseconds spent in the parallel steps so far, summed (for experiments/ts2vec-speed.ts):
 * the caller's whole steps and its waits for the other shards (representations, dL/dz, the
 * end of their step); the workers' whole steps and their waits (summed over the workers).
 */
export const PARALLEL_STATS = { steps: 0, callerMs: 0, callerWaitMs: 0, callerWaitDoneMs: 0, workerMs: 0, workerWaitMs: 0 };

/**
 * The shared control array (Int32), one per parallel run: `FAIL` (0, or 1 + the index of the
 * shard that failed or gave up), the length of the failure's message, per view the id of the
 * step whose dropout mask (`M`) is in shared memory, and per shard the id of the step whose
 * representations (`Z`) and instance-part dL/dz (`G`) it has put into shared memory. Flags are
 * written with `Atomics.store` + `Atomics.notify`.
 */
export const CTRL = {
  FAIL: 0, ERR_LEN: 1, M: (v: number) => 2 + v, Z: (s: number) => 4 + 2 * s, G: (s: number) => 5 + 2 * s, size: (shards: number) => 4 + 2 * shards,
};

/** How long one `Atomics.wait` sleeps before it looks at the failure flag again, and the most a worker waits. */
const WAIT_SLICE_MS = 250;
export const WAIT_LIMIT_MS = 10 * 60_000;
const ERR_BYTES = 4096;

/**
 * Blocks until `ctrl[idx] === value`. Throws when the failure flag is set, or after `limitMs`.
 * (A worker that dies without setting the flag, e.g. terminated from outside, cannot be seen
 * any other way from inside a synchronous wait.) Returns the milliseconds waited.
 */
export function waitFor(ctrl: Int32Array, idx: number, value: number, what: () => string, errText: () => string, limitMs = WAIT_LIMIT_MS): number {
  const t0 = performance.now();
  for (;;) {
    const cur = Atomics.load(ctrl, idx);
    if (cur === value) return performance.now() - t0;
    if (Atomics.load(ctrl, CTRL.FAIL) !== 0) throw new Error(`${what()}: ${errText()}`);
    if (performance.now() - t0 > limitMs) throw new Error(`${what()}: no answer after ${Math.round(limitMs / 1000)} s`);
    Atomics.wait(ctrl, idx, cur, WAIT_SLICE_MS);
  }
}

/** Sets `ctrl[idx] = value` and wakes its waiters. */
function signal(ctrl: Int32Array, idx: number, value: number): void {
  Atomics.store(ctrl, idx, value);
  Atomics.notify(ctrl, idx);
}

/**
 * Raises the failure flag for `shard` (unless another shard's failure was first), with `message`
 * in `err`, and wakes every waiter.
 */
export function raiseFailure(ctrl: Int32Array, err: Uint8Array, shard: number, message: string): void {
  if (Atomics.compareExchange(ctrl, CTRL.FAIL, 0, shard + 1) !== 0) return;
  const bytes = new TextEncoder().encode(message.slice(0, 1500));
  const n = Math.min(bytes.length, err.length);
  err.set(bytes.subarray(0, n));
  Atomics.store(ctrl, CTRL.ERR_LEN, n);
  for (let i = 0; i < ctrl.length; i++) Atomics.notify(ctrl, i);
}

/** Who failed, and why, as the failure flag and message say. */
export function failureText(ctrl: Int32Array, err: Uint8Array): string {
  const who = Atomics.load(ctrl, CTRL.FAIL);
  if (who === 0) return 'no failure';
  const n = Math.min(Atomics.load(ctrl, CTRL.ERR_LEN), err.length);
  const msg = new TextDecoder().decode(err.slice(0, n));
  return who === 1 ? `the calling thread gave up (${msg})` : `worker ${who - 1} failed: ${msg}`;
}

/** The parameters' order and shapes in the flat vectors (FlatAdamW's order: trainable parameters by name). */
export interface Slot { name: string; shape: number[]; size: number }

/** The shared buffers of one parallel run, as typed views. */
export interface Shared {
  ctrl: Int32Array;
  err: Uint8Array;
  /** the flat parameter vector the caller broadcasts */
  params: Float32Array;
  /** per worker (shard 1, 2, …): its flat weight gradient */
  grads: Float32Array[];
  /** per shard: its representations `[2b, cropL, D]` */
  z: Float32Array[];
  /** per shard: its instance part's dL/dz of the whole batch `[2B, cropL, D]` */
  g: Float32Array[];
  /** per view: its scaled dropout keep-mask on the crop, every instance `[B, cropL, D]` */
  m: Float32Array[];
}

/** What one shard computes in one step (the same on the caller and on a worker). */
export interface ShardTask {
  id: number;
  shard: number;
  /** instances `[from, to)` of every shard */
  ranges: [number, number][];
  /** every shard's span of the instance part's timestamps (fractions, partitioning [0, 1]) */
  spans: [number, number][];
  batch: number;
  cropL: number;
  lengths: [number, number];
  seeds: [number, number];
  lossOpts: { alpha: number; temporalUnit: number };
  /** false when the loss has no instance terms (alpha 0): the shards are independent */
  exchange: boolean;
}

/**
 * The loss closure of one shard's step for `tf.variableGrads`: `net` on the shard's `batches`
 * (dropout `drop`), its local part of the loss, and, exchanging representations and gradients
 * with the other shards through `sh`, its span of the instance part. `onWait` receives the
 * milliseconds spent waiting; `limitMs` bounds each wait.
 */
export function shardLoss(
  net: DilatedConvEncoder, batches: readonly BatchTensors[], drop: () => Tensor3D | undefined, task: ShardTask, sh: Shared,
  opts: { limitMs: () => number; onWait: (ms: number) => void; label: string },
): () => tf.Scalar {
  const { id, shard: s, ranges, batch: B, cropL, lossOpts } = task;
  const D = net.outputDims;
  const others = ranges.map((_, r) => r).filter((r) => r !== s);
  const what = (x: string) => () => `${opts.label}: waiting for ${x}`;
  const failure = () => failureText(sh.ctrl, sh.err);
  /** this shard's rows, [z1[I]; z2[I]], of a whole-batch [2B, cropL, D] tensor or buffer */
  const [f0, e0] = ranges[s]!, n0 = e0 - f0, row = cropL * D;
  const ownRows = (t: Tensor | Float32Array) => t instanceof Float32Array
    ? tf.concat([tf.tensor3d(t.subarray(f0 * row, e0 * row), [n0, cropL, D]), tf.tensor3d(t.subarray((B + f0) * row, (B + e0) * row), [n0, cropL, D])], 0)
    : tf.concat([tf.slice(t, [f0, 0, 0], [n0, cropL, D]), tf.slice(t, [B + f0, 0, 0], [n0, cropL, D])], 0);
  const gather = customGrad(([zz], save) => {
    save([]);
    const value = tf.tidy(() => {
      const z = new Map<number, Tensor>([[s, zz!]]);
      for (const r of others) {
        opts.onWait(waitFor(sh.ctrl, CTRL.Z(r), id, what(`shard ${r}'s representations`), failure, opts.limitMs()));
        const [f, e] = ranges[r]!;
        z.set(r, tf.tensor3d(sh.z[r]!.subarray(0, 2 * (e - f) * cropL * D), [2 * (e - f), cropL, D]));
      }
      const parts: Tensor[] = [];
      for (const v of [0, 1]) {
        ranges.forEach(([f, e], r) => parts.push(tf.slice(z.get(r)!, [v * (e - f), 0, 0], [e - f, cropL, D])));
      }
      return tf.concat(parts, 0) as Tensor3D;
    });
    return {
      value,
      gradFunc: (dy) => {
        sh.g[s]!.set(dy.dataSync() as Float32Array);
        signal(sh.ctrl, CTRL.G(s), id);
        let own = ownRows(dy);
        for (const r of others) {
          opts.onWait(waitFor(sh.ctrl, CTRL.G(r), id, what(`shard ${r}'s dL/dz`), failure, opts.limitMs()));
          own = tf.add(own, ownRows(sh.g[r]!));
        }
        return [own];
      },
    };
  }) as (zz: Tensor3D) => Tensor3D;
  return () => {
    // the dropout mask is applied after the encoder pass, as in encodeCrop (the other view's
    // mask, drawn by another shard, is ready by then)
    let zz = encodeCrop(net, batches, cropL);
    const mask = drop();
    if (mask) zz = tf.mul(zz, mask);
    if (!task.exchange) return hierarchicalLossPart(zz, 'local', B, lossOpts);
    // hand the representations over first, then the local part while the others do theirs
    sh.z[s]!.set(zz.dataSync() as Float32Array);
    signal(sh.ctrl, CTRL.Z(s), id);
    const local = hierarchicalLossPart(zz, 'local', B, lossOpts);
    const inst = hierarchicalLossPart(gather(zz), 'instance', B, { ...lossOpts, span: task.spans[s] });
    return tf.add(local, inst) as tf.Scalar;
  };
}

/** The shard that draws view `v`'s dropout mask: the first for view 0, the last for view 1. */
export function maskOwner(v: number, shards: number): number {
  return v === 0 ? 0 : shards - 1;
}

/**
 * `shardLoss`'s inputs as tensors: the shard's batches, and its rows of the dropout masks, as
 * `dropMasks` draws them for the whole batch. Each view's mask is one seeded stream over all
 * instances, so one shard (`maskOwner`) draws it, for every instance, and puts it into shared
 * memory; the others copy their rows from there when they need them (`drop()`, after their
 * encoder pass). `dispose` frees what was made.
 */
export function shardInputs(
  batches: readonly ViewBatch[], task: ShardTask, sh: Shared, D: number, rate: number, opts: { limitMs: () => number; onWait: (ms: number) => void; label: string },
): { batches: BatchTensors[]; drop: () => Tensor3D | undefined; dispose: () => void } {
  const { shard: s, batch: B, cropL, id } = task;
  const shards = task.ranges.length;
  const [from, to] = task.ranges[s]!;
  const b = to - from, row = cropL * D;
  const tensors = batches.map(batchTensors);
  const made: Tensor[] = [];
  const own: (Tensor3D | undefined)[] = [undefined, undefined];
  if (rate > 0) {
    for (const v of [0, 1]) {
      if (maskOwner(v, shards) !== s) continue;
      // every instance's mask of this view (dropMasks with the view's seed), shared, and this shard's rows kept
      const all = viewDropMask(v, task.lengths, cropL, D, rate, task.seeds[v]!, 0, B);
      sh.m[v]!.set(all.dataSync() as Float32Array);
      signal(sh.ctrl, CTRL.M(v), id);
      own[v] = tf.tidy(() => tf.slice(all, [from, 0, 0], [b, cropL, D]) as Tensor3D);
      all.dispose();
      made.push(own[v]!);
    }
  }
  let drop: Tensor3D | undefined;
  return {
    batches: tensors,
    drop: () => {
      if (rate <= 0) return undefined;
      if (drop) return drop;
      const parts = ([0, 1] as const).map((v) => {
        if (own[v]) return own[v]!;
        opts.onWait(waitFor(sh.ctrl, CTRL.M(v), id, () => `${opts.label}: waiting for view ${v + 1}'s dropout mask`, () => failureText(sh.ctrl, sh.err), opts.limitMs()));
        const t = tf.tensor3d(sh.m[v]!.subarray(from * row, to * row), [b, cropL, D]);
        made.push(t);
        return t;
      });
      drop = tf.concat(parts, 0) as Tensor3D;
      made.push(drop);
      return drop;
    },
    dispose: () => {
      disposeBatchTensors(tensors);
      for (const t of made) t.dispose();
    },
  };
}

/** Messages to a worker. */
export type ToWorker =
  | { type: 'init'; shard: number; backbone: DilatedConvConfig; slots: Slot[]; ctrl: SharedArrayBuffer; err: SharedArrayBuffer; params: SharedArrayBuffer; grads: SharedArrayBuffer }
  | { type: 'step'; task: ShardTask; batches: ViewBatch[]; z?: SharedArrayBuffer[]; g?: SharedArrayBuffer[]; m?: SharedArrayBuffer[] }
  | { type: 'stats' };

/** Messages from a worker. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; id: number; loss: number; ms: number; waitMs: number }
  | { type: 'error'; id?: number; message: string }
  | { type: 'stats'; numTensors: number; numBytes: number };

let live = 0;

/** Worker threads started by `ParallelStep` that have not exited yet (for tests: none should outlive a fit). */
export function liveWorkers(): number {
  return live;
}

/**
 * Starts a worker: the entry point next to this module, `ts2vec-worker.js` in the compiled
 * package; when this module runs from source (through tsx), a bootstrap that registers tsx in
 * the new thread and then imports `ts2vec-worker.ts` (a worker does not get its parent's
 * `--import tsx` hooks).
 */
function spawnWorker(): Worker {
  const here = import.meta.url;
  const opts = { stdout: false, stderr: false };
  if (!here.endsWith('.ts')) return new Worker(new URL('./ts2vec-worker.js', here), opts);
  let api = 'tsx/esm/api';
  try { api = import.meta.resolve('tsx/esm/api'); } catch { /* resolved from the working directory then */ }
  const entry = new URL('./ts2vec-worker.ts', here).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { ...opts, eval: true });
}

/** How the `workers` option is resolved (exported for experiments and tests). */
export const AUTO_WORKERS = {
  /**
   * 'auto' uses a worker when the training series have at least this many steps. Measured
   * (2 cores, wall s/iter single → parallel): T = 24 0.074 → 0.081 (loses), T = 60 0.136 → 0.124,
   * T = 96 0.218 → 0.174, T = 150 0.33 → 0.25, T = 350 0.86 → 0.57.
   */
  minLength: 64,
  /** … and the run has at least this many iterations (starting a worker takes about a second) */
  minSteps: 50,
};

/**
 * The number of worker threads a TS2Vec fit uses: `workers` as configured, 'auto' resolved
 * (one worker when the wasm backend is in use, the machine has ≥ 2 cores, the series are
 * long enough for the parallel step to win and the run long enough to pay for starting it;
 * else none), capped at B − 1 (every shard needs an instance).
 */
export function resolveWorkers(workers: number | 'auto', ctx: { batch: number; length: number; steps: number; backend: string }): number {
  if (workers === 'auto') {
    const ok = ctx.backend === 'wasm' && availableParallelism() >= 2 && ctx.length >= AUTO_WORKERS.minLength && ctx.steps >= AUTO_WORKERS.minSteps;
    return ok ? Math.min(1, ctx.batch - 1) : 0;
  }
  if (workers > 0 && ctx.backend !== 'wasm') {
    throw new TsreprError('BAD_OPTION', `ts2vec workers: parallel training runs on the wasm backend only (this run uses '${ctx.backend}'); use workers: 0`);
  }
  return Math.min(workers, Math.max(ctx.batch - 1, 0));
}

/**
 * How the work is divided (exported for experiments): the caller's shard gets `callerWeight`
 * times a worker's share of the instances, and `callerInstanceWeight` times a worker's share of
 * the instance part's timestamps (the caller also takes the optimiser step and prepares the
 * next batch, so a smaller share balances the threads).
 */
export const SHARDING = { callerWeight: 1, callerInstanceWeight: 1 };

/**
 * Instances `[from, to)` of each shard, the caller's first: shares proportional to
 * `[callerWeight, 1, 1, …]`, rounded so that every shard has at least one instance and
 * a rounding remainder goes to the workers.
 */
export function shardRanges(batch: number, shards: number, callerWeight = SHARDING.callerWeight): [number, number][] {
  if (shards > batch) throw new RangeError(`shardRanges: ${shards} shards of ${batch} instances`);
  const total = callerWeight + shards - 1;
  let caller = Math.floor((batch * callerWeight) / total + 1e-9);
  caller = Math.min(Math.max(caller, 1), batch - (shards - 1));
  const rest = batch - caller, w = shards - 1;
  const out: [number, number][] = [[0, caller]];
  let at = caller;
  for (let s = 0; s < w; s++) {
    const n = Math.floor(rest / w) + (s >= w - (rest % w) ? 1 : 0);
    out.push([at, at + n]);
    at += n;
  }
  return out;
}

/** Spans of [0, 1] proportional to `[callerWeight, 1, 1, …]` (the last ends at exactly 1). */
export function shardSpans(shards: number, callerWeight = SHARDING.callerInstanceWeight): [number, number][] {
  const total = callerWeight + shards - 1;
  const out: [number, number][] = [];
  let at = 0;
  for (let s = 0; s < shards; s++) {
    const end = s === shards - 1 ? 1 : at + (s === 0 ? callerWeight : 1) / total;
    out.push([at, end]);
    at = end;
  }
  return out;
}

interface Pending { resolve: (loss: number) => void; reject: (e: Error) => void }

class WorkerHandle {
  pending?: Pending;
  readyWait?: Pending;
  statsWait?: (s: { numTensors: number; numBytes: number }) => void;
  failure?: Error;
  exited = false;

  constructor(readonly shard: number, readonly worker: Worker) {
    live++;
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (e) => this.fail(new Error(`ts2vec worker ${shard} crashed: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => {
      live--;
      this.exited = true;
      this.fail(new Error(`ts2vec worker ${shard} exited (code ${code})`));
    });
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'ready') { this.readyWait?.resolve(0); this.readyWait = undefined; return; }
    if (m.type === 'done') {
      PARALLEL_STATS.workerMs += m.ms;
      PARALLEL_STATS.workerWaitMs += m.waitMs;
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(m.loss);
      return;
    }
    if (m.type === 'stats') { this.statsWait?.(m); this.statsWait = undefined; return; }
    this.fail(new Error(`ts2vec worker ${this.shard}: ${m.message}`));
  }

  fail(e: Error): void {
    this.failure ??= e;
    const waits = [this.pending, this.readyWait];
    this.pending = undefined;
    this.readyWait = undefined;
    for (const w of waits) w?.reject(this.failure);
  }
}

/** Per-step inputs of `ParallelStep.step`: what `fit` drew for this iteration. */
export interface StepInputs {
  views: [SeriesArray, SeriesArray];
  keeps: [Uint8Array, Uint8Array];
  cropL: number;
  dropRngs: readonly [{ seed(): number }, { seed(): number }];
  lossOpts: { alpha: number; temporalUnit: number };
}

/** A running set of workers for one fit. `close()` terminates them. */
export class ParallelStep {
  private id = 0;
  private closed = false;

  private constructor(
    private readonly net: DilatedConvEncoder,
    private readonly trainable: [string, Variable][],
    private readonly sh: Shared,
    private readonly handles: WorkerHandle[],
  ) {}

  /** Starts `n` workers for `net` (its trainable parameters in FlatAdamW's order) and waits until they are ready. */
  static async start(n: number, net: DilatedConvEncoder, params: Map<string, Variable>): Promise<ParallelStep> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`ParallelStep.start: n must be a positive integer, got ${n}`);
    const trainable = [...params].filter(([, p]) => p.trainable);
    const slots = trainable.map(([name, p]) => ({ name, shape: p.shape, size: p.size }));
    const size = slots.reduce((s, x) => s + x.size, 0);
    const sab = (bytes: number) => new SharedArrayBuffer(bytes);
    const sh: Shared = {
      ctrl: new Int32Array(sab(CTRL.size(n + 1) * 4)), err: new Uint8Array(sab(ERR_BYTES)), params: new Float32Array(sab(size * 4)),
      grads: Array.from({ length: n }, () => new Float32Array(sab(size * 4))), z: [], g: [], m: [],
    };
    const handles: WorkerHandle[] = [];
    const self = new ParallelStep(net, trainable, sh, handles);
    try {
      const readies: Promise<number>[] = [];
      for (let i = 0; i < n; i++) {
        const h = new WorkerHandle(i + 1, spawnWorker());
        handles.push(h);
        readies.push(new Promise<number>((resolve, reject) => { h.readyWait = { resolve, reject }; }));
        const init: ToWorker = {
          type: 'init', shard: i + 1, backbone: net.getConfig(), slots, ctrl: sh.ctrl.buffer as SharedArrayBuffer, err: sh.err.buffer as SharedArrayBuffer,
          params: sh.params.buffer as SharedArrayBuffer, grads: sh.grads[i]!.buffer as SharedArrayBuffer,
        };
        h.worker.postMessage(init);
      }
      await Promise.all(readies);
    } catch (e) {
      await self.close();
      throw new TsreprError('BACKEND_UNAVAILABLE', `ts2vec: could not start the worker threads: ${(e as Error).message}`, undefined, { cause: e });
    }
    return self;
  }

  /** The number of worker threads. */
  get workers(): number {
    return this.handles.length;
  }

  /** Live tensors and bytes in each worker's tfjs engine (for memory tests). */
  async workerMemory(): Promise<{ numTensors: number; numBytes: number }[]> {
    return Promise.all(this.handles.map((h) => new Promise<{ numTensors: number; numBytes: number }>((resolve) => {
      h.statsWait = resolve;
      h.worker.postMessage({ type: 'stats' } satisfies ToWorker);
    })));
  }

  /** Grows the exchange buffers to fit this step; returns the new buffers when they changed. */
  private ensureBuffers(ranges: [number, number][], B: number, cropL: number): { z: SharedArrayBuffer[]; g: SharedArrayBuffer[]; m: SharedArrayBuffer[] } | undefined {
    const D = this.net.outputDims;
    const sh = this.sh;
    const fits = ranges.every(([f, e], r) => (sh.z[r]?.length ?? 0) >= 2 * (e - f) * cropL * D && (sh.g[r]?.length ?? 0) >= 2 * B * cropL * D)
      && sh.m.length === 2 && sh.m.every((m) => m.length >= B * cropL * D);
    if (fits) return undefined;
    const L = Math.ceil(cropL * 1.25);
    const z = ranges.map(([f, e]) => new SharedArrayBuffer(2 * (e - f) * L * D * 4));
    const g = ranges.map(() => new SharedArrayBuffer(2 * B * L * D * 4));
    const m = [0, 1].map(() => new SharedArrayBuffer(B * L * D * 4));
    sh.z = z.map((x) => new Float32Array(x));
    sh.g = g.map((x) => new Float32Array(x));
    sh.m = m.map((x) => new Float32Array(x));
    return { z, g, m };
  }

  /**
   * One training step (as `flatOptimizerStep` with `pairedViewsLoss`): the loss and weight
   * gradients of the whole batch, computed by the shards in parallel, then the update.
   */
  async step(opt: FlatAdamW, inputs: StepInputs, opts: { onNonFinite?: OnNonFinite; readLoss?: boolean; stepLabel?: number } = {}): Promise<StepResult> {
    if (this.closed) throw new Error('ParallelStep: closed');
    for (const h of this.handles) if (h.failure) throw h.failure;
    if (Atomics.load(this.sh.ctrl, CTRL.FAIL) !== 0) throw new Error(`ts2vec parallel step: ${failureText(this.sh.ctrl, this.sh.err)}`);
    const t0 = performance.now();
    const readLoss = opts.readLoss ?? true;
    const id = ++this.id;
    const { views, keeps, cropL, lossOpts } = inputs;
    const B = views[0].n, L1 = views[0].length, L2 = views[1].length;
    const D = this.net.outputDims, rate = this.net.config.dropout;
    // each shard stacks its views when its own padding, b·|L1 − L2|, is small (as pairedViewsLoss decides for the batch)
    const stack = (r: [number, number]) => stacksViews(r[1] - r[0], L1, L2);
    const shards = this.handles.length + 1;
    const ranges = shardRanges(B, shards), spans = shardSpans(shards);
    // the same seeds pairedViewsLoss draws (only when there is dropout)
    const seeds: [number, number] = rate > 0 ? [inputs.dropRngs[0].seed(), inputs.dropRngs[1].seed()] : [0, 0];
    const task = (shard: number): ShardTask => ({
      id, shard, ranges, spans, batch: B, cropL, lengths: [L1, L2], seeds, lossOpts, exchange: lossOpts.alpha !== 0 && B > 1,
    });
    const grown = this.ensureBuffers(ranges, B, cropL);
    // 1. parameters out, the workers' shards out
    tf.tidy(() => {
      const flat = tf.concat(this.trainable.map(([, p]) => tf.reshape(p, [-1])));
      this.sh.params.set(flat.dataSync() as Float32Array);
    });
    const dones = this.handles.map((h) => {
      const t = task(h.shard);
      const [from, to] = ranges[h.shard]!;
      const batches = viewBatches(views, keeps, cropL, stack([from, to]), from, to);
      const transfer = batches.flatMap((b) => [b.xs.buffer, b.ms.buffer, ...(b.valid ? [b.valid.buffer] : [])]) as ArrayBuffer[];
      const done = new Promise<number>((resolve, reject) => { h.pending = { resolve, reject }; });
      done.catch(() => undefined); // (seen when awaited below)
      h.worker.postMessage({ type: 'step', task: t, batches, z: grown?.z, g: grown?.g, m: grown?.m } satisfies ToWorker, transfer);
      return done;
    });
    // 2.–3. the caller's shard
    const t0task = task(0);
    const waits = {
      label: `ts2vec parallel step ${opts.stepLabel ?? id}`,
      // the others' work takes about as long as this thread's: one that has not answered
      // after 50 times this step's time so far (at least 30 s) is taken for dead
      limitMs: () => Math.max(30_000, 50 * (performance.now() - t0)),
      onWait: (ms: number) => { PARALLEL_STATS.callerWaitMs += ms; },
    };
    let value: tf.Scalar | undefined;
    let grads: tf.NamedTensorMap = {};
    let flat: Tensor | undefined;
    try {
      let inputs: ReturnType<typeof shardInputs> | undefined;
      try {
        inputs = shardInputs(viewBatches(views, keeps, cropL, stack(ranges[0]!), ...ranges[0]!), t0task, this.sh, D, rate, waits);
        ({ value, grads } = tf.variableGrads(shardLoss(this.net, inputs.batches, inputs.drop, t0task, this.sh, waits), this.trainable.map(([, v]) => v)));
      } catch (e) {
        raiseFailure(this.sh.ctrl, this.sh.err, 0, (e as Error).message);
        throw e;
      } finally {
        inputs?.dispose();
      }
      const td = performance.now();
      const workerLosses = await Promise.all(dones);
      PARALLEL_STATS.callerWaitDoneMs += performance.now() - td;
      // 4. the sum of the gradients, the update
      const byName = gradsByName(this.trainable, grads);
      flat = tf.tidy(() => {
        let f = opt.flatten(byName);
        for (const g of this.sh.grads) f = tf.add(f, tf.tensor1d(g));
        return f;
      });
      let loss: number | undefined;
      if (readLoss) {
        const total = tf.tidy(() => tf.add(value!, tf.scalar(workerLosses.reduce((a, b) => a + b, 0))));
        try {
          const r = await readFiniteLoss(total, tf.tidy(() => tf.sum(tf.square(flat!))), opts, opt.step + 1);
          loss = r.loss;
          if (r.skip) return { loss, skipped: true };
        } finally {
          total.dispose();
        }
      }
      opt.applyFlat(flat);
      PARALLEL_STATS.steps++;
      PARALLEL_STATS.callerMs += performance.now() - t0;
      return { loss, skipped: false };
    } finally {
      value?.dispose();
      flat?.dispose();
      for (const g of Object.values(grads)) g.dispose();
    }
  }

  /** Terminates the workers (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    raiseFailure(this.sh.ctrl, this.sh.err, 0, 'closed');
    await Promise.all(this.handles.map(async (h) => {
      h.fail(new Error('closed'));
      if (!h.exited) await h.worker.terminate();
    }));
  }
}
