#!/usr/bin/env bash
# npm run prebuild:all — the Node-API binaries the npm package ships, stripped and tagged glibc:
#   prebuilds/linux-x64    native build
#   prebuilds/linux-arm64  Debian's aarch64-linux-gnu cross compiler
#   prebuilds/linux-arm    Debian's arm-linux-gnueabihf cross compiler (armv7, hard-float), tagged armv7
# Builds in a staging copy under .cache/, so the build/ directory the tests load is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-packages.sh

require_commands python3:python3 make:make g++:g++ file:file readelf:binutils \
  aarch64-linux-gnu-g++:g++-aarch64-linux-gnu arm-linux-gnueabihf-g++:g++-arm-linux-gnueabihf

root=$PWD
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

# build ARCH TOOLCHAIN_PREFIX [PREBUILDIFY_OPTION...]
build() {
  local arch=$1 prefix=$2
  shift 2
  echo "== linux-$arch" >&2
  (
    cd "$stage"
    CC=${prefix}gcc CXX=${prefix}g++ PREBUILD_STRIP_BIN=${prefix}strip \
      npx --no-install prebuildify --napi --strip --tag-libc --arch "$arch" "$@"
  )
}
build x64 ""
build arm64 aarch64-linux-gnu-
build arm arm-linux-gnueabihf- --tag-armv --armv 7

rm -rf prebuilds
cp -r "$stage/prebuilds" prebuilds
echo "$digest" >.cache/prebuilds.digest
scripts/check-binaries.sh prebuilds
