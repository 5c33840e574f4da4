#!/usr/bin/env bash
# npm run format rewrites, and npm test runs `format.sh --check`: prettier for the TypeScript and
# JavaScript (lib/, test/, examples/, bench/, esm/, scripts/), clang-format for native/. Both come
# from devDependencies, so the check needs nothing from the system.
set -euo pipefail
cd "$(dirname "$0")/.."
js=(lib test examples bench esm scripts)
mapfile -t native < <(find native -name '*.cc' -o -name '*.h' | sort)
if [ "${1:-}" = --check ]; then
  npx --no-install prettier --check --log-level warn "${js[@]}" ||
    { echo 'format: run `npm run format` to format the files above' >&2; exit 1; }
  npx --no-install clang-format --dry-run --Werror "${native[@]}" ||
    { echo 'format: run `npm run format` to format native/' >&2; exit 1; }
else
  npx --no-install prettier --write --log-level warn "${js[@]}"
  npx --no-install clang-format -i "${native[@]}"
fi
