#!/usr/bin/env bash
# rbee and llama.cpp side by side in one run: for each round and model, `rbee bench` then
# `llama-bench` with the same test arguments (both read -p, -n, -d and -r alike), tokens/s of each
# test printed on one line per tool. llama-bench: tools/build-llama-cpp.sh.
# usage: [ROUNDS=3] [RBEE=build/host/rbee] tools/bench-vs-llama-cpp.sh LLAMA_BENCH "TEST ARGS" MODEL...
#   e.g. tools/bench-vs-llama-cpp.sh /tmp/llama.cpp/build-cpu/bin/llama-bench "-p 64 -n 32 -r 2" smollm2-q8_0.gguf
set -euo pipefail
llama_bench=${1:?usage: tools/bench-vs-llama-cpp.sh LLAMA_BENCH "TEST ARGS" MODEL...}
read -r -a tests <<<"${2:?test arguments, e.g. \"-p 64 -n 32 -r 2\"}"
shift 2
rbee=${RBEE:-build/host/rbee}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
for round in $(seq "${ROUNDS:-3}"); do
  echo "== round $round"
  for model in "$@"; do
    "$rbee" bench "$model" "${tests[@]}" --json 2>/dev/null | python3 -c '
import json, sys
rows = json.load(sys.stdin)["results"]
print("rbee     ", sys.argv[1], *["%s %.1f" % (r["test"], r["tokens_per_second"]) for r in rows], sep=" | ")' "$(basename "$model")"
    "$llama_bench" -m "$model" "${tests[@]}" -o json 2>/dev/null | python3 -c '
import json, sys
def name(r):
    test = "pp%d" % r["n_prompt"] if r["n_prompt"] else "tg%d" % r["n_gen"]
    return test + (" @ d%d" % r["n_depth"] if r.get("n_depth") else "")
rows = json.load(sys.stdin)
print("llama.cpp", sys.argv[1], *["%s %.1f (%s, %d threads)" % (name(r), r["avg_ts"], r["backends"], r["n_threads"]) for r in rows], sep=" | ")' "$(basename "$model")"
  done
done
