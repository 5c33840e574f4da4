#!/usr/bin/env bash
# npm run test:package — the packed package as type checkers and registries see it:
#   1. prepack refuses to pack without current prebuilds (or accepts them when they are);
#   2. @arethetypeswrong/cli and publint on the tarball, with zero problems;
#   3. a strict TypeScript consumer (test/consumer: an ESM and a CommonJS module) type-checks against
#      the installed tarball with module nodenext and with moduleResolution bundler, each with and
#      without @types/node (which declares Symbol.dispose; without it, only ES2022's lib).
# The tarball is packed with LINUX_EPOLL_PACK_WITHOUT_PREBUILDS=1 (prepack would otherwise ask for
# current prebuilds): it is checked and deleted, never published, and nothing here loads the addon,
# so it is installed with --ignore-scripts. test:prebuilds packs and installs the real thing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# prepack refuses what users could not install: a tarball without current prebuilds.
if scripts/prebuilds-current.sh 2>/dev/null; then
  env -u LINUX_EPOLL_PACK_WITHOUT_PREBUILDS npm pack --dry-run >/dev/null 2>&1 || { echo "prepack refused current prebuilds"; exit 1; }
  echo "== prepack accepts the current prebuilds"
else
  if refused=$(env -u LINUX_EPOLL_PACK_WITHOUT_PREBUILDS npm pack --dry-run 2>&1); then echo "prepack packed without current prebuilds"; exit 1; fi
  grep -q 'prepack: refusing to pack' <<<"$refused" || { echo "$refused"; exit 1; }
  echo "== prepack refuses missing or stale prebuilds"
fi

LINUX_EPOLL_PACK_WITHOUT_PREBUILDS=1 npm pack --silent --pack-destination "$work" >/dev/null
tarball=$(find "$work" -maxdepth 1 -name '*.tgz')

echo "== attw $(basename "$tarball")"
npx --no-install attw --no-color --no-emoji --format table-flipped "$tarball"
echo "== publint $(basename "$tarball")"
# NO_COLOR: under CI=true publint colours its verdict, which the check below reads as text.
publint=$(NO_COLOR=1 npx --no-install publint run --strict --level suggestion "$tarball" 2>&1) || { echo "$publint"; exit 1; }
echo "$publint"
# publint exits 0 on suggestions; zero problems means it found none at all.
grep -q '^All good!$' <<<"$publint"

version() { node -p "require('$root/node_modules/$1/package.json').version"; }
consumer=$work/consumer
mkdir -p "$consumer"
cp test/consumer/* "$consumer/"
echo '{ "name": "consumer", "private": true }' >"$consumer/package.json"
(cd "$consumer" && npm install --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error \
  "$tarball" "typescript@$(version typescript)" "@types/node@$(version @types/node)")
for mode in 'nodenext nodenext' 'preserve bundler'; do
  set -- $mode
  for types in none node; do
    echo "== tsc --module $1 --moduleResolution $2, @types/node: $types"
    extra=()
    [ "$types" = node ] && extra=(--types node)
    (cd "$consumer" && npx --no-install tsc -p tsconfig.json --module "$1" --moduleResolution "$2" "${extra[@]}")
  done
done
echo "test:package PASS"
