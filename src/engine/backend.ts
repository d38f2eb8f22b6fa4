/**
 * Decides where tensors live. Under `auto` the backends are tried in order of preference:
 * native TensorFlow GPU (`@tensorflow/tfjs-node-gpu`), native TensorFlow CPU
 * (`@tensorflow/tfjs-node`), WebGPU (`@tensorflow/tfjs-backend-webgpu` + the `webgpu`
 * package, only if an adapter is found), wasm (embedded default, XNNPACK), cpu (last
 * resort). Each optional backend that is absent or fails to load is reported in one line and
 * the next is tried. `--backend NAME` or `TSREPR_BACKEND` forces one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TsreprError } from '../errors.js';
import { registerWasmFallbacks } from './fallbacks.js';
import { installFastWasmSlice } from './ops.js';
import { installFastWasmTranspose } from './wasm-ops.js';
import { info } from './log.js';
import { tf } from './tf.js';

export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = BackendName | 'auto';

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  /** why it was chosen or skipped */
  reason: string;
}

export interface BackendInfo {
  /** the backend in use */
  backend: BackendName;
  /** tfjs's own name for it (`tensorflow` for both native builds) */
  tfjsName: string;
  /** what was asked for */
  requested: BackendChoice;
  /** every backend tried, in order, with why it was taken or skipped */
  attempts: BackendAttempt[];
  /** GPU adapter description, when a WebGPU adapter was found */
  adapter?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  tfjsVersion: string;
}

let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;
let webgpuAdapterInfo: BackendInfo['adapter'];

async function importOptional(name: string): Promise<unknown> {
  // A variable specifier keeps bundlers and tsc from resolving optional packages statically.
  const spec = name;
  return import(spec);
}

function errMsg(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 200);
}

async function tryNative(gpu: boolean): Promise<string> {
  const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  try {
    await importOptional(pkg);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new Error(code === 'ERR_MODULE_NOT_FOUND' ? `${pkg} is not installed` : `${pkg} failed to load: ${errMsg(e)}`);
  }
  if (!tf.findBackend('tensorflow')) {
    throw new Error(`${pkg} loaded but registered no backend with this tfjs-core (version mismatch?)`);
  }
  if (gpu) {
    // tfjs-node-gpu falls back to CPU silently when CUDA is missing; check for a GPU device.
    const ok = await tf.setBackend('tensorflow');
    if (!ok) throw new Error('tensorflow backend failed to initialise');
    const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
    if (backend.isUsingGpuDevice === false) throw new Error('tfjs-node-gpu found no CUDA GPU');
  }
  return `${pkg} loaded`;
}

/**
 * On Linux Dawn needs the Vulkan loader; without it Dawn prints several lines of warnings
 * before finding nothing. Look for `libvulkan.so.1` first so the skip is one clean line.
 */
function vulkanLoaderPresent(): boolean {
  if (process.platform !== 'linux') return true;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64', '/lib',
    '/usr/local/lib', '/usr/local/nvidia/lib64', '/usr/local/nvidia/lib',
  ];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

/** Creates `navigator.gpu` from the `webgpu` package (Dawn) and returns an adapter, or throws why not. */
async function setUpWebGpu(): Promise<string> {
  if (!vulkanLoaderPresent()) throw new Error('no Vulkan loader (libvulkan.so.1) found, so no GPU driver for WebGPU');
  // `navigator.gpu` may already exist (a browser-like host, or a bundle that set it up).
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (!g.navigator?.gpu) {
    let webgpu: { create: (opts: string[]) => unknown; globals: Record<string, unknown> };
    try {
      webgpu = (await importOptional('webgpu')) as typeof webgpu;
    } catch (e) {
      throw new Error(`the 'webgpu' package is not installed or failed to load: ${errMsg(e)}`);
    }
    Object.assign(globalThis, webgpu.globals);
    const flags = (process.env.TSREPR_DAWN_FLAGS ?? '').split(',').filter(Boolean);
    Object.defineProperty(globalThis, 'navigator', { value: { ...(g.navigator ?? {}), gpu: webgpu.create(flags) }, configurable: true, writable: true });
  }
  const gpu = (globalThis as unknown as { navigator: { gpu: { requestAdapter(o?: object): Promise<unknown> } } }).navigator.gpu;
  const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as
    | { info?: Record<string, unknown>; requestAdapterInfo?: () => Promise<Record<string, unknown>>; isFallbackAdapter?: boolean }
    | null;
  if (!adapter) throw new Error('no WebGPU adapter found (no Vulkan GPU driver Dawn accepts)');
  const ai = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : {});
  webgpuAdapterInfo = {
    vendor: ai.vendor as string | undefined,
    architecture: ai.architecture as string | undefined,
    device: ai.device as string | undefined,
    description: ai.description as string | undefined,
    isFallbackAdapter: adapter.isFallbackAdapter ?? (ai.isFallbackAdapter as boolean | undefined),
  };
  if (webgpuAdapterInfo.isFallbackAdapter && process.env.TSREPR_ALLOW_FALLBACK_ADAPTER !== '1') {
    // A software adapter is for correctness tests; under `auto` wasm is faster.
    throw new Error(`only a software WebGPU adapter was found (${describeAdapter()}); set TSREPR_ALLOW_FALLBACK_ADAPTER=1 to use it`);
  }
  try {
    if (!tf.findBackendFactory('webgpu')) await importOptional('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    throw new Error(`@tensorflow/tfjs-backend-webgpu is not installed or failed to load: ${errMsg(e)}`);
  }
  return `adapter ${describeAdapter()}`;
}

