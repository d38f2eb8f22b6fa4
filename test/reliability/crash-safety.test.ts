/**
 * Crash safety: a training process SIGKILLed at random points after its first checkpoint
 * and resumed ends with weights bit-identical to an uninterrupted run with the same seed;
 * a truncated or corrupted model directory is refused by `loadModel` with BAD_MODEL.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createModel, loadModel } from '../../src/methods/model.js';
import { TsreprError } from '../../src/errors.js';
import { tf } from '../../src/engine/tf.js';
import { repoRoot, setUpBackend } from '../helpers.js';
import { tempDir } from './helpers.js';
import { syntheticDataset, tinyOptions } from './models.js';

const tmp = tempDir();
before(setUpBackend);
after(() => tmp.cleanup());

const CHILD = join(repoRoot, 'test', 'reliability', 'fixtures', 'train-child.ts');
const ITERS = 30;

/** Spawns the training child; `killWhen` decides, while it runs, when to SIGKILL it. */
function runChild(args: string[], killAfterCheckpointMs?: { dir: string; delayMs: number; minStep: number }): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const hard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    let poll: NodeJS.Timeout | undefined;
    if (killAfterCheckpointMs) {
      const latest = join(killAfterCheckpointMs.dir, 'latest.json');
      poll = setInterval(() => {
        try {
          if (!existsSync(latest)) return;
          const { step } = JSON.parse(readFileSync(latest, 'utf8')) as { step: number };
          if (step < killAfterCheckpointMs.minStep) return;
          clearInterval(poll);
          setTimeout(() => child.kill('SIGKILL'), killAfterCheckpointMs.delayMs);
        } catch { /* latest.json is replaced atomically; a read may race a rename: retry */ }
      }, 10);
    }
    child.on('close', (code, signal) => {
      clearTimeout(hard);
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test('SIGKILL at random points after a checkpoint, then resume: final weights are bit-identical to an uninterrupted run', { timeout: 170_000 }, async () => {
  const refDir = join(tmp.dir, 'ref'), outDir = join(tmp.dir, 'resumed'), ckpt = join(tmp.dir, 'ckpt');
  const reference = runChild(['ts2vec', refDir, '-', String(ITERS), '7']);
  // a fixed pseudo-random schedule of kill delays (ms after a new checkpoint appears)
  const delays = [0, 137, 61, 250, 20, 400];
  let kills = 0, lastStep = 0, attempts = 0, finished = false;
  while (!finished && attempts < 12) {
    attempts++;
    const delay = delays[kills % delays.length]!;
    const r = await runChild(['ts2vec', outDir, ckpt, String(ITERS), '7'], kills < 4 ? { dir: ckpt, delayMs: delay, minStep: lastStep + 5 } : undefined);
    if (r.signal === 'SIGKILL') {
      kills++;
      const step = existsSync(join(ckpt, 'latest.json')) ? (JSON.parse(readFileSync(join(ckpt, 'latest.json'), 'utf8')) as { step: number }).step : 0;
      assert.ok(step >= lastStep, 'checkpoints never go backwards');
      lastStep = step;
      continue;
    }
    assert.equal(r.code, 0, r.stderr);
    finished = true;
    if (kills > 0) assert.ok((JSON.parse(r.stdout) as { resumedFrom: number }).resumedFrom > 0, 'the final run resumed from a checkpoint');
  }
  assert.ok(finished, 'training finished');
  const ref = await reference;
  assert.equal(ref.code, 0, ref.stderr);
  console.log(`[reliability] crash safety: ${kills} kills survived (ts2vec, ${ITERS} iterations, checkpoint every 5)`);
  assert.ok(kills >= 2, `expected at least 2 kills, got ${kills}`);
  const a = readFileSync(join(refDir, 'weights.bin')), b = readFileSync(join(outDir, 'weights.bin'));
  assert.equal(a.length, b.length);
  assert.ok(a.equals(b), 'weights.bin of the killed-and-resumed run equals the uninterrupted run byte for byte');
});

test('a truncated, corrupted or incomplete model directory is refused with BAD_MODEL', async () => {
  const ds = syntheticDataset();
  const model = createModel('ts2vec', ds.channels, tinyOptions('ts2vec', 2));
  await model.fit(ds);
  const good = join(tmp.dir, 'good');
  await model.save(good);
  model.dispose();
  const loaded = await loadModel(good);
  loaded.dispose();
  const tensorsBefore = tf.memory().numTensors;
  const damages: [string, (dir: string) => void][] = [
    ['truncated weights.bin', (d) => truncateSync(join(d, 'weights.bin'), 10)],
    ['empty weights.bin', (d) => truncateSync(join(d, 'weights.bin'), 0)],
    ['flipped byte in weights.bin', (d) => { const b = readFileSync(join(d, 'weights.bin')); const at = Math.floor(b.length / 2); b[at] = b[at]! ^ 0x40; writeFileSync(join(d, 'weights.bin'), b); }],
    ['deleted manifest.json', (d) => rmSync(join(d, 'manifest.json'))],
    ['garbage manifest.json', (d) => writeFileSync(join(d, 'manifest.json'), '{"format": ')],
    ['deleted weights.bin', (d) => rmSync(join(d, 'weights.bin'))],
    ['garbage config.json', (d) => writeFileSync(join(d, 'config.json'), 'not json at all 😀')],
    ['garbage config.json with a matching checksum', (d) => rewriteWithChecksum(d, 'config.json', '{"ts2vec": {"hidden": -3}}')],
    ['config.json without the method section', (d) => rewriteWithChecksum(d, 'config.json', '{}')],
    ['weights.json listing a wrong shape', (d) => {
      const specs = JSON.parse(readFileSync(join(d, 'weights.json'), 'utf8')) as { shape: number[] }[];
      specs[0]!.shape = [specs[0]!.shape.reduce((x, y) => x * y, 1) + 1];
      rewriteWithChecksum(d, 'weights.json', JSON.stringify(specs));
    }],
    ['manifest naming an unknown method', (d) => {
      const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as { method: string };
      m.method = 'no-such-method';
      writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
    }],
    ['not a directory', (d) => { rmSync(d, { recursive: true }); writeFileSync(d, 'x'); }],
  ];
  for (const [what, damage] of damages) {
    const dir = join(tmp.dir, `bad-${what.replace(/\W+/g, '-')}`);
    cpSync(good, dir, { recursive: true });
    damage(dir);
    await assert.rejects(loadModel(dir), (e: unknown) => {
      assert.ok(e instanceof TsreprError, `${what}: ${String(e)}`);
      assert.equal(e.code, 'BAD_MODEL', `${what}: ${e.message}`);
      return true;
    }, what);
  }
  assert.equal(tf.memory().numTensors, tensorsBefore, 'refused loads leave no tensors behind');
  console.log(`[reliability] model directories: ${damages.length} kinds of damage refused with BAD_MODEL`);
});

/** Replaces a file of a model directory and updates the manifest's checksum so that only the content is wrong. */
function rewriteWithChecksum(dir: string, name: string, content: string): void {
  writeFileSync(join(dir, name), content);
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string; bytes: number }> };
  const buf = Buffer.from(content);
  m.files[name] = { sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
}
