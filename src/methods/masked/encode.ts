/**
 * Encoding with the patch Transformer backbone (optionally instance-normalising every window): whole series, or sliding windows (each
 * output step t gets the token of the patch holding t in a window ending at or after t).
 * Tokens are computed per window and copied to timestamps on the JS side, so the
 * `[batch, T, D]` broadcast is never materialised for large window batches.
 */
import type { TimeSeriesDataset } from '../../data/dataset.js';
import { tf, type Tensor3D } from '../../engine/tf.js';
import { checkOption } from '../../errors.js';
import { patchIndexOf, type TransformerBackbone } from '../../backbones/transformer.js';
import type { EncodeOptions, Representation } from '../model.js';
import { copyWindow, instanceNormalise } from './windows.js';

/** Encodes `ds` with `backbone` (eval mode) → `[N, T, D]` ('timestamp') or `[N, D]` ('full', max over observed steps). */
export async function encodeWithPatchBackbone(backbone: TransformerBackbone, ds: TimeSeriesDataset, opts: EncodeOptions = {}, how: { instanceNorm?: boolean } = {}): Promise<Representation> {
  const pooling = opts.pooling ?? 'full';
  checkOption(pooling === 'full' || pooling === 'timestamp', `pooling '${pooling}' is not supported by the patch Transformer (use 'full' or 'timestamp')`);
  checkOption(opts.mask === undefined || opts.mask === 'all_true', `mask '${opts.mask}' is not supported by the patch Transformer encoder`);
  const N = ds.n, T = ds.length, C = ds.channels, D = backbone.outputDims, P = backbone.config.patchLen;
  const perStep = new Float32Array(N * T * D);
  const sliding = opts.slidingLength;
  const batchSize = Math.max(1, opts.batchSize ?? (sliding ? 128 : 16));
  // A job = one window of one series: [start, start+len), whose outputs cover [outFrom, outTo).
  interface Job { n: number; start: number; outFrom: number; outTo: number }
  const jobs: Job[] = [];
  let winLen: number;
  if (sliding) {
    checkOption(Number.isInteger(sliding) && sliding >= 1, `slidingLength must be a positive integer, got ${sliding}`);
    const pad = Math.max(0, Math.floor(opts.slidingPadding ?? 0));
    winLen = pad + sliding + (opts.causal ? 0 : pad);
    for (let n = 0; n < N; n++) for (let w = 0; w < T; w += sliding) jobs.push({ n, start: w - pad, outFrom: w, outTo: Math.min(w + sliding, T) });
  } else {
    winLen = T;
    for (let n = 0; n < N; n++) jobs.push({ n, start: 0, outFrom: 0, outTo: T });
  }
  const nTok = Math.ceil(winLen / P);
  for (let j0 = 0; j0 < jobs.length; j0 += batchSize) {
    const batch = jobs.slice(j0, j0 + batchSize);
    const buf = new Float32Array(batch.length * winLen * C);
    batch.forEach((job, b) => copyWindow(ds, job.n, job.start, winLen, buf, b * winLen * C));
    if (how.instanceNorm) instanceNormalise(buf, batch.length, winLen, C);
    const tokens = tf.tidy(() => backbone.forwardTokens(tf.tensor3d(buf, [batch.length, winLen, C]) as Tensor3D, { training: false }).tokens);
    const tv = await tokens.data() as Float32Array;
    tokens.dispose();
    batch.forEach((job, b) => {
      for (let t = job.outFrom; t < job.outTo; t++) {
        const p = patchIndexOf(t - job.start, winLen, P);
        perStep.set(tv.subarray((b * nTok + p) * D, (b * nTok + p + 1) * D), (job.n * T + t) * D);
      }
    });
    opts.onProgress?.({ phase: 'encode', done: Math.min(j0 + batchSize, jobs.length), total: jobs.length });
  }
  if (pooling === 'timestamp') return { data: perStep, shape: [N, T, D] };
  const pooled = new Float32Array(N * D).fill(-Infinity);
  for (let n = 0; n < N; n++) {
    const L = Math.max(1, ds.lengths[n]!);
    for (let t = 0; t < L; t++) {
      const o = (n * T + t) * D;
      for (let d = 0; d < D; d++) if (perStep[o + d]! > pooled[n * D + d]!) pooled[n * D + d] = perStep[o + d]!;
    }
  }
  return { data: pooled, shape: [N, D] };
}
