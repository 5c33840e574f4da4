#!/usr/bin/env bash
# npm run test:valgrind — the wait thread's start, dispatch and stop (and the loop mode's, a close
# from a handler, GC of an unreachable instance, a worker terminated mid-dispatch) under valgrind's
# memcheck, with the ordinary build. Only what is ours to fix counts: invalid reads, writes and
# frees, and definite leaks. Node's own JIT and inspector thread give uninitialised-value noise and
# "possibly lost" blocks, which are not counted. Takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-packages.sh
require_commands valgrind:valgrind

# Incremental: the build under test is the one of the current sources.
npx node-gyp build >/dev/null 2>&1 || npx node-gyp rebuild
npx tsc -p tsconfig.json
log=$(mktemp /tmp/linux-epoll-valgrind.XXXXXX)
trap 'rm -f "$log"' EXIT

status=0
valgrind --tool=memcheck --error-exitcode=99 --undef-value-errors=no \
  --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
  --trace-children=no --log-file="$log" \
  node --expose-gc test/stress/valgrind/wait-thread.js "$PWD/dist/lib/index.js" || status=$?

summary=$(grep -E 'ERROR SUMMARY|definitely lost' "$log" || true)
echo "$summary"
if [ "$status" -ne 0 ]; then
  echo "valgrind found errors (exit $status):" >&2
  grep -E -A 25 'Invalid (read|write|free)|definitely lost in' "$log" | head -n 120 >&2 || true
  exit 1
fi
echo "test:valgrind: no invalid reads, writes or frees, no definite leaks"
