#!/usr/bin/env bash
# packages.sh BUILD SOURCE: the packages of packaging/cpack.cmake. The .debs hold the Debian
# layout under /usr and declare their dependencies; both install with dpkg into a scratch root.
# The .tar.gz, unpacked into a new folder, runs `rbee run` on a tiny model with its own plugins
# and scanner, and on its own demo model given none, and nothing in it refers to the build tree
# (ldd, readelf -d, rbee plugins).
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$work" && cpack --config "$build/CPackConfig.cmake" -G "DEB;TGZ" -B "$work/out" >"$work/cpack.log") ||
  { cat "$work/cpack.log" >&2; fail "cpack"; }
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
arch=$(dpkg --print-architecture)
deb=$work/out/rbee_${version}_$arch.deb dev=$work/out/rbee-dev_${version}_all.deb tgz=$work/out/rbee-$version-Linux.tar.gz
for f in "$deb" "$dev" "$tgz"; do [ -f "$f" ] || { ls "$work/out" >&2; fail "cpack made no $(basename "$f")"; }; done

# .deb contents: the layout, and nothing of the SDK in the runtime package or of the runtime in -dev.
contents() { dpkg-deb --contents "$1" | awk '{print $6}' | sed 's|^\./|/|'; }
has() { grep -qxF "$2" <<<"$1" || fail "$3 lacks $2"; }
runtime=$(contents "$deb") sdk=$(contents "$dev")
for path in /usr/bin/rbee /usr/libexec/rbee/rbee-plugin-scan /usr/lib/rbee/plugins/librbee-plugin-llama.so \
            /usr/share/man/man1/rbee.1 /usr/share/bash-completion/completions/rbee /usr/share/doc/rbee/README.md \
            /usr/share/rbee/demo/rbee-demo-q8_0.gguf /usr/share/rbee/demo/fortunes-copyright; do
  has "$runtime" "$path" "$(basename "$deb")"
done
for path in /usr/include/rbee/rbee.h /usr/include/rbee/family/blocks.h /usr/lib/cmake/RbeeSDK/RbeeSDKConfig.cmake \
            /usr/lib/pkgconfig/rbee-sdk.pc /usr/share/doc/rbee/sdk/README.md; do
  has "$sdk" "$path" "$(basename "$dev")"
done
grep -q '^/usr/include/' <<<"$runtime" && fail "$(basename "$deb") holds SDK headers"
grep -q '^/usr/bin/' <<<"$sdk" && fail "$(basename "$dev") holds programs"

# Declared dependencies: the libraries the programs link (dpkg-shlibdeps), Mesa recommended.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libvulkan1 libboost-filesystem libspdlog libfmt libpcre2-8 libstdc++6; do
  grep -q "$lib" <<<"$depends" || fail "$(basename "$deb") does not depend on $lib: $depends"
done
grep -q mesa-vulkan-drivers <<<"$(dpkg-deb -f "$deb" Recommends)" || fail "mesa-vulkan-drivers is not recommended"
grep -q "rbee (= $version)" <<<"$(dpkg-deb -f "$dev" Depends)" || fail "rbee-dev does not depend on rbee (= $version)"

# apt resolves the declared dependencies against Debian 12's archive (a simulation: nothing installs).
if compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null; then
  apt-get install -s "$deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "apt cannot install $(basename "$deb")"; }
else
  echo "note: no apt package lists (apt-get update): dependency resolution not simulated"
fi

# dpkg -i into a scratch root with its own (empty) package database: the packages unpack and
# configure; dependencies are those of the real system, so they are not checked there.
root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpkg --root="$root" --force-depends --force-not-root --force-script-chrootless -i "$deb" "$dev" >"$work/dpkg.log" 2>&1 ||
  { cat "$work/dpkg.log" >&2; fail "dpkg -i into a scratch root"; }
[ "$(dpkg --root="$root" -s rbee-dev 2>/dev/null | sed -n 's/^Status: //p')" = "install ok installed" ] ||
  fail "rbee-dev is not installed in the scratch root"
[ -x "$root/usr/bin/rbee" ] || fail "dpkg -i did not install /usr/bin/rbee"

# The tarball, unpacked somewhere new, runs on its own.
mkdir "$work/unpacked"
tar -xzf "$tgz" -C "$work/unpacked"
top=$work/unpacked/rbee-$version-Linux
for program in "$top/bin/rbee" "$top/libexec/rbee/rbee-plugin-scan"; do
  libs=$(ldd "$program")
  grep -q "not found" <<<"$libs" && { echo "$libs" >&2; fail "$program misses libraries"; }
  grep -qF "$build" <<<"$libs" && fail "$program loads libraries from the build tree"
  paths=$(readelf -d "$program" | { grep -E 'R(UN)?PATH' || true; })
  grep -v '\$ORIGIN' <<<"$paths" | grep -q . && fail "$program has an RPATH/RUNPATH outside \$ORIGIN: $paths"
done
export HOME=$work/home XDG_DATA_HOME= XDG_CACHE_HOME= RBEE_PLUGIN_PATH= RBEE_PLUGIN_SCANNER=
listing=$("$top/bin/rbee" plugins)
grep -qE "^  llama .* $top/lib/rbee/plugins/librbee-plugin-llama.so\$" <<<"$listing" ||
  { echo "$listing" >&2; fail "the unpacked rbee does not use its own plugins"; }
grep -qF "$build" <<<"$listing" && { echo "$listing" >&2; fail "the unpacked rbee searches the build tree"; }
model=$source/tests/fixtures/tiny/llama/model-f32.gguf
"$top/bin/rbee" --verbose run "$model" -p "Once upon a time" -n 8 --temp 0 >"$work/run.out" 2>"$work/run.err" ||
  { cat "$work/run.err" >&2; fail "the unpacked rbee cannot run $model"; }
[ -s "$work/run.out" ] || fail "the unpacked rbee generated nothing"
grep -F "$build" "$work/run.err" && fail "the unpacked rbee used something from the build tree"
# Given no model, it runs its own copy of the demo model.
"$top/bin/rbee" run -p "Love is" -n 8 --temp 0 >"$work/demo.out" 2>"$work/demo.err" ||
  { cat "$work/demo.err" >&2; fail "the unpacked rbee cannot run the demo model"; }
grep -qF "using the demo model, a tiny Llama trained on fortune cookies ($top/share/rbee/demo/" "$work/demo.err" ||
  { cat "$work/demo.err" >&2; fail "the unpacked rbee does not run its own demo model"; }
echo "packages: $(basename "$deb"), $(basename "$dev"), $(basename "$tgz") pass"
