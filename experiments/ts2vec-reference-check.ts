/**
 * TS2Vec's training step at full size on real data against the independent reference of
 * test/methods/ts2vec-official-reference.ts (the official code's formulas in plain tfjs ops,
 * differentiated by tfjs's autodiff): for sampled batches and crops as `fit` samples them, the
 * loss and the gradient of every parameter, ours (fused blocks, stacked or apart views, fused
 * loss gradients, the same dropout masks) vs the reference. Paper encoder (hidden 64, depth 10,
 * 320 dims), batch 8; between steps the weights take a small random step so that later steps
 * are not at the initialisation.
 *
 *   node --import tsx experiments/ts2vec-reference-check.ts [--dataset FaceFour] [--steps 6] [--seed 7]
 *
 * Finds <Name> as `tsrepr --dataset` does (bundled, then $TSREPR_DATA, then the cache), and writes
 * experiments/results/ucr/reference-check-<Name>.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DilatedConvEncoder } from '../src/backbones/dilated-conv.js';
import { loadDataset } from '../src/data/registry.js';
import { initBackend } from '../src/engine/backend.js';
import { setQuiet } from '../src/engine/log.js';
import { installSharedWasmIdentity } from '../src/engine/ops.js';
import { Rng } from '../src/engine/random.js';
import { tf } from '../src/engine/tf.js';
import { binomialMask, cropViews, observedTimestamps, sampleCrops, type SeriesArray } from '../src/methods/crops.js';
import { stacksViews } from '../src/methods/ts2vec-step.js';
import { compareStep } from '../test/methods/ts2vec-official-reference.js';

const { values: args } = parseArgs({ options: { dataset: { type: 'string', default: 'FaceFour' }, steps: { type: 'string', default: '6' }, seed: { type: 'string', default: '7' } } });
const name = args.dataset!, steps = Number(args.steps), seed = Number(args.seed);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer, got ${args.steps}`);
if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got ${args.seed}`);
const DATA = process.env.TSREPR_DATA ?? '/work/shared/datasets-raw';
const OUT = new URL('./results/ucr/', import.meta.url).pathname;

setQuiet(true);
const backend = (await initBackend(process.env.TSREPR_BACKEND ?? 'wasm')).backend;
const loaded = await loadDataset(name, { dataDir: DATA });
if (loaded.task !== 'classification') throw new Error(`${name} is a ${loaded.task} dataset; this check needs a classification one`);
const ds = loaded.train;
const data: SeriesArray = { values: ds.values, n: ds.n, length: ds.length, channels: ds.channels };
const B = Math.min(8, data.n), rate = 0.1;

const restore = installSharedWasmIdentity();
const rng = new Rng(seed);
const net = new DilatedConvEncoder({ inputDims: data.channels, dropout: rate }, new Rng(seed + 1));
const vars = [...net.namedParameters().values()];
const rows: string[] = [];
let worstAll = 0;
for (let s = 0; s < steps; s++) {
  const perm = rng.permutation(data.n);
  const stride = data.length * data.channels;
  const xb = new Float32Array(B * stride);
  for (let j = 0; j < B; j++) xb.set(data.values.subarray(perm[j]! * stride, (perm[j]! + 1) * stride), j * stride);
  const plan = sampleCrops(rng, data.length, B);
  const views = cropViews({ values: xb, n: B, length: data.length, channels: data.channels }, plan);
  const keeps = views.map((v) => {
    const k = observedTimestamps(v), r = binomialMask(rng, v.n, v.length);
    for (let i = 0; i < k.length; i++) k[i] = k[i]! & r[i]!;
    return k;
  }) as [Uint8Array, Uint8Array];
  const seeds: [number, number] = [rng.seed(), rng.seed()];
  const t0 = performance.now();
  const c = compareStep(net, views, keeps, plan.cropL, seeds);
  const seconds = (performance.now() - t0) / 1000;
  const w = c.errors.reduce((a, x) => (x.diff / x.scale > a.diff / a.scale ? x : a));
  const worst = w.diff / w.scale;
  worstAll = Math.max(worstAll, worst);
  const stacked = stacksViews(B, views[0].length, views[1].length);
  const row = `| ${s} | ${views[0].length} / ${views[1].length} | ${plan.cropL} | ${stacked ? 'stacked' : 'apart'} | ${c.loss.toFixed(6)} | ${c.refLoss.toFixed(6)} | ${(Math.abs(c.loss - c.refLoss) / c.refLoss).toExponential(1)} | ${worst.toExponential(1)} (${w.name}) | ${seconds.toFixed(1)} |`;
  rows.push(row);
  console.error(row);
  // a small random step, so that the next check is not at the initial weights
  tf.tidy(() => { for (const v of vars) v.assign(tf.add(v, tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', seed * 100 + s), 0.003))); });
}
restore();
net.dispose();

mkdirSync(OUT, { recursive: true });
const out = join(OUT, `reference-check-${name}.md`);
writeFileSync(out, [
  `# TS2Vec training step vs an independent reference of the official formulas: ${name}`,
  '',
  `\`node --import tsx experiments/ts2vec-reference-check.ts --dataset ${name} --steps ${steps} --seed ${seed}\` on ${backend}, ${new Date().toISOString()}.`,
  `Paper encoder (hidden 64, depth 10, 320 dims, dropout 0.1), batch ${B} of ${name}'s train series (T = ${data.length}), crops sampled as \`fit\` samples them.`,
  'Reference: test/methods/ts2vec-official-reference.ts (plain tfjs ops, tfjs autodiff). "grad error": the largest |ours − reference| of a parameter\'s gradient over the largest |reference| entry of the same parameter, worst parameter shown.',
  '',
  '| step | view lengths | crop | views | loss ours | loss reference | loss rel. error | worst grad error | seconds (both) |',
  '|---:|---|---:|---|---:|---:|---:|---|---:|',
  ...rows,
  '',
  `Worst gradient error over all steps and parameters: ${worstAll.toExponential(1)}.`,
  '',
].join('\n'));
console.error(`wrote ${out}`);
