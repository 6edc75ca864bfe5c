#!/usr/bin/env bash
# Installs the build dependencies, builds everything, runs the whole suite on lavapipe, then
# rebuilds the file-reading code and its tests, and the server, under AddressSanitizer + UBSan
# and runs those; last, builds the libFuzzer harnesses with clang and runs each for a bounded
# time from its committed seed corpus.
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

# Malformed files and templates must give errors, never memory errors: the readers, the template
# engine and their tests under ASan.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRBEE_ASAN=ON
# One build of everything ASan runs (the readers' tests, and rbee with the plugins of the models
# the server suite serves), so that both cores stay busy.
cmake --build build-asan -j2 --target test_formats test_tokenizer test_chat rbee rbee_llama rbee_qwen
ASAN_OPTIONS=detect_leaks=1 ./build-asan/tests/test_formats
ASAN_OPTIONS=detect_leaks=1 ./build-asan/tests/test_tokenizer
ASAN_OPTIONS=detect_leaks=1 ./build-asan/tests/test_chat

# The server under ASan too: an instrumented rbee (and the plugins of the models the suite
# serves) answers the openai-client suite; a memory error aborts it, a leak fails its exit
# code at SIGTERM.
ASAN_OPTIONS=detect_leaks=1 RBEE="$PWD/build-asan/host/rbee" RBEE_FIXTURES="$PWD/tests/fixtures" \
  RBEE_SHARED="$PWD/../shared/fixtures" node --test --test-concurrency=1 tests/npm/server/*.test.mjs
echo "tested in $((SECONDS - start)) s"

# Every reader of untrusted input fuzzed (ASan + UBSan) from its committed seed corpus.
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRBEE_FUZZ=ON -DRBEE_BUILD_TESTS=OFF -DRBEE_BUILD_PLUGINS=OFF
cmake --build build-fuzz -j2 --target fuzzers
bash tests/fuzz/run.sh build-fuzz "${RBEE_FUZZ_SECONDS:-30}"
echo "done in $((SECONDS - start)) s"
