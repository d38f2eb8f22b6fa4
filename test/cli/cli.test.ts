import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers.js';

/** Runs the CLI as a user would and returns exit code, stdout, stderr. */
export function cli(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'tsrepr.js'), ...args], {
    encoding: 'utf8', env: { ...process.env, TSREPR_BACKEND: 'wasm', ...env }, timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('tsrepr info --json prints exactly one JSON object naming the backend and why', () => {
  const r = cli(['info', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const obj = JSON.parse(r.stdout);
  assert.equal(obj.backend, 'wasm');
  assert.ok(Array.isArray(obj.attempts) && obj.attempts.some((a: { ok: boolean }) => a.ok));
  assert.equal(r.stdout.trim().split('\n').length, 1);
});

test('tsrepr info with an unknown or unavailable backend fails with a clear message, not a stack', () => {
  const r = cli(['info', '--backend', 'tpu']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown backend 'tpu'/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const r2 = cli(['info', '--json'], { TSREPR_BACKEND: 'tensorflow' });
  assert.equal(r2.code, 2);
  assert.match(JSON.parse(r2.stdout).error.message, /tfjs-node is not installed/);
});

test('tsrepr datasets lists the bundled datasets', () => {
  const r = cli(['datasets', '--location', 'bundled', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const names = JSON.parse(r.stdout).datasets.map((d: { name: string }) => d.name);
  for (const n of ['GunPoint', 'ItalyPowerDemand', 'BasicMotions', 'ETTh1']) assert.ok(names.includes(n), n);
});
