#!/usr/bin/env bash
# initramfs-project.sh PROJECT_ROOT STAGE OUT  writes to OUT the per-run part of the guest's
# initramfs: its /init, the project's files (tracked and new, as git lists them), the built addon
# and dist/, and whatever the caller already put in STAGE (the command in STAGE/vm/). The kernel
# unpacks it after the cached base, so these files are the ones the guest sees.
set -euo pipefail
root="$(realpath "$1")"
stage="$2"
out="$3"
for built in build/Release/linux_epoll.node dist/lib/index.js; do
  [ -f "$root/$built" ] || {
    echo "$root/$built is missing: run npm run build first" >&2
    exit 1
  }
done
mkdir -p "$stage/project"
# Tracked and new files as git lists them (a tracked file deleted in the work tree is skipped),
# plus the build outputs git ignores.
(cd "$root" && { git ls-files -z --cached --others --exclude-standard && printf 'dist\0build/Release/linux_epoll.node\0'; } |
  tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$stage/project" -xf -
install -m 755 "$(dirname "$0")/guest-init.sh" "$stage/init"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out"
