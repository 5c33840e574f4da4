#!/usr/bin/env bash
# npm run test:kernel: the suites that need a kernel other than this machine's, each in a fresh
# qemu guest (run-in-vm.sh): gpio-sim on a 6.12 built for it, and the core suite on Debian 11's
# packaged 5.10, the oldest kernel the README claims. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/../.."
passed=0 failed=0

# suite NAME RUN-IN-VM-ARGS...  runs one guest and counts it.
suite() {
  local name="$1" status=0 started=$SECONDS
  shift
  echo "== kernel suite: $name"
  scripts/kernel/run-in-vm.sh "$@" || status=$?
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    echo "== passed: $name ($((SECONDS - started)) s with the host's preparation)"
  else
    failed=$((failed + 1))
    echo "== FAILED: $name (status $status, $((SECONDS - started)) s)"
  fi
}

jest=(node node_modules/jest/bin/jest.js --ci)
suite "gpio-sim smoke test on 6.12-gpiosim" --kernel 6.12-gpiosim --timeout 180 -- sh test/kernel/gpio-sim-smoke.sh
suite "GPIO suite on 6.12-gpiosim (jest.gpio-sim.config.js)" --kernel 6.12-gpiosim --timeout 600 -- \
  "${jest[@]}" -c jest.gpio-sim.config.js
suite "core suite on Debian 11's 5.10" --kernel 5.10-debian --timeout 900 -- \
  "${jest[@]}" test/core test/epoll test/fds test/net test/compat

echo "kernel suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
