import { inflateRawSync } from 'node:zlib';
import { TsreprError } from '../errors.js';

/**
 * Extracts the members of a ZIP archive held in memory (stored or deflated entries; no ZIP64,
 * no encryption). Returns member path → bytes. Enough for the UCR/UEA archive zips.
 */
export function unzip(zip: Uint8Array, source = 'zip'): Map<string, Uint8Array> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new TsreprError('BAD_INPUT', 'not a ZIP archive (no end-of-central-directory record)', { file: source });
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const out = new Map<string, Uint8Array>();
  for (let k = 0; k < count; k++) {
    if (view.getUint32(p, true) !== 0x02014b50) throw new TsreprError('BAD_INPUT', 'corrupt ZIP central directory', { file: source });
    const method = view.getUint16(p + 10, true);
    const csize = view.getUint32(p + 20, true);
    const nameLen = view.getUint16(p + 28, true), extraLen = view.getUint16(p + 30, true), commentLen = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = zip.subarray(start, start + csize);
    if (method === 0) out.set(name, data);
    else if (method === 8) out.set(name, new Uint8Array(inflateRawSync(data)));
    else throw new TsreprError('BAD_INPUT', `ZIP member ${name} uses unsupported compression method ${method}`, { file: source });
  }
  return out;
}
