#!/usr/bin/env bash
# stablelm_golden.sh RBEE FIXTURE [RBEE OPTIONS...]: a tiny StableLM through RBEE from both
# formats (the folder's safetensors and model-f32.gguf): logits of golden.json's input_ids within
# 1e-2 of the fixture's (logits.f32: transformers', or stablelm_variant.py's reference), and the
# greedy continuation equal to the fixture's.
set -euo pipefail
rbee=$1 fixture=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

golden() { python3 -c "import json,sys; print(','.join(map(str, json.load(open(sys.argv[1]))[sys.argv[2]])))" "$fixture/golden.json" "$1"; }
ids=$(golden input_ids)
prompt=$(golden greedy_prompt_ids)
want=$(golden greedy_continuation_ids | tr ',' ' ')
n=$(wc -w <<<"$want")

for model in "$fixture" "$fixture/model-f32.gguf"; do
  "$rbee" "$@" logits "$model" --ids "$ids" -o "$scratch/logits.f32"
  python3 "$here/compare_logits.py" "$scratch/logits.f32" "$fixture/logits.f32" 1e-2
  got=$("$rbee" "$@" run "$model" --ids "$prompt" -n "$n" --temp 0 --ignore-eos --print-ids)
  if [ "$got" != "$want" ]; then
    echo "FAIL: $model: greedy continuation $got, the fixture's is $want" >&2
    exit 1
  fi
  echo "$model: greedy continuation of $n tokens equals the fixture's"
done
