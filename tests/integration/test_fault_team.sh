#!/bin/bash
# Fault: a team member flaps 100 times.  Two vswitchd teamed back to back
# (LACP, fast rate, address hash) over two veth pairs, as in
# test_team.sh; the veth end of the member that carries va's pings to vb
# goes down and up 100 times while va pings vb every 10 ms.  Each flap
# waits until switch A reports the member's link down, then up; every
# tenth also waits until both members distribute again on both sides
# (LACP re-forms).  Checked: both vswitchd live; the pings went on (loss
# small); at the end both members distribute on both sides and carry
# flows; counters add up: each team port's tx is the sum of its members',
# and in a quiet window after the flaps what A's member i sent is what
# B's member i received.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
vs_init "${1:?usage: test_fault_team.sh BUILD_DIR}"
trap vs_cleanup EXIT

FLAPS=${FLAPS:-100}
MA=02:00:00:00:72:01; MB=02:00:00:00:72:02
IPB=10.72.0.2
ms_now() { echo $(( $(date +%s%N) / 1000000 )); }

for i in 1 2; do
	ip link add "${VS_ID}a$i" type veth peer name "${VS_ID}b$i" ||
		vs_die "cannot create veth pairs"
	VS_LINKS+=("${VS_ID}a$i")
	for e in a b; do
		sysctl -qw "net.ipv6.conf.${VS_ID}$e$i.disable_ipv6=1"
		ip link set "${VS_ID}$e$i" up
	done
done
vs_vm va 10.72.0.1/24 $MA
vs_vm vb $IPB/24 $MB
for s in A B; do
	vs_side $s
	vs_start_controld
	vs_start_vswitchd
	eval "${s}_VSWITCHD=$VSWITCHD_PID"
done

on() { vs_side "$1"; shift; vsctl "$@"; }
members() { local l; l=$(tr AB ab <<<"$1"); echo "--member net_af_packet,iface=${VS_ID}${l}1 --member net_af_packet,iface=${VS_ID}${l}2"; }
team_ok() {
	json_get "$(on "$1" --json team-status)" "len(d['teams']) > 0 and all(m['selected'] and m['collecting'] and m['distributing'] for t in d['teams'] for m in t['members'])" | grep -q True
}
both_ok() { team_ok A && team_ok B; }
member_tx() { json_get "$(on "$1" --json team-status)" "d['teams'][0]['members'][$2]['tx_frames']"; }
member_link_is() { test "$(json_get "$(on A --json team-status)" "d['teams'][0]['members'][$1]['link']")" = "$2"; }

for s in A B; do
	t_check "$s: team t1 (lacp fast) and its port" bash -c "
		$VSCTL_BIN --socket $VS_TMP/$s/controld.sock add-team t1 $(members $s) --mode lacp --lb address-hash --lacp-rate fast &&
		$VSCTL_BIN --socket $VS_TMP/$s/controld.sock add-port up --type external --team t1"
done
t_check "A: add-port va" on A add-port va --type vm --devargs "$(vs_vm_devargs va)" --mac $MA
t_check "B: add-port vb" on B add-port vb --type vm --devargs "$(vs_vm_devargs vb)" --mac $MB
t_check "LACP formed on both sides" wait_until 15 both_ok
t_check "ping va -> vb across the team" in_vm va ping -c 3 -i 0.2 -W 2 $IPB

# The member that carries va's pings flaps.
tx0=$(member_tx A 0); tx1=$(member_tx A 1)
in_vm va ping -c 20 -i 0.01 -q $IPB >/dev/null
d0=$(( $(member_tx A 0) - tx0 )); d1=$(( $(member_tx A 1) - tx1 ))
if [ "$d0" -ge "$d1" ]; then X=0; else X=1; fi
DEV=${VS_ID}a$((X + 1))
echo "# va's pings leave by member $X ($DEV): it flaps"

vs_vm_bg va "$VS_TMP/ping.txt" ping -D -O -i 0.01 -W 1 -c 1000000 $IPB
PING=$VS_BG_PID
sleep 0.5
down_ms=() up_ms=() reform_ms=() failed=0
t_start=$(ms_now)
for (( f = 1; f <= FLAPS; f++ )); do
	t0=$(ms_now)
	echo "$t0 flap $f down" >>"$VS_TMP/flaps.txt"
	ip link set "$DEV" down
	if ! wait_until 5 member_link_is $X down; then
		failed=$((failed + 1)); echo "flap $f: A does not see member $X go down"; break
	fi
	t1=$(ms_now)
	echo "$t1 flap $f up" >>"$VS_TMP/flaps.txt"
	ip link set "$DEV" up
	if ! wait_until 5 member_link_is $X up; then
		failed=$((failed + 1)); echo "flap $f: A does not see member $X come back"; break
	fi
	t2=$(ms_now)
	down_ms+=($((t1 - t0))); up_ms+=($((t2 - t1)))
	if (( f % 10 == 0 )); then
		if ! wait_until 15 both_ok; then
			failed=$((failed + 1)); echo "flap $f: LACP does not re-form"; break
		fi
		reform_ms+=($(( $(ms_now) - t1 )))
	else
		sleep "0.$(( RANDOM % 3 ))"
	fi
