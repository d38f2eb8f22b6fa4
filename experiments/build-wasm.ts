/**
 * Compiles the hand-written wasm kernels (src/engine/wasm/*.wat) with wabt and writes their
 * bytes, base64, into src/engine/wasm-kernels.ts's generated block. Run after editing a .wat:
 *   node --import tsx experiments/build-wasm.ts
 * (test/engine/wasm-kernels.test.ts fails when the embedded bytes are not the .wat compiled).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { compileWat, WASM_KERNEL_SOURCES } from '../test/wasm-build.js';

const target = new URL('../src/engine/wasm-kernels.ts', import.meta.url);
let text = await readFile(target, 'utf8');
for (const name of WASM_KERNEL_SOURCES) {
  const b64 = Buffer.from(await compileWat(name)).toString('base64');
  const re = new RegExp(`(// generated: ${name}\\n  ${name}: ')[A-Za-z0-9+/=]*(')`);
  if (!re.test(text)) throw new Error(`build-wasm: no generated line for ${name} in src/engine/wasm-kernels.ts`);
  text = text.replace(re, `$1${b64}$2`);
  console.log(`${name}: ${b64.length} base64 chars`);
}
await writeFile(target, text);
