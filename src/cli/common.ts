/**
 * What every CLI command shares: `--backend`, `--seed`, `--json`, `--quiet`; printing the
 * result (exactly one JSON object on stdout with `--json`, a readable summary otherwise);
 * and turning errors into a message and a non-zero exit code instead of a stack trace.
 */
import type { Command } from 'commander';
import { initBackend, type BackendInfo } from '../engine/backend.js';
import { setQuiet } from '../engine/log.js';
import { createProgressReporter, type ProgressReporter } from '../engine/progress.js';
import { TsreprError } from '../errors.js';

export interface CommonOptions {
  backend?: string;
  seed?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Adds the options every task command takes. */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--backend <name>', 'compute backend: auto, tensorflow-gpu, tensorflow, webgpu, wasm, cpu (env TSREPR_BACKEND)')
    .option('--seed <n>', 'random seed', '0')
    .option('--json', 'print exactly one JSON object with the results on stdout')
    .option('--quiet', 'no progress output');
}

/** Initialises the backend and progress reporting for a command run. */
export async function setUp(opts: CommonOptions): Promise<{ backend: BackendInfo; progress: ProgressReporter; seed: number }> {
  if (opts.quiet) setQuiet(true);
  const seed = parseIntOption('--seed', opts.seed ?? '0', { min: 0 });
  const backend = await initBackend(opts.backend);
  return { backend, progress: createProgressReporter(), seed };
}

/** Parses an integer option with a clear error. */
export function parseIntOption(name: string, raw: string, range: { min?: number; max?: number } = {}): number {
  const v = Number(raw);
  if (!Number.isInteger(v)) throw new TsreprError('BAD_OPTION', `${name} must be an integer, got '${raw}'`);
  if (range.min !== undefined && v < range.min) throw new TsreprError('BAD_OPTION', `${name} must be >= ${range.min}, got ${v}`);
  if (range.max !== undefined && v > range.max) throw new TsreprError('BAD_OPTION', `${name} must be <= ${range.max}, got ${v}`);
  return v;
}

/** Parses a number option with a clear error. */
export function parseFloatOption(name: string, raw: string, range: { min?: number; max?: number } = {}): number {
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new TsreprError('BAD_OPTION', `${name} must be a number, got '${raw}'`);
  if (range.min !== undefined && v < range.min) throw new TsreprError('BAD_OPTION', `${name} must be >= ${range.min}, got ${v}`);
  if (range.max !== undefined && v > range.max) throw new TsreprError('BAD_OPTION', `${name} must be <= ${range.max}, got ${v}`);
  return v;
}

/** Parses a comma-separated list of positive integers (e.g. `--horizons 24,48`). */
export function parseIntList(name: string, raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.length) throw new TsreprError('BAD_OPTION', `${name} is empty`);
  return parts.map((p) => parseIntOption(name, p, { min: 1 }));
}

/** Parses repeated `--set key=value` into typed hyper-parameters (numbers, booleans, strings). */
export function parseSetOptions(list: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new TsreprError('BAD_OPTION', `--set expects key=value, got '${kv}'`);
    const k = kv.slice(0, i), v = kv.slice(i + 1);
    out[k] = v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

/** Commander reducer for repeatable options (`--set a=1 --set b=2`). */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/**
 * Prints a command's result: with `--json` exactly one JSON object on stdout; otherwise
 * `human(result)` lines (or the JSON pretty-printed when no formatter is given).
 */
export function printResult(result: object, opts: CommonOptions, human?: (r: never) => string): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`);
  } else {
    process.stdout.write(`${human ? human(result as never) : JSON.stringify(result, null, 2)}\n`);
  }
}

/** Wraps a command action: known errors become one clear line and exit code 2. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      reportError(e, args);
    }
  };
}

function reportError(e: unknown, args: unknown[]): never {
  const json = args.some((a) => typeof a === 'object' && a !== null && (a as CommonOptions).json === true);
  if (e instanceof TsreprError) {
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
    process.stderr.write(`tsrepr: error: ${e.message}\n`);
    process.exit(2);
  }
  const msg = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
  if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } })}\n`);
  process.stderr.write(`tsrepr: internal error (please report): ${msg}\n`);
  process.exit(3);
}
