#!/usr/bin/env bash
# npm's prepack: a tarball must carry current prebuilds, or users without a compiler cannot install
# it. LINUX_EPOLL_PACK_WITHOUT_PREBUILDS=1 packs anyway, for a tarball that is checked and never
# published (npm run test:package checks metadata and types only).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${LINUX_EPOLL_PACK_WITHOUT_PREBUILDS:-}" = 1 ]; then
  echo "prepack: LINUX_EPOLL_PACK_WITHOUT_PREBUILDS=1, prebuilds/ not checked: do not publish this tarball" >&2
  exit 0
fi
if ! scripts/prebuilds-current.sh; then
  echo "prepack: refusing to pack: run npm run prebuild:all first (docs/RELEASE.md)" >&2
  exit 1
fi
