/**
 * Diagnostics go to stderr so that stdout stays clean for results (`--json` prints exactly
 * one JSON object there). `TSREPR_QUIET=1` silences info lines; warnings always print.
 */
let quiet = process.env.TSREPR_QUIET === '1';

export function setQuiet(q: boolean): void {
  quiet = q;
}

export function isQuiet(): boolean {
  return quiet;
}

export function info(msg: string): void {
  if (!quiet) process.stderr.write(`[tsrepr] ${msg}\n`);
}

export function warn(msg: string): void {
  process.stderr.write(`[tsrepr] warning: ${msg}\n`);
}
