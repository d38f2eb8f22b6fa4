import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { TsreprError, type TsreprErrorCode } from '../../src/errors.js';

/** The shared raw archive, when this machine has it (CI does not). */
export const RAW = process.env.TSREPR_RAW ?? join(dirname(fileURLToPath(import.meta.url)), '../../../shared/datasets-raw');
export const HAVE_RAW = existsSync(join(RAW, 'MANIFEST.md'));
export const BUNDLED = join(dirname(fileURLToPath(import.meta.url)), '../../datasets');
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

let dir: string | undefined;
/** Writes `content` to a fresh temp dir and returns its path (gzip'd when the name ends in .gz). */
export function tmpFile(name: string, content: string | Uint8Array): string {
  dir ??= mkdtempSync(join(tmpdir(), 'tsrepr-data-'));
  const p = join(dir, name);
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  writeFileSync(p, name.endsWith('.gz') ? gzipSync(bytes) : bytes);
  return p;
}

export function tmpDir(): string {
  return mkdtempSync(join(tmpdir(), 'tsrepr-data-'));
}

/**
 * Asserts that `fn` rejects with a TsreprError of `code` whose message names the file and,
 * when given, the row and column.
 */
export async function rejectsWith(
  fn: () => Promise<unknown>, code: TsreprErrorCode, where: { file?: string; row?: number; column?: string | number } = {},
): Promise<TsreprError> {
  let caught: unknown;
  try { await fn(); } catch (err) { caught = err; }
  assert.ok(caught instanceof TsreprError, `expected a TsreprError ${code}, got ${caught === undefined ? 'no error' : String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (where.file !== undefined) {
    assert.equal(caught.location?.file, where.file);
    assert.ok(caught.message.includes(where.file), caught.message);
  }
  if (where.row !== undefined) {
    assert.equal(caught.location?.row, where.row, caught.message);
    assert.ok(caught.message.includes(`row ${where.row}`), caught.message);
  }
  if (where.column !== undefined) {
    assert.equal(caught.location?.column, where.column, caught.message);
    assert.ok(caught.message.includes(JSON.stringify(where.column)), caught.message);
  }
  return caught;
}
