/**
 * The cell store and resume logic: an interrupted (SIGKILL) then resumed run recomputes only
 * the unfinished cells and ends with the same results as an uninterrupted run; skip on a
 * missing dataset; --force recomputes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runSuite } from '../../src/bench/runner.js';
import { cellId, readAllCells } from '../../src/bench/store.js';
import type { CellRecord, Suite } from '../../src/bench/types.js';
import { repoRoot, setUpBackend } from '../helpers.js';
import tiny from './fixtures/tiny-suite.js';

const FIXTURE = join(repoRoot, 'test/bench/fixtures/tiny-suite.ts');
const BIN = join(repoRoot, 'bin/tsrepr.js');

function bench(out: string, extra: string[] = [], env: Record<string, string> = {}) {
  return spawn(process.execPath, [BIN, 'bench', FIXTURE, '--out', out, '--no-plots', '--json', '--backend', 'cpu', ...extra], {
    env: { ...process.env, TSREPR_QUIET: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finished(child: ReturnType<typeof bench>): Promise<{ code: number | null; stdout: string }> {
  let stdout = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.resume();
  return new Promise((res) => child.on('close', (code) => res({ code, stdout })));
}

const okCells = (dir: string) => readdirSync(join(dir, 'cells')).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
const comparable = (r: CellRecord) => ({ id: r.id, status: r.status, metrics: r.metrics, references: r.references, config: r.config, losses: r.fit?.losses });

describe('bench runner', () => {
  before(setUpBackend);

  it('resumes after SIGKILL without recomputing finished cells, and matches an uninterrupted run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tsrepr-bench-'));
    const full = join(root, 'full');
    const resumed = join(root, 'resumed');
    const r0 = await finished(bench(full));
    assert.equal(r0.code, 0);

    // Interrupted run: slow cells, killed as soon as the first cell file appears.
    const child = bench(resumed, [], { TINY_CELL_DELAY_MS: '400' });
    const done = finished(child);
    const cellsDir = join(resumed, 'cells');
    const t0 = Date.now();
    while (!(existsSync(cellsDir) && okCells(resumed).length >= 1)) {
      if (Date.now() - t0 > 45_000) throw new Error('no cell file appeared');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    const killed = await done;
    assert.equal(killed.code, null, 'child was killed');
    const before = new Map(okCells(resumed).map((f) => [f, { mtime: statSync(join(cellsDir, f)).mtimeMs, text: readFileSync(join(cellsDir, f), 'utf8') }]));
    assert.ok(before.size >= 1 && before.size < 9, `interrupted run left ${before.size} cells`);
    for (const { text } of before.values()) JSON.parse(text); // no torn files

    const r1 = await finished(bench(resumed));
    assert.equal(r1.code, 0);
    const summary = (JSON.parse(r1.stdout) as { suites: { ran: number; reused: number; ok: number; skipped: number }[] }).suites[0]!;
    // the skipped cell (missing dataset) is retried; finished ok cells are kept
    const okBefore = [...before.values()].filter(({ text }) => (JSON.parse(text) as CellRecord).status === 'ok').length;
    assert.equal(summary.reused, okBefore);
    assert.equal(summary.ran, 9 - okBefore);
    for (const [f, b] of before) {
      if ((JSON.parse(b.text) as CellRecord).status !== 'ok') continue;
      assert.equal(statSync(join(cellsDir, f)).mtimeMs, b.mtime, `${f} was rewritten`);
      assert.equal(readFileSync(join(cellsDir, f), 'utf8'), b.text);
    }
    const a = (await readAllCells(full)).map(comparable);
    const b = (await readAllCells(resumed)).map(comparable);
    assert.deepEqual(b, a);
    const results = JSON.parse(readFileSync(join(resumed, 'results.json'), 'utf8')) as { cells: CellRecord[] };
    assert.deepEqual(results.cells.map(comparable), a);
  });

  it('marks a cell whose dataset is missing as skipped, with where it looked', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tsrepr-bench-'));
    const res = await runSuite(tiny, { outDir: out, quick: true, only: ['NoSuchDataset'] });
    assert.equal(res.records.length, 1);
    const r = res.records[0]!;
    assert.equal(r.status, 'skipped');
    assert.match(r.reason!, /dataset missing: .*NoSuchDataset.*looked in: bundled/);
    assert.deepEqual(r.metrics, {});
  });

  it('records metrics, reference difference, timings and provenance; re-run keeps cells; --force recomputes', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tsrepr-bench-'));
    const first = await runSuite(tiny, { outDir: out, quick: true, only: ['easy'] });
    assert.equal(first.ran, 4);
    const r = first.records.find((x) => x.method === 'nearest-centroid' && x.seed === 0)!;
    assert.equal(r.status, 'ok');
    assert.equal(r.metrics.accuracy, 1);
    assert.ok(Math.abs(r.references![0]!.difference! - 0.05) < 1e-12);
    assert.ok(r.peakRssBytes! > 0 && r.totalSeconds >= 0 && r.fitSeconds! >= 0 && r.secondsPerIteration! >= 0);
    assert.ok(r.environment.cores > 0 && r.environment.version && r.backend && r.date);
    assert.deepEqual(r.config, { shift: 2 });
    const again = await runSuite(tiny, { outDir: out, quick: true, only: ['easy'] });
    assert.deepEqual([again.ran, again.reused], [0, 4]);
    const forced = await runSuite(tiny, { outDir: out, quick: true, only: ['easy'], force: true });
    assert.deepEqual([forced.ran, forced.reused], [4, 0]);
    // a changed config makes a stored cell stale
    const changed: Suite = { ...tiny, cells: (o) => tiny.cells(o).map((c) => ({ ...c, config: { ...c.config, shift: 2.5 } })) };
    const rerun = await runSuite(changed, { outDir: out, quick: true, only: ['easy'] });
    assert.equal(rerun.ran, 4);
  });

  it('turns an adapter error into a failed cell and goes on', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tsrepr-bench-'));
    const broken: Suite = {
      ...tiny,
      cells: () => [
        { dataset: 'x', method: 'broken', seed: 0, task: 't', adapter: 'none', config: {}, requires: [], run: async () => { throw new Error('boom'); } },
        ...tiny.cells({ quick: true }).slice(0, 1),
      ],
    };
    const res = await runSuite(broken, { outDir: out, quick: true });
    assert.deepEqual(res.records.map((r) => r.status), ['failed', 'ok']);
    assert.match(res.records[0]!.reason!, /boom/);
    assert.equal((await readAllCells(out)).length, 2);
    assert.equal(cellId({ dataset: 'a/b c', method: 'm', seed: 3 }), 'a-b-c__m__s3');
  });
});
