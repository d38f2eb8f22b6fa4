/**
 * `tsrepr impute`: fill the missing cells of a CSV or Arrow table with SSGAN, linear
 * interpolation, LOCF or the mean; observed cells and other columns are written unchanged.
 */
import type { Command } from 'commander';
import { TsreprError } from '../../errors.js';
import { fitImputer, impute, imputeArrowFile } from '../../tasks/imputation/api.js';
import { isArrowPath, readTableFile, writeTableFile } from '../../tasks/imputation/files.js';
import { action, printResult, setUp } from '../common.js';
import { methodFromOpts, register as registerEval, withImputeOptions, type ImputeCliOpts } from './impute-eval.js';

/** Registers `impute` and `impute-eval`. */
export function register(program: Command): void {
  registerEval(program);
  withImputeOptions(program.command('impute').description('fill missing cells of a CSV/Arrow table (SSGAN, linear, LOCF, mean)'))
    .requiredOption('--out <file>', 'output table (.csv or .arrow; same rows, columns and order)')
    .option('--model <dir>', 'use a saved imputer (e.g. an SSGAN model directory) instead of fitting one')
    .option('--save-model <dir>', 'save the fitted imputer here')
    .option('--stream', 'Arrow in and out: read and write batch by batch with bounded memory (no --group-by/--time)')
    .action(action(async (opts: ImputeCliOpts & { saveModel?: string }) => {
      const { progress, seed } = await setUp(opts);
      const { method, methodOptions } = methodFromOpts(opts, seed);
      const columns = opts.columns?.split(',').map((s) => s.trim()).filter(Boolean);
      const t0 = performance.now();
      let summary: { rows: number; imputedCount: number; columns: string[]; method: string; batches?: number };
      if (opts.stream) {
        if (!isArrowPath(opts.data) || !isArrowPath(opts.out!)) throw new TsreprError('BAD_OPTION', '--stream needs Arrow input and output files');
        if (opts.groupBy || opts.time) throw new TsreprError('BAD_OPTION', '--stream processes rows in file order; --group-by/--time are not supported');
        summary = await imputeArrowFile(opts.data, opts.out!, { columns, method, methodOptions, model: opts.model, fit: { onProgress: progress.callback } });
      } else {
        const table = await readTableFile(opts.data);
        const common = { columns, groupBy: opts.groupBy, time: opts.time };
        // With --save-model the imputer is fitted once, used, then saved.
        const fitted = opts.saveModel && !opts.model
          ? await fitImputer(table, { ...common, method, methodOptions, fit: { onProgress: progress.callback } })
          : undefined;
        try {
          const res = await impute(table, { ...common, method, methodOptions, model: fitted ?? opts.model, fit: { onProgress: progress.callback } });
          await writeTableFile(res.table, opts.out!);
          if (fitted) await fitted.save(opts.saveModel!);
          summary = { rows: Object.values(res.imputed)[0]?.length ?? 0, imputedCount: res.imputedCount, columns: res.columns, method: res.method };
        } finally {
          fitted?.dispose();
        }
      }
      const result = { data: opts.data, out: opts.out, ...summary, model: opts.model ?? null, seconds: +((performance.now() - t0) / 1000).toFixed(3) };
      printResult(result, opts, (r: typeof result) => `${r.method}: filled ${r.imputedCount} cells in ${r.rows} rows (${r.columns.join(', ')}) → ${r.out} in ${r.seconds} s`);
    }));
}
