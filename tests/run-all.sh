#!/usr/bin/env bash
# Installs the build dependencies, builds everything, runs the whole suite on lavapipe, then
# builds everything again under AddressSanitizer + UBSan and runs the suite there; last, builds
# the libFuzzer harnesses with clang and runs each for a bounded time from its committed seed
# corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
start=$SECONDS

bash packaging/install-deps.sh
# The reference clients tests compare against, from npm as a user installs them (tests/npm).
npm ci --prefix tests/npm --no-audit --no-fund

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2

# Every test once more under AddressSanitizer + UBSan (undefined behaviour aborts, a leak fails
# the process): readers, templates, kernels, model suites, the CLI and the server's openai-client
# suite (test_models without the quantized-file goldens, tests/CMakeLists.txt). -O1 keeps the
# instrumented CPU code quick; the kernels are the first build's SPIR-V (glslang's output does
# not depend on the C++ flags). Left out: the validation layer's reruns of test_ops and
# test_models (those programs run here anyway, and the layer is not ours to leak-check), and
# the install and packaging tests (packages, sdk_out_of_tree: they install and package the
# instrumented build, which says nothing new about memory). Most of the time goes to lavapipe
# compiling pipelines with LLVM, whose allocations ASan's default 256 MB quarantine of freed
# memory more than doubles; 8 MB keeps recent frees poisoned.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
  "-DCMAKE_C_FLAGS_DEBUG=-O1 -g1" -DRBEE_ASAN=ON -DRBEE_SPIRV_DIR="$PWD/build/shaders/spv"
cmake --build build-asan -j2
ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=8 ctest --test-dir build-asan --output-on-failure -j2 \
  -E '^(vulkan_validation_.*|packages|sdk_out_of_tree)$'
echo "tested in $((SECONDS - start)) s"

# Every reader of untrusted input fuzzed (ASan + UBSan) from its committed seed corpus.
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRBEE_FUZZ=ON -DRBEE_BUILD_TESTS=OFF -DRBEE_BUILD_PLUGINS=OFF
cmake --build build-fuzz -j2 --target fuzzers
bash tests/fuzz/run.sh build-fuzz "${RBEE_FUZZ_SECONDS:-30}"
echo "done in $((SECONDS - start)) s"
