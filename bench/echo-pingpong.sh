#!/bin/sh
# Messages per second through each echo server for 50 connections doing 64-byte ping-pong, measured
# by bench/c/bin/loadgen: examples/echo-server in both dispatch modes and both EPOLLOUT policies,
# and the node:net echo server of npm run bench (bench/programs/net-echo-server.js), in one run,
# alternating, ROUNDS times.
# Usage: bench/echo-pingpong.sh   (after npm run build and bench/c/build.sh)
# Env: ROUNDS (3), SECONDS_EACH (3), SIZE (64), CONNECTIONS (50), PORT (7300)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-3}
seconds=${SECONDS_EACH:-3}
size=${SIZE:-64}
connections=${CONNECTIONS:-50}
port=${PORT:-7300}
out=$(mktemp)
pid=
# A server left running would hold the port for every later run.
trap '[ -z "$pid" ] || kill $pid 2>/dev/null; rm -f "$out"' EXIT

# Starts a server command, waits for it to say it listens (echo-server's "try: nc" line, or
# {"port": N}), runs loadgen, stops the server.
measure() {
    label=$1
    shift
    : >"$out"
    "$@" >"$out" 2>&1 &
    pid=$!
    i=0
    until grep -qE 'try: nc|"port"' "$out"; do
        i=$((i + 1))
        [ $i -lt 200 ] || { echo "$label: no start"; cat "$out"; kill $pid; return 1; }
        sleep 0.05
    done
    result=$("$root/bench/c/bin/loadgen" --port "$port" --connections "$connections" --size "$size" \
        --seconds "$seconds" --warmup 1)
    kill -TERM $pid
    wait $pid 2>/dev/null || true
    pid=
    echo "$label $result"
}

r=0
while [ $r -lt "$rounds" ]; do
    r=$((r + 1))
    for dispatch in loop thread; do
        for policy in always pending; do
            measure "linux-epoll dispatch=$dispatch epollout=$policy" \
                node "$root/dist/examples/echo-server.js" --port "$port" --dispatch $dispatch --epollout $policy
        done
    done
    measure "node:net" node "$root/bench/programs/net-echo-server.js" --port "$port"
done
