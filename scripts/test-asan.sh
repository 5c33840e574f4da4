#!/usr/bin/env bash
# npm run test:asan — the test suite against a copy of the addon built with AddressSanitizer and
# UBSan. The copy is built in a temporary copy of the package, so build/ here is never touched and
# lib/ needs no switch: lib/core/binding.ts finds the copy's own build/ from the copy's binding.gyp.
# ASan reports go to log files (child processes included, whatever they do with their stderr);
# UBSan's runtime writes to stderr, which is kept in a log. Any report, or any failing test, fails
# the run.
#   ASAN_JEST_ARGS  extra arguments for jest, e.g. a test path (default: the whole suite)
#   ASAN_KEEP=1     keep the temporary copy and print its path
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-packages.sh
require_commands g++:g++ make:make python3:python3

root=$PWD
copy=$(mktemp -d /tmp/linux-epoll-asan.XXXXXX)
reports=$copy/sanitizer-reports
[ "${ASAN_KEEP:-0}" = 1 ] && echo "sanitized copy: $copy" || trap 'rm -rf "$copy"' EXIT

# The sources as they are in the working tree, without build products.
tar -C "$root" --exclude=./build --exclude=./dist --exclude=./node_modules --exclude=./.git \
  --exclude=./prebuilds --exclude=./.cache -cf - . | tar -C "$copy" -xf -
ln -s "$root/node_modules" "$copy/node_modules"
mkdir -p "$reports"

cd "$copy"
# -Dsanitize=1 sets binding.gyp's sanitize variable: -fsanitize=address,undefined -g -O1.
npx node-gyp rebuild -- -Dsanitize=1 >"$copy/build.log" 2>&1 || { tail -n 40 "$copy/build.log"; exit 1; }
# Make sure the sanitizers really are in the binary we are about to test.
symbols=$(nm -D build/Release/linux_epoll.node)
grep -q __asan_init <<<"$symbols" || { echo "the copy is not built with ASan" >&2; exit 1; }
grep -q __ubsan_ <<<"$symbols" || { echo "the copy is not built with UBSan" >&2; exit 1; }
npx tsc -p tsconfig.json

# node itself is not instrumented: the ASan runtime must be loaded first. Leak detection is off
# because node keeps allocations until exit by design; test/stress covers leaks of fds and threads.
export LD_PRELOAD
LD_PRELOAD=$(gcc -print-file-name=libasan.so)
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"

status=0
# shellcheck disable=SC2086
npx jest --ci ${ASAN_JEST_ARGS:-} 2>&1 | tee "$copy/jest.log" || status=$?

grep -E 'runtime error:|ERROR: AddressSanitizer' "$copy/jest.log" >"$reports/from-stderr" || rm "$reports/from-stderr"
if compgen -G "$reports/*" >/dev/null; then
  echo "SANITIZER REPORTS:" >&2
  for report in "$reports"/*; do
    echo "== $report" >&2
    head -n 60 "$report" >&2
  done
  exit 1
fi
[ "$status" -eq 0 ] || { echo "tests failed under the sanitizers (exit $status)" >&2; exit "$status"; }
echo "test:asan: no sanitizer reports; all tests passed with the ASan+UBSan build"
