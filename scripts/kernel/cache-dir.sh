# Sourced: the cache outside the git tree that keeps kernels and initramfs bases between runs (CI
# runs on a fresh clone of the same machine, so a cache inside the tree would be lost every time).
KERNEL_CACHE="${LINUX_EPOLL_CACHE:-$HOME/.cache/linux-epoll}"
mkdir -p "$KERNEL_CACHE"

# with_lock NAME COMMAND...  runs COMMAND holding an exclusive lock on NAME, so two runs that need
# the same missing artefact build it once.
with_lock() {
  local name="$1"
  shift
  (
    flock 9
    "$@"
  ) 9>"$KERNEL_CACHE/$name.lock"
}
