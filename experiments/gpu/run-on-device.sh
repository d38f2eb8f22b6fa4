#!/usr/bin/env bash
# Runs on the GPU machine from the repo root, with .device/ (made by pack.sh) carried:
# unpacks Node, Dawn and the Vulkan loader, points Dawn at the NVIDIA Vulkan driver, prints
# the adapter (`tsrepr info`-style), then runs the throughput script with the given args.
# Results: experiments/results/gpu/<label>.{json,md} (also copied to $OUT when set).
set -euo pipefail
cd "$(dirname "$0")/../.."
d=.device
xz -dc "$d/node.xz" > /tmp/node && chmod +x /tmp/node
xz -dc "$d/node_modules/webgpu/dist/linux-x64/dawn.node.xz" > "$d/node_modules/webgpu/dist/linux-x64/dawn.node"
if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  for f in "$d"/libvulkan1_*.deb; do [ -f "$f" ] && dpkg -x "$f" /tmp/vk; done
  export LD_LIBRARY_PATH=/tmp/vk/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  [ -f "$icd" ] && { export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"; break; }
done
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>/dev/null || true
echo "node $(/tmp/node --version); VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-unset}"
/tmp/node "$d/throughput.mjs" "$@"
if [ -n "${OUT:-}" ]; then cp experiments/results/gpu/*.md experiments/results/gpu/*.json "$OUT/" 2>/dev/null || true; fi
