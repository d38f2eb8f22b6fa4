#!/usr/bin/env bash
# Packs what the GPU machine needs to run experiments/gpu/throughput.ts without npm or a
# network: a single esbuild bundle of the script and its dependencies, the wasm kernels,
# the linux-x64 Dawn (webgpu) binary, the Vulkan loader .deb, and this machine's Node
# binary (xz-compressed). Everything lands in .device/ (git-ignored), about 50 MB, under
# the device tool's 64 MiB limit. Then, on the device machine (see run-on-device.sh):
#   device run --carry .device  'bash experiments/gpu/run-on-device.sh --backends wasm,webgpu --check --iters 20 --label h100'
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.device
mkdir -p "$out/node_modules/webgpu/dist/linux-x64"
grep -qxF '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
npx esbuild experiments/gpu/entry.ts --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --outfile="$out/throughput.mjs" --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$out/"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$out/node_modules/webgpu/"
# (the compressed binaries are kept between runs: compressing takes minutes)
[ -f "$out/node_modules/webgpu/dist/linux-x64/dawn.node.xz" ] || xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$out/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
[ -f "$out/node.xz" ] || xz -T2 -6 -c "$(command -v node)" > "$out/node.xz"
ls "$out"/libvulkan1_*.deb >/dev/null 2>&1 || (cd "$out" && apt-get download libvulkan1 >/dev/null 2>&1) || echo "warning: could not fetch libvulkan1 (.deb); the device must have libvulkan.so.1" >&2
du -sh "$out"
