#!/usr/bin/env bash
# GPU checks and benchmarks on a lent device machine (the device tool), in two halves:
#
#   tools/device-bench.sh pack   here, after a build: rbee, test_ops and the plugins, stripped, into
#                                device-kit/ with the shared libraries they need beyond glibc
#                                (the Vulkan loader among them); carry device-kit there
#   tools/device-bench.sh run    there: the op tests (every kernel against its reference) on the
#                                GPU, then `rbee bench --json` of benchmark models written by
#                                `rbee synth`; results under $OUT
#
# PRESETS and TYPES override the models benchmarked (default: llama-3.2-1b and llama-3.1-8b in
# q4_k_m and q8_0, pp512 and tg128, at depths DEPTHS: 0 and 16384); CONCURRENCY the sequences
# decoding together in the batching benchmark (default 1,4,16,64, on BATCH_PRESET
# smollm2-135m); TESTS the gtest filter of the op tests.
set -euo pipefail
cd "$(dirname "$0")/.."
kit=device-kit

case "${1:-}" in
  pack)
    rm -rf "$kit"
    mkdir -p "$kit/lib" "$kit/plugins"
    cp build/host/rbee build/tests/test_ops "$kit/"
    cp build/plugins/*.so "$kit/plugins/"
    strip "$kit/rbee" "$kit/test_ops" "$kit"/plugins/*.so
    for lib in $(ldd build/host/rbee build/tests/test_ops | awk '/=> \// {print $3}' | sort -u); do
      case "$(basename "$lib")" in
        libc.so*|libm.so*|libgcc_s.so*|ld-linux*) ;;
        *) cp -L "$lib" "$kit/lib/" ;;
      esac
    done
    du -sh "$kit"
    ;;
  run)
    export LD_LIBRARY_PATH="$PWD/$kit/lib" RBEE_PLUGIN_PATH="$PWD/$kit/plugins" XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
    if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
      export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    fi
    out="${OUT:-/tmp/device-bench}"
    mkdir -p "$out"
    "$kit/rbee" devices | tee "$out/devices.txt"
    echo "== op tests"
    "$kit/test_ops" --gtest_brief=1 --gtest_filter="${TESTS:-*}" 2>&1 | tail -20 | tee "$out/op-tests.txt"
    models=/tmp/device-bench-models
    mkdir -p "$models"
    for preset in ${PRESETS:-llama-3.2-1b llama-3.1-8b}; do
      for type in ${TYPES:-q4_k_m q8_0}; do
        file="$models/$preset-$type.gguf"
        echo "== $preset $type"
        [ -f "$file" ] || "$kit/rbee" synth --preset "$preset" --type "$type" -o "$file" | tail -1
        "$kit/rbee" bench "$file" -p "${PP:-512}" -n "${TG:-128}" -d "${DEPTHS:-0,16384}" -r "${REPS:-3}" --json |
          tee "$out/bench-$preset-$type.json"
      done
    done
    batch_preset="${BATCH_PRESET:-smollm2-135m}"
    file="$models/$batch_preset-q8_0.gguf"
    echo "== batching: $batch_preset q8_0"
    [ -f "$file" ] || "$kit/rbee" synth --preset "$batch_preset" --type q8_0 -o "$file" | tail -1
    "$kit/rbee" bench "$file" -p 64 -n 64 --concurrency "${CONCURRENCY:-1,4,16,64}" -r 1 --json |
      tee "$out/bench-concurrency-$batch_preset.json"
    ;;
  *)
    echo "usage: $0 pack|run" >&2
    exit 2
    ;;
esac
