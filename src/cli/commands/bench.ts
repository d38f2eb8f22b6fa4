/** `tsrepr bench SUITE`: run (or resume) a benchmark suite and regenerate its report. */
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { writeReport, type ReportSummary } from '../../bench/report.js';
import { runSuite, selectCells } from '../../bench/runner.js';
import { cellId } from '../../bench/store.js';
import { loadSuite, SUITE_NAMES, suitesDir } from '../../bench/suites.js';
import { validateSuite } from '../../bench/validate.js';
import { TsreprError } from '../../errors.js';
import { action, parseIntOption, printResult, setUp, withCommonOptions, type CommonOptions } from '../common.js';

interface BenchOptions extends CommonOptions {
  quick?: boolean;
  only?: string;
  seeds?: string;
  out?: string;
  force?: boolean;
  dataDir?: string;
  list?: boolean;
  plots?: boolean;
  reportOnly?: boolean;
}

interface SuiteRun extends Partial<ReportSummary> {
  suite: string;
  outDir?: string;
  declared: number;
  ran?: number;
  reused?: number;
  seconds?: number;
  cellList?: { id: string; adapter: string; requires: string[] }[];
}

/** Default output directory: experiments/results/bench/<suite>[-quick]. */
function defaultOut(suite: string, quick: boolean): string {
  return resolve(suitesDir(), '..', 'results', 'bench', `${suite.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]s$/, '')}${quick ? '-quick' : ''}`);
}

export function register(program: Command): void {
  withCommonOptions(program.command('bench <suite>')
    .description(`run a benchmark suite (${SUITE_NAMES.join(', ')}, all, or a path to a suite module); resumable, one JSON file per cell, REPORT.md with tables and plots`))
    .option('--quick', 'tiny budgets: few iterations, small models, 1-2 small datasets')
    .option('--only <names>', 'only cells whose dataset, method, task or id is one of these (comma-separated)')
    .option('--seeds <list>', 'seeds to run, e.g. 0,1,2 (default: the suite\'s)')
    .option('--out <dir>', 'output directory (default experiments/results/bench/<suite>[-quick]; with `all`, one sub-directory per suite)')
    .option('--force', 'recompute cells already finished')
    .option('--data-dir <dir>', 'extra dataset directory (datasets-raw layout; default TSREPR_DATA)')
    .option('--list', 'only declare and validate the cells (no backend, no work)')
    .option('--no-plots', 'skip SVG/PNG plots in the report')
    .option('--report-only', 'only regenerate REPORT.md from the stored cells (runs nothing; lists declared cells not run yet)')
    .action(action(async (suiteArg: string, opts: BenchOptions) => {
      const quick = !!opts.quick;
      const seeds = opts.seeds ? opts.seeds.split(',').map((s) => s.trim()).filter(Boolean).map((s) => parseIntOption('--seeds', s, { min: 0 })) : undefined;
      if (seeds && !seeds.length) throw new TsreprError('BAD_OPTION', '--seeds is empty');
      const only = opts.only ? opts.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      const names = suiteArg === 'all' ? [...SUITE_NAMES] : [suiteArg];
      const started = Date.now();
      const runs: SuiteRun[] = [];
      const ctx = opts.list || opts.reportOnly ? undefined : await setUp(opts);
      for (const name of names) {
        const suite = await loadSuite(name);
        const cells = validateSuite(suite, selectCells(suite, { quick, only, seeds }));
        if (opts.list) {
          runs.push({ suite: suite.name, declared: cells.length, cellList: cells.map((c) => ({ id: cellId(c), adapter: c.adapter, requires: c.requires ?? [c.dataset] })) });
          continue;
        }
        const outDir = opts.out ? (names.length > 1 ? join(resolve(opts.out), suite.name) : resolve(opts.out)) : defaultOut(name, quick);
        // the report covers the suite's declared cells (default seeds) and whatever this run selected
        const declared = new Set([...selectCells(suite, { quick }), ...selectCells(suite, { quick, seeds })].map(cellId));
        if (opts.reportOnly) {
          const report = await writeReport(outDir, suite, { plots: opts.plots !== false, ids: declared });
          runs.push({ ...report, suite: suite.name, outDir, declared: cells.length, ran: 0, reused: report.ok + report.skipped + report.failed, seconds: 0 });
          continue;
        }
        const res = await runSuite(suite, {
          outDir, quick, only, seeds, force: !!opts.force, dataDir: opts.dataDir, onProgress: ctx!.progress.callback,
          onCell: (r, reused) => {
            if (opts.quiet) return;
            const m = Object.entries(r.metrics).map(([k, v]) => `${k}=${Number.isFinite(v) ? v.toPrecision(4) : v}`).join(' ');
            process.stderr.write(`[tsrepr] ${reused ? 'kept   ' : r.status.padEnd(7)} ${r.id} ${r.status === 'ok' ? m : r.reason ?? ''}\n`);
          },
        });
        const report = await writeReport(outDir, suite, { plots: opts.plots !== false, ids: declared });
        runs.push({ ...report, suite: suite.name, outDir, declared: cells.length, ran: res.ran, reused: res.reused, seconds: +res.seconds.toFixed(2) });
      }
      ctx?.progress.stop();
      const result = { suites: runs, seconds: +((Date.now() - started) / 1000).toFixed(2) };
      printResult(result, opts, (r: typeof result) => r.suites.map((s) => s.cellList
        ? `${s.suite}: ${s.declared} cell(s) declared\n${s.cellList.map((c) => `  ${c.id}  (${c.adapter}; data: ${c.requires.join(', ') || 'synthetic'})`).join('\n')}`
        : `${s.suite}: ${s.ok} ok, ${s.skipped} skipped, ${s.failed} failed (${s.ran} run, ${s.reused} kept) in ${s.seconds}s → ${s.outDir}/REPORT.md`).join('\n'));
    }));
}
