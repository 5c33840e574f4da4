#!/usr/bin/env bash
# npm run bench:gpio: GPIO edge rate and pull-to-handler latency (bench/programs/gpio-edges.js)
# for linux-epoll/gpio in both dispatch modes and epoll@4 on sysfs, in one gpio-sim guest
# (scripts/kernel/run-in-vm.sh, qemu's software emulation: compare the rows as ratios, not with
# hardware). Prints one JSON line per measurement; bench/suites/gpio.js turns them into a page.
# ROUNDS (default 1) repeats every measurement, interleaved, in the same guest, so that the guest's
# boot is paid once and a slow moment of the shared machine falls on every implementation alike.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=""
for _ in $(seq "${ROUNDS:-1}"); do
  for impl in cdev-loop cdev-thread epoll4-sysfs; do
    runs+="node bench/programs/gpio-edges.js --impl $impl --mode rate --seconds ${SECONDS_PER_RUN:-3} && "
    runs+="node bench/programs/gpio-edges.js --impl $impl --mode latency --samples ${SAMPLES:-300} && "
  done
done
scripts/kernel/run-in-vm.sh --kernel 6.12-gpiosim --timeout 900 -- sh -c "echo clocksource: \$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource) && ${runs}true"
