/**
 * The training loop every method uses: iterations with progress, cancellation, loss
 * read-back every N steps, non-finite detection, and crash-safe checkpoints that `resume`
 * continues from exactly (weights, optimiser moments, RNG state, extra state such as
 * averaged weights), so a run killed at any point and resumed ends with the same weights as
 * an uninterrupted run with the same seed on the same backend.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Adam } from '../engine/optim.js';
import type { Rng } from '../engine/random.js';
import { tf, type Tensor, type Variable } from '../engine/tf.js';
import { loadModelDir, saveModelDir, writeFileAtomic } from '../engine/weights.js';
import { TsreprError } from '../errors.js';
import type { FitOptions, FitResult } from './model.js';

export interface TrainingSpec {
  /** label for progress and errors, e.g. 'ts2vec fit' */
  name: string;
  totalSteps: number;
  /** steps per epoch, to report epochs */
  stepsPerEpoch: number;
  /** every variable that defines the model (saved in checkpoints) */
  params: Map<string, Variable>;
  /** optimisers by name (their state is checkpointed) */
  optimizers: Record<string, Adam>;
  /** the run's random stream (its state is checkpointed) */
  rng: Rng;
  /**
   * Runs iteration `i` (0-based): samples its batch from `rng`, updates the parameters,
   * and returns the loss when `readLoss` (else undefined), or null when the step was
   * skipped for non-finite values. May be async (use `await optimizerStep(...)`); never
   * read tensors synchronously (`dataSync`), which WebGPU in Node cannot do.
   */
  step: (i: number, readLoss: boolean) => number | undefined | null | Promise<number | undefined | null>;
  /** extra state to checkpoint (e.g. averaged weights), and how to restore it */
  extraState?: { get(): Map<string, Tensor>; set(t: Map<string, Tensor>): void };
  /** called after iteration `i` (0-based); returning true ends training there (early stopping) */
  afterStep?: (i: number) => boolean | Promise<boolean>;
}

const CKPT_LATEST = 'latest.json';

/** Runs a training loop per `spec` with the user's `FitOptions`. */
export async function runTraining(spec: TrainingSpec, opts: FitOptions = {}): Promise<FitResult> {
  // On a GPU every read-back is a sync point: read the loss every 10 steps by default there.
  const onGpu = ['webgpu', 'tensorflow'].includes(tf.getBackend());
  const lossEvery = Math.max(1, Math.floor(opts.lossEvery ?? (onGpu ? 10 : 1)));
  const ckptEvery = opts.checkpointEvery ?? 0;
  if (ckptEvery > 0 && !opts.checkpointDir) throw new TsreprError('BAD_OPTION', 'checkpointEvery needs checkpointDir');
  const losses: number[] = [];
  let start = 0;
  let skipped = 0;
  if (opts.resume && opts.checkpointDir) {
    const restored = await restoreCheckpoint(opts.checkpointDir, spec);
    if (restored) {
      start = restored.step;
      losses.push(...restored.losses);
      skipped = restored.skipped;
    }
  }
  const t0 = performance.now();
  let end = spec.totalSteps;
  for (let i = start; i < spec.totalSteps; i++) {
    if (opts.signal?.aborted) throw new TsreprError('ABORTED', `${spec.name} aborted at iteration ${i}`);
    const readLoss = (i + 1) % lossEvery === 0 || i === spec.totalSteps - 1;
    const loss = await spec.step(i, readLoss);
    if (loss === null) skipped++;
    losses.push(loss ?? NaN);
    opts.onProgress?.({ phase: spec.name, done: i + 1, total: spec.totalSteps, metrics: loss != null ? { loss } : undefined });
    if (ckptEvery > 0 && (i + 1) % ckptEvery === 0 && i + 1 < spec.totalSteps) {
      await writeCheckpoint(opts.checkpointDir!, spec, i + 1, losses, skipped);
    }
    if (spec.afterStep && await spec.afterStep(i)) { end = i + 1; break; }
    // Yield to the event loop so that abort signals, timers and progress output run.
    if (i % 4 === 3) await new Promise((r) => setImmediate(r));
  }
  const seconds = (performance.now() - t0) / 1000;
  const done = end - start;
  return {
    iterations: end,
    epochs: Math.floor(end / Math.max(1, spec.stepsPerEpoch)),
    seconds,
    secondsPerIteration: done > 0 ? seconds / done : 0,
    losses,
    skippedSteps: skipped,
    resumedFrom: start,
  };
}

