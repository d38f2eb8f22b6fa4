/**
 * Finding suites: a name in `experiments/suites/<name>.ts` (each exports `default` Suite) or a
 * path to any module exporting a default Suite (tests use this for a tiny suite).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TsreprError } from '../errors.js';
import type { Suite } from './types.js';

/** The suites declared in experiments/suites, in the order `bench all` runs them. */
export const SUITE_NAMES = ['ucr', 'uea', 'ett', 'nab', 'imputation', 'matrix', 'speed', 'paper'] as const;

/** The repository's `experiments/suites` directory. */
export function suitesDir(): string {
  return fileURLToPath(new URL('../../experiments/suites/', import.meta.url));
}

let tsxRegistered = false;

/** Loads a suite by name or module path; throws BAD_OPTION naming the known suites. */
export async function loadSuite(nameOrPath: string): Promise<Suite> {
  const file = /[\\/]|\.[cm]?[jt]s$/.test(nameOrPath) ? resolve(nameOrPath) : resolve(suitesDir(), `${nameOrPath}.ts`);
  if (!existsSync(file)) {
    throw new TsreprError('BAD_OPTION', `unknown suite '${nameOrPath}' (no ${file}); known: ${SUITE_NAMES.join(', ')}, all, or a path to a module exporting a default Suite`);
  }
  // The compiled CLI (dist/) cannot import .ts suites by itself: register tsx's loader first.
  if (file.endsWith('.ts') && import.meta.url.endsWith('.js') && !tsxRegistered) {
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
  }
  const mod = (await import(pathToFileURL(file).href)) as { default?: Suite };
  const suite = mod.default;
  if (!suite || typeof suite.cells !== 'function' || !Array.isArray(suite.metrics)) {
    throw new TsreprError('BAD_OPTION', `${file} does not export a default Suite ({ name, description, metrics, cells })`);
  }
  return suite;
}
