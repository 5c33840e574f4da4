#!/usr/bin/env bash
# kernel-image.sh NAME  prints the path of the guest kernel NAME, building or fetching it on first use:
#   NAME.config beside this script   built from Debian's linux-source with that fragment (6.12-gpiosim)
#   5.10-debian                      Debian 11's packaged kernel, unmodified
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
case "$1" in
  5.10-debian) exec "$here/fetch-debian-kernel.sh" bullseye ;;
  *)
    [ -f "$here/$1.config" ] || {
      echo "unknown kernel '$1': expected 5.10-debian or one of: $(cd "$here" && ls ./*.config | sed 's|^\./||; s|\.config$||' | tr '\n' ' ')" >&2
      exit 2
    }
    exec "$here/build-kernel.sh" "$here/$1.config"
    ;;
esac
