#!/usr/bin/env bash
# Fetches a software Vulkan driver (SwiftShader, from Debian's chromium-common package) and
# the Vulkan loader into .cache/swiftshader, so the WebGPU backend (Dawn) can run on a
# machine without a GPU, for correctness tests. Prints the environment to use, e.g.:
#   eval "$(scripts/swiftshader.sh)" && npm test
# Needs Debian/Ubuntu apt (only `apt-get download`, no installation); exits 0 printing
# nothing useful when that is not possible, and the WebGPU tests then skip with a message.
set -u
root="$(cd "$(dirname "$0")/.." && pwd)/.cache/swiftshader"
icd="$root/usr/lib/chromium/vk_swiftshader_icd.json"
lib="$root/usr/lib/x86_64-linux-gnu"
if [ ! -f "$icd" ] || [ ! -e "$lib/libvulkan.so.1" ]; then
  command -v apt-get >/dev/null 2>&1 || { echo "# swiftshader: apt-get not available" >&2; exit 0; }
  mkdir -p "$root/debs"
  (cd "$root/debs" && timeout 180 apt-get download chromium-common libvulkan1 >/dev/null 2>&1) \
    || { echo "# swiftshader: apt-get download failed" >&2; exit 0; }
  for f in "$root"/debs/*.deb; do dpkg -x "$f" "$root"; done
  rm -rf "$root/debs"
fi
[ -f "$icd" ] || { echo "# swiftshader: driver not found after download" >&2; exit 0; }
echo "export VK_ICD_FILENAMES='$icd' LD_LIBRARY_PATH='$lib'\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH} XDG_RUNTIME_DIR=\${XDG_RUNTIME_DIR:-/tmp}"
