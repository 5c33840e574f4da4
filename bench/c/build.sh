#!/bin/sh
# Build the C reference benchmarks into bench/c/bin/.
# Usage: bench/c/build.sh   (from anywhere; CC and CFLAGS may be overridden)
# Exits non-zero if any program fails to compile.
set -eu

dir=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-cc}
# -std=c11: portable C11; each source defines _GNU_SOURCE for the Linux APIs.
cflags=${CFLAGS:-"-O2 -Wall -Wextra -pthread -std=c11"}

mkdir -p "$dir/bin"
for prog in echo_server loadgen pingpong pingpong_peer dispatch_floor scaling exit_stamp pidfd_floor; do
    # shellcheck disable=SC2086 # cflags is intentionally word-split
    $cc $cflags -o "$dir/bin/$prog" "$dir/$prog.c"
done
echo "built: $(cd "$dir/bin" && echo *)"
