/** `tsrepr datasets`: list bundled/archive/cached datasets; `tsrepr datasets fetch NAME` downloads one. */
import type { Command } from 'commander';
import { fetchDataset, listDatasets, type DatasetInfo } from '../../data/registry.js';
import { action, printResult, type CommonOptions } from '../common.js';

interface DatasetsOptions extends CommonOptions { dataDir?: string; task?: string; location?: string }

export function register(program: Command): void {
  const cmd = program
    .command('datasets')
    .description('list the bundled datasets, those in --data-dir/TSREPR_DATA and the cache, and the downloadable ones')
    .option('--data-dir <dir>', 'archive directory (default TSREPR_DATA)')
    .option('--task <task>', 'only this task: classification, regression, forecasting, anomaly, imputation')
    .option('--location <where>', 'only this location: bundled, data-dir, cache, remote')
    .option('--json', 'print one JSON object')
    .action(action(async (opts: DatasetsOptions) => {
      let list = listDatasets({ dataDir: opts.dataDir });
      if (opts.task) list = list.filter((d) => d.task === opts.task);
      if (opts.location) list = list.filter((d) => d.location === opts.location);
      const result = { count: list.length, datasets: list.map(({ name, task, location, url }) => ({ name, task, location, ...(url ? { url } : {}) })) };
      printResult(result, opts, (r: typeof result) => {
        const byLoc = new Map<string, DatasetInfo[]>();
        for (const d of r.datasets) byLoc.set(d.location, [...(byLoc.get(d.location) ?? []), d as DatasetInfo]);
        return [...byLoc].map(([loc, ds]) => `${loc} (${ds.length}):\n${ds.map((d) => `  ${d.name.padEnd(40)} ${d.task}`).join('\n')}`).join('\n')
          + '\n(any UCR/UEA archive name can also be fetched: tsrepr datasets fetch <Name>)';
      });
    }));
  cmd
    .command('fetch <name>')
    .description('download a public dataset into the cache (TSREPR_CACHE or ~/.cache/tsrepr); needs internet')
    .option('--data-dir <dir>', 'archive directory (default TSREPR_DATA)')
    .option('--json', 'print one JSON object')
    .action(action(async (name: string, opts: DatasetsOptions) => {
      const info = await fetchDataset(name, { dataDir: opts.dataDir });
      printResult(info, opts, (r: DatasetInfo) => `${r.name} (${r.task}) is available: ${r.location}\n${Object.entries(r.files ?? {}).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
    }));
}
