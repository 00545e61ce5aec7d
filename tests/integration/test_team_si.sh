#!/bin/bash
# Switch-independent loop protection.  The team's two members plug into a
# Linux bridge that stands for physical switches knowing nothing of the
# team: it floods every broadcast to both members and reflects the
# broadcasts we send out of one member back in through the other.  A
# VM's broadcast must reach the other VMs once, not again as its
# reflection, and VM MACs must stay on their own ports.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lib.sh"
vs_init "${1:?usage: test_team_si.sh BUILD_DIR}"
trap vs_cleanup EXIT
VMTOOL=$HERE/vmtool.py

MA=02:00:00:00:71:01; MA2=02:00:00:00:71:02; MF=02:00:00:00:71:09
BR=${VS_ID}br
ip link add "$BR" type bridge || vs_die "cannot create a bridge"
VS_LINKS+=("$BR")
ip link set "$BR" type bridge stp_state 0 forward_delay 0
ip link set "$BR" up
for i in 1 2; do
	ip link add "${VS_ID}a$i" type veth peer name "${VS_ID}b$i" ||
		vs_die "cannot create veth pairs"
	VS_LINKS+=("${VS_ID}a$i")
	for e in a b; do
		sysctl -qw "net.ipv6.conf.${VS_ID}$e$i.disable_ipv6=1"
		ip link set "${VS_ID}$e$i" up
	done
	ip link set "${VS_ID}b$i" master "$BR"
done
vs_vm va 10.71.0.1/24 $MA
vs_vm va2 10.71.0.2/24 $MA2
vs_vm far 10.71.0.9/24 $MF
ip link set "${VS_ID}far" master "$BR"

vs_start_controld
vs_start_vswitchd
t_check "add-team t1 switch-independent" vsctl add-team t1 \
	--member "net_af_packet,iface=${VS_ID}a1" \
	--member "net_af_packet,iface=${VS_ID}a2" \
	--mode switch-independent --lb hyperv-port
t_check "add-port up --team t1" vsctl add-port up --type external --team t1
t_check "add-port va" vsctl add-port va --type vm --devargs "$(vs_vm_devargs va)" --mac $MA
t_check "add-port va2" vsctl add-port va2 --type vm --devargs "$(vs_vm_devargs va2)" --mac $MA2
team_ok() {
	json_get "$(vsctl --json team-status)" "all(m['distributing'] for t in d['teams'] for m in t['members']) and len(d['teams'][0]['members']) == 2" | grep -q True
}
t_check "both members distributing" wait_until 10 team_ok
t_check "va pings far through the team" in_vm va ping -c 5 -i 0.2 -W 2 10.71.0.9

mac_port() { json_get "$(vsctl --json mac-table)" "([e['port'] for e in d['entries'] if e['mac']=='$1'] or ['none'])[0]"; }

# sniff_count VM MARKER: starts a sniffer in VM; sets SNIFF_PID, SNIFF_OUT.
sniff_start() {
	SNIFF_OUT=$VS_TMP/sniff-$1-$2.json
	rm -f "$VS_TMP/$1-$2.ready"
	in_vm "$1" "$PY" "$VMTOOL" sniff eth0 --marker "$2" --seconds 3 \
		--ready "$VS_TMP/$1-$2.ready" >"$SNIFF_OUT" &
	SNIFF_PID=$!
	wait_until 15 test -f "$VS_TMP/$1-$2.ready"
}
count_of() { json_get "$(cat "$1")" 'd["count"]'; }

# A broadcast from the physical network reaches both members: the VMs
# get it (one copy per member: duplicates are not filtered, see
# teamport_dp.c).
sniff_start va from-far; P1=$SNIFF_PID; O1=$SNIFF_OUT
in_vm far "$PY" "$VMTOOL" send eth0 --src-mac $MF --dst-mac ff:ff:ff:ff:ff:ff \
	--marker from-far --count 5 >/dev/null
wait $P1
t_check "a broadcast flooded to both members reaches va ($(count_of "$O1") for 5 sent)" \
	test "$(count_of "$O1")" -ge 5

# Our own broadcast goes out one member and comes back on the other:
# dropped there, so nothing sees it twice and no MAC moves.
sniff_start va2 from-va; P2=$SNIFF_PID; O2=$SNIFF_OUT
in_vm va "$PY" "$VMTOOL" send eth0 --src-mac $MA --dst-mac ff:ff:ff:ff:ff:ff \
	--marker from-va --count 5 >/dev/null
wait $P2
t_check "va2 sees va's broadcasts once, not their reflections ($(count_of "$O2") of 5)" \
	test "$(count_of "$O2")" = 5
t_check "va's MAC stays on va (not moved to the team by a reflection): $(mac_port $MA)" \
	test "$(mac_port $MA)" = va
t_check "va still pings far" in_vm va ping -c 3 -i 0.2 -W 2 10.71.0.9
t_summary
