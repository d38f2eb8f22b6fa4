/**
 * Runs a suite's cells one after another, skipping cells already finished in `<out>/cells/`
 * (unless `force`), and writes each record atomically as soon as its cell ends.
 */
import { performance } from 'node:perf_hooks';
import { backendInfo, initBackend } from '../engine/backend.js';
import { trackPeakRss } from '../engine/memory.js';
import type { ProgressCallback } from '../engine/progress.js';
import { tf } from '../engine/tf.js';
import { runEnvironment } from './environment.js';
import { CellSkip, missingDatasetReason } from './skip.js';
import { cellId, isFinished, readCell, writeCell } from './store.js';
import type { CellOutput, CellRecord, CellSpec, Reference, Suite } from './types.js';

export interface RunSuiteOptions {
  outDir: string;
  quick?: boolean;
  /** keep only cells whose dataset, method or id equals one of these (comma-separated on the CLI) */
  only?: string[];
  seeds?: number[];
  /** recompute finished cells */
  force?: boolean;
  dataDir?: string;
  /** overall progress over cells, and each cell's own progress */
  onProgress?: ProgressCallback;
  /** called after every cell with its record and whether it was reused from the store */
  onCell?: (record: CellRecord, reused: boolean) => void;
  signal?: AbortSignal;
}

export interface RunSuiteResult {
  records: CellRecord[];
  /** cells computed in this run */
  ran: number;
  /** finished cells found in the store and not recomputed */
  reused: number;
  seconds: number;
}

/** The cells a run would execute, after `only` and `seeds` filters. */
export function selectCells(suite: Suite, opts: Pick<RunSuiteOptions, 'quick' | 'only' | 'seeds'>): CellSpec[] {
  let cells = suite.cells({ quick: !!opts.quick, seeds: opts.seeds });
  if (opts.seeds) cells = cells.filter((c) => opts.seeds!.includes(c.seed));
  if (opts.only?.length) {
    const want = new Set(opts.only.map((s) => s.toLowerCase()));
    cells = cells.filter((c) => [c.dataset, c.method, c.task, cellId(c)].some((k) => want.has(k.toLowerCase())));
  }
  return cells;
}

/** Runs (or resumes) a suite; see RunSuiteOptions. */
export async function runSuite(suite: Suite, opts: RunSuiteOptions): Promise<RunSuiteResult> {
  const t0 = performance.now();
  const quick = !!opts.quick;
  const cells = selectCells(suite, opts);
  const records: CellRecord[] = [];
  let ran = 0;
  let reused = 0;
  let computeSeconds = 0;
  const phase = `bench ${suite.name}`;
  opts.onProgress?.({ phase, done: 0, total: cells.length });
  for (let i = 0; i < cells.length; i++) {
    if (opts.signal?.aborted) break;
    const spec = cells[i]!;
    const id = cellId(spec);
    const stored = await readCell(opts.outDir, id);
    if (!opts.force && isFinished(stored, spec, quick)) {
      records.push(stored!);
      reused++;
      opts.onCell?.(stored!, true);
    } else {
      const c0 = performance.now();
      const record = await runCell(suite.name, spec, id, quick, opts, i, cells.length);
      computeSeconds += (performance.now() - c0) / 1000;
      ran++;
      await writeCell(opts.outDir, record);
      records.push(record);
      opts.onCell?.(record, false);
    }
    const left = cells.length - i - 1;
    const eta = ran > 0 ? (computeSeconds / ran) * left : 0;
    opts.onProgress?.({ phase, done: i + 1, total: cells.length, metrics: { eta_s: Math.round(eta) } });
  }
  return { records, ran, reused, seconds: (performance.now() - t0) / 1000 };
}

async function runCell(suite: string, spec: CellSpec, id: string, quick: boolean, opts: RunSuiteOptions, index: number, total: number): Promise<CellRecord> {
  const base = {
    id, suite, dataset: spec.dataset, method: spec.method, seed: spec.seed, task: spec.task, adapter: spec.adapter,
    quick, config: spec.config,
  };
  const started = performance.now();
  const finish = (status: CellRecord['status'], out: Partial<CellOutput>, extra: Partial<CellRecord>): CellRecord => ({
    ...base,
    status,
    metrics: out.metrics ?? {},
    ...(spec.references?.length ? { references: spec.references.map((ref) => withDifference(ref, out.metrics)) } : {}),
    ...(out.fit ? { fit: out.fit } : {}),
    fitSeconds: out.fit?.seconds ?? null,
    encodeSeconds: out.encodeSeconds ?? null,
    secondsPerIteration: out.fit?.secondsPerIteration ?? null,
    totalSeconds: (performance.now() - started) / 1000,
    peakRssBytes: null,
    ...(out.throughput ? { throughput: out.throughput } : {}),
    ...(out.plots?.length ? { plots: out.plots } : {}),
    ...(out.extra ? { extra: out.extra } : {}),
    backend: backendInfo()?.backend ?? tf.getBackend() ?? 'none',
    environment: runEnvironment(),
    date: new Date().toISOString(),
    ...extra,
  });

  const missing = missingDatasetReason(spec.requires ?? [spec.dataset], opts.dataDir);
  if (missing) return finish('skipped', {}, { reason: missing });
  if (spec.backend && spec.backend !== backendInfo()?.backend) {
    try {
      await initBackend(spec.backend);
    } catch (e) {
      return finish('skipped', {}, { reason: `backend ${spec.backend} not available: ${(e as Error).message}` });
    }
  }
  const backend = backendInfo()?.backend ?? tf.getBackend();
  const peak = trackPeakRss();
  const prefix = `[${index + 1}/${total}] ${id}`;
  try {
    const out = await spec.run({
      dataset: spec.dataset, method: spec.method, seed: spec.seed, config: spec.config, quick,
      dataDir: opts.dataDir, backend, signal: opts.signal,
      onProgress: opts.onProgress ? (e) => opts.onProgress!({ ...e, phase: `${prefix} ${e.phase}` }) : undefined,
    });
    checkMetrics(out, id);
    return finish('ok', out, { peakRssBytes: peak.stop() });
  } catch (e) {
    const rss = peak.stop();
    if (e instanceof CellSkip) return finish('skipped', {}, { reason: e.message });
    return finish('failed', {}, { reason: `${(e as Error).name}: ${(e as Error).message}`, peakRssBytes: rss });
  }
}

function withDifference(ref: Reference, metrics?: Record<string, number>): Reference & { difference: number | null } {
  const ours = metrics?.[ref.metric];
  return { ...ref, difference: ours === undefined || !Number.isFinite(ours) ? null : ours - ref.value };
}

function checkMetrics(out: CellOutput, id: string): void {
  if (!out || typeof out.metrics !== 'object') throw new Error(`cell ${id}: adapter returned no metrics`);
  for (const [k, v] of Object.entries(out.metrics)) {
    if (typeof v !== 'number') throw new Error(`cell ${id}: metric ${k} is not a number`);
  }
}
