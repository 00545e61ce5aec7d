#!/bin/bash
# Runs the libFuzzer targets of fuzz/ (README "Fuzzing"): each one for
# SECONDS, one after the other, under nice, and prints per target the
# executions it reached and whether it crashed.
#
#   scripts/fuzz.sh [-t SECONDS] [-b BUILD_DIR] [-f] [TARGET...]
#
#   -t SECONDS    time per target (default 60)
#   -b BUILD_DIR  where the targets are built (default build-fuzz; set up
#                 with clang and -Dfuzz=true when it does not exist)
#   -f            fresh: start from the seed corpus alone, forgetting what
#                 earlier runs found
#   TARGET        frame, nvgre, neigh, lacp, rpc, config, nv (default:
#                 every target built)
#
# Each target reads its seeds from fuzz/corpus/TARGET (never written) and
# keeps the inputs it finds in BUILD_DIR/corpus/TARGET, so later runs go
# on from there.  A crash leaves the input in BUILD_DIR/crashes/TARGET/
# and the report in BUILD_DIR/fuzz-logs/TARGET.log; reproduce it with
# BUILD_DIR/fuzz/fuzz_TARGET FILE.  Exits 0 when no target crashed, 1
# when one did, 77 (skipped, for meson test) without clang or libFuzzer.
set -u
cd "$(dirname "$0")/.."
SECONDS_EACH=60 BUILD=build-fuzz FRESH=0
while getopts "t:b:f" opt; do
	case $opt in
	t) SECONDS_EACH=$OPTARG ;;
	b) BUILD=$OPTARG ;;
	f) FRESH=1 ;;
	*) sed -n '2,20s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

if ! command -v clang >/dev/null; then
	echo "scripts/fuzz.sh: clang not installed (scripts/deps.sh): skipped" >&2
	exit 77
fi
if [ ! -f "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
	echo "scripts/fuzz.sh: libFuzzer not installed (libclang-rt-14-dev): skipped" >&2
	exit 77
fi
if [ ! -f "$BUILD/build.ninja" ]; then
	CC=clang meson setup "$BUILD" -Dfuzz=true >"$BUILD.setup.log" 2>&1 || {
		cat "$BUILD.setup.log" >&2; exit 1; }
	rm -f "$BUILD.setup.log"
fi
ninja -C "$BUILD" fuzz >/dev/null || { ninja -C "$BUILD" fuzz; exit 1; }

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for exe in "$BUILD"/fuzz/fuzz_*; do
		[ -x "$exe" ] && [ -f "$exe" ] && targets+=("${exe##*/fuzz_}")
	done
fi

crashed=0
for t in "${targets[@]}"; do
	exe=$BUILD/fuzz/fuzz_$t seeds=fuzz/corpus/$t
	work=$BUILD/corpus/$t crashes=$BUILD/crashes/$t log=$BUILD/fuzz-logs/$t.log
	[ -x "$exe" ] || { echo "$t: no such target ($exe)"; crashed=1; continue; }
	[ "$FRESH" = 1 ] && rm -rf "$work"
	mkdir -p "$work" "$crashes" "${log%/*}"
	# New inputs go to the first directory; the seeds are only read.
	# -timeout: an input that takes 10 s is a hang, reported as a crash.
	nice -n 19 "$exe" -max_total_time="$SECONDS_EACH" -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$crashes/" \
		"$work" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
	if [ "$rc" = 0 ]; then
		printf '%-8s %12s executions in %s s, %s, no crash\n' "$t" \
			"${execs:-?}" "$SECONDS_EACH" "${cov:-cov: ?}"
	else
		crashed=1
		printf '%-8s CRASHED (exit %s) after %s executions; log %s\n' \
			"$t" "$rc" "${execs:-?}" "$log"
		grep -m3 -E 'ERROR:|check failed|SUMMARY' "$log" | sed 's/^/    /'
		ls "$crashes" | sed "s|^|    input: $crashes/|"
	fi
done
exit "$crashed"
