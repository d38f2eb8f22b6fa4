/** Config validation: every suite declares valid cells, quick and full, without running anything. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { selectCells } from '../../src/bench/runner.js';
import { cellId } from '../../src/bench/store.js';
import { loadSuite, SUITE_NAMES } from '../../src/bench/suites.js';
import { validateSuite } from '../../src/bench/validate.js';
import { repoRoot } from '../helpers.js';

describe('bench suites', () => {
  for (const name of SUITE_NAMES) {
    it(`${name}: quick and full cells are valid`, async () => {
      const suite = await loadSuite(name);
      assert.equal(suite.name, name);
      for (const quick of [true, false]) {
        const cells = validateSuite(suite, selectCells(suite, { quick }));
        assert.ok(cells.length > 0, `${name} ${quick ? 'quick' : 'full'} declares no cells`);
        if (quick) assert.ok(cells.length <= 16, `${name} quick has ${cells.length} cells`);
        for (const c of cells) assert.ok(cellId(c).length < 200);
      }
    });
  }

  it('`tsrepr bench all --quick --list --json` declares the cells of every suite', () => {
    const out = execFileSync(process.execPath, [join(repoRoot, 'bin/tsrepr.js'), 'bench', 'all', '--quick', '--list', '--json'], { encoding: 'utf8' });
    const res = JSON.parse(out) as { suites: { suite: string; declared: number; cellList: { id: string }[] }[] };
    assert.deepEqual(res.suites.map((s) => s.suite), [...SUITE_NAMES]);
    for (const s of res.suites) assert.equal(s.cellList.length, s.declared);
  });

  it('an unknown suite is a clear error', async () => {
    await assert.rejects(loadSuite('nope'), /unknown suite 'nope'.*known: ucr/);
  });
});
