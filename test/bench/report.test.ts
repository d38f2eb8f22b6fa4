/** Report generation on hand-made cells: mean ± std, ours vs published, ranks and CD, plots. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { downsamplePlot } from '../../src/bench/plots.js';
import { meanStdTable, rankSection, referenceSection, writeReport } from '../../src/bench/report.js';
import { averageRanks, criticalDifference, meanStd, rankValues, winTieLoss } from '../../src/bench/stats.js';
import { writeCell } from '../../src/bench/store.js';
import type { CellRecord, MetricSpec } from '../../src/bench/types.js';

const ACC: MetricSpec = { name: 'accuracy', higherIsBetter: true };

function cell(dataset: string, method: string, seed: number, accuracy: number | undefined, ref?: number, status: CellRecord['status'] = 'ok'): CellRecord {
  return {
    id: `${dataset}__${method}__s${seed}`, suite: 'hand', dataset, method, seed, task: 'classification', adapter: 'hand', status,
    quick: false, config: {}, metrics: accuracy === undefined ? {} : { accuracy },
    ...(ref !== undefined ? { references: [{ metric: 'accuracy', value: ref, source: 'paper T1', difference: accuracy === undefined ? null : accuracy - ref }] } : {}),
    ...(status === 'ok' ? { fit: { iterations: 3, seconds: 0.3, secondsPerIteration: 0.1, losses: [3, 2, 1] } } : {}),
    fitSeconds: 0.3, encodeSeconds: 0.1, secondsPerIteration: 0.1, totalSeconds: 0.5, peakRssBytes: 2 ** 20 * 100,
    backend: 'wasm', environment: { version: '0.1.0', commit: 'abc', node: 'v20', cpuModel: 'cpu', cores: 2, platform: 'linux x64' },
    date: '2026-01-01T00:00:00.000Z', ...(status !== 'ok' ? { reason: 'dataset missing: get it from X' } : {}),
  };
}

// A beats B on D1 and D2, ties on D3; C is worst everywhere.
const records: CellRecord[] = [
  cell('D1', 'A', 0, 0.9, 0.85), cell('D1', 'A', 1, 0.8, 0.85), cell('D1', 'B', 0, 0.7), cell('D1', 'C', 0, 0.1),
  cell('D2', 'A', 0, 0.6, 0.7), cell('D2', 'B', 0, 0.5), cell('D2', 'C', 0, 0.2),
  cell('D3', 'A', 0, 0.5, 0.502), cell('D3', 'B', 0, 0.5), cell('D3', 'C', 0, 0.4),
  cell('D4', 'A', 0, undefined, undefined, 'skipped'),
];

describe('bench statistics', () => {
  it('mean and sample std, ranks with ties, CD', () => {
    const s = meanStd([0.9, 0.8]);
    assert.ok(Math.abs(s.mean - 0.85) < 1e-12 && Math.abs(s.std - Math.sqrt(0.005)) < 1e-12 && s.n === 2);
    assert.deepEqual(meanStd([1]), { mean: 1, std: 0, n: 1 });
    assert.deepEqual(rankValues([0.5, 0.9, 0.5, 0.1], true), [2.5, 1, 2.5, 4]);
    assert.deepEqual(rankValues([0.5, 0.9, 0.1], false), [2, 3, 1]);
    const t = new Map([['d1', new Map([['a', 1], ['b', 0]])], ['d2', new Map([['a', 0], ['b', 0]])], ['d3', new Map([['a', 1]])]]);
    const { ranks, datasets } = averageRanks(t, ['a', 'b'], true);
    assert.deepEqual(datasets, ['d1', 'd2']);
    assert.deepEqual([ranks.get('a'), ranks.get('b')], [1.25, 1.75]);
    // Demšar 2006: k = 3, N = 3 → q = 2.343 · sqrt(12 / 18)
    assert.ok(Math.abs(criticalDifference(3, 3) - 2.343 * Math.sqrt(12 / 18)) < 1e-12);
    assert.ok(Number.isNaN(criticalDifference(11, 3)));
    assert.deepEqual(winTieLoss([{ ours: 0.985, ref: 0.98 }, { ours: 0.9, ref: 0.8 }, { ours: 0.1, ref: 0.2 }], true, 0.005), { wins: 1, ties: 1, losses: 1 });
    assert.deepEqual(winTieLoss([{ ours: 0.1, ref: 0.2 }], false, 0.005), { wins: 1, ties: 0, losses: 0 });
  });
});

describe('bench report', () => {
  it('mean ± std table over seeds with the best mean in bold', () => {
    const md = meanStdTable(records, ACC);
    assert.match(md, /\| dataset \| A \| B \| C \|/);
    assert.match(md, /\| D1 \| \*\*0\.8500 ± 0\.0707 \(n=2\)\*\* \| 0\.7000 \(n=1\) \| 0\.1000 \(n=1\) \|/);
    assert.match(md, /\| D3 \| \*\*0\.5000 \(n=1\)\*\* \| \*\*0\.5000 \(n=1\)\*\* \| 0\.4000 \(n=1\) \|/);
    assert.doesNotMatch(md, /D4/);
  });

  it('ours vs published with wins/ties/losses', () => {
    const { md, pairs } = referenceSection(records, [ACC]);
    assert.equal(pairs.length, 3);
    assert.match(md, /\| D1 \| A \| accuracy \| 0\.8500 \| 0\.8500 \| 0\.0000 \| \+0\.0 % \| tie \| paper T1 \|/);
    assert.match(md, /\| D2 \| A \| accuracy \| 0\.6000 \| 0\.7000 \| -0\.1000 \| -14\.3 % \| loss \|/);
    assert.match(md, /\| D3 \| A \| accuracy \| 0\.5000 \| 0\.5020 \| -0\.0020 \| -0\.4 % \| tie \|/);
    assert.match(md, /\| A \| accuracy \| 3 \| 0 \/ 2 \/ 1 \|/);
  });

  it('keeps several references of one metric apart, by the model they belong to', () => {
    const base = records.find((r) => r.dataset === 'D2' && r.method === 'A')!;
    const two = [{ ...base, references: [
      { metric: 'accuracy', value: 0.7, source: 'paper T1', model: 'X', difference: -0.1 },
      { metric: 'accuracy', value: 0.5, source: 'paper T9', model: 'Y', difference: 0.1 },
    ] }];
    const { md, pairs } = referenceSection(two, [ACC]);
    assert.equal(pairs.length, 2);
    assert.match(md, /\| D2 \| A \| accuracy \| 0\.6000 \| 0\.5000 \| 0\.1000 \| \+20\.0 % \| win \| paper T9 \|/);
    assert.match(md, /\| A \| accuracy vs X \| 1 \| 0 \/ 0 \/ 1 \|/);
    assert.match(md, /\| A \| accuracy vs Y \| 1 \| 1 \/ 0 \/ 0 \|/);
  });

  it('average ranks and the critical difference', () => {
    const md = rankSection(records, ACC);
    // A: 1, 1, 1.5 → 1.1667; B: 2, 2, 1.5 → 1.8333; C: 3
    assert.match(md, /\| 1 \| A \| 1\.167 \|/);
    assert.match(md, /\| 2 \| B \| 1\.833 \|/);
    assert.match(md, /\| 3 \| C \| 3\.000 \|/);
    assert.match(md, new RegExp(`CD = ${criticalDifference(3, 3).toFixed(3)}`));
    assert.match(rankSection(records.filter((r) => r.method === 'A'), ACC), /at least two methods/);
  });

  it('downsamples long task plots keeping spikes and x units', () => {
    const values = Array.from({ length: 5000 }, (_, i) => (i === 3001 ? 9 : Math.sin(i / 50)));
    const p = downsamplePlot({ id: 's', title: 't', series: [{ name: 'score', values }], bands: [[2990, 3010]] });
    assert.ok(p.series[0]!.values.length <= 1500 && p.x!.length === p.series[0]!.values.length);
    const k = p.series[0]!.values.indexOf(9);
    assert.ok(k >= 0 && p.x![k]! <= 3001 && 3001 - p.x![k]! < 5, `spike kept at x ${p.x![k]}`);
    assert.deepEqual(p.bands, [[2990, 3010]]);
    const short = { id: 's', title: 't', series: [{ name: 'a', values: [1, 2, 3] }] };
    assert.equal(downsamplePlot(short), short);
  });

  it('lists declared cells that have no stored result yet', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tsrepr-report-'));
    for (const r of records.slice(0, 2)) await writeCell(out, r);
    const ids = new Set([records[0]!.id, records[1]!.id, 'D9__A__s1']);
    const s = await writeReport(out, { name: 'hand', metrics: [ACC] }, { ids, plots: false });
    assert.equal(s.cells, 2);
    assert.match(readFileSync(join(out, 'REPORT.md'), 'utf8'), /Not run yet \(1 declared cell\(s\) without a result; `tsrepr bench hand` runs them\): `D9__A__s1`\./);
    rmSync(out, { recursive: true, force: true });
  });

  it('writes REPORT.md, results.json and plots (SVG + PNG) from stored cells', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tsrepr-report-'));
    const withPlot = { ...records[0]!, plots: [{ id: 'forecast', title: 'forecast', series: [{ name: 'truth', values: [1, 2, 3] }, { name: 'pred', values: [1, 2.5, 2.5] }], bands: [[1, 2]] as [number, number][] }] };
    for (const r of [withPlot, ...records.slice(1)]) await writeCell(out, r);
    const s = await writeReport(out, { name: 'hand', description: 'hand-made cells', metrics: [ACC] });
    assert.deepEqual([s.cells, s.ok, s.skipped, s.failed], [11, 10, 1, 0]);
    const md = readFileSync(join(out, 'REPORT.md'), 'utf8');
    for (const h of ['## accuracy', '## Ours vs published', '## Ranks', '## Cost', '## Plots', '## Skipped and failed cells']) assert.ok(md.includes(h), h);
    assert.match(md, /D4__A__s0 \| skipped \| dataset missing: get it from X/);
    assert.match(md, /\| D1 \| A \| wasm \| 2 \| 0\.3000 \| 0\.1000 \| 0\.1000 \| 0\.5000 \| 100\.0 \|/);
    for (const f of ['scatter-accuracy', 'training-D1', 'task-D1__A__s0-forecast']) {
      const svg = readFileSync(join(out, 'plots', `${f}.svg`), 'utf8');
      assert.match(svg, /^<svg/);
      const png = readFileSync(join(out, 'plots', `${f}.png`));
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
      assert.ok(md.includes(`plots/${f}.png`));
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { cells: CellRecord[]; counts: Record<string, number> };
    assert.equal(results.cells.length, 11);
    assert.deepEqual(results.counts, { ok: 10, skipped: 1, failed: 0 });
    assert.ok(!existsSync(join(out, 'plots', 'training-D4.svg')));
  });
});