function describeAdapter(): string {
  const a = webgpuAdapterInfo ?? {};
  return [a.vendor, a.architecture, a.device, a.description].filter((s) => s).join(' / ') || 'unknown adapter';
}

async function activate(name: BackendName): Promise<string> {
  let detail = '';
  switch (name) {
    case 'tensorflow-gpu':
      detail = await tryNative(true);
      break;
    case 'tensorflow':
      detail = await tryNative(false);
      break;
    case 'webgpu':
      detail = await setUpWebGpu();
      break;
    case 'wasm':
      await import('@tensorflow/tfjs-backend-cpu'); // kernel fallbacks run on it
      await import('@tensorflow/tfjs-backend-wasm');
      detail = 'embedded XNNPACK backend';
      break;
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      detail = 'pure-JS backend (slow)';
      break;
  }
  const tfjsName = name === 'tensorflow-gpu' ? 'tensorflow' : name;
  let ok: boolean;
  try {
    ok = await tf.setBackend(tfjsName);
  } catch (e) {
    throw new Error(`initialising ${tfjsName} failed: ${errMsg(e)}`);
  }
  if (!ok) throw new Error(`tfjs could not initialise the ${tfjsName} backend`);
  await tf.ready();
  if (name === 'wasm') {
    const added = registerWasmFallbacks();
    if (added.length) detail += `; CPU fallbacks for ${added.join(', ')}`;
    installFastWasmSlice(); // wasm's own Slice copies its whole input per call
    installFastWasmTranspose(); // and its Transpose moves ~3 ns per float
  }
  return detail;
}

/** Reads the requested backend from an explicit choice, else `TSREPR_BACKEND`, else `auto`. */
export function requestedBackend(choice?: string): BackendChoice {
  const raw = (choice ?? process.env.TSREPR_BACKEND ?? 'auto').trim().toLowerCase();
  const aliases: Record<string, BackendName> = { node: 'tensorflow', 'tfjs-node': 'tensorflow', 'node-gpu': 'tensorflow-gpu', 'tfjs-node-gpu': 'tensorflow-gpu', gpu: 'webgpu' };
  const name = aliases[raw] ?? raw;
  if (name !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new TsreprError('BACKEND_UNAVAILABLE', `unknown backend '${raw}'; choose one of auto, ${BACKEND_NAMES.join(', ')}`);
  }
  return name as BackendChoice;
}

/**
 * Selects and initialises the compute backend once per process. Later calls return the
 * same info (asking for a different backend after initialisation switches to it).
 */
export async function initBackend(choice?: string): Promise<BackendInfo> {
  const requested = requestedBackend(choice);
  if (current && (requested === 'auto' || requested === current.backend)) return current;
  if (pending && !current) {
    await pending.catch(() => undefined);
    if (current && (requested === 'auto' || requested === (current as BackendInfo).backend)) return current;
  }
  pending = select(requested);
  try {
    current = await pending;
    return current;
  } finally {
    pending = undefined;
  }
}

async function select(requested: BackendChoice): Promise<BackendInfo> {
  tf.enableProdMode();
  const order: BackendName[] = requested === 'auto' ? [...BACKEND_NAMES] : [requested];
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const reason = await activate(name);
      attempts.push({ backend: name, ok: true, reason });
      const infoObj: BackendInfo = {
        backend: name,
        tfjsName: tf.getBackend(),
        requested,
        attempts,
        adapter: name === 'webgpu' ? webgpuAdapterInfo : undefined,
        tfjsVersion: tf.version_core,
      };
      const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.backend} (${a.reason})`);
      info(`backend ${name}: ${reason}${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}`);
      return infoObj;
    } catch (e) {
      const reason = errMsg(e);
      attempts.push({ backend: name, ok: false, reason });
      if (requested !== 'auto') {
        throw new TsreprError('BACKEND_UNAVAILABLE', `backend '${name}' is unavailable: ${reason}`);
      }
    }
  }
  throw new TsreprError('BACKEND_UNAVAILABLE', `no backend could be initialised: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`);
}

/** Info on the active backend, or undefined before `initBackend`. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

/** Name of the active backend (initialises the default one if needed). */
export async function ensureBackend(): Promise<BackendName> {
  return (await initBackend()).backend;
}
