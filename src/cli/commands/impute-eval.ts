/**
 * `tsrepr impute-eval`: hide a random fraction of the observed cells (seeded), impute, and
 * report MAE, RMSE and MRE (Σ|err| / Σ|truth|, as SAITS) on the hidden cells, in the data's
 * units and z-normalised. `--data` is a CSV/Arrow table or a PhysioNet 2012 `set-a` directory.
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadPhysionet2012 } from '../../data/physionet.js';
import { tableToColumns } from '../../data/interop.js';
import { readTableFile } from '../../tasks/imputation/files.js';
import { evaluateImputation } from '../../tasks/imputation/protocol.js';
import { pickColumns, tableToSeries } from '../../tasks/imputation/table.js';
import { TsreprError } from '../../errors.js';
import { IMPUTE_METHODS, type ImputeMethod } from '../../tasks/imputation/imputers.js';
import { action, collect, parseFloatOption, parseIntOption, parseSetOptions, printResult, setUp, withCommonOptions, type CommonOptions } from '../common.js';

export interface ImputeCliOpts extends CommonOptions {
  data: string; out?: string; method: string; columns?: string; groupBy?: string; time?: string; model?: string;
  iterations?: string; set: string[]; stream?: boolean;
}

/** Method and hyper-parameters from the shared imputation options. */
export function methodFromOpts(opts: ImputeCliOpts, seed: number): { method: ImputeMethod; methodOptions: Record<string, unknown> } {
  if (!(IMPUTE_METHODS as readonly string[]).includes(opts.method)) {
    throw new TsreprError('BAD_OPTION', `--method must be one of ${IMPUTE_METHODS.join(', ')}, got '${opts.method}'`);
  }
  const methodOptions = opts.method === 'ssgan'
    ? { seed, ...parseSetOptions(opts.set), ...(opts.iterations ? { iterations: parseIntOption('--iterations', opts.iterations, { min: 0 }) } : {}) }
    : {};
  return { method: opts.method as ImputeMethod, methodOptions };
}

/** The options `impute` and `impute-eval` share. */
export function withImputeOptions(cmd: Command): Command {
  return withCommonOptions(cmd)
    .requiredOption('--data <file>', 'input table: .csv(.gz) or Arrow IPC / Feather (.arrow, .feather)')
    .option('--method <name>', `imputation method: ${IMPUTE_METHODS.join(', ')}`, 'ssgan')
    .option('--columns <list>', 'numeric columns to impute (default: every numeric column except --time/--group-by)')
    .option('--group-by <col>', 'column splitting rows into series (one per value)')
    .option('--time <col>', 'column ordering rows within a series')
    .option('--iterations <n>', 'SSGAN training iterations')
    .option('--set <key=value>', 'SSGAN hyper-parameter, e.g. --set hiddenSize=32 (repeatable)', collect, []);
}

export function register(program: Command): void {
  withImputeOptions(program.command('impute-eval').description('hide observed cells, impute, report MAE/RMSE/MRE on them'))
    .option('--missing-rate <r>', 'fraction of observed cells to hide', '0.1')
    .option('--limit <n>', 'PhysioNet directory: read only the first n records')
    .action(action(async (opts: ImputeCliOpts & { missingRate: string; limit?: string }) => {
      const { progress, seed } = await setUp(opts);
      const { method, methodOptions } = methodFromOpts(opts, seed);
      const missingRate = parseFloatOption('--missing-rate', opts.missingRate, { min: 1e-6, max: 0.99 });
      let ds;
      if ((await stat(opts.data)).isDirectory()) {
        ds = await loadPhysionet2012(opts.data, { limit: opts.limit ? parseIntOption('--limit', opts.limit, { min: 1 }) : undefined });
      } else {
        const tc = tableToColumns(await readTableFile(opts.data));
        const exclude = [opts.time, opts.groupBy].filter((x): x is string => !!x);
        const cols = pickColumns(tc, opts.columns?.split(',').map((s) => s.trim()).filter(Boolean), exclude);
        ds = tableToSeries(tc, cols, { groupBy: opts.groupBy, time: opts.time }).ds;
      }
      const res = await evaluateImputation(ds, method, { missingRate, seed, methodOptions, fit: { onProgress: progress.callback } });
      const result = { data: opts.data, series: ds.n, length: ds.length, channels: ds.channels, ...res };
      printResult(result, opts, (r: typeof result) => [
        `${r.method} on ${r.data} (${r.series} series × ${r.length} steps × ${r.channels} channels), ${r.hidden} hidden cells (${r.missingRate})`,
        `  data units:  MAE ${r.raw.mae.toFixed(4)}  RMSE ${r.raw.rmse.toFixed(4)}  MRE ${(100 * r.raw.mre).toFixed(1)} %`,
        `  normalised:  MAE ${r.normalised.mae.toFixed(4)}  RMSE ${r.normalised.rmse.toFixed(4)}  MRE ${(100 * r.normalised.mre).toFixed(1)} %`,
        `  fit ${r.fitSeconds.toFixed(1)} s, impute ${r.imputeSeconds.toFixed(2)} s`,
      ].join('\n'));
    }));
}
