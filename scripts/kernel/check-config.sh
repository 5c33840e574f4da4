#!/usr/bin/env bash
# check-config.sh FRAGMENT DOTCONFIG  fails, naming them, if options FRAGMENT sets were dropped by
# olddefconfig (an unmet dependency), so a kernel never silently lacks what the tests need.
set -euo pipefail
missing="$(grep -E '^CONFIG_[A-Z0-9_]+=' "$1" | while read -r line; do
  grep -qxF "$line" "$2" || echo "$line"
done)"
if [ -n "$missing" ]; then
  echo "the kernel config lacks options the fragment asks for (unmet dependencies?):" >&2
  echo "$missing" >&2
  exit 1
fi
