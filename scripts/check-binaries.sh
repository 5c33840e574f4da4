#!/usr/bin/env bash
# check-binaries.sh DIR — every prebuild for linux-x64, linux-arm64 and linux-arm must be there, be an
# ELF shared object for its architecture (armv7 hard-float for arm), be stripped, need no glibc
# newer than GLIBC_BASELINE nor libstdc++ newer than GLIBCXX_BASELINE (glibc 2.17 and GCC 5's
# libstdc++, what they need today; test:prebuilds loads them with Debian 11's), and leave unversioned only the symbols the runtime provides (Node-API, libuv): any other was
# linked against no library, and would fail where the C library lacks it.
# Prints one line per binary: path, size, and the newest glibc and libstdc++ versions it needs.
# check-binaries.sh DIR MANIFEST also writes those versions to MANIFEST as JSON, for scripts/install.js
# to say what the prebuilds need: {"linux-x64": {"glibc": "2.17", "glibcxx": "3.4.21"}, ...}.
set -euo pipefail
dir=${1:-prebuilds}
manifest=${2:-}
entries=()
glibc_baseline=${GLIBC_BASELINE:-2.17}
glibcxx_baseline=${GLIBCXX_BASELINE:-3.4.21}
failures=0

fail() {
  echo "FAIL $*" >&2
  failures=$((failures + 1))
}

newest_version() { # newest_version FILE PREFIX: the highest PREFIX_x.y symbol version FILE needs, if any
  readelf --dyn-syms --wide "$1" | { grep -o "@$2_[0-9.]*" || true; } | sed "s/@$2_//" | sort -uV | tail -n 1
}

at_most() { # at_most FILE NAME VERSION BASELINE
  [ -z "$3" ] && return 0
  [ "$(printf '%s\n%s\n' "$3" "$4" | sort -V | tail -n 1)" = "$4" ] || fail "$1: needs $2_$3, newer than the baseline $2_$4"
}

# unversioned_imports FILE: undefined symbols that name no library version, but for Node-API's and
# libuv's (node provides them) and the toolchain's weak hooks.
unversioned_imports() {
  readelf --dyn-syms --wide "$1" | awk '$7 == "UND" && $8 != "" && $8 !~ /@/ { print $8 }' |
    grep -vE '^(napi_|node_api_|uv_|__gmon_start__$|_ITM_)' || true
}

# check ARCH FILE_DESCRIPTION
check() {
  local arch=$1 expected=$2 binary description glibc glibcxx unversioned
  binary=$(find "$dir/linux-$arch" -name '*.glibc.node' 2>/dev/null | head -n 1)
  if [ -z "$binary" ]; then
    fail "linux-$arch: no *.glibc.node in $dir/linux-$arch"
    return
  fi
  description=$(file -b "$binary")
  [[ $description == *"$expected"* ]] || fail "$binary: expected '$expected', file says: $description"
  [[ $description == *", stripped"* ]] || fail "$binary: not stripped"
  if [ "$arch" = arm ]; then
    readelf -A "$binary" | grep -q 'Tag_ABI_VFP_args: VFP registers' || fail "$binary: not hard-float"
    readelf -A "$binary" | grep -q 'Tag_CPU_arch: v7' || fail "$binary: not armv7"
  fi
  glibc=$(newest_version "$binary" GLIBC)
  glibcxx=$(newest_version "$binary" GLIBCXX)
  at_most "$binary" GLIBC "$glibc" "$glibc_baseline"
  at_most "$binary" GLIBCXX "$glibcxx" "$glibcxx_baseline"
  unversioned=$(unversioned_imports "$binary")
  [ -z "$unversioned" ] || fail "$binary: imports with no library version: $(echo $unversioned)"
  printf '%-52s %7s bytes  GLIBC_%s  GLIBCXX_%s\n' "$binary" "$(stat -c %s "$binary")" "${glibc:-none}" "${glibcxx:-none}"
  entries+=("\"linux-$arch\": {\"glibc\": \"${glibc:-}\", \"glibcxx\": \"${glibcxx:-}\"}")
}

check x64 'ELF 64-bit LSB shared object, x86-64'
check arm64 'ELF 64-bit LSB shared object, ARM aarch64'
check arm 'ELF 32-bit LSB shared object, ARM, EABI5'

[ "$failures" -eq 0 ] || { echo "check-binaries: $failures problem(s)" >&2; exit 1; }
if [ -n "$manifest" ]; then
  (IFS=,; echo "{${entries[*]}}") | node -e 'process.stdout.write(JSON.stringify(JSON.parse(require("fs").readFileSync(0, "utf8")), null, 2) + "\n")' >"$manifest"
fi
