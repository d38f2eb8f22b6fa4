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

test('tsrepr pretrain --checkpoint-every / --resume: a run killed mid-way and resumed ends with the same weights', async () => {
  const { mkdtempSync, existsSync, readFileSync, rmSync } = await import('node:fs');
  const { spawn } = await import('node:child_process');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'tsrepr-cli-ckpt-'));
  const base = ['pretrain', '--method', 'ts2vec', '--dataset', 'ItalyPowerDemand', '--iters', '24', '--set', 'hidden=8', '--set', 'depth=2', '--set', 'outputDims=8', '--quiet', '--json'];
  try {
    const a = cli([...base, '--out', join(dir, 'a')]);
    assert.equal(a.code, 0, a.stderr);
    // Kill a checkpointing run (SIGKILL) once its first checkpoint exists, then resume it.
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'tsrepr.js'), ...base, '--out', join(dir, 'b'), '--checkpoint-every', '4'], { env: { ...process.env, TSREPR_BACKEND: 'wasm' }, stdio: 'ignore' });
    const latest = join(dir, 'b.checkpoints', 'latest.json');
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    for (let i = 0; i < 600 && !existsSync(latest); i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    await exited;
    assert.ok(existsSync(latest), 'a checkpoint was written before the kill');
    const b = cli([...base, '--out', join(dir, 'b'), '--checkpoint-every', '4', '--resume']);
    assert.equal(b.code, 0, b.stderr);
    const out = JSON.parse(b.stdout);
    assert.ok(out.resumedFrom > 0, 'resumed from a checkpoint');
    assert.ok(readFileSync(join(dir, 'a', 'weights.bin')).equals(readFileSync(join(dir, 'b', 'weights.bin'))), 'weights identical to the uninterrupted run');
    const bad = cli([...base, '--out', join(dir, 'c'), '--on-nan', 'maybe']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--on-nan must be 'error' or 'skip'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
