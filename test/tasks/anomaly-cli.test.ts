import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers.js';

const run = promisify(execFile);
const data = join(repoRoot, 'datasets/anomaly/NAB/data/realKnownCause/nyc_taxi.csv');
const labels = join(repoRoot, 'datasets/anomaly/NAB/labels/combined_windows_excerpt.json');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed CLI JSON
async function detect(args: string[]): Promise<Record<string, any>> {
  const { stdout } = await run('node', [join(repoRoot, 'bin/tsrepr.js'), 'detect', '--data', data, '--labels', labels, '--json', '--backend', 'wasm', ...args], { cwd: repoRoot, maxBuffer: 1 << 24 });
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one JSON line on stdout');
  return JSON.parse(lines[0]!);
}

describe('tsrepr detect (CLI smoke test on the bundled NAB series)', () => {
  const dir = mkdtemp(join(tmpdir(), 'tsrepr-detect-'));
  after(async () => rm(await dir, { recursive: true, force: true }));

  it('zscore: metrics, scores CSV and SVG plot', async () => {
    const d = await dir;
    const r = await detect(['--method', 'zscore', '--out', join(d, 's.csv'), '--plot', join(d, 'p.svg')]);
    assert.equal(r.labelKey, 'realKnownCause/nyc_taxi.csv');
    assert.equal(r.rows, 10320);
    assert.equal(r.windows, 5);
    assert.ok(r.flagged > 0);
    for (const p of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']) {
      const v = r.metrics.nab[p].normalized;
      assert.ok(Number.isFinite(v) && v <= 100, `${p}: ${v}`);
    }
    assert.ok(r.metrics.pointAdjusted.f1 >= r.metrics.delayAdjusted.f1);
    const csv = (await readFile(join(d, 's.csv'), 'utf8')).trim().split('\n');
    assert.equal(csv[0], 'timestamp,value,raw,adjusted,score,flag,label');
    assert.equal(csv.length, 10321);
    assert.match(await readFile(join(d, 'p.svg'), 'utf8'), /^<svg/);
  });

  it('--likelihood: the anomaly-likelihood stage runs end to end and finds the taxi anomalies with no more flags than plain z-scores', async () => {
    const plain = await detect(['--method', 'zscore', '--k', '5.5', '--delay', '200']);
    const lik = await detect(['--method', 'zscore', '--k', '5.5', '--delay', '200', '--likelihood']);
    assert.ok(lik.flagged > 0 && lik.flagged <= plain.flagged, `${lik.flagged} vs ${plain.flagged} flags`);
    assert.ok(lik.metrics.delayAdjusted.f1 > 0.5, `delay-adjusted F1 ${lik.metrics.delayAdjusted.f1}`);
  });

  it('ts2vec (tiny model, first 500 rows) runs end to end', async () => {
    const r = await detect(['--method', 'ts2vec', '--max-rows', '500', '--train', '0.3', '--padding', '16', '--set', 'hidden=8', '--set', 'depth=2', '--set', 'outputDims=16', '--set', 'iters=2']);
    assert.equal(r.method, 'ts2vec');
    assert.equal(r.rows, 500);
    assert.ok(Number.isFinite(r.statistics.mean));
  });

  it('knn with the likelihood stage (NAB settings k 2.75, --delay 100) finds all five taxi windows', async () => {
    const r = await detect(['--method', 'knn', '--likelihood', '--k', '2.75', '--delay', '100']);
    assert.equal(r.method, 'knn');
    assert.ok(r.flagged > 0 && r.flagged <= 20, `${r.flagged} flags`);
    assert.equal(r.metrics.nab.standard.tp, 5);
    assert.equal(r.metrics.nab.standard.fn, 0);
  });

  it('knn-multiscale with the likelihood stage and the spatial rule (the NAB settings) finds the taxi windows; one raw column per scale', async () => {
    const d = await dir;
    const r = await detect(['--method', 'knn-multiscale', '--likelihood', '--spatial', '--k', '3.75', '--delay', '100', '--out', join(d, 'm.csv')]);
    assert.equal(r.method, 'knn-multiscale');
    assert.ok(r.metrics.nab.standard.tp >= 4, `${r.metrics.nab.standard.tp} of 5 windows`);
    assert.ok(r.flagged <= 30, `${r.flagged} flags`);
    const csv = (await readFile(join(d, 'm.csv'), 'utf8')).trim().split('\n');
    assert.equal(csv[0], 'timestamp,value,raw_0,adjusted_0,raw_1,adjusted_1,score,flag,label');
    assert.equal(csv.length, 10321);
    await assert.rejects(detect(['--method', 'knn', '--spatial', '-1']), (e: { stdout: string }) => /--spatial/.test(JSON.parse(e.stdout.trim()).error.message));
  });

  it('knn-multiscale with the NAB best settings (--history-clip 15, --combine fisher, scales in time: 8 and 48 raw steps at 30 minutes) finds the taxi windows', async () => {
    const r = await detect(['--method', 'knn-multiscale', '--likelihood', '--spatial', '--history-clip', '15', '--combine', 'fisher', '--k', '4.5', '--delay', '100']);
    assert.ok(r.metrics.nab.standard.tp >= 4, `${r.metrics.nab.standard.tp} of 5 windows`);
    assert.ok(r.flagged <= 30, `${r.flagged} flags`);
    const msg = (e: { stdout: string }) => JSON.parse(e.stdout.trim()).error.message as string;
    await assert.rejects(detect(['--method', 'knn-multiscale', '--history-clip', '15']), (e: { stdout: string }) => /--likelihood/.test(msg(e)));
    await assert.rejects(detect(['--method', 'knn-multiscale', '--likelihood', '--history-clip', '0']), (e: { stdout: string }) => /--history-clip/.test(msg(e)));
    await assert.rejects(detect(['--method', 'knn-multiscale', '--scales', 'days']), (e: { stdout: string }) => /--scales/.test(msg(e)));
    await assert.rejects(detect(['--method', 'knn-multiscale', '--combine', 'mean']), (e: { stdout: string }) => /--combine/.test(msg(e)));
  });

  it('bad options give one JSON error object', async () => {
    await assert.rejects(detect(['--method', 'nope']), (e: { stdout: string }) => JSON.parse(e.stdout.trim()).error.code === 'BAD_OPTION');
  });
});
