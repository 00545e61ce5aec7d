#!/bin/bash
# Fault: controld killed (-9) in the middle of 1,000 configuration
# changes (set-port, add-port, del-port through vswitchctl), about every
# 50 changes, at a random moment of a change in flight.
#   - A watcher reads the configuration file every half millisecond for
#     the whole run: every version it sees parses, passes controld's own
#     loader (vswitch-controld --check) and is one that the changes made,
#     never a torn mix (each is one of the files the test saw after a
#     change or a kill).
#   - After each kill the file is the old or the new configuration of
#     the change in flight (compared with a model of the changes), and
#     the new one whenever vswitchctl had reported success.
#   - controld started again: vswitchd reconnects, gets the file
#     replayed, and runs what the file says: the same ports, and vm2's
#     VLAN (10 or 20) decides whether vm1 (VLAN 10) reaches it.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
vs_init "${1:?usage: test_fault_controld.sh BUILD_DIR}"
trap vs_cleanup EXIT

N_CHANGES=${N_CHANGES:-1000}
KILL_EVERY=${KILL_EVERY:-50}
ms_now() { echo $(( $(date +%s%N) / 1000000 )); }

vs_start_controld
vs_start_vswitchd
vs_vm vm1 10.32.0.1/24 02:00:00:00:32:01
vs_vm vm2 10.32.0.2/24 02:00:00:00:32:02
vs_vm s1 "" 02:00:00:00:32:03
for c in 0 1 2; do vs_vm c$c "" 02:00:00:00:32:1$c; done
for p in vm1 vm2 s1; do
	vsctl add-port $p --type vm --devargs "$(vs_vm_devargs $p)" >/dev/null
done
vsctl set-port vm1 --vlan-mode access --vlan 10 >/dev/null
vsctl set-port vm2 --vlan-mode access --vlan 10 >/dev/null
t_check "setup: vm1 pings vm2 on VLAN 10" in_vm vm1 ping -c 2 -i 0.2 -W 2 10.32.0.2

# The model: what the configuration must hold after each change.
M_VM2=10
M_S1=0
declare -A M_C=([0]=0 [1]=0 [2]=0)
model() {
	local names="s1 vm1 vm2" c
	for c in 0 1 2; do [ "${M_C[$c]}" = 1 ] && names="$names c$c"; done
	echo "ports=$(tr ' ' '\n' <<<"$names" | sort | paste -sd,) vm2=$M_VM2 s1=$M_S1"
}
# The same projection of a configuration file.
file_model() {
	"$PY" - "$1" <<'EOF'
import json, sys
ports = {p['name']: p for p in json.load(open(sys.argv[1]))['ports']}
print('ports=%s vm2=%s s1=%s' % (','.join(sorted(ports)),
      ports['vm2'].get('vlan', 0), ports['s1'].get('vlan', 0)))
EOF
}
# change I: sets CMD and, in N_*, the model after it.
change() {
	local i=$1 c
	N_VM2=$M_VM2; N_S1=$M_S1; N_CI=; N_CV=
	case $(( i % 3 )) in
	0)	N_VM2=$(( (i / 3) % 2 ? 20 : 10 ))
		CMD=(set-port vm2 --vlan-mode access --vlan "$N_VM2") ;;
	1)	N_S1=$(( 100 + i ))
		CMD=(set-port s1 --vlan-mode access --vlan "$N_S1") ;;
	2)	c=$(( (i / 3) % 3 )); N_CI=$c
		if [ "${M_C[$c]}" = 1 ]; then
			N_CV=0; CMD=(del-port c$c)
		else
			N_CV=1; CMD=(add-port c$c --type vm --devargs "$(vs_vm_devargs c$c)")
		fi ;;
	esac
}
commit_change() {
	M_VM2=$N_VM2; M_S1=$N_S1
	[ -n "$N_CI" ] && M_C[$N_CI]=$N_CV
	return 0
}
model_after() {
	local s_vm2=$M_VM2 s_s1=$M_S1 s_c=("${M_C[0]}" "${M_C[1]}" "${M_C[2]}") out
	commit_change; out=$(model)
	M_VM2=$s_vm2; M_S1=$s_s1; M_C=([0]=${s_c[0]} [1]=${s_c[1]} [2]=${s_c[2]})
	echo "$out"
}
file_sha() { sha256sum "$VS_CONFIG" | cut -d' ' -f1; }

