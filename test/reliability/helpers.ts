/** Shared helpers of the reliability suite: temp dirs, dataset invariants, error classification, CLI runs. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TimeSeriesDataset } from '../../src/data/dataset.js';
import { TsreprError } from '../../src/errors.js';
import { repoRoot } from '../helpers.js';

/** A fresh temp directory, removed by the returned `cleanup`. */
export function tempDir(prefix = 'tsrepr-rel-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Asserts every invariant a loaded dataset must satisfy: shapes agree, mask is 1 exactly
 * where the value is a number, no ±Inf, lengths within [0, T] with nothing observed after a
 * series' length, labels/classNames/channelNames/timestamps sized consistently.
 */
export function assertDatasetInvariants(ds: TimeSeriesDataset, what: string): void {
  const { n, length: T, channels: C } = ds;
  for (const [k, v] of [['n', n], ['length', T], ['channels', C]] as const) {
    assert.ok(Number.isInteger(v) && v >= 1, `${what}: ${k} = ${v}`);
  }
  const size = n * T * C;
  assert.equal(ds.values.length, size, `${what}: values length`);
  assert.equal(ds.mask.length, size, `${what}: mask length`);
  for (let i = 0; i < size; i++) {
    const v = ds.values[i]!;
    assert.ok(v !== Infinity && v !== -Infinity, `${what}: Inf at ${i}`);
    assert.equal(ds.mask[i], Number.isNaN(v) ? 0 : 1, `${what}: mask inconsistent with NaN at ${i}`);
  }
  assert.equal(ds.lengths.length, n, `${what}: lengths`);
  for (let s = 0; s < n; s++) {
    const len = ds.lengths[s]!;
    assert.ok(Number.isInteger(len) && len >= 0 && len <= T, `${what}: length ${len} of series ${s}`);
    for (let i = (s * T + len) * C; i < (s + 1) * T * C; i++) assert.equal(ds.mask[i], 0, `${what}: observed value past length of series ${s}`);
  }
  assert.equal(ds.channelNames.length, C, `${what}: channelNames`);
  if (ds.labels) {
    assert.equal(ds.labels.length, n, `${what}: labels`);
    if (ds.classNames) {
      assert.ok(ds.labels instanceof Int32Array, `${what}: class labels are Int32`);
      for (const l of ds.labels) assert.ok(l >= 0 && l < ds.classNames.length, `${what}: label ${l} outside classNames`);
    } else {
      for (const l of ds.labels) assert.ok(Number.isFinite(l), `${what}: non-finite regression target`);
    }
  }
  if (ds.timestamps) assert.equal(ds.timestamps.length, n * T, `${what}: timestamps`);
}

export interface Outcome { ok: number; rejected: Map<string, number> }

export function newOutcome(): Outcome {
  return { ok: 0, rejected: new Map() };
}

/**
 * Runs a loader on one input: it must return a dataset satisfying the invariants, or throw a
 * TsreprError. Anything else (a library's TypeError, RangeError, …) fails the test with the
 * input's description.
 */
export async function expectLoadsOrRejects(
  out: Outcome, what: string, load: () => Promise<TimeSeriesDataset>, check?: (ds: TimeSeriesDataset) => void,
): Promise<void> {
  let ds: TimeSeriesDataset;
  try {
    ds = await load();
  } catch (e) {
    if (e instanceof TsreprError) {
      assert.ok(e.message.length > 0 && !e.message.includes('\n    at '), `${what}: message ${e.message}`);
      out.rejected.set(e.code, (out.rejected.get(e.code) ?? 0) + 1);
      return;
    }
    assert.fail(`${what}: threw a non-TsreprError ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack ?? ''}`);
  }
  assertDatasetInvariants(ds, what);
  check?.(ds);
  out.ok++;
}

export function describeOutcome(name: string, tried: number, o: Outcome): string {
  const rej = [...o.rejected.entries()].sort().map(([k, v]) => `${k}=${v}`).join(' ');
  return `[reliability] ${name}: ${tried} inputs tried, ${o.ok} loaded, rejected: ${rej || 'none'}`;
}

/** Runs `node bin/tsrepr.js …` with a timeout; resolves with exit code, stdout, stderr (never rejects). */
export function runCli(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'tsrepr.js'), ...args], {
      env: { ...process.env, TSREPR_BACKEND: 'wasm', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '', timedOut = false;
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr, timedOut }); });
  });
}
