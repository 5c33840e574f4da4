#!/usr/bin/env bash
# probe-kvm.sh KERNEL  prints "kvm" if a KVM guest of KERNEL boots, runs and powers off within a
# short deadline here, else "tcg" (software emulation). On these machines /dev/kvm opens but a
# guest can hang after the firmware, so only a real boot decides. The answer is cached per host
# kernel, qemu version and guest kernel, so only the first run pays the probe.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/cache-dir.sh"
kernel="$1"
if ! { exec 3<>/dev/kvm; } 2>/dev/null; then
  echo tcg
  exit 0
fi
exec 3>&-
qemu="$(qemu-system-x86_64 --version | head -1)"
key="$( (uname -r && echo "$qemu" && echo "$kernel") | sha256sum | cut -c1-16)"
answer="$KERNEL_CACHE/kvm-probe/$key"
probe() {
  [ -f "$answer" ] && return 0
  if "$here/run-in-vm.sh" --accel kvm --kernel "$kernel" --timeout 20 -- true >/dev/null 2>&1; then
    echo kvm >"$answer"
  else
    echo tcg >"$answer"
  fi
  echo "probed KVM for $kernel: $(cat "$answer") (cached in $answer)" >&2
}
mkdir -p "$(dirname "$answer")"
with_lock "kvm-probe-$key" probe
cat "$answer"
