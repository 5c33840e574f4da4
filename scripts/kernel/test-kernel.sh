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

jest=(node node_modules/jest/bin/jest.js --ci --maxWorkers=2)
suite "gpio-sim smoke test on 6.12-gpiosim" --kernel 6.12-gpiosim --timeout 300 -- sh test/kernel/gpio-sim-smoke.sh
# The GPIO suite (jest.gpio-sim.config.js: test/gpio/sim/*.sim.ts), in band: its files share the sim driver.
suite "GPIO suite on 6.12-gpiosim" --kernel 6.12-gpiosim --timeout 900 -- \
  node node_modules/jest/bin/jest.js --ci --runInBand -c jest.gpio-sim.config.js
# What `npm test` runs, on 5.10, all but two files: tun.test.ts, since Debian builds TUN as a
# module and the guest loads none (no /dev/net/tun), and readme.test.ts, a check of the README's
# snippets and links that needs the TypeScript compiler the guest leaves out.
suite "npm test's suite on Debian 11's 5.10" --kernel 5.10-debian --timeout 2400 -- \
  "${jest[@]}" --testPathIgnorePatterns '/tun\.test\.ts$' '/readme\.test\.ts$'

echo "kernel suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
