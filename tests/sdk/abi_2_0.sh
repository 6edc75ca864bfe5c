#!/usr/bin/env bash
# abi_2_0.sh RBEE PLUGIN_DIR FIXTURE: the plugin built from the frozen ABI 2.0 headers and source
# (tests/sdk/abi-2.0, unchanged: SHA256SUMS) loads and runs the tiny StableLM in this host.
set -euo pipefail
rbee=$1 plugin_dir=$2 fixture=$3
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here/abi-2.0" && sha256sum --quiet -c SHA256SUMS) || {
  echo "FAIL: tests/sdk/abi-2.0 was edited; the ABI 2.0 artefact is frozen (see its README.md)" >&2
  exit 1
}
[ -d "$fixture" ] || { echo "SKIP: $fixture is absent (../shared/fixtures not beside the checkout)"; exit 77; }
export HOME=$(mktemp -d) XDG_DATA_HOME= XDG_CACHE_HOME= RBEE_PLUGIN_PATH=
trap 'rm -rf "$HOME"' EXIT
"$rbee" --plugin-dir "$plugin_dir" plugins | grep -F "$plugin_dir/librbee-plugin-stablelm.so" >/dev/null || {
  echo "FAIL: rbee plugins does not list the ABI 2.0 plugin:" >&2
  "$rbee" --plugin-dir "$plugin_dir" plugins >&2
  exit 1
}
bash "$here/stablelm_golden.sh" "$rbee" "$fixture" --plugin-dir "$plugin_dir"
