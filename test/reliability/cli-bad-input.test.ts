/**
 * Every CLI command that reads data, run as a user would on a sample of malformed files:
 * exit code 2, one `tsrepr: error:` line on stderr, and with `--json` exactly one
 * `{"error":{code,message}}` object on stdout — never a stack trace, never a hang.
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir();
after(() => tmp.cleanup());
const commands = readdirSync(join(import.meta.dirname, '..', '..', 'src', 'cli', 'commands')).map((f) => f.replace(/\.ts$/, ''));

const BAD: Record<string, string> = {
  'empty.csv': '',
  'ragged.csv': 'date,value\n2020-01-01 00:00:00,1\n2020-01-01 01:00:00\n',
  'inf.csv': 'timestamp,value\n2020-01-01 00:00:00,1\n2020-01-01 01:00:00,inf\n',
  'text.csv': 'timestamp,value\n2020-01-01 00:00:00,abc\n2020-01-01 01:00:00,😀\n',
  'dup.csv': 'date,OT,OT\n2020-01-01,1,2\n',
  'header.csv': '😀,日本\n',
  'nolabel.ts': '@problemName p\n@univariate true\n@classLabel true 1 2\n@data\n1,2,3\n',
  'garbage.tsv': '\u0000\u0001\u0002',
  'big.arff': '@relation r\n@attribute t0 numeric\n@attribute class {a,b}\n@data\n1e308,a\n',
};
for (const [name, text] of Object.entries(BAD)) writeFileSync(join(tmp.dir, name), text);
const f = (name: string) => join(tmp.dir, name);

const CASES: [string, string[]][] = [
  ['forecast', ['forecast', '--data', f('ragged.csv'), '--horizons', '2', '--iters', '1']],
  ['detect', ['detect', '--data', f('inf.csv')]],
  ['pretrain', ['pretrain', '--method', 'ts2vec', '--data', f('empty.csv'), '--out', f('m1'), '--iters', '1']],
  ['classify', ['classify', '--train', f('nolabel.ts'), '--test', f('nolabel.ts'), '--iters', '1']],
  ['classify', ['classify', '--train', f('big.arff'), '--test', f('big.arff'), '--iters', '1']],
  ['impute', ['impute', '--data', f('header.csv'), '--out', f('o.csv'), '--method', 'linear']],
];

test('CLI commands reading data reject malformed files with exit code 2 and a one-line error (human and --json)', { timeout: 170_000 }, async () => {
  const runnable = CASES.filter(([cmd]) => commands.includes(cmd));
  let tried = 0;
  // --json runs check both channels: the JSON object on stdout and the one error line on stderr
  const queue = runnable.map(([cmd, args]) => ({ cmd, args: [...args, '--json'], json: true }));
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const r = await runCli([...job.args, '--quiet'], { timeoutMs: 60_000 });
      tried++;
      const what = `tsrepr ${job.args.join(' ')}`;
      assert.ok(!r.timedOut, `${what}: hung`);
      if (r.code === 1 && /error: (unknown option|required option|too many arguments)/.test(r.stderr)) continue; // option spelling differs for this command
      assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.stderr}`);
      const errLines = r.stderr.split('\n').filter((l) => l.startsWith('tsrepr: '));
      assert.equal(errLines.length, 1, `${what}: ${r.stderr}`);
      assert.match(errLines[0]!, /^tsrepr: error: /, what);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: stack trace`);
      if (job.json) {
        const lines = r.stdout.trim().split('\n');
        assert.equal(lines.length, 1, `${what}: one JSON line, got ${r.stdout}`);
        const obj = JSON.parse(lines[0]!) as { error: { code: string; message: string } };
        assert.ok(obj.error && typeof obj.error.code === 'string' && obj.error.code !== 'INTERNAL' && obj.error.message, `${what}: ${lines[0]}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  console.log(`[reliability] CLI: ${tried} runs of ${new Set(runnable.map(([c]) => c)).size} commands on malformed files`);
  assert.ok(tried > 0);
});
