#!/usr/bin/env bash
# fetch-debian-kernel.sh SUITE  prints the path of the vmlinuz of Debian SUITE's current
# linux-image-amd64 (bullseye: 5.10), extracted from its .deb without installing it. apt runs with
# a private sources list and state directory, so the machine's own apt set-up is untouched. Once
# fetched, the cached image is used without the network.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/cache-dir.sh"
suite="$1"
cache="$KERNEL_CACHE/kernel/debian-$suite"

fetch() {
  [ -f "$cache/vmlinuz" ] && return 0
  local apt_dir
  apt_dir="$(mktemp -d)"
  trap 'rm -rf "$apt_dir"' RETURN
  mkdir -p "$apt_dir"/{lists/partial,cache/archives/partial,deb}
  local keys="arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg"
  printf 'deb [%s] http://deb.debian.org/debian %s main\ndeb [%s] http://deb.debian.org/debian-security %s-security main\n' \
    "$keys" "$suite" "$keys" "$suite" >"$apt_dir/sources.list"
  local apt=(-o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" -o Debug::NoLocking=1
    -o APT::Architectures=amd64 -o APT::Sandbox::User=root)
  echo "fetching Debian $suite's linux-image-amd64" >&2
  apt-get "${apt[@]}" -qq update
  local image
  image="$(apt-cache "${apt[@]}" depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)"
  [ -n "$image" ] || {
    echo "no linux-image-amd64 dependency found in Debian $suite" >&2
    exit 1
  }
  (cd "$apt_dir/deb" && apt-get "${apt[@]}" -qq download "$image")
  dpkg-deb -x "$apt_dir"/deb/*.deb "$apt_dir/root"
  mkdir -p "$cache.tmp"
  cp "$apt_dir"/root/boot/vmlinuz-* "$cache.tmp/vmlinuz"
  cp "$apt_dir"/root/boot/config-* "$cache.tmp/config"
  dpkg-deb -f "$apt_dir"/deb/*.deb Package Version >"$cache.tmp/package"
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
}
mkdir -p "$KERNEL_CACHE/kernel"
with_lock "kernel-debian-$suite" fetch
echo "$cache/vmlinuz"
