/** Skipping a cell: missing data or a missing adapter is reported, never a crash and never a number. */
import { resolveDataset } from '../data/registry.js';

/** Thrown by an adapter function (or the runner) to mark a cell skipped with a reason. */
export class CellSkip extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CellSkip';
  }
}

/**
 * Checks that every dataset is found (bundled `datasets/`, then `--data-dir`/TSREPR_DATA, then
 * the cache); returns the reason to skip (where it looked and where to get it) or undefined.
 */
export function missingDatasetReason(names: string[], dataDir?: string): string | undefined {
  for (const name of names) {
    try {
      resolveDataset(name, dataDir ? { dataDir } : {});
    } catch (e) {
      return `dataset missing: ${(e as Error).message}`;
    }
  }
  return undefined;
}

/**
 * Imports `exportName` from a module of this package (path relative to `src/`, e.g.
 * 'tasks/classification/index.js'), or throws CellSkip('<adapter> not available') when the
 * module or the export does not exist (yet). Other import errors propagate.
 */
export async function importAdapter<F>(modulePath: string, exportName: string): Promise<F> {
  const mod = await importModule(modulePath, exportName);
  const f = mod[exportName];
  if (f === undefined) throw new CellSkip(`${modulePath} ${exportName} not available (no such export)`);
  return f as F;
}

/** Imports a module of this package (path relative to `src/`); CellSkip when it does not exist. */
export async function importModule(modulePath: string, what = ''): Promise<Record<string, unknown>> {
  const url = new URL(`../${modulePath}`, import.meta.url).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module/.test((e as Error).message)) {
      throw new CellSkip(`${modulePath}${what ? ` ${what}` : ''} not available (module not found)`);
    }
    throw e;
  }
}
