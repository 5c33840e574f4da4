#!/usr/bin/env bash
# sources-digest.sh [DIR] — one hash over everything a native build reads (binding.gyp, native/ and
# the sources binding.gyp lists, and the scripts that build prebuilds), to tell whether prebuilds
# were built from the current sources.
set -euo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
cd "${1:-.}"
{
  { echo binding.gyp; find native -type f; "$scripts/binding-sources.py"; } | sort -u | xargs sha256sum
  (cd "$scripts" && sha256sum prebuild-all.sh oldest-sysroot.sh)
} | sha256sum | cut -d' ' -f1
