#!/usr/bin/env bash
# oldest-sysroot.sh DEBIAN_ARCH — prints the directory of Debian 11's C and C++ runtime for
# DEBIAN_ARCH (amd64, arm64 or armhf), unpacked once into .cache/. The prebuilds are compiled and
# linked against it, so they need glibc 2.31 and GCC 10's libstdc++ at most, not those of the
# machine that builds them; test:prebuilds loads them with it.
# apt fetches the packages from a private, signed source list; the machine's own apt state is not
# touched.
set -euo pipefail
cd "$(dirname "$0")/.."

arch=${1:?usage: oldest-sysroot.sh amd64|arm64|armhf}
release=bullseye
cache=$PWD/.cache
dir=$cache/sysroot-$release-$arch
if [ -f "$dir/.complete" ]; then
  echo "$dir"
  exit 0
fi

state=$cache/apt-$release
mkdir -p "$state/lists/partial" "$state/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $release main" \
  >"$state/sources.list"
apt_private() {
  apt-get -qq -o Dir::Etc::SourceList="$state/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$state/lists" -o Dir::State::status=/dev/null -o Dir::Cache="$state" \
    -o APT::Architectures::="$arch" -o Acquire::Languages=none -o APT::Sandbox::User="$(id -un)" "$@"
}
[ -n "$(find "$state/lists" -name "*binary-${arch}_Packages*" 2>/dev/null)" ] || apt_private update >&2

debs=$(mktemp -d)
trap 'rm -rf "$debs" "$dir.partial"' EXIT
(cd "$debs" && apt_private download "libc6:$arch" "libc6-dev:$arch" "linux-libc-dev:$arch" \
  "libgcc-s1:$arch" "libstdc++6:$arch") >&2
rm -rf "$dir" "$dir.partial"
mkdir -p "$dir.partial"
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$dir.partial"; done
# The packages' absolute links (libc.so.6, the loader) would point into this machine's own /lib.
find "$dir.partial" -type l -lname '/*' | while read -r link; do
  ln -sfnr "$dir.partial$(readlink "$link")" "$link"
done
touch "$dir.partial/.complete"
mv "$dir.partial" "$dir"
echo "$dir"
