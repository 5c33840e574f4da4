#!/usr/bin/env bash
# npm run test:prebuilds — the packed package, installed the way users install it:
#   1. prebuilds for linux-x64, linux-arm64 and linux-arm exist (built when missing or older than
#      the native sources), are for their architecture and glibc baseline, and load with Debian 11's
#      C and C++ runtime (glibc 2.31, GCC 10's libstdc++);
#   2. the tarball holds everything package.json and binding.gyp point to;
#   3. it installs with no compiler on PATH, loads from prebuilds/ and passes the smoke test, on x64
#      natively and on arm64 and armv7 under qemu-user with Debian's own node;
#   4. off Linux, requiring it says Linux is required;
#   5. where no prebuild fits, install compiles from source without downloading headers, and with no
#      compiler it fails saying so and what the prebuilds need (as check-binaries measured it).
# Installs the Debian packages it needs when missing. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-packages.sh

root=$PWD
cache=$root/.cache
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s.%N)
passed=0
failed=()

# check NAME COMMAND...: runs COMMAND with its output in a log, shown only on failure.
check() {
  local name=$1 log
  shift
  log=$work/log.$((passed + ${#failed[@]}))
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "ok   $name"
    sed 's/^/     /' "$log" | tail -n 3
  else
    failed+=("$name")
    echo "FAIL $name"
    sed 's/^/     /' "$log" | tail -n 30
  fi
}

seconds_since() {
  echo "$1 $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}'
}

# sysroot DEBIAN_ARCH: a directory holding Debian's nodejs for DEBIAN_ARCH and the libraries and
# node-* modules it loads at start, unpacked once into .cache/.
sysroot() {
  local arch=$1 dir=$cache/sysroot-$1 debs=$cache/debs-$1 packages deb
  [ -x "$dir/usr/bin/node" ] && return 0
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    as_root dpkg --add-architecture "$arch"
  fi
  if ! apt-cache show "nodejs:$arch" >/dev/null 2>&1; then
    as_root apt-get update -qq || echo "apt-get update reported errors; trying with the lists it has"
  fi
  packages=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
      --no-replaces --no-enhances --no-pre-depends "nodejs:$arch" |
    grep -E "^(node-[a-z0-9.-]+|[a-z0-9.+-]+:$arch)$" | grep -vE '^(dpkg|tar|install-info|openssl):' | sort -u)
  rm -rf "$debs" "$dir.partial"
  mkdir -p "$debs" "$dir.partial"
  # shellcheck disable=SC2086 # one word per package
  (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root $packages) || return 1
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$dir.partial" || return 1; done
  rm -rf "$debs"
  mv "$dir.partial" "$dir"
}

# loads_with_oldest_runtime PREBUILD DEBIAN_ARCH TRIPLET LOADER [EMULATOR]: Debian 11's own dynamic
# loader, given only Debian 11's libraries, resolves every library and symbol version PREBUILD needs.
loads_with_oldest_runtime() {
  local prebuild=$1 arch=$2 triplet=$3 loader=$4 emulator=${5:-} sysroot listing
  sysroot=$(scripts/oldest-sysroot.sh "$arch") || return 1
  listing=$($emulator "$sysroot/$loader" --library-path "$sysroot/lib/$triplet:$sysroot/usr/lib/$triplet" \
    --list "$prebuild" 2>&1)
  echo "$listing"
  ! grep -q 'not found' <<<"$listing" && grep -q "libc.so.6 => $sysroot/" <<<"$listing"
}

# oldest_runtime_rejects_newer_glibc: the check above fails for a library that calls pthread_create
# linked against this machine's glibc (2.34 or newer, as on Debian 12), so its passes mean something.
# It must fail for that reason, the missing symbol version, and not because the check could not run.
oldest_runtime_rejects_newer_glibc() {
  local probe=$work/probe.so listing
  echo '#include <pthread.h>
    int probe(pthread_t* t) { return pthread_create(t, 0, 0, 0); }' | g++ -x c++ -shared -fPIC -pthread -o "$probe" - || return 1
  if listing=$(loads_with_oldest_runtime "$probe" amd64 x86_64-linux-gnu lib64/ld-linux-x86-64.so.2); then return 1; fi
  echo "$listing"
  grep -q "version \`GLIBC_2\.3[4-9]' not found" <<<"$listing"
}

# binary_check_rejects_unversioned_import: check-binaries fails when the x64 binary imports a symbol
# that no library it links defines, so its passes mean something. The probe replaces the x64 binary
# in a copy of prebuilds/; the message must name the symbol.
binary_check_rejects_unversioned_import() {
  local copy=$work/prebuilds-unversioned output
  rm -rf "$copy" && cp -r prebuilds "$copy"
  echo 'extern "C" int defined_by_no_library(); int probe() { return defined_by_no_library(); }' |
    g++ -x c++ -shared -fPIC -s -o "$copy/linux-x64/linux-epoll.glibc.node" - || return 1
  if output=$(scripts/check-binaries.sh "$copy" 2>&1); then return 1; fi
  echo "$output"
  grep -qE 'imports with no library version:.* defined_by_no_library( |$)' <<<"$output"
}

# tarball_complete TARBALL: every file package.json's entry points and exports name, every source
# binding.gyp compiles, and each prebuild is in the tarball; build output and tests are not.
tarball_complete() {
  local listing=$work/listing unpacked=$work/unpacked required missing=0 file
  tar -tzf "$1" | sed 's|^package/||' | sort >"$listing"
  mkdir -p "$unpacked" && tar -xzf "$1" -C "$unpacked"
  required=$(node -e '
    const pkg = require(process.argv[1]);
    const targets = (value) => typeof value === "string" ? [value]
      : Object.values(value || {}).flatMap(targets);
    const files = [pkg.main, pkg.types, ...targets(pkg.exports), "binding.gyp", "scripts/install.js", "LICENSE"];
    console.log(files.filter(Boolean).map((f) => f.replace(/^\.\//, "")).join("\n"));
  ' "$unpacked/package/package.json")
  required+=$'\n'$(scripts/binding-sources.py "$unpacked/package")
  required+=$'\n'$(cd "$root" && find prebuilds -name '*.node')$'\n'prebuilds/requirements.json
  for file in $required; do
    grep -qxF "$file" "$listing" || { echo "missing from the tarball: $file"; missing=1; }
  done
  if grep -E '^(build|\.cache|node_modules|test|lib)/' "$listing"; then
    echo "the tarball holds development files (above)"
    missing=1
  fi
  echo "$(wc -l <"$listing") files, $(echo "$required" | wc -l) required ones present"
  return $missing
}

# A PATH with node and a shell only: no cc, c++, gcc, g++, make or python3.
hidden_compiler_path() {
  local bin=$work/bin tool
  mkdir -p "$bin"
  ln -s "$(command -v node)" "$bin/node"
  ln -s "$(command -v sh)" "$bin/sh"
  for tool in cc c++ gcc g++ make python3; do
    if PATH=$bin command -v "$tool" >/dev/null; then echo "$tool is still on the hidden PATH" >&2; return 1; fi
  done
  echo "$bin"
}

# install_into DIR TARBALL [ENV...]: npm install of the tarball into an empty project DIR.
install_into() {
  local dir=$1 tarball=$2
  shift 2
  mkdir -p "$dir" && echo '{ "name": "consumer", "private": true }' >"$dir/package.json"
  (cd "$dir" && env "$@" node "$npm_cli" install --no-audit --no-fund --prefer-offline --loglevel=error "$tarball")
}

not_linux_error() {
  node -e '
    Object.defineProperty(process, "platform", { value: "darwin" });
    try {
      require(require.resolve("linux-epoll", { paths: [process.argv[1]] }));
    } catch (error) {
      console.log(error.message);
      process.exit(/requires Linux/.test(error.message) && !/node-gyp-build|No native build/.test(error.message) ? 0 : 1);
    }
    console.log("loaded without an error"); process.exit(1);
  ' "$1"
}

install_script_refuses_not_linux() {
  node -e '
    Object.defineProperty(process, "platform", { value: "darwin" });
    require(process.argv[1]);
  ' "$1/node_modules/linux-epoll/scripts/install.js" 2>&1 | tee "$work/not-linux-install"
  grep -q 'requires Linux' "$work/not-linux-install"
}

source_build_without_compiler_fails() {
  local out=$work/no-compiler.out
  if install_into "$work/no-compiler" "$tarball" PATH="$hidden" LIBC=musl >"$out" 2>&1; then
    cat "$out"
    echo "install succeeded with no prebuild and no compiler"
    return 1
  fi
  cat "$out"
  grep -q 'cannot be built from source' "$out" &&
    grep -qF "linux-x64 (glibc $(node -p 'require("./prebuilds/requirements.json")["linux-x64"].glibc')" "$out"
}

# No prebuild fits (LIBC=musl), no nodedir configured (an empty user npmrc): install must compile
# with node's own headers, so node-gyp's download directory stays empty.
source_build_with_compiler() {
  local dir=$work/from-source devdir=$work/node-gyp-devdir
  : >"$work/empty-npmrc"
  install_into "$dir" "$tarball" LIBC=musl npm_config_userconfig="$work/empty-npmrc" \
    npm_config_nodedir= npm_config_devdir="$devdir" || return 1
  if [ -n "$(ls -A "$devdir" 2>/dev/null)" ]; then echo "node-gyp downloaded headers into $devdir"; return 1; fi
  LIBC=musl node "$smoke" "$dir" build/Release
}

# Outside this checkout: inside it, require('linux-epoll') resolves to the checkout itself (a package
# may require itself by name when it has exports).
smoke=$work/prebuild-smoke.js
cp test/prebuild-smoke.js "$smoke"
export npm_config_update_notifier=false
npm_cli=$(node -p 'require("path").join(require("path").dirname(process.argv[1]), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js")' "$(command -v node)")
[ -f "$npm_cli" ] || npm_cli=$(npm prefix -g)/lib/node_modules/npm/bin/npm-cli.js

require_commands file:file readelf:binutils python3:python3 g++:g++ \
  qemu-aarch64-static:qemu-user-static qemu-arm-static:qemu-user-static

if ! scripts/prebuilds-current.sh 2>/dev/null; then
  check "prebuild:all (prebuilds missing or built from other sources)" scripts/prebuild-all.sh
fi
check "binaries: architecture, stripped, glibc baseline" scripts/check-binaries.sh prebuilds
check "binaries: an import no library defines is refused" binary_check_rejects_unversioned_import
check "linux-x64 loads with Debian 11's glibc 2.31 and libstdc++" loads_with_oldest_runtime \
  prebuilds/linux-x64/linux-epoll.glibc.node amd64 x86_64-linux-gnu lib64/ld-linux-x86-64.so.2
check "a library linked against this machine's glibc does not load with Debian 11's" \
  oldest_runtime_rejects_newer_glibc
check "linux-arm64 loads with Debian 11's glibc 2.31 and libstdc++, under qemu" loads_with_oldest_runtime \
  prebuilds/linux-arm64/linux-epoll.glibc.node arm64 aarch64-linux-gnu lib/ld-linux-aarch64.so.1 qemu-aarch64-static
check "linux-arm loads with Debian 11's glibc 2.31 and libstdc++, under qemu" loads_with_oldest_runtime \
  prebuilds/linux-arm/linux-epoll.armv7.glibc.node armhf arm-linux-gnueabihf lib/ld-linux-armhf.so.3 qemu-arm-static
check "sysroot with Debian's arm64 node" sysroot arm64
check "sysroot with Debian's armhf node" sysroot armhf

finish() {
  local total
  total=$(seconds_since "$started")
  if [ ${#failed[@]} -eq 0 ]; then
    echo "test:prebuilds PASS: $passed checks; tarball ${tarball_kb:-?} kB; install without a compiler ${install_seconds:-?}s; total ${total}s"
    exit 0
  fi
  echo "test:prebuilds FAIL: ${#failed[@]} of $((passed + ${#failed[@]})) checks failed: $(printf '[%s] ' "${failed[@]}")total ${total}s"
  exit 1
}

check "npm pack (runs prepare: tsc)" npm pack --silent --pack-destination "$work"
tarball=$(find "$work" -maxdepth 1 -name '*.tgz' | head -n 1)
[ -n "$tarball" ] || finish
tarball_kb=$(du -k "$tarball" | cut -f1)
check "tarball $(basename "$tarball") ($tarball_kb kB) holds what package.json and binding.gyp name" \
  tarball_complete "$tarball"

hidden=$(hidden_compiler_path) || failed+=("PATH without a compiler")
app=$work/app
install_started=$(date +%s.%N)
check "install without a compiler" install_into "$app" "$tarball" PATH="$hidden"
install_seconds=$(seconds_since "$install_started")
check "installed package has no build/" test -d "$app/node_modules/linux-epoll/prebuilds" -a ! -e "$app/node_modules/linux-epoll/build"
check "smoke linux-x64 (no compiler on PATH)" env PATH="$hidden" node "$smoke" "$app" prebuilds/linux-x64
check "smoke linux-arm64 under qemu" qemu-aarch64-static -L "$cache/sysroot-arm64" \
  "$cache/sysroot-arm64/usr/bin/node" "$smoke" "$app" prebuilds/linux-arm64
check "smoke linux-arm (armv7) under qemu" qemu-arm-static -L "$cache/sysroot-armhf" \
  "$cache/sysroot-armhf/usr/bin/node" "$smoke" "$app" prebuilds/linux-arm
check "require off Linux says Linux is required" not_linux_error "$app"
check "install script off Linux says Linux is required" install_script_refuses_not_linux "$app"
check "no prebuild fits, no compiler: install fails clearly" source_build_without_compiler_fails
check "no prebuild fits: install compiles without downloading headers" source_build_with_compiler

finish
