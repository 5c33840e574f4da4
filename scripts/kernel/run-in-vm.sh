#!/usr/bin/env bash
# run-in-vm.sh [options] -- COMMAND [ARG...]
# Boots a guest kernel under qemu with this machine's node and the project (as built: run
# `npm run build` first), runs COMMAND in the project's copy there, and exits with its status.
#   --kernel NAME      6.12-gpiosim (default; has gpio-sim) or 5.10-debian (see kernel-image.sh)
#   --timeout SECONDS  deadline for boot, run and power-off (default 300); a guest still running
#                      then is killed and the run fails with status 124
#   --memory MB        guest memory (default 3072)   --cpus N   guest vCPUs (default 2)
#   --env NAME=VALUE   set in the guest's environment (repeatable). Always set: CI=true, and
#                      LINUX_EPOLL_TEST_SLOWDOWN (10 under emulation, 1 under KVM), which scales
#                      the tests' bounds on waits (test/support/slowdown.ts) and jest's timeout
#   --accel auto|tcg|kvm  auto (default): KVM where probe-kvm.sh saw a KVM guest work, else tcg
#   --log FILE         keep the whole serial console there (default: a temporary file)
# The guest's output (stdout and stderr, through the serial console) goes to stdout; boot messages
# stay in the log. Status: COMMAND's own, 124 at the deadline, 125 if the guest never reported one
# (a kernel panic, a broken initramfs), 2 for bad arguments.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$here/../apt-packages.sh"

kernel=6.12-gpiosim accel=auto timeout=300 memory=3072 cpus=2 log="" envs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel) kernel="$2" && shift 2 ;;
    --timeout) timeout="$2" && shift 2 ;;
    --memory) memory="$2" && shift 2 ;;
    --cpus) cpus="$2" && shift 2 ;;
    --env) envs+=("$2") && shift 2 ;;
    --log) log="$2" && shift 2 ;;
    --accel) accel="$2" && shift 2 ;;
    --) shift && break ;;
    *) echo "run-in-vm.sh: unknown option $1 (usage in the script's header)" >&2 && exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "run-in-vm.sh: no command given after --" >&2 && exit 2; }
require_commands qemu-system-x86_64:qemu-system-x86

image="$("$here/kernel-image.sh" "$kernel")"
base="$("$here/initramfs-base.sh" "$root")"
[ "$accel" != auto ] || accel="$("$here/probe-kvm.sh" "$kernel")"
case "$accel" in
  # -cpu max gives the emulated CPU every feature qemu can emulate (node wants more than qemu64).
  tcg) machine=(-accel tcg,thread=multi -cpu max) ;;
  # Not -cpu max or host under KVM: qemu aborts here setting MSR 0x10a (arch capabilities).
  kvm) machine=(-accel kvm) ;;
  *) echo "run-in-vm.sh: --accel must be auto, tcg or kvm" >&2 && exit 2 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
[ -n "$log" ] || log="$work/console.log"
mkdir -p "$work/stage/vm"
# shell_quote ARG prints ARG single-quoted for the guest's sh.
shell_quote() { printf "'%s' " "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
  printf 'exec '
  for arg in "$@"; do shell_quote "$arg"; done
  echo
} >"$work/stage/vm/command"
[ "$accel" = tcg ] && slowdown=10 || slowdown=1
for pair in "LINUX_EPOLL_TEST_SLOWDOWN=$slowdown" ${envs[@]+"${envs[@]}"}; do
  printf 'export %s=%s\n' "${pair%%=*}" "$(shell_quote "${pair#*=}")"
done >"$work/stage/vm/env"
"$here/initramfs-project.sh" "$root" "$work/stage" "$work/project.cpio"
# The kernel unpacks concatenated archives in order, so the project's files land over the base.
cat "$base" "$work/project.cpio" >"$work/initramfs.cpio"

: >"$log"
started=$(date +%s.%N)
set +e
timeout --kill-after=5 "$timeout" qemu-system-x86_64 -nodefaults -no-user-config -display none \
  "${machine[@]}" -m "$memory" -smp "$cpus" -no-reboot -serial stdio \
  -kernel "$image" -initrd "$work/initramfs.cpio" \
  -append "console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/init" </dev/null |
  "$here/console-filter.sh" "$log"
qemu_status=${PIPESTATUS[0]}
set -e
seconds=$(echo "$(date +%s.%N) - $started" | bc)

status="$(sed -n 's/^@@LINUX_EPOLL_VM_EXIT \([0-9]*\)@@$/\1/p' "$log" | tail -1)"
if [ "$qemu_status" -eq 124 ] || [ "$qemu_status" -eq 137 ]; then
  printf '[vm] %s: killed at the %s s deadline; the console log ends:\n' "$kernel" "$timeout" >&2
  tail -20 "$log" >&2
  exit 124
fi
if [ -z "$status" ]; then
  printf '[vm] %s: the guest reported no exit status (qemu exited %s); the console log ends:\n' \
    "$kernel" "$qemu_status" >&2
  tail -40 "$log" >&2
  exit 125
fi
printf '[vm] %s (%s): exit status %s, %.1f s from boot to power-off\n' "$kernel" "$accel" "$status" "$seconds" >&2
exit "$status"