async function writeCheckpoint(dir: string, spec: TrainingSpec, step: number, losses: number[], skipped: number): Promise<void> {
  const tensors = new Map<string, Tensor>();
  for (const [k, v] of spec.params) tensors.set(`param/${k}`, v);
  const optSteps: Record<string, number> = {};
  const owned: Tensor[] = [];
  for (const [name, opt] of Object.entries(spec.optimizers)) {
    const st = opt.getState();
    optSteps[name] = st.step;
    for (const [k, t] of st.tensors) { tensors.set(`opt/${name}/${k}`, t); owned.push(t); }
  }
  if (spec.extraState) for (const [k, t] of spec.extraState.get()) { tensors.set(`extra/${k}`, t); owned.push(t); }
  try {
    const name = `step-${String(step).padStart(8, '0')}`;
    await fsp.mkdir(dir, { recursive: true });
    await saveModelDir(join(dir, name), {
      method: 'checkpoint',
      config: { name: spec.name, step, optSteps, rng: spec.rng.getState(), losses: losses.map((l) => (Number.isFinite(l) ? l : null)), skipped },
      tensors,
    });
    await writeFileAtomic(join(dir, CKPT_LATEST), JSON.stringify({ checkpoint: name, step }));
    // Keep only the newest two checkpoints.
    const all = (await fsp.readdir(dir)).filter((f) => /^step-\d+$/.test(f)).sort();
    for (const old of all.slice(0, -2)) await fsp.rm(join(dir, old), { recursive: true, force: true });
  } finally {
    for (const t of owned) t.dispose();
  }
}

async function restoreCheckpoint(dir: string, spec: TrainingSpec): Promise<{ step: number; losses: number[]; skipped: number } | undefined> {
  let latest: { checkpoint: string; step: number };
  try {
    latest = JSON.parse(await fsp.readFile(join(dir, CKPT_LATEST), 'utf8'));
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw new TsreprError('BAD_MODEL', `${dir}: ${CKPT_LATEST} is corrupt`, undefined, { cause: e });
  }
  const art = await loadModelDir(join(dir, latest.checkpoint));
  try {
    const cfg = art.config as { name: string; step: number; optSteps: Record<string, number>; rng: number[]; losses: (number | null)[]; skipped: number };
    if (cfg.step > spec.totalSteps) throw new TsreprError('BAD_MODEL', `${dir}: checkpoint is at step ${cfg.step}, past the run's ${spec.totalSteps} steps`);
    for (const [k, v] of spec.params) {
      const t = art.tensors.get(`param/${k}`);
      if (!t || t.shape.join() !== v.shape.join()) throw new TsreprError('BAD_MODEL', `${dir}: checkpoint does not match this model (parameter ${k})`);
      v.assign(t);
    }
    for (const [name, opt] of Object.entries(spec.optimizers)) {
      const prefix = `opt/${name}/`;
      const tensors = new Map<string, Tensor>();
      for (const [k, t] of art.tensors) if (k.startsWith(prefix)) tensors.set(k.slice(prefix.length), t);
      opt.setState({ step: cfg.optSteps[name] ?? 0, tensors });
    }
    if (spec.extraState) {
      const extra = new Map<string, Tensor>();
      for (const [k, t] of art.tensors) if (k.startsWith('extra/')) extra.set(k.slice(6), t);
      spec.extraState.set(extra);
    }
    spec.rng.setState(cfg.rng);
    return { step: cfg.step, losses: cfg.losses.map((l) => l ?? NaN), skipped: cfg.skipped };
  } finally {
    for (const t of art.tensors.values()) t.dispose();
  }
}

/** Copies variable values (for weight averaging and early stopping). */
export function cloneParams(params: Map<string, Variable>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [k, v] of params) out.set(k, tf.clone(v));
  return out;
}