# vswitchd runs what the file says: its ports, all running, and VLANs:
# vm1 (10) reaches vm2 only when the file puts vm2 on VLAN 10.
dp_ports_agree() {
	local ps
	ps=$(vsctl --json port-stats) || return 1
	"$PY" - "$ps" "$VS_CONFIG" <<'EOF'
import json, sys
ps = json.loads(sys.argv[1])['ports']
cfg = json.load(open(sys.argv[2]))
ok = sorted(p['name'] for p in ps) == sorted(p['name'] for p in cfg['ports']) \
    and all(p['status'] == 'ok' for p in ps)
sys.exit(0 if ok else 1)
EOF
}
vm2_reachable() { in_vm vm1 ping -c 1 -W 0.5 10.32.0.2 >/dev/null 2>&1; }
dp_vlan_agrees() {
	local vlan
	vlan=$("$PY" -c 'import json,sys; print([p for p in json.load(open(sys.argv[1]))["ports"] if p["name"] == "vm2"][0]["vlan"])' "$VS_CONFIG")
	if [ "$vlan" = 10 ]; then
		wait_until 5 vm2_reachable
	else
		! in_vm vm1 ping -c 2 -i 0.2 -W 0.5 10.32.0.2 >/dev/null 2>&1
	fi
}

# The watcher: every version of the file it reads, kept once by digest.
mkdir -p "$VS_TMP/seen"
cat >"$VS_TMP/watch.py" <<'EOF'
import hashlib, json, os, signal, sys, time
path, outdir = sys.argv[1], sys.argv[2]
stop = False
def on_term(signo, frame):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
seen, reads, unparseable, missing = set(), 0, 0, 0
while not stop:
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        missing += 1
        continue
    reads += 1
    h = hashlib.sha256(data).hexdigest()
    if h not in seen:
        seen.add(h)
        try:
            json.loads(data)
        except ValueError:
            unparseable += 1
        with open(os.path.join(outdir, h), 'wb') as f:
            f.write(data)
    time.sleep(0.0005)
print(reads, len(seen), unparseable, missing)
EOF
"$PY" "$VS_TMP/watch.py" "$VS_CONFIG" "$VS_TMP/seen" >"$VS_TMP/watch.out" 2>&1 &
WATCH=$!
VS_PIDS+=("$WATCH")

file_sha >"$VS_TMP/versions"
M_S1=$(file_model "$VS_CONFIG" | sed 's/.*s1=//')
ok=0 failed=0 kills=0 kept_old=0 kept_new=0 new_unacked=0 acked_lost=0 torn=0
disagree=0
restart_ms=()
t_start=$(ms_now)
for (( i = 0; i < N_CHANGES; i++ )); do
	change "$i"
	if (( i % KILL_EVERY != KILL_EVERY / 2 )); then
		if vsctl "${CMD[@]}" >/dev/null 2>>"$VS_TMP/changes.err"; then
			ok=$((ok + 1)); commit_change; file_sha >>"$VS_TMP/versions"
		else
			failed=$((failed + 1))
			echo "change $i (${CMD[*]}) failed" >>"$VS_TMP/changes.err"
		fi
		continue
	fi
	# Kill controld while this change is in flight: after 0-3 ms for a
	# set-port (it takes ~3 ms), 0-59 ms for add/del-port (~60 ms).
	old=$(model); new=$(model_after)
	vsctl "${CMD[@]}" >/dev/null 2>&1 &
	CHANGE=$!
	if [ -n "$N_CI" ]; then d=$(( RANDOM % 60 )); else d=$(( RANDOM % 4 )); fi
	sleep "$(printf '0.%03d' "$d")"
	vs_stop "$CONTROLD_PID" KILL
	wait "$CHANGE"; rc=$?
	kills=$((kills + 1))
	file_sha >>"$VS_TMP/versions"
	if ! "$CONTROLD" --config "$VS_CONFIG" --check >/dev/null 2>&1; then
		torn=$((torn + 1)); echo "kill $kills (change $i): --check refuses the file"
	fi
	now=$(file_model "$VS_CONFIG" 2>/dev/null)
	if [ "$now" = "$new" ]; then
		kept_new=$((kept_new + 1)); commit_change
		[ "$rc" -ne 0 ] && [ "$old" != "$new" ] && new_unacked=$((new_unacked + 1))
	elif [ "$now" = "$old" ] && [ "$old" != "$new" ] && [ "$rc" -eq 0 ]; then
		acked_lost=$((acked_lost + 1))
		echo "kill $kills (change $i, ${CMD[*]}): acknowledged, but the file is the old one"
	elif [ "$now" = "$old" ]; then
		kept_old=$((kept_old + 1))
	else
		torn=$((torn + 1))
		echo "kill $kills (change $i): the file is neither old nor new: $now (old $old, new $new)"
		break
	fi
	[ "$rc" -eq 0 ] && ok=$((ok + 1)) || failed=$((failed + 1))
	t0=$(ms_now)
	vs_start_controld
	if ! wait_until 15 dataplane_up; then
		t_fail "kill $kills: vswitchd reconnects to the new controld"; break
	fi
	if ! wait_until 10 dp_ports_agree || ! dp_vlan_agrees; then
		disagree=$((disagree + 1))
		echo "kill $kills (change $i): vswitchd does not run what the file says"
	fi
	restart_ms+=($(( $(ms_now) - t0 )))
