/**
 * TS2Vec training speed: runs a few training iterations of the paper's configuration on one
 * dataset and reports wall and CPU seconds per iteration (process.cpuUsage: the wasm backend
 * is single-threaded, so CPU seconds approximate wall seconds on an idle machine), the load
 * average, and optionally a per-kernel time breakdown of one iteration (--kernels).
 *
 *   node --import tsx experiments/ts2vec-speed.ts [--dataset GunPoint] [--iters 20] [--workers 0|1|2|auto] [--caller-weight W] [--caller-instance-weight W] [--kernels] [--max-padded N]
 *
 * With --workers n the step runs on this thread and n worker threads (ts2vec-parallel.ts);
 * CPU seconds then add up every thread's, and the wall seconds are what parallelism improves.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { loadClassificationPair } from '../src/data/classification.js';
import { initBackend } from '../src/engine/backend.js';
import { setQuiet } from '../src/engine/log.js';
import { tf } from '../src/engine/tf.js';
import { Adam } from '../src/engine/optim.js';
import { Rng } from '../src/engine/random.js';
import { FlatAdamW } from '../src/methods/flat-adamw.js';
import { hierarchicalContrastiveLoss, hierarchicalContrastiveLossStacked } from '../src/methods/losses.js';
import { STACKING, createTS2Vec } from '../src/methods/ts2vec.js';
import { PARALLEL_STATS, ParallelStep, SHARDING } from '../src/methods/ts2vec-parallel.js';
import { flatOptimizerStep } from '../src/methods/flat-adamw.js';
import { pairedViewsLoss } from '../src/methods/ts2vec-step.js';
import { binomialMask, cropViews, observedTimestamps, type CropPlan } from '../src/methods/crops.js';
import { normaliseArchivePair } from '../src/tasks/classification/index.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : dflt; };
const name = arg('--dataset', 'GunPoint');
const iters = Number(arg('--iters', '20'));
const workersArg = arg('--workers', '0');
const workers = workersArg === 'auto' ? 'auto' : Number(workersArg);
// stack the two views when the padding B·|L1 − L2| is at most this many timesteps (the library's default otherwise)
// the caller's share of the batch relative to a worker's (the library's default otherwise)
if (args.includes('--caller-weight')) SHARDING.callerWeight = Number(arg('--caller-weight', '1'));
if (args.includes('--caller-instance-weight')) SHARDING.callerInstanceWeight = Number(arg('--caller-instance-weight', '1'));
if (args.includes('--max-padded')) STACKING.maxPaddedSteps = Number(arg('--max-padded', '64'));

function files(n: string): [string, string] {
  for (const root of [join(new URL('..', import.meta.url).pathname, 'datasets', 'classification'), join(process.env.TSREPR_DATA ?? '/work/shared/datasets-raw', 'classification')]) {
    for (const ext of ['.tsv', '.tsv.gz', '.ts', '.ts.gz', '.arff', '.arff.gz']) {
      const a = join(root, n, `${n}_TRAIN${ext}`), b = join(root, n, `${n}_TEST${ext}`);
      if (existsSync(a)) return [a, b];
    }
  }
  throw new Error(`no data for ${n}`);
}

setQuiet(true);
await initBackend('wasm');
const [tr, te] = files(name);
const pair = await loadClassificationPair(tr, te);
const { train } = normaliseArchivePair(pair.train, pair.test, name);

if (args.includes('--phases')) {
  await phases();
} else if (args.includes('--step')) {
  await fixedStep();
} else if (args.includes('--kernels')) {
  const model = createTS2Vec(train.channels, { seed: 0, iters: 3 });
  await model.fit(train); // warm-up
  const prof = await tf.profile(async () => { await createTS2Vec(train.channels, { seed: 0, iters: 1 }).fit(train); });
  const by = new Map<string, { ms: number; n: number }>();
  for (const k of prof.kernels) {
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`.slice(0, 110);
    const e = by.get(key) ?? { ms: 0, n: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0; e.n++;
    by.set(key, e);
  }
  const byName = new Map<string, { ms: number; n: number }>();
  for (const k of prof.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0; e.n++;
    byName.set(k.name, e);
  }
  console.log('kernels:', prof.kernels.length);
  for (const [k, v] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(v.ms.toFixed(1).padStart(8), String(v.n).padStart(5), k);
  console.log('---');
  for (const [k, v] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) console.log(v.ms.toFixed(1).padStart(8), String(v.n).padStart(5), k);
  model.dispose();
} else {
  const model = createTS2Vec(train.channels, { seed: 0, iters: iters + 2, workers });
  let t0 = 0, c0 = process.cpuUsage(), l0 = loadavg()[0]!;
  const tStart = performance.now();
  let startup = 0;
  const res = await model.fit(train, {
    onProgress: (p: { done?: number }) => {
      if (p.done === 1) startup = (performance.now() - tStart) / 1000; // worker start + first step
      if (p.done === 2) { t0 = performance.now(); c0 = process.cpuUsage(); l0 = loadavg()[0]!; }
    },
  } as never);
  const wall = (performance.now() - t0) / 1000, c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  console.log(JSON.stringify({ dataset: name, n: train.n, length: train.length, channels: train.channels, iters, workers,
    wallPerIter: +(wall / iters).toFixed(4), cpuPerIter: +(cpu / iters).toFixed(4), load: [l0, loadavg()[0]], fitSecondsPerIter: res.secondsPerIteration,
    firstStepSeconds: +startup.toFixed(3), finalLoss: res.losses[res.losses.length - 1],
    ...(PARALLEL_STATS.steps ? { parallelMsPerStep: Object.fromEntries(Object.entries(PARALLEL_STATS).filter(([k]) => k !== 'steps').map(([k, v]) => [k, +(v / PARALLEL_STATS.steps).toFixed(1)])) } : {}) }));
  model.dispose();
}

/**
 * CPU ms of each phase of one step at fixed GunPoint-like shapes (B=8, views of 120 and 110
 * steps sharing a 100-step crop): forward, forward+loss, forward+loss+backward, Adam, SWA.
 * The views are stacked into one batch as `fit` does; `--apart` runs the old layer-by-layer path.
 */
