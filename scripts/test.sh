#!/bin/bash
# Installs what is missing, builds, and runs every test: the Criterion
# unit tests and the integration tests (root: namespaces, real daemons).
# Ends with one line "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "scripts/test.sh: run as root (namespaces, DPDK)" >&2; exit 1; }
scripts/deps.sh || exit 1
BUILD_DIR=${BUILD_DIR:-build}
scripts/build.sh || exit 1
log=$(mktemp /tmp/vswitch-test.XXXXXX)
meson test -C "$BUILD_DIR" --print-errorlogs --num-processes 2 "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
timeout=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
skip=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
rm -f "$log"
echo "${ok:-0} passed, $(( ${fail:-0} + ${timeout:-0} )) failed, ${skip:-0} skipped"
exit "$rc"
