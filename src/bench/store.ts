/**
 * The cell store: one JSON file per finished cell under `<out>/cells/`, written atomically
 * (temp file + rename) so an interrupted run loses at most the cell in progress.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../engine/weights.js';
import type { CellRecord, CellSpec } from './types.js';

const SAFE = /[^A-Za-z0-9._=-]+/g;

/** Stable, file-name-safe id of a cell: `<dataset>__<method>[__<backend>]__s<seed>`. */
export function cellId(spec: Pick<CellSpec, 'dataset' | 'method' | 'seed' | 'backend'>): string {
  const parts = [spec.dataset, spec.method, ...(spec.backend ? [spec.backend] : []), `s${spec.seed}`];
  return parts.map((p) => String(p).replace(SAFE, '-')).join('__');
}

export function cellsDir(outDir: string): string {
  return join(outDir, 'cells');
}

export function cellPath(outDir: string, id: string): string {
  return join(cellsDir(outDir), `${id}.json`);
}

/** Writes one cell record atomically. */
export async function writeCell(outDir: string, record: CellRecord): Promise<void> {
  await mkdir(cellsDir(outDir), { recursive: true });
  const json = JSON.stringify(record, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  await writeFileAtomic(cellPath(outDir, record.id), `${json}\n`);
}

/** Reads one cell record; undefined when absent or unreadable (a torn file is treated as not done). */
export async function readCell(outDir: string, id: string): Promise<CellRecord | undefined> {
  const p = cellPath(outDir, id);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(await readFile(p, 'utf8')) as CellRecord;
  } catch {
    return undefined;
  }
}

/** All cell records under `<out>/cells/`, sorted by id (temp files are ignored). */
export async function readAllCells(outDir: string): Promise<CellRecord[]> {
  let names: string[];
  try {
    names = await readdir(cellsDir(outDir));
  } catch {
    return [];
  }
  const out: CellRecord[] = [];
  for (const n of names.filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort()) {
    const r = await readCell(outDir, n.slice(0, -'.json'.length));
    if (r) out.push(r);
  }
  return out;
}

/**
 * Whether a stored record makes re-running `spec` unnecessary: it finished ('ok'), with the
 * same budget (quick or full) and the same config. Skipped and failed cells are retried.
 */
export function isFinished(record: CellRecord | undefined, spec: CellSpec, quick: boolean): boolean {
  return !!record && record.status === 'ok' && record.quick === quick && sameJson(record.config, spec.config);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
