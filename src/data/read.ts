import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { TsreprError } from '../errors.js';

/** True when the bytes start with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a whole file as bytes. Gzip is undone transparently when the name ends in `.gz` or the
 * content starts with the gzip magic number (real users' `.csv.gz` files are common).
 * Throws IO for a missing/unreadable/corrupt file and EMPTY_INPUT for a zero-byte file.
 */
export async function readBytes(path: string): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new TsreprError('IO', 'is a directory, expected a file', { file: path });
    raw = await readFile(path);
  } catch (err) {
    if (err instanceof TsreprError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : `cannot read file (${code ?? String(err)})`;
    throw new TsreprError('IO', why, { file: path }, { cause: err });
  }
  if (raw.length === 0) throw new TsreprError('EMPTY_INPUT', 'file is empty', { file: path });
  if (!path.endsWith('.gz') && !isGzip(raw)) return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
  let out: Buffer;
  try {
    out = gunzipSync(raw);
  } catch (err) {
    throw new TsreprError('IO', `cannot gunzip: ${(err as Error).message}`, { file: path }, { cause: err });
  }
  if (out.length === 0) throw new TsreprError('EMPTY_INPUT', 'file is empty after gunzip', { file: path });
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * Reads a file as UTF-8 text (gunzipping `.gz`), dropping a leading byte-order mark.
 * Throws EMPTY_INPUT when the text holds only whitespace.
 */
export async function readText(path: string): Promise<string> {
  const bytes = await readBytes(path);
  let text = new TextDecoder('utf-8').decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new TsreprError('EMPTY_INPUT', 'file holds only whitespace', { file: path });
  return text;
}
