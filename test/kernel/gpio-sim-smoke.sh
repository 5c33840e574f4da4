#!/bin/sh
# Runs in the guest (scripts/kernel/run-in-vm.sh --kernel 6.12-gpiosim): proves the guest kernel's
# gpio-sim works end to end before the GPIO tests rely on it. Configures a chip through configfs
# with named lines and a hog, checks /dev/gpiochipN through the character device's own ioctls,
# then drives an input with the sim's `pull` attribute and reads it back through sysfs GPIO.
set -eu
fail() { echo "not ok - $*" && exit 1; }
pass() { echo "ok - $*"; }

sim=/sys/kernel/config/gpio-sim/smoke
mkdir "$sim" "$sim/bank0"
echo 8 >"$sim/bank0/num_lines"
echo smoke-bank >"$sim/bank0/label"
mkdir "$sim/bank0/line0" "$sim/bank0/line5" "$sim/bank0/line5/hog"
echo button >"$sim/bank0/line0/name"
echo led >"$sim/bank0/line5/name"
echo smoke-hog >"$sim/bank0/line5/hog/name"
echo output-high >"$sim/bank0/line5/hog/direction"
echo 1 >"$sim/live"
[ "$(cat "$sim/live")" = 1 ] || fail "the chip did not go live"
device="$(cat "$sim/dev_name")"
chip="$(cat "$sim/bank0/chip_name")"
[ -c "/dev/$chip" ] || fail "/dev/$chip is not a character device"
pass "configfs made $device with /dev/$chip"

python3 test/kernel/gpio-line-info.py "/dev/$chip" >/tmp/info
expected='chip smoke-bank 8
line 0 button in unused
line 5 led out used smoke-hog'
[ "$(cat /tmp/info)" = "$expected" ] || fail "line info was: $(cat /tmp/info)"
pass "the character device reports the label, line names, direction and the hog's consumer"

lines="/sys/devices/platform/$device/$chip"
[ "$(cat "$lines/sim_gpio5/value")" = 1 ] || fail "the output-high hog does not read 1"
pass "the hog drives its line high"

base=""
for legacy in /sys/class/gpio/gpiochip*; do
  if [ "$(cat "$legacy/label")" = smoke-bank ]; then base="$(cat "$legacy/base")"; fi
done
[ -n "$base" ] || fail "sysfs GPIO has no gpiochip labelled smoke-bank"
echo "$base" >/sys/class/gpio/export
for pull in pull-up:1 pull-down:0 pull-up:1; do
  echo "${pull%:*}" >"$lines/sim_gpio0/pull"
  value="$(cat "/sys/class/gpio/gpio$base/value")"
  [ "$value" = "${pull#*:}" ] || fail "after ${pull%:*}, sysfs gpio$base read $value"
done
echo "$base" >/sys/class/gpio/unexport
pass "pull-up and pull-down on line 0 reach sysfs GPIO $base"

echo 0 >"$sim/live"
rmdir "$sim/bank0/line5/hog" "$sim/bank0/line5" "$sim/bank0/line0" "$sim/bank0" "$sim"
[ ! -e "/dev/$chip" ] || fail "/dev/$chip outlived its chip"
pass "the chip goes away with its configfs directory"
