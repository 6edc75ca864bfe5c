#!/usr/bin/env bash
# Runs every fuzz harness (or those named) for SECONDS each from its seed corpus, two at a time,
# and prints each one's executions and coverage. New inputs go to a scratch folder, crashes to
# $OUT (default build-fuzz/findings). Fails if any harness finds a crash, a leak or a timeout.
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS [fuzz_name...]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$1 seconds=$2
shift 2
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.cpp; do harnesses+=("$(basename "$f" .cpp)"); done
fi
out=${OUT:-$build/findings}
mkdir -p "$out"

run_one() {
  local name=$1 corpus=tests/fuzz/corpus/${1#fuzz_} scratch log
  scratch=$(mktemp -d) log=$out/$name.log
  # -timeout: an input taking longer is a hang; -rss_limit_mb: one allocating without bound.
  if "$build/tests/fuzz/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$out/$name-" "$scratch" "$corpus" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
  fi
  rm -rf "$scratch"
  local runs cov
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || echo 'cov: ?')
  echo "$name: $status, $runs executions in ${seconds}s, $cov"
  if [ "$status" != ok ]; then tail -40 "$log"; return 1; fi
}

failed=0
for ((i = 0; i < ${#harnesses[@]}; i += 2)); do
  pids=()
  for name in "${harnesses[@]:i:2}"; do run_one "$name" & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
done
exit $failed
