import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WASM_KERNELS } from '../../src/engine/wasm-kernels.js';
import { compileWat, WASM_KERNEL_SOURCES } from '../wasm-build.js';

test('the embedded wasm kernels are their .wat sources compiled (else run experiments/build-wasm.ts)', async () => {
  for (const name of WASM_KERNEL_SOURCES) {
    const built = Buffer.from(await compileWat(name)).toString('base64');
    assert.equal(WASM_KERNELS[name], built, `${name}: the bytes in src/engine/wasm-kernels.ts are stale; run node --import tsx experiments/build-wasm.ts`);
  }
});
