#!/usr/bin/env bash
# prebuilds-current.sh — succeeds when prebuilds/ holds a binary for linux-x64, linux-arm64 and
# linux-arm, built (by prebuild-all.sh, which records the digest) from the current native sources.
# Otherwise says which is not so, and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
for arch in x64 arm64 arm; do
  if [ -z "$(find "prebuilds/linux-$arch" -name '*.node' 2>/dev/null)" ]; then
    echo "prebuilds/linux-$arch has no binary" >&2
    exit 1
  fi
done
if [ "$(cat .cache/prebuilds.digest 2>/dev/null)" != "$(scripts/sources-digest.sh)" ]; then
  echo "prebuilds/ was not built from the current native sources (.cache/prebuilds.digest differs)" >&2
  exit 1
fi
