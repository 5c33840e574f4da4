#!/usr/bin/env bash
# build-kernel.sh FRAGMENT  prints the path of a bzImage built from Debian's linux-source-6.12 with
# `make tinyconfig` plus FRAGMENT. The image is cached by a digest of the fragment and the source
# package's version, so only the first run pays the build (about 7 minutes on 2 cores).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../apt-packages.sh"
source "$here/cache-dir.sh"
fragment="$(realpath "$1")"

source_package=linux-source-6.12
[ -f /usr/src/$source_package.tar.xz ] || apt_install $source_package
require_commands make:make gcc:gcc flex:flex bison:bison bc:bc xz:xz-utils
dpkg -s libelf-dev >/dev/null 2>&1 && dpkg -s libssl-dev >/dev/null 2>&1 || apt_install libelf-dev libssl-dev

version="$(dpkg-query -W -f '${Version}' $source_package)"
digest="$( (echo "$source_package $version" && cat "$fragment") | sha256sum | cut -c1-16)"
out="$KERNEL_CACHE/kernel/$digest"

build() {
  [ -f "$out/bzImage" ] && return 0
  local src="$KERNEL_CACHE/kernel/src-$version" obj="$out.build"
  if [ ! -f "$src/Makefile" ]; then
    echo "extracting $source_package $version" >&2
    rm -rf "$src.tmp" && mkdir -p "$src.tmp"
    tar -xJf /usr/src/$source_package.tar.xz -C "$src.tmp" --strip-components=1
    mv "$src.tmp" "$src"
  fi
  echo "building the kernel in $obj (log: $obj/build.log)" >&2
  rm -rf "$obj" && mkdir -p "$obj"
  make -C "$src" O="$obj" tinyconfig >"$obj/build.log" 2>&1
  "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$fragment" >>"$obj/build.log" 2>&1
  make -C "$src" O="$obj" olddefconfig >>"$obj/build.log" 2>&1
  "$here/check-config.sh" "$fragment" "$obj/.config"
  if ! make -C "$src" O="$obj" -j2 bzImage >>"$obj/build.log" 2>&1; then
    tail -30 "$obj/build.log" >&2
    exit 1
  fi
  mkdir -p "$out.tmp"
  cp "$obj/arch/x86/boot/bzImage" "$obj/.config" "$out.tmp/"
  rm -rf "$out" && mv "$out.tmp" "$out"
  rm -rf "$obj"
}
mkdir -p "$KERNEL_CACHE/kernel"
with_lock "kernel-$digest" build
echo "$out/bzImage"