done
t_run=$(( $(ms_now) - t_start ))
sleep 0.5
vs_bg_stop "$PING" INT
read -r sent got < <(sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) received.*/\1 \2/p' "$VS_TMP/ping.txt")
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "median %d ms, max %d ms", a[int((NR+1)/2)], a[NR]}'; }
echo "# $FLAPS flaps of member $X in $t_run ms"
echo "#   A sees the link down after: $(stats "${down_ms[@]}"); up after: $(stats "${up_ms[@]}")"
echo "#   LACP re-formed (every 10th flap) after: $(stats "${reform_ms[@]}")"
echo "# va -> vb pings every 10 ms during the flaps: $((sent - got)) of $sent lost"

for s in A B; do
	echo "# $s: drops of the team port: $(json_get "$(on $s --json port-stats up)" \
		"' '.join('%s=%d' % kv for kv in d['ports'][0]['stats']['drops'].items() if kv[1]) or 'none'")"
done
t_check "both vswitchd alive" kill -0 "$A_VSWITCHD" "$B_VSWITCHD"
t_check "$FLAPS flaps, each seen down and up ($failed failed)" \
	test "$failed" -eq 0 -a "${#up_ms[@]}" -eq "$FLAPS"
t_check "traffic continued: $((sent - got)) of $sent pings lost (at most 5 %)" \
	test "$sent" -gt 0 -a $(( (sent - got) * 20 )) -le "$sent"
t_check "at the end both members distribute on both sides" wait_until 15 both_ok
st=$(on A --json team-status t1)
echo "# A member $X LACP: $(json_get "$st" "d['teams'][0]['members'][$X]['lacp_stats']")"
t_check "A: team status up" test "$(json_get "$st" "d['teams'][0]['status']")" = up

# Counters add up.  Snapshots of both switches are a few ms apart and
# LACPDUs go every second on each member: allow 2 frames either way.
snap() {
	"$PY" - "$(on A --json team-status t1)" "$(on A --json port-stats up)" \
		"$(on B --json team-status t1)" "$(on B --json port-stats up)" <<'EOF'
import json, sys
ta, pa, tb, pb = (json.loads(a) for a in sys.argv[1:5])
ma, mb = ta['teams'][0]['members'], tb['teams'][0]['members']
out = [m['tx_frames'] for m in ma] + [m['rx_frames'] for m in mb] + \
      [m['tx_frames'] for m in mb] + [m['rx_frames'] for m in ma] + \
      [pa['ports'][0]['stats']['tx_packets'], pb['ports'][0]['stats']['tx_packets']]
print(*out)
EOF
}
read -r atx0 atx1 brx0 brx1 btx0 btx1 arx0 arx1 aport bport < <(snap)
near() { test $(( $1 - $2 )) -le 2 -a $(( $2 - $1 )) -le 2; }
t_check "A: team port tx ($aport) = its members' ($atx0 + $atx1)" near "$aport" $((atx0 + atx1))
t_check "B: team port tx ($bport) = its members' ($btx0 + $btx1)" near "$bport" $((btx0 + btx1))
echo "# over the whole run, A sent - B received: member 0 $((atx0 - brx0)), member 1 $((atx1 - brx1)); B sent - A received: $((btx0 - arx0)), $((btx1 - arx1)) (frames lost on the wire while a link was down)"

# Both members carry flows again.
tx0=$(member_tx A 0); tx1=$(member_tx A 1)
vs_vm_bg vb "$VS_TMP/iperf-s.log" iperf3 -s -1
IPERF_S=$VS_BG_PID
sleep 0.5
in_vm va iperf3 -c $IPB -P 16 -t 2 -b 20M >"$VS_TMP/iperf.log" 2>&1
t_check "iperf3 -P 16 va -> vb after the flaps ran" test $? -eq 0
vs_bg_stop "$IPERF_S"
d0=$(( $(member_tx A 0) - tx0 )); d1=$(( $(member_tx A 1) - tx1 ))
echo "# 16 flows after the flaps: member 0 sent $d0 frames, member 1 sent $d1"
t_check "both members carry flows ($d0, $d1 frames)" test "$d0" -gt 500 -a "$d1" -gt 500

read -r atx0b atx1b brx0b brx1b btx0b btx1b arx0b arx1b aportb bportb < <(snap)
echo "# during the 16 flows, A sent - B received: member 0 $(( atx0b - atx0 - brx0b + brx0 )), member 1 $(( atx1b - atx1 - brx1b + brx1 ))"
read -r atx0 atx1 brx0 brx1 btx0 btx1 arx0 arx1 aport bport <<<"$atx0b $atx1b $brx0b $brx1b $btx0b $btx1b $arx0b $arx1b $aportb $bportb"

# A quiet window: 200 pings and 8 TCP flows at 1 Mbit/s each (at 10 Mbit/s the
# kernel side of af_packet sometimes lost frames that no counter sees).
in_vm va ping -c 200 -i 0.01 -q $IPB >/dev/null
vs_vm_bg vb "$VS_TMP/iperf-s2.log" iperf3 -s -1
IPERF_S=$VS_BG_PID
sleep 0.5
in_vm va iperf3 -c $IPB -P 8 -t 1 -b 1M >/dev/null 2>&1
vs_bg_stop "$IPERF_S"
sleep 0.5
read -r atx0b atx1b brx0b brx1b btx0b btx1b arx0b arx1b aportb bportb < <(snap)
for i in 0 1; do
	eval "sa=\$(( atx${i}b - atx$i )) rb=\$(( brx${i}b - brx$i )) sb=\$(( btx${i}b - btx$i )) ra=\$(( arx${i}b - arx$i ))"
	t_check "quiet window, member $i: A sent $sa, B received $rb" near "$sa" "$rb"
	t_check "quiet window, member $i: B sent $sb, A received $ra" near "$sb" "$ra"
done

t_summary
