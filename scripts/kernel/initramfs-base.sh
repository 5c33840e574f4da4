#!/usr/bin/env bash
# initramfs-base.sh PROJECT_ROOT  prints the path of the cached part of the guest's initramfs:
# busybox, this machine's node, python3 and the tools the tests spawn ($tools), with their shared
# libraries, the project's node_modules and /etc basics. Cached by a digest of what goes in, since it
# is large (~250 MB, left uncompressed: the guest unpacks it faster than it could inflate it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../apt-packages.sh"
source "$here/cache-dir.sh"
root="$(realpath "$1")"
# Debian's busybox package is dynamically linked: the guest needs the static one.
dpkg-query -W -f '${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || apt_install busybox-static
require_commands cpio:cpio
[ -x /usr/bin/python3 ] || apt_install python3-minimal

# The programs the core tests spawn, Debian's own (busybox's applets of the same names lack the
# options the tests use): bash for the project's scripts, util-linux's setpriv and prlimit, curl,
# and redis-tools' clients.
require_commands setpriv:util-linux prlimit:util-linux curl:curl redis-cli:redis-tools redis-benchmark:redis-tools
tools=(/usr/bin/bash /usr/bin/setpriv /usr/bin/prlimit /usr/bin/curl /usr/bin/redis-cli /usr/bin/redis-benchmark)

node="$(readlink -f "$(command -v node)")"
# Debian's own python3, not a version manager's shim that may be first on PATH.
python="$(readlink -f /usr/bin/python3)"
# Dev tools the guest never runs: leaving them out saves a quarter of the image.
excluded=(clang-format prettier typescript @arethetypeswrong publint prebuildify)
digest="$( (sha256sum "$node" "$python" /bin/busybox "${tools[@]}" "$root/package-lock.json" \
  "$here/initramfs-base.sh" | cut -d' ' -f1) | sha256sum | cut -c1-16)"
out="$KERNEL_CACHE/initramfs/base-$digest.cpio"

# ldd_paths FILE prints the paths of the shared libraries FILE loads (none for a static one).
ldd_paths() {
  { ldd "$1" 2>/dev/null || true; } | { grep -oE '/[^ ]+' || true; }
}

# copy_with_libraries FILE... copies each FILE and every shared library ldd names for it to the
# same path under $stage.
copy_with_libraries() {
  local file
  for file in "$@"; do
    cp -L --parents "$file" "$stage/"
    ldd_paths "$file" | while read -r lib; do
      [ -e "$stage$lib" ] || cp -L --parents "$lib" "$stage/"
    done
  done
}

build() {
  [ -f "$out" ] && return 0
  echo "building the initramfs base $out" >&2
  stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' RETURN
  mkdir -p "$stage"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,root,vm,project}
  local link
  for link in bin sbin lib lib64; do
    if [ -L "/$link" ]; then ln -s "$(readlink "/$link")" "$stage/$link"; else mkdir -p "$stage/$link"; fi
  done
  cp /bin/busybox "$stage/usr/bin/busybox"
  for link in $(/bin/busybox --list); do
    [ -e "$stage/usr/bin/$link" ] || ln -s busybox "$stage/usr/bin/$link"
  done
  rm -f "${tools[@]/#/$stage}" # busybox's links: cp would write through them onto busybox
  copy_with_libraries "$node" "$python" "${tools[@]}"
  [ -e "$stage/usr/bin/node" ] || ln -s "$node" "$stage/usr/bin/node"
  [ -e "$stage/usr/bin/python3" ] || ln -s "$python" "$stage/usr/bin/python3"
  local pylib
  pylib="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
  mkdir -p "$stage$pylib"
  tar -C "$pylib" --exclude=./test --exclude=./idlelib --exclude=./tkinter --exclude=./ensurepip \
    --exclude=./lib2to3 --exclude=./pydoc_data --exclude='./config-*' -cf - . | tar -C "$stage$pylib" -xf -
  copy_with_libraries "$pylib"/lib-dynload/*.so
  tar -C "$root" "${excluded[@]/#/--exclude=./node_modules/}" -cf - ./node_modules | tar -C "$stage/project" -xf -
  local addon
  find "$root/node_modules" -name '*.node' | while read -r addon; do
    ldd_paths "$addon" | while read -r lib; do
      [ -e "$stage$lib" ] || cp -L --parents "$lib" "$stage/"
    done
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
  printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$stage/etc/hosts"
  printf 'hosts: files\n' >"$stage/etc/nsswitch.conf"
  mkdir -p "$(dirname "$out")"
  (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
  mv "$out.tmp" "$out"
}
mkdir -p "$KERNEL_CACHE/initramfs"
with_lock "initramfs-$digest" build
# Bases of other lockfiles or node versions are dropped once unused for two days.
touch "$out"
find "$KERNEL_CACHE/initramfs" -name 'base-*.cpio' -mtime +2 -delete
echo "$out"
