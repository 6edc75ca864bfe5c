#!/usr/bin/env bash
# Builds llama.cpp's llama-bench, the peer rbee's speed is measured against, on a machine that
# reaches only Debian and npm: node-llama-cpp (npm) ships llama.cpp's source as a git bundle
# (llama/gitRelease.bundle; its release is in llama/llama.cpp.info.json). Builds the CPU backend,
# and with --vulkan the Vulkan one too (needs Debian's glslc and spirv-headers).
# usage: tools/build-llama-cpp.sh DIR [--vulkan]
#   then DIR/build-cpu/bin/llama-bench (and DIR/build-vulkan/bin/llama-bench)
set -euo pipefail
dir=${1:?usage: tools/build-llama-cpp.sh DIR [--vulkan]}
vulkan=${2:-}
case "$vulkan" in "" | --vulkan) ;; *) echo "build-llama-cpp.sh: unknown option $vulkan (expected --vulkan)" >&2; exit 2 ;; esac
version=3.22.1  # node-llama-cpp, bundling llama.cpp release v0.5.0 (commit de3ff81)

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ ! -d "$dir/src/.git" ]; then
  npm install --prefix "$dir/npm" --no-audit --no-fund --ignore-scripts --omit=optional "node-llama-cpp@$version"
  git -c advice.detachedHead=false clone -q "$dir/npm/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$dir/src"
fi
cat "$dir/npm/node_modules/node-llama-cpp/llama/llama.cpp.info.json"

build() {  # build folder, extra cmake options
  cmake -S "$dir/src" -B "$dir/$1" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF "${@:2}"
  cmake --build "$dir/$1" -j"$(nproc)" --target llama-bench
}
build build-cpu
if [ "$vulkan" = --vulkan ]; then build build-vulkan -DGGML_VULKAN=ON; fi
