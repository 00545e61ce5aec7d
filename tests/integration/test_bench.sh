#!/bin/bash
# The benchmark harness can't rot: a short smoke run of every available
# scenario on vswitch and both references (no targets asserted), checking
# that each produced a figure, that reconfig-under-load lost nothing, that
# the NVGRE scenarios ran on vswitch (peer resolved by pktgen's ARP before
# measuring) and OVS, and that nothing was left behind.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
BUILD=${1:?usage: test_bench.sh BUILD_DIR}
vs_init "$BUILD"
trap vs_cleanup EXIT
ROOT=$(cd "$HERE/../.." && pwd)

"$ROOT/bench/deps.sh" >/dev/null 2>&1
t_check "bench/deps.sh installs the references" test $? -eq 0
procs_before=$(pgrep -c -f 'ovs-vswitchd|ovsdb-server|dpdk-testpmd|vswitchd|pktgen' || true)
"$PY" "$ROOT/bench/run" l2-64,l2-sizes,vlan-trunk,reconfig-under-load,guards-on,nvgre-encap,nvgre-decap,team-2x \
	--smoke --against ovs,testpmd --build "$BUILD" --out "$VS_TMP/results" \
	>"$VS_TMP/bench.log" 2>&1
rc=$?
cat "$VS_TMP/bench.log"
t_check "bench/run --smoke exits 0 (rc $rc)" test $rc -eq 0
res=$(ls "$VS_TMP"/results/*/results.json 2>/dev/null | head -n1)
t_check "results.json written" test -n "$res"
[ -n "$res" ] || { t_summary; exit 1; }
R=$(cat "$res")
for c in vswitch ovs testpmd; do
	for s in l2-64 vlan-trunk; do
		t_check "$s on $c forwarded traffic" test "$(json_get "$R" \
			"[e['median_mpps'] > 0 for e in d['summary'] if e['scenario']=='$s' and e['candidate']=='$c'] == [True]")" = True
	done
done
t_check "l2-sizes gives a figure per size (64 and 1518) per candidate" \
	test "$(json_get "$R" "len([e for e in d['summary'] if e['scenario']=='l2-sizes'])")" = 6
t_check "vswitch cycles/packet reported" test "$(json_get "$R" \
	"[e['cycles_per_packet'] is not None and e['cycles_per_packet'] > 0 for e in d['summary'] if e['scenario']=='l2-64' and e['candidate']=='vswitch'] == [True]")" = True
t_check "ratios to OVS and to the ceiling computed" test "$(json_get "$R" \
	"[e['ratio_to_ovs'] is not None and e['ratio_to_ceiling'] is not None for e in d['summary'] if e['scenario']=='l2-64' and e['candidate']=='vswitch'] == [True]")" = True
t_check "reconfig-under-load: changes made, none failed, 0 lost" test "$(json_get "$R" \
	"[e['changes'] > 10 and e['change_failures'] == 0 and e['lost_max'] == 0 for e in d['summary'] if e['scenario']=='reconfig-under-load'] == [True]")" = True
t_check "guards-on: off and on both forwarded, on/off ratio computed" test "$(json_get "$R" \
	"[e['median_mpps'] > 0 and e['ratio_to_off'] > 0 for e in d['summary'] if e['scenario']=='guards-on' and e['candidate']=='vswitch:on'] == [True]")" = True
for c in vswitch ovs; do
	for s in nvgre-encap nvgre-decap; do
		t_check "$s on $c forwarded traffic" test "$(json_get "$R" \
			"[e['median_mpps'] > 0 for e in d['summary'] if e['scenario']=='$s' and e['candidate']=='$c'] == [True]")" = True
	done
done
t_check "nvgre-encap: vswitch's peer was ready before measuring" test "$(json_get "$R" \
	"[r['nv']['ready']['peers_ready'] for r in d['runs'] if r['scenario']=='nvgre-encap' and r['candidate']=='vswitch'] == [1]")" = True
t_check "nvgre-decap: vswitch refused no NVGRE frame" test "$(json_get "$R" \
	"[r['nv']['counters']['decap_drops'] for r in d['runs'] if r['scenario']=='nvgre-decap' and r['candidate']=='vswitch'] == [{}]")" = True
t_check "pending scenarios are skipped, not failed" grep -q "team-2x.*skipped" "$VS_TMP/bench.log"
t_check "table printed" grep -q "vs OVS" "$VS_TMP/bench.log"
t_check "plot drawn" test -s "$(dirname "$res")/mpps.png"
procs_after=$(pgrep -c -f 'ovs-vswitchd|ovsdb-server|dpdk-testpmd|vswitchd|pktgen' || true)
t_check "no process left behind ($procs_before before, $procs_after after)" \
	test "$procs_after" -le "$procs_before"
t_summary
