/**
 * Model directories: `manifest.json` (format, method, checksums), `config.json`
 * (hyper-parameters, normalisation, anything the method needs to rebuild itself) and
 * `weights.bin` + `weights.json` (named float32/int32 tensors). Writes are crash-safe: the
 * whole directory is written beside the target and renamed into place, each file is
 * fsync'd, and loading verifies every checksum, so a truncated or corrupt directory is
 * refused with a clear error instead of loading garbage.
 */
import { createHash } from 'node:crypto';
import { promises as fsp, constants as fsc } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TsreprError } from '../errors.js';
import { tf, type Tensor } from './tf.js';

export const MODEL_FORMAT = 'tsrepr-model';
export const MODEL_FORMAT_VERSION = 1;

export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  version: number;
  method: string;
  createdAt: string;
  files: Record<string, { sha256: string; bytes: number }>;
}

interface WeightSpec { name: string; shape: number[]; dtype: 'float32' | 'int32'; offset: number; length: number }

export interface ModelArtifacts {
  method: string;
  /** JSON-serialisable configuration (hyper-parameters, normalisation, …) */
  config: unknown;
  tensors: Map<string, Tensor>;
  /** extra JSON files to store beside (e.g. optimizer or RNG state), by file name */
  extraJson?: Record<string, unknown>;
}

function sha256(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Writes `data` to `path` atomically: temp file in the same directory, fsync, rename. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path);
}

/** Serialises named tensors into one little-endian buffer plus specs (async read-back: works on WebGPU). */
export async function encodeTensors(tensors: Map<string, Tensor>): Promise<{ specs: WeightSpec[]; data: Uint8Array }> {
  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`cannot save tensor ${name} of dtype ${t.dtype}`);
    const vals = (await t.data()) as Float32Array | Int32Array;
    const bytes = new Uint8Array(vals.buffer.slice(vals.byteOffset, vals.byteOffset + vals.byteLength));
    specs.push({ name, shape: t.shape, dtype: t.dtype, offset, length: bytes.byteLength });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const data = new Uint8Array(offset);
  let o = 0;
  for (const c of chunks) { data.set(c, o); o += c.byteLength; }
  return { specs, data };
}

export function decodeTensors(specs: WeightSpec[], data: Uint8Array, where = 'weights'): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const s of specs) {
    if (s.offset + s.length > data.byteLength) throw new TsreprError('BAD_MODEL', `${where}: tensor ${s.name} lies past the end of weights.bin (truncated file?)`);
    // Copy into a fresh, aligned buffer (a Node Buffer's slice shares a pooled buffer).
    const bytes = new Uint8Array(s.length);
    bytes.set(data.subarray(s.offset, s.offset + s.length));
    const arr = s.dtype === 'int32' ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer);
    if (arr.length !== s.shape.reduce((a, b) => a * b, 1)) throw new TsreprError('BAD_MODEL', `${where}: tensor ${s.name} has ${arr.length} values for shape [${s.shape}]`);
    out.set(s.name, tf.tensor(arr, s.shape, s.dtype));
  }
  return out;
}

/**
 * Saves a model directory crash-safely: everything is written to a sibling temp directory,
 * then swapped in with renames. An interrupted save leaves the previous model intact.
 */
export async function saveModelDir(dir: string, art: ModelArtifacts): Promise<void> {
  const parent = dirname(dir);
  await fsp.mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.${process.pid}.${Date.now()}.tmp`);
  await fsp.mkdir(tmp, { recursive: true });
  try {
    const files: Record<string, Uint8Array> = {};
    const { specs, data } = await encodeTensors(art.tensors);
    files['weights.bin'] = data;
    files['weights.json'] = new TextEncoder().encode(JSON.stringify(specs));
    files['config.json'] = new TextEncoder().encode(JSON.stringify(art.config, null, 2));
    for (const [name, obj] of Object.entries(art.extraJson ?? {})) {
      if (!/^[\w.-]+\.json$/.test(name) || name === 'manifest.json') throw new Error(`bad extra file name ${name}`);
      files[name] = new TextEncoder().encode(JSON.stringify(obj));
    }
    const manifest: ModelManifest = {
      format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, method: art.method, createdAt: new Date().toISOString(), files: {},
    };
    for (const [name, buf] of Object.entries(files)) {
      await writeFileAtomic(join(tmp, name), buf);
      manifest.files[name] = { sha256: sha256(buf), bytes: buf.byteLength };
    }
    await writeFileAtomic(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2));
    // Swap: move the old directory aside, move the new one in, then delete the old one.
    let old: string | undefined;
    if (await exists(dir)) {
      old = join(parent, `.${basename(dir)}.${process.pid}.${Date.now()}.old`);
      await fsp.rename(dir, old);
    }
    await fsp.rename(tmp, dir);
    if (old) await fsp.rm(old, { recursive: true, force: true });
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

async function exists(p: string): Promise<boolean> {
  try { await fsp.access(p, fsc.F_OK); return true; } catch { return false; }
}

/** Loads and verifies a model directory; any missing file, bad checksum or bad JSON is a BAD_MODEL error. */
export async function loadModelDir(dir: string): Promise<{ manifest: ModelManifest; config: unknown; tensors: Map<string, Tensor>; extraJson: Record<string, unknown> }> {
  const bad = (msg: string, cause?: unknown) => new TsreprError('BAD_MODEL', `${dir}: ${msg}`, undefined, { cause });
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(await fsp.readFile(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw bad(code === 'ENOENT' ? 'not a tsrepr model directory (no manifest.json)' : `manifest.json is unreadable or corrupt (${(e as Error).message})`, e);
  }
  if (manifest.format !== MODEL_FORMAT) throw bad(`manifest.json format is '${String(manifest.format)}', expected '${MODEL_FORMAT}'`);
  if (manifest.version > MODEL_FORMAT_VERSION) throw bad(`model format version ${manifest.version} is newer than this tsrepr supports (${MODEL_FORMAT_VERSION})`);
  const contents: Record<string, Uint8Array> = {};
  for (const [name, meta] of Object.entries(manifest.files ?? {})) {
    let buf: Uint8Array;
    try { buf = await fsp.readFile(join(dir, name)); } catch (e) { throw bad(`${name} is missing`, e); }
    if (buf.byteLength !== meta.bytes) throw bad(`${name} has ${buf.byteLength} bytes, manifest says ${meta.bytes} (truncated?)`);
    if (sha256(buf) !== meta.sha256) throw bad(`${name} fails its checksum (corrupt file)`);
    contents[name] = buf;
  }
  for (const req of ['weights.bin', 'weights.json', 'config.json']) if (!contents[req]) throw bad(`manifest lists no ${req}`);
  const parse = (name: string): unknown => {
    try { return JSON.parse(new TextDecoder().decode(contents[name])); } catch (e) { throw bad(`${name} is not valid JSON`, e); }
  };
  const specs = parse('weights.json') as WeightSpec[];
  const tensors = decodeTensors(specs, contents['weights.bin']!, dir);
  const extraJson: Record<string, unknown> = {};
  for (const name of Object.keys(contents)) {
    if (name.endsWith('.json') && !['weights.json', 'config.json'].includes(name)) extraJson[name] = parse(name);
  }
  return { manifest, config: parse('config.json'), tensors, extraJson };
}
