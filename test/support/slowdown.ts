// Bounds on waits, scaled by LINUX_EPOLL_TEST_SLOWDOWN (default 1). scripts/kernel/run-in-vm.sh
// sets it in guests under qemu's software emulation, where node runs many times slower. A bound
// only stops a hung test from hanging the run; it never decides a result, so scaling it changes
// no outcome except how long a real hang takes to fail.
const factor = Number(process.env.LINUX_EPOLL_TEST_SLOWDOWN ?? 1);

export function bound(ms: number): number {
  return Number.isFinite(factor) && factor > 1 ? Math.ceil(ms * factor) : ms;
}