done
t_run=$(( $(ms_now) - t_start ))
vs_bg_stop "$WATCH"
read -r reads versions unparseable missing <"$VS_TMP/watch.out"

echo "# $N_CHANGES changes in $t_run ms: $ok acknowledged, $failed failed (controld killed under them)"
echo "# $kills kills of controld: file kept the old configuration $kept_old times, had the new one $kept_new times ($new_unacked of them saved though vswitchctl got no answer)"
echo "# controld restart to vswitchd agreeing: $(printf '%s\n' "${restart_ms[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median %d ms, max %d ms", a[int((NR+1)/2)], a[NR]}')"
echo "# watcher: $reads reads, $versions distinct versions, $unparseable unparseable, $missing times missing"
t_check "$kills kills of controld during the changes" test "$kills" -ge $(( N_CHANGES / KILL_EVERY ))
t_check "all changes made: none failed but those under a kill ($failed)" \
	test "$failed" -le "$kills"
t_check "after each kill the file is the old or the new configuration ($torn not)" test "$torn" -eq 0
t_check "no acknowledged change lost ($acked_lost)" test "$acked_lost" -eq 0
t_check "after each restart vswitchd runs what the file says ($disagree disagree)" test "$disagree" -eq 0
t_check "the watcher read the file all along ($reads reads)" test "$reads" -ge 1000
t_check "every version read parses as JSON, the file was never missing" \
	test "$unparseable" -eq 0 -a "$missing" -eq 0
bad=0 unknown=0
for f in "$VS_TMP"/seen/*; do
	"$CONTROLD" --config "$f" --check >/dev/null 2>&1 || bad=$((bad + 1))
	grep -qx "$(basename "$f")" "$VS_TMP/versions" || unknown=$((unknown + 1))
done
t_check "every version read passes controld --check ($bad not)" test "$bad" -eq 0
t_check "every version read is one the changes made, none torn ($unknown unknown)" \
	test "$unknown" -eq 0
t_check "the final file is the model's configuration" \
	test "$(file_model "$VS_CONFIG")" = "$(model)"
t_check "vswitchd runs the final configuration's ports" dp_ports_agree
t_check "...and its VLANs" dp_vlan_agrees
strays=$(find "$(dirname "$VS_CONFIG")" -maxdepth 1 -name ".$(basename "$VS_CONFIG").*" | wc -l)
echo "# temporary files left next to the configuration by kills: $strays"
# A save cut short leaves its temporary file; controld removes them at
# start.  One stands in for a kill mid-save.
: >"$(dirname "$VS_CONFIG")/.$(basename "$VS_CONFIG").AbC123"
vs_stop "$CONTROLD_PID" KILL
vs_start_controld
strays=$(find "$(dirname "$VS_CONFIG")" -maxdepth 1 -name ".$(basename "$VS_CONFIG").*" | wc -l)
t_check "controld removed the temporary files of interrupted saves at start ($strays left)" \
	test "$strays" -eq 0

t_summary
