#!/usr/bin/env bash
# out_of_tree.sh BUILD SOURCE FIXTURES: rbee installed into a clean prefix has the layout of
# packaging/cpack.cmake; the StableLM example (sdk/examples/stablelm) builds as a project of its
# own against that prefix only (find_package(RbeeSDK), and pkg-config), installs into the user
# plugin folder, is listed by `rbee plugins` from there, and runs the tiny StableLM from both
# formats within 1e-2 of transformers with the greedy continuation equal, and its StableLM 2 12B
# variant (per-head Q/K norms, Q/K/V biases, parallel residual) from both formats.
set -euo pipefail
build=$1 source=$2 fixtures=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" --strip >"$work/install.log" || { cat "$work/install.log" >&2; fail "cmake --install"; }
for path in bin/rbee libexec/rbee/rbee-plugin-scan lib/rbee/plugins/librbee-plugin-llama.so \
            include/rbee/rbee.h include/rbee/family/family.h include/rbee/ext/heads.h \
            lib/cmake/RbeeSDK/RbeeSDKConfig.cmake lib/cmake/RbeeSDK/RbeeSDKConfigVersion.cmake \
            lib/cmake/RbeeSDK/RbeeSDKTargets.cmake lib/cmake/RbeeSDK/rbee-plugin.map lib/pkgconfig/rbee-sdk.pc \
            share/man/man1/rbee.1 share/bash-completion/completions/rbee share/doc/rbee/README.md \
            share/doc/rbee/sdk/README.md share/doc/rbee/sdk/examples/stablelm/stablelm.c; do
  [ -e "$prefix/$path" ] || fail "the install lacks $path"
done
grep -qx '\.SS run' "$prefix/share/man/man1/rbee.1" || fail "the man page does not describe rbee run"
bash -c "source '$prefix/share/bash-completion/completions/rbee'; COMP_WORDS=(rbee lo); COMP_CWORD=1; _rbee; [ \"\${COMPREPLY[*]}\" = logits ]" ||
  fail "the bash completion does not complete 'rbee lo' to logits"

# A plugin author's machine: only the prefix, a home of its own (the user plugin folder there).
export HOME=$work/home XDG_DATA_HOME=$work/home/data XDG_CACHE_HOME=$work/home/cache RBEE_PLUGIN_PATH=
user_plugins=$XDG_DATA_HOME/rbee/plugins
cmake -S "$source/sdk/examples/stablelm" -B "$work/stablelm" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  >"$work/configure.log" || { cat "$work/configure.log" >&2; fail "configuring the example against $prefix"; }
grep -rqF "$source/sdk/include" "$work/stablelm" && fail "the example was built with the source tree's headers"
cmake --build "$work/stablelm" >"$work/build.log" || { cat "$work/build.log" >&2; fail "building the example"; }
cmake --install "$work/stablelm" >/dev/null
plugin=$user_plugins/librbee-plugin-stablelm.so
[ -f "$plugin" ] || fail "cmake --install did not put the plugin into the user plugin folder $user_plugins"
exports=$(nm -D --defined-only "$plugin" | awk '{print $3}')
[ "$exports" = rbee_entry ] || fail "the plugin exports more than rbee_entry: $exports"

# The same plugin with no CMake: the compiler and pkg-config's flags.
cflags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags rbee-sdk)
include_dir=${cflags#-I}
[ "$(realpath -m "${include_dir%% *}")" = "$prefix/include" ] || fail "pkg-config --cflags rbee-sdk gives '$cflags'"
cc -std=c99 -shared -fPIC -fvisibility=hidden $cflags "$source/sdk/examples/stablelm/stablelm.c" -o "$work/pkgconfig.so" -lm

listing=$("$prefix/bin/rbee" plugins)
grep -qE "^  stablelm .* $plugin\$" <<<"$listing" || { echo "$listing" >&2; fail "rbee plugins does not list $plugin"; }
grep -qE "^  llama .* $prefix/lib/rbee/plugins/librbee-plugin-llama.so\$" <<<"$listing" ||
  { echo "$listing" >&2; fail "the installed rbee does not use the plugins installed beside it"; }
grep -qF "$build" <<<"$listing" && { echo "$listing" >&2; fail "the installed rbee searches the build tree"; }

[ -d "$fixtures/tiny/stablelm" ] || { echo "SKIP: $fixtures/tiny/stablelm is absent"; exit 77; }
bash "$here/stablelm_golden.sh" "$prefix/bin/rbee" "$fixtures/tiny/stablelm"
# StableLM 2 12B's switches, which no saved model has: the variant and its plain-Python reference.
python3 "$here/stablelm_variant.py" "$fixtures/tiny/stablelm" "$work/variant"
bash "$here/stablelm_golden.sh" "$prefix/bin/rbee" "$work/variant"