async function phases(): Promise<void> {
  const B = Number(arg('--batch', '8')), L1 = Number(arg('--l1', '120')), L2 = Number(arg('--l2', '110')), crop = Number(arg('--crop', '100'));
  const model = createTS2Vec(1, { seed: 0 });
  const rng = new Rng(1);
  const x1 = tf.randomNormal([B, L1, 1]) as tf.Tensor3D, x2 = tf.randomNormal([B, L2, 1]) as tf.Tensor3D;
  const m1 = tf.cast(tf.greater(tf.randomUniform([B, L1]), 0.5), 'float32') as tf.Tensor2D;
  const m2 = tf.cast(tf.greater(tf.randomUniform([B, L2]), 0.5), 'float32') as tf.Tensor2D;
  const params = model.net.namedParameters();
  // the two views stacked as one batch of 2B, the shorter zero-padded (what fit does)
  const Lm = Math.max(L1, L2);
  const xs = tf.concat([tf.pad(x1, [[0, 0], [0, Lm - L1], [0, 0]]), tf.pad(x2, [[0, 0], [0, Lm - L2], [0, 0]])], 0) as tf.Tensor3D;
  const ms = tf.concat([tf.pad(m1, [[0, 0], [0, Lm - L1]]), tf.pad(m2, [[0, 0], [0, Lm - L2]])], 0) as tf.Tensor2D;
  const valid = L1 === L2 ? undefined : tf.concat([tf.pad(tf.ones([B, L1, 1]), [[0, 0], [0, Lm - L1], [0, 0]]), tf.pad(tf.ones([B, L2, 1]), [[0, 0], [0, Lm - L2], [0, 0]])], 0) as tf.Tensor3D;
  // --apart: the old layer-by-layer path (each view through `forward`, the two-view loss,
  // the engine's per-tensor Adam); default: what fit does now (one stacked batch through the
  // fused blocks, cut to the crop, the stacked loss, the flat AdamW)
  const apart = args.includes('--apart');
  const cut = { length: crop, groups: [{ rows: B, start: L1 - crop }, { rows: B, start: 0 }] };
  const fwd = () => {
    if (!apart) return [model.net.forwardTraining(xs, ms, valid, cut)] as const;
    const o1 = model.net.forward(x1, { training: true, timestampMask: m1, rng: rng.fork() });
    const o2 = model.net.forward(x2, { training: true, timestampMask: m2, rng: rng.fork() });
    return [o1, o2] as const;
  };
  const loss = () => {
    const o = fwd();
    if (!apart) return hierarchicalContrastiveLossStacked(o[0]);
    const z1 = tf.slice(o[0], [0, L1 - crop, 0], [B, crop, 320]) as tf.Tensor3D;
    const z2 = tf.slice(o[1]!, [0, 0, 0], [B, crop, 320]) as tf.Tensor3D;
    return hierarchicalContrastiveLoss(z1, z2);
  };
  const adam = apart ? new Adam(params, { lr: 1e-3, weightDecay: 0.01 }) : new FlatAdamW(params, { lr: 1e-3, weightDecay: 0.01 });
  const grads: Record<string, tf.Tensor> = {};
  for (const [k, v] of params) grads[k] = tf.randomNormal(v.shape);
  const avg = (model as unknown as { updateAverage(): void });
  const cases: [string, () => void][] = [
    ['forward', () => { tf.tidy(() => { for (const o of fwd()) o.dataSync(); }); }],
    ['forward+loss', () => { tf.tidy(() => { loss().dataSync(); }); }],
    ['forward+loss+backward', () => { tf.tidy(() => { const { value, grads: g } = tf.variableGrads(loss, [...params.values()]); value.dataSync(); Object.values(g)[0]!.dataSync(); }); }],
    ['adam', () => { adam.apply(grads); }],
    ['swa', () => { (avg as never as { updateAverage: () => void }).updateAverage.call(model); }],
  ];
  for (const [label, fn] of cases) {
    fn();
    const reps = Number(arg('--reps', '7'));
    const before = tf.engine().state.numTensors;
    let kernels = 0;
    const cpus: number[] = [], walls: number[] = [];
    for (let i = 0; i < reps; i++) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      fn();
      const c1 = process.cpuUsage(c0);
      cpus.push((c1.user + c1.system) / 1000); walls.push(performance.now() - t0);
    }
    // minimum over repetitions: the least-disturbed run on a shared machine
    const cpuMin = Math.min(...cpus), wall = Math.min(...walls);
    const prof = await tf.profile(() => { fn(); });
    kernels = prof.kernels.length;
    if (args.includes('--detail')) {
      const by = new Map<string, { ms: number; n: number }>();
      for (const k of prof.kernels) {
        if (k.name === 'unnamed scope') continue;
        const key = args.includes('--shapes') ? `${k.name} ${JSON.stringify(k.inputShapes)}`.slice(0, 100) : k.name;
        const e = by.get(key) ?? { ms: 0, n: 0 };
        e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0; e.n++;
        by.set(key, e);
      }
      const tot = [...by.values()].reduce((a, b) => a + b.ms, 0);
      console.log(`  [${label}] kernel wall total ${tot.toFixed(0)} ms`);
      for (const [k, v] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 18)) console.log('   ', v.ms.toFixed(1).padStart(8), String(v.n).padStart(5), k);
    }
    console.log(`${label.padEnd(24)} cpu(min) ${cpuMin.toFixed(1).padStart(7)} ms  wall(min) ${wall.toFixed(1).padStart(7)} ms  kernels ${kernels}  leak ${tf.engine().state.numTensors - before}`);
  }
  console.log('load', loadavg()[0]);
}

