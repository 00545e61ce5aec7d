#!/bin/bash
# Installs what is missing, builds, and runs every test: the Criterion
# unit tests and the integration tests (root: namespaces, real daemons).
# Then builds everything again with AddressSanitizer and
# UndefinedBehaviorSanitizer (meson's b_sanitize, into BUILD_DIR-asan) and
# runs the unit and integration tests once more there (not the benchmark
# smoke run, nor the short fuzzing run, whose targets are built with their
# own sanitizers into BUILD_DIR-fuzz); any sanitizer report fails the run.
# SANITIZE=0 skips that second pass, as does naming tests to run ("$@",
# passed to meson test).
# Ends with one line "N passed, M failed, K skipped" over both passes.
set -u
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "scripts/test.sh: run as root (namespaces, DPDK)" >&2; exit 1; }
scripts/deps.sh || exit 1
BUILD_DIR=${BUILD_DIR:-build}
scripts/build.sh || exit 1

OK=0 FAILED=0 SKIPPED=0
# run_tests BUILD [meson test args...]: adds to the totals; returns meson's rc.
run_tests() {
	local build=$1 log rc n
	shift
	log=$(mktemp /tmp/vswitch-test.XXXXXX)
	meson test -C "$build" --print-errorlogs --num-processes 2 "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	n=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n1); OK=$(( OK + ${n:-0} ))
	n=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -n1); FAILED=$(( FAILED + ${n:-0} ))
	n=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$log" | tail -n1); FAILED=$(( FAILED + ${n:-0} ))
	n=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$log" | tail -n1); SKIPPED=$(( SKIPPED + ${n:-0} ))
	rm -f "$log"
	return "$rc"
}

run_tests "$BUILD_DIR" "$@"
rc=$?

if [ "${SANITIZE:-1}" != 0 ] && [ $# -eq 0 ]; then
	asan=$BUILD_DIR-asan
	echo "=== sanitizer pass (ASan + UBSan) in $asan"
	if [ ! -f "$asan/build.ninja" ]; then
		meson setup "$asan" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 1
	fi
	ninja -C "$asan" || exit 1
	reports=$(mktemp -d /tmp/vswitch-sanitizers.XXXXXX)
	# Every instrumented process writes its reports (and leaks found at
	# exit) to a file here instead of stderr, where a daemon's would be
	# lost in its log.
	ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=0" \
	UBSAN_OPTIONS="print_stacktrace=1:log_path=$reports/ubsan" \
		run_tests "$asan" --no-suite perf --no-suite fuzz || rc=1
	if [ -n "$(ls -A "$reports")" ]; then
		echo "sanitizer reports:"
		for f in "$reports"/*; do echo "--- $f"; head -n 40 "$f"; done
		FAILED=$(( FAILED + 1 ))
		rc=1
	else
		echo "sanitizers: no reports"
	fi
	rm -rf "$reports"
fi
echo "$OK passed, $FAILED failed, $SKIPPED skipped"
exit "$rc"
