#!/usr/bin/env bash
# npm run prebuild:all — the Node-API binaries the npm package ships, stripped and tagged glibc:
#   prebuilds/linux-x64    the machine's g++
#   prebuilds/linux-arm64  Debian's aarch64-linux-gnu cross compiler
#   prebuilds/linux-arm    Debian's arm-linux-gnueabihf cross compiler (armv7, hard-float), tagged armv7
# Each is compiled against Debian 11's C headers and linked against its glibc 2.31
# (scripts/oldest-sysroot.sh), so that it loads on systems older than the one that builds it.
# Builds in a staging copy under .cache/, so the build/ directory the tests load is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-packages.sh

require_commands python3:python3 make:make g++:g++ file:file readelf:binutils \
  aarch64-linux-gnu-g++:g++-aarch64-linux-gnu arm-linux-gnueabihf-g++:g++-arm-linux-gnueabihf

root=$PWD
# The sysroot flags ride in CC and CXX (below), which make splits on whitespace.
[[ $root != *[[:space:]]* ]] || { echo "prebuild-all: move the checkout to a path without spaces: $root" >&2; exit 1; }
stage=$root/.cache/prebuild-stage
rm -rf "$stage"
mkdir -p "$stage"
# Headers are not listed in binding.gyp, so all of native/ comes along with the listed sources.
cp -r package.json binding.gyp native "$stage/"
scripts/binding-sources.py | while read -r source; do
  mkdir -p "$stage/$(dirname "$source")"
  cp "$source" "$stage/$source"
done
ln -s "$root/node_modules" "$stage/node_modules"
# What these prebuilds were built from, for test:prebuilds to tell whether they are current.
digest=$(scripts/sources-digest.sh "$stage")

# The running node's own headers: nothing is downloaded.
nodedir=$(node -p 'require("path").resolve(process.execPath, "../..")')
[ -d "$nodedir/include/node" ] || { echo "prebuild:all: no node headers in $nodedir/include/node" >&2; exit 1; }
export npm_config_nodedir=$nodedir

# sysroot_flags COMPILER SYSROOT TRIPLET: compiler options that take C headers, start files and
# libraries from SYSROOT only. --sysroot alone is not enough: a cross compiler still searches its
# own target headers (/usr/TRIPLET/include, glibc 2.36) and libraries before the sysroot's. So the
# header path is spelled out whole: the compiler's C++ and built-in headers, then the sysroot's.
sysroot_flags() {
  local compiler=$1 sysroot=$2 triplet=$3 builtin dir flags search
  builtin=$("$compiler" -print-file-name=include)
  flags="--sysroot=$sysroot -nostdinc"
  # LC_ALL=C: the markers around the search list are translated in other locales.
  search=$(LC_ALL=C "$compiler" --sysroot="$sysroot" -x c++ -E -v /dev/null 2>&1 |
    sed -n '/^#include <...> search starts here:/,/^End of search list./p' | sed '1d;$d')
  while read -r dir; do
    dir=$(realpath -m "$dir")
    if [[ $dir == */c++/* || $dir == "$builtin" || $dir == "$sysroot"/* ]]; then flags+=" -isystem $dir"; fi
  done <<<"$search"
  # Without the sysroot's own headers the build would use the compiler's, and need a newer glibc.
  [[ $flags == *"-isystem $sysroot/"* ]] || { echo "prebuild-all: $compiler lists no header directory in $sysroot" >&2; return 1; }
  flags+=" -B$sysroot/usr/lib/$triplet -L$sysroot/usr/lib/$triplet -L$sysroot/lib/$triplet"
  echo "$flags"
}

# build ARCH DEBIAN_ARCH TRIPLET TOOLCHAIN_PREFIX [PREBUILDIFY_OPTION...]
build() {
  local arch=$1 debian_arch=$2 triplet=$3 prefix=$4 sysroot flags
  shift 4
  echo "== linux-$arch" >&2
  sysroot=$(scripts/oldest-sysroot.sh "$debian_arch")
  flags=$(sysroot_flags "${prefix}g++" "$sysroot" "$triplet") || exit 1
  (
    cd "$stage"
    # The flags ride in CC and CXX, which gyp's makefiles use both to compile and to link.
    CC="${prefix}gcc $flags" CXX="${prefix}g++ $flags" PREBUILD_STRIP_BIN=${prefix}strip \
      npx --no-install prebuildify --napi --strip --tag-libc --arch "$arch" "$@"
  )
}
build x64 amd64 x86_64-linux-gnu ""
build arm64 arm64 aarch64-linux-gnu aarch64-linux-gnu-
build arm armhf arm-linux-gnueabihf arm-linux-gnueabihf- --tag-armv --armv 7

rm -rf prebuilds
cp -r "$stage/prebuilds" prebuilds
echo "$digest" >.cache/prebuilds.digest
scripts/check-binaries.sh prebuilds prebuilds/requirements.json
