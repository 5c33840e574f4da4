#!/usr/bin/env bash
# scripts/require-commands.sh COMMAND:PACKAGE...: installs, with apt-get, the Debian package of each
# command not on PATH (for tests and benchmarks run from Node that need redis-cli, wrk, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-packages.sh
require_commands "$@"
