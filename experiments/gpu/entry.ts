/**
 * Bundle entry for the GPU machine (see pack.sh): creates `navigator.gpu` from the carried
 * `webgpu` package (Dawn), registers tfjs's WebGPU backend (bundled), then runs the
 * throughput script. tsrepr's backend selection then finds both already in place.
 */
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true, writable: true });
await import('@tensorflow/tfjs-backend-webgpu');
await import('./throughput.js');