/**
 * Wall ms of one whole training step (loss, gradients, AdamW) at fixed shapes, minimum over
 * --reps repetitions: the two views of the first B series of the dataset with --l1/--l2 steps
 * and a --crop overlap; single-threaded (`pairedViewsLoss` + `flatOptimizerStep`, as fit) or,
 * with --workers n, `ParallelStep` (the same step on this thread and n workers). The shapes do
 * not change between repetitions, so this compares designs with less noise than a fit.
 */
async function fixedStep(): Promise<void> {
  const B = Number(arg('--batch', '8')), T = train.length;
  const L1 = Number(arg('--l1', String(Math.min(T, 120)))), L2 = Number(arg('--l2', String(Math.min(T, 110)))), crop = Number(arg('--crop', String(Math.min(T, 100))));
  const n = typeof workers === 'number' ? workers : 1;
  const model = createTS2Vec(train.channels, { seed: 0 });
  const params = model.net.namedParameters();
  const adam = new FlatAdamW(params, { lr: 1e-3, weightDecay: 0.01 });
  const rng = new Rng(5);
  const batch = { values: train.values.slice(0, B * T * train.channels), n: B, length: T, channels: train.channels };
  // view 1 = [0, L1), view 2 = [L1 − crop, L1 − crop + L2): the overlap is [L1 − crop, L1)
  const plan: CropPlan = { cropL: crop, cropLeft: L1 - crop, cropRight: L1, cropELeft: 0, cropERight: L1 - crop + L2, offsets: new Int32Array(B) };
  const views = cropViews(batch, plan);
  const keeps = views.map((v) => { const k = observedTimestamps(v), r = binomialMask(rng, v.n, v.length); for (let i = 0; i < k.length; i++) k[i] = k[i]! & r[i]!; return k; }) as [Uint8Array, Uint8Array];
  const par = n > 0 ? await ParallelStep.start(n, model.net, params) : undefined;
  const lossOpts = { alpha: 0.5, temporalUnit: 0 };
  const once = async () => {
    const dropRngs: [Rng, Rng] = [rng.fork(), rng.fork()];
    if (par) return par.step(adam, { views, keeps, cropL: crop, dropRngs, lossOpts });
    const pair = pairedViewsLoss(model.net, views, keeps, crop, dropRngs, lossOpts);
    try { return await flatOptimizerStep(adam, params, pair.loss); } finally { pair.dispose(); }
  };
  const restore = (await import('../src/engine/ops.js')).installSharedWasmIdentity();
  try {
    for (let i = 0; i < 2; i++) await once();
    for (const k of Object.keys(PARALLEL_STATS) as (keyof typeof PARALLEL_STATS)[]) PARALLEL_STATS[k] = 0;
    const walls: number[] = [], cpus: number[] = [];
    for (let i = 0; i < Number(arg('--reps', '10')); i++) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      await once();
      walls.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpus.push((c.user + c.system) / 1000);
    }
    if (args.includes('--profile')) {
      // kernel time by kernel name of one more step (this thread only)
      const prof = await tf.profile(async () => { await once(); });
      /** kernel ms and calls by `key`, largest first */
      const timesBy = (key: (k: (typeof prof.kernels)[number]) => string | undefined) => {
        const by = new Map<string, { ms: number; n: number }>();
        for (const k of prof.kernels) {
          const name = key(k);
          if (name === undefined) continue;
          const e = by.get(name) ?? { ms: 0, n: 0 };
          e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0; e.n++;
          by.set(name, e);
        }
        return [...by].sort((a, b) => b[1].ms - a[1].ms);
      };
      const byName = timesBy((k) => k.name);
      console.log(`kernels ${prof.kernels.length}, kernel ms ${byName.reduce((a, [, v]) => a + v.ms, 0).toFixed(0)}`);
      for (const [k, v] of byName.slice(0, 22)) console.log(v.ms.toFixed(1).padStart(8), String(v.n).padStart(5), k);
      if (args.includes('--shapes')) {
        // the same, by kernel name and input shapes, for the kernels --shapes-of matches (the matMuls and convs by default)
        const which = new RegExp(arg('--shapes-of', 'MatMul|Conv'));
        for (const [k, v] of timesBy((k) => (which.test(k.name) ? `${k.name} ${JSON.stringify(k.inputShapes)}` : undefined)).slice(0, 40)) {
          console.log(v.ms.toFixed(1).padStart(8), String(v.n).padStart(5), k);
        }
      }
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
    console.log(JSON.stringify({ dataset: name, B, L1, L2, crop, workers: n, sharding: SHARDING,
      wallMinMs: +Math.min(...walls).toFixed(1), wallMedianMs: +med(walls).toFixed(1), cpuMedianMs: +med(cpus).toFixed(1), load: loadavg()[0],
      ...(PARALLEL_STATS.steps ? { parallelMsPerStep: Object.fromEntries(Object.entries(PARALLEL_STATS).filter(([k]) => k !== 'steps').map(([k, v]) => [k, +(v / PARALLEL_STATS.steps).toFixed(1)])) } : {}) }));
  } finally {
    restore();
    await par?.close();
    adam.dispose();
    model.dispose();
  }
}
