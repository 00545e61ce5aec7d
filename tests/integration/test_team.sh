#!/bin/bash
# NIC teams in vswitchd (issue 6): two switches teamed back to back over
# two veth pairs (af_packet members), each with VMs behind it.
#   1. LACP fast/active forms within 3 s; 16 TCP flows use both members
#      and LACP holds under that load; a member's veth taken down moves
#      all traffic to the other (failover time and loss measured with
#      pings every 10 ms); brought back, both members distribute again.
#   2. tshark decodes the captured LACPDUs: actor system, key, port and
#      state bits as team-status reports them.
#   3. Switch-independent (hyperv-port): after a failover the peer
#      receives a RARP for the VM whose member failed, on the other one.
#   4. Interop with Open vSwitch (userspace datapath, LACP bond,
#      balance-tcp): lacp/show reports both members current, collecting
#      and distributing on both ends; pings cross the bond.
#   5. Bad input with the real vswitchd changes nothing.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lib.sh"
vs_init "${1:?usage: test_team.sh BUILD_DIR}"
trap vs_cleanup EXIT

MA=02:00:00:00:70:01; MA2=02:00:00:00:70:03; MB=02:00:00:00:70:02
IPB=10.70.0.2

# Two veth pairs: ends aN belong to switch A, bN to switch B.
for i in 1 2; do
	ip link add "${VS_ID}a$i" type veth peer name "${VS_ID}b$i" ||
		vs_die "cannot create veth pairs"
	VS_LINKS+=("${VS_ID}a$i")
	for e in a b; do
		sysctl -qw "net.ipv6.conf.${VS_ID}$e$i.disable_ipv6=1"
		ip link set "${VS_ID}$e$i" up
	done
done
vs_vm va 10.70.0.1/24 $MA
vs_vm va2 10.70.0.3/24 $MA2
vs_vm vb $IPB/24 $MB

for s in A B; do
	vs_side $s
	vs_start_controld
	eval "${s}_CONTROLD=$CONTROLD_PID"
	vs_start_vswitchd
	eval "${s}_VSWITCHD=$VSWITCHD_PID"
done
A_LOG=$VS_TMP/A/vswitchd.log

on() { vs_side "$1"; shift; vsctl "$@"; }
members() { local l; l=$(tr AB ab <<<"$1"); echo "--member net_af_packet,iface=${VS_ID}${l}1 --member net_af_packet,iface=${VS_ID}${l}2"; }
# team_ok SIDE: every member of every team selected, collecting, distributing.
team_ok() {
	json_get "$(on "$1" --json team-status)" "all(m['selected'] and m['collecting'] and m['distributing'] for t in d['teams'] for m in t['members']) and len(d['teams']) > 0" | grep -q True
}
both_ok() { team_ok A && team_ok B; }
# member_tx SIDE I: frames member I of the first team sent.
member_tx() { json_get "$(on "$1" --json team-status)" "d['teams'][0]['members'][$2]['tx_frames']"; }
member_field() { json_get "$(on "$1" --json team-status)" "d['teams'][0]['members'][$2]$3"; }
ms_now() { echo $(( $(date +%s%N) / 1000000 )); }

# ---- 1. LACP between two vswitchd --------------------------------------
on A add-team t1 $(members A) --mode lacp --lb address-hash --lacp-rate fast
on B add-team t1 $(members B) --mode lacp --lb address-hash --lacp-rate fast
t_check "A: add-port up --team t1" on A add-port up --type external --team t1
on A add-port va --type vm --devargs "$(vs_vm_devargs va)" --mac $MA
on A add-port va2 --type vm --devargs "$(vs_vm_devargs va2)" --mac $MA2
on B add-port vb --type vm --devargs "$(vs_vm_devargs vb)" --mac $MB
t0=$(ms_now)
t_check "B: add-port up --team t1" on B add-port up --type external --team t1
wait_until 10 both_ok; formed=$(( $(ms_now) - t0 ))
echo "# LACP aggregation formed in $formed ms"
t_check "aggregation formed within 3 s on both sides ($formed ms)" test "$formed" -le 3000
st=$(on A --json team-status t1)
t_check "team-status: status up, port up, mode lacp" test "$(json_get "$st" \
	"(d['teams'][0]['status'], d['teams'][0]['port'], d['teams'][0]['mode'])")" = "('up', 'up', 'lacp')"
t_check "team-status: actor state bits spelled out" test "$(json_get "$st" \
	"d['teams'][0]['members'][0]['actor']['state']")" = \
	"['activity', 'timeout', 'aggregation', 'synchronization', 'collecting', 'distributing']"
A_SYS=$(json_get "$st" "d['teams'][0]['members'][0]['actor']['system']")
B_SYS=$(json_get "$(on B --json team-status t1)" "d['teams'][0]['members'][0]['actor']['system']")
t_check "A's partner is B's system ($B_SYS)" test "$(json_get "$st" \
	"d['teams'][0]['members'][1]['partner']['system']")" = "$B_SYS"
t_check "A's system is its first member's MAC" test "$A_SYS" = \
	"$(cat /sys/class/net/${VS_ID}a1/address)"
human=$(on A team-status t1)
t_check "team-status human form" grep -q "member net_af_packet,iface=${VS_ID}a1: link up, selected, collecting, distributing" <<<"$human"
t_check "port-stats lists the team port only, not its members" test "$(json_get \
	"$(on A --json port-stats)" "sorted(p['name'] for p in d['ports'])")" = "['up', 'va', 'va2']"
t_check "queues shows the members' queues as up[0], up[1]" bash -c \
	"$VSCTL_BIN --socket $VS_TMP/A/controld.sock queues | grep -q 'up\[1\]'"
t_check "ping va -> vb across the team" in_vm va ping -c 3 -i 0.2 -W 2 $IPB

# 16 TCP flows: both members carry them, and LACP holds under the load.
tx0=$(member_tx A 0); tx1=$(member_tx A 1)
vs_vm_bg vb "$VS_TMP/iperf-s.log" iperf3 -s -1
IPERF_S=$VS_BG_PID
sleep 0.5
in_vm va iperf3 -c $IPB -P 16 -t 3 -b 20M >"$VS_TMP/iperf.log" 2>&1
t_check "iperf3 -P 16 va -> vb ran" test $? -eq 0
vs_bg_stop "$IPERF_S"
d0=$(( $(member_tx A 0) - tx0 )); d1=$(( $(member_tx A 1) - tx1 ))
echo "# 16 flows: member 0 sent $d0 frames, member 1 sent $d1"
t_check "16 flows use member 0 ($d0 frames)" test "$d0" -gt 500
t_check "16 flows use member 1 ($d1 frames)" test "$d1" -gt 500
t_check "LACP held under the load: both sides still up" both_ok
t_check "load_share reported" test "$(json_get "$(on A --json team-status)" \
	"abs(sum(m['load_share'] for m in d['teams'][0]['members']) - 1) < 0.01")" = True

# Which member carries va's pings (ICMP hashes on the IP addresses)?
tx0=$(member_tx A 0); tx1=$(member_tx A 1)
in_vm va ping -c 20 -i 0.01 -q $IPB >/dev/null
d0=$(( $(member_tx A 0) - tx0 )); d1=$(( $(member_tx A 1) - tx1 ))
if [ "$d0" -ge "$d1" ]; then X=0; Y=1; else X=1; Y=0; fi
DEV=${VS_ID}a$((X + 1))
echo "# va's pings leave by member $X ($DEV)"

# Failover: take that member's veth down while va pings every 10 ms.
in_vm va ping -D -i 0.01 -c 400 -W 1 $IPB >"$VS_TMP/failover.txt" 2>&1 &
PING=$!
sleep 1
ip link set "$DEV" down
wait $PING
read -r lost sent gap < <("$PY" - "$VS_TMP/failover.txt" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
stamps = [float(t) for t in re.findall(r'^\[(\d+\.\d+)\] \d+ bytes from', text, re.M)]
m = re.search(r'(\d+) packets transmitted, (\d+) received', text)
sent, got = int(m.group(1)), int(m.group(2))
gaps = [b - a for a, b in zip(stamps, stamps[1:])]
print(sent - got, sent, int(round(max(gaps) * 1000)) if gaps else -1)
EOF
)
echo "# failover: $lost of $sent pings lost, longest gap between replies ${gap} ms"
t_check "failover lost few pings ($lost of $sent, gap $gap ms)" test "$lost" -le 30
st=$(on A --json team-status t1)
t_check "A: member $X link down, not distributing; team degraded" test "$(json_get "$st" \
	"(d['teams'][0]['members'][$X]['link'], d['teams'][0]['members'][$X]['distributing'], d['teams'][0]['status'])")" = \
	"('down', False, 'degraded')"
t_check "B: its member $X saw the carrier go" test "$(member_field B $X "['link']")" = down
t_check "A logged the failover" grep -q "team t1: member $X (net_af_packet,iface=$DEV) stops distributing" "$A_LOG"
txX=$(member_tx A $X); txY=$(member_tx A $Y)
vs_vm_bg vb "$VS_TMP/iperf-s2.log" iperf3 -s -1
IPERF_S=$VS_BG_PID
sleep 0.5
in_vm va iperf3 -c $IPB -P 16 -t 2 -b 20M >"$VS_TMP/iperf2.log" 2>&1
t_check "iperf3 -P 16 after the failover ran" test $? -eq 0
vs_bg_stop "$IPERF_S"
dX=$(( $(member_tx A $X) - txX )); dY=$(( $(member_tx A $Y) - txY ))
t_check "all 16 flows on member $Y ($dY frames), none on member $X ($dX)" \
	test "$dX" -eq 0 -a "$dY" -gt 500

# Back up: both members distribute again on both sides.
t0=$(ms_now)
ip link set "$DEV" up
wait_until 15 both_ok; back=$(( $(ms_now) - t0 ))
echo "# member $X back: both members distributing again after $back ms"
t_check "link back: both members distributing on both sides ($back ms)" both_ok
tx0=$(member_tx A 0); tx1=$(member_tx A 1)
vs_vm_bg vb "$VS_TMP/iperf-s3.log" iperf3 -s -1
IPERF_S=$VS_BG_PID
sleep 0.5
in_vm va iperf3 -c $IPB -P 16 -t 2 -b 20M >"$VS_TMP/iperf3.log" 2>&1
vs_bg_stop "$IPERF_S"
d0=$(( $(member_tx A 0) - tx0 )); d1=$(( $(member_tx A 1) - tx1 ))
t_check "...and the flows use both again ($d0, $d1 frames)" test "$d0" -gt 500 -a "$d1" -gt 500

# ---- 2. LACPDUs on the wire, decoded by tshark -------------------------
A1_MAC=$(cat /sys/class/net/${VS_ID}a1/address)
timeout 6 tcpdump -i "${VS_ID}b1" -w "$VS_TMP/lacp.pcap" -c 3 \
	"ether proto 0x8809 and ether src $A1_MAC" >/dev/null 2>&1
fields=$(tshark -r "$VS_TMP/lacp.pcap" -Y lacp -T fields -E separator=' ' \
	-e lacp.actor.sysid -e lacp.actor.key -e lacp.actor.port \
	-e lacp.actor.state -e lacp.partner.sysid -e lacp.partner.port 2>/dev/null | head -n 1)
echo "# first LACPDU from A's member 0: $fields"
read -r sysid key port state psys pport <<<"$fields"
t_check "tshark: LACPDUs captured and decoded as LACP" test -n "$fields"
t_check "tshark: actor system $sysid is A's ($A_SYS)" test "$sysid" = "$A_SYS"
t_check "tshark: actor key 1, port 1" test "$key $port" = "1 1"
t_check "tshark: actor state 0x3f (activity, short timeout, aggregation, sync, collecting, distributing)" \
	test "$(( state ))" -eq $(( 0x3f ))
t_check "tshark: partner is B's system, port 1" test "$psys $pport" = "$B_SYS 1"
t_check "tshark: state bits named as team-status names them" bash -c \
	"tshark -r $VS_TMP/lacp.pcap -Y lacp -V 2>/dev/null | grep -q 'LACP Activity: Active'"

# ---- 3. Switch-independent, hyperv-port: announcements ------------------
for s in A B; do
	on $s del-port up >/dev/null
	on $s del-team t1 >/dev/null
	on $s add-team t1 $(members $s) --mode switch-independent --lb hyperv-port >/dev/null
	on $s add-port up --type external --team t1 >/dev/null
done
t_check "switch-independent teams up on both sides" wait_until 5 both_ok
t_check "ping va -> vb" in_vm va ping -c 3 -i 0.2 -W 2 $IPB
t_check "ping va2 -> vb" in_vm va2 ping -c 3 -i 0.2 -W 2 $IPB
tx0=$(member_tx A 0); tx1=$(member_tx A 1)
in_vm va ping -c 20 -i 0.01 -q $IPB >/dev/null
d0=$(( $(member_tx A 0) - tx0 )); d1=$(( $(member_tx A 1) - tx1 ))
if [ "$d0" -ge "$d1" ]; then X=0; Y=1; else X=1; Y=0; fi
echo "# hyperv-port: va is bound to member $X ($d0, $d1 frames)"
t_check "hyperv-port: va's frames leave by one member only" \
	test $(( d0 < d1 ? d0 : d1 )) -le 2 -a $(( d0 > d1 ? d0 : d1 )) -ge 20
timeout 8 tcpdump -i "${VS_ID}b$((Y + 1))" -w "$VS_TMP/rarp.pcap" -c 1 \
	"rarp and ether src $MA" >/dev/null 2>&1 &
DUMP=$!
sleep 1.5
ip link set "${VS_ID}a$((X + 1))" down
wait $DUMP
rarp=$(tshark -r "$VS_TMP/rarp.pcap" -T fields -e eth.src -e arp.opcode -e arp.src.hw_mac 2>/dev/null | head -n 1)
echo "# announcement seen on B's member $Y: $rarp"
t_check "B received a RARP for va ($MA) on member $Y" test "$rarp" = "$(printf '%s\t3\t%s' $MA $MA)"
t_check "A counted its announcements" test "$(json_get "$(on A --json team-status)" "d['teams'][0]['announcements']")" -ge 1
t_check "ping va -> vb after the failover" in_vm va ping -c 3 -i 0.2 -W 2 $IPB
ip link set "${VS_ID}a$((X + 1))" up
t_check "member $X back on both sides" wait_until 5 both_ok

# Static teams balancing dynamically: flowlets spread 16 flows too.
for s in A B; do
	on $s del-port up >/dev/null
	on $s del-team t1 >/dev/null
	on $s add-team t1 $(members $s) --mode static --lb dynamic >/dev/null
	on $s add-port up --type external --team t1 >/dev/null
done
t_check "static teams with dynamic balancing up on both sides" wait_until 5 both_ok
tx0=$(member_tx A 0); tx1=$(member_tx A 1)
vs_vm_bg vb "$VS_TMP/iperf-s4.log" iperf3 -s -1
IPERF_S=$VS_BG_PID
sleep 0.5
in_vm va iperf3 -c $IPB -P 16 -t 2 -b 20M >"$VS_TMP/iperf4.log" 2>&1
t_check "iperf3 -P 16 over dynamic balancing ran" test $? -eq 0
vs_bg_stop "$IPERF_S"
d0=$(( $(member_tx A 0) - tx0 )); d1=$(( $(member_tx A 1) - tx1 ))
echo "# dynamic: member 0 sent $d0 frames, member 1 sent $d1"
t_check "dynamic: both members carry flows ($d0, $d1 frames)" test "$d0" -gt 500 -a "$d1" -gt 500
t_check "dynamic: nothing dropped for want of a member" test "$(json_get \
	"$(on A --json port-stats up)" "d['ports'][0]['stats']['drops']['team-no-member']")" = 0

# ---- 5. Bad input with the real vswitchd -------------------------------
vs_side A
cfg_before=$(sha256sum <"$VS_CONFIG")
err=$(vsctl add-team t9 --member "net_af_packet,iface=${VS_ID}a1" --mode static --lb dynamic 2>&1)
t_check "a member in two teams is refused: $err" grep -q "already a member of team t1" <<<"$err"
err=$(vsctl add-port up9 --type external --team nosuch 2>&1)
t_check "a port of an unknown team is refused: $err" grep -q "team nosuch does not exist" <<<"$err"
err=$(vsctl add-team t9 --member "net_af_packet,iface=${VS_ID}zz" --mode static --lb address-hash --lacp-rate fast 2>&1)
t_check "LACP options on a static team are refused: $err" grep -q "lacp-rate: only with mode lacp" <<<"$err"
err=$(vsctl team-status nosuch 2>&1)
t_check "team-status of an unknown team: $err" grep -q "team nosuch does not exist" <<<"$err"
t_check "...nothing changed" test "$cfg_before" = "$(sha256sum <"$VS_CONFIG")"
t_check "...and the team still runs" team_ok A

# ---- 4. Interop with Open vSwitch --------------------------------------
"$ROOT/scripts/deps.sh" openvswitch-switch >/dev/null 2>&1
on A del-port up >/dev/null
on A del-team t1 >/dev/null
OVSNS=$VS_ID-ovs
OVSD=$VS_TMP/ovs
mkdir -p "$OVSD"
ip netns add "$OVSNS" && VS_NETNS+=("$OVSNS")
ip netns exec "$OVSNS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$OVSNS" link set lo up
for i in 1 2; do
	ip link add "${VS_ID}c$i" type veth peer name "o$i" netns "$OVSNS"
	VS_LINKS+=("${VS_ID}c$i")
	sysctl -qw "net.ipv6.conf.${VS_ID}c$i.disable_ipv6=1"
	ip link set "${VS_ID}c$i" up
	ip -n "$OVSNS" link set "o$i" up
done
export OVS_RUNDIR=$OVSD OVS_DBDIR=$OVSD OVS_LOGDIR=$OVSD OVS_SYSCONFDIR=$OVSD
ovs() { ovs-vsctl --db="unix:$OVSD/db.sock" --timeout=20 "$@"; }
appctl() { ovs-appctl -t "$OVSD/ovs-vswitchd.ctl" --timeout=20 "$@"; }
ovsdb-tool create "$OVSD/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$OVSD/conf.db" --remote="punix:$OVSD/db.sock" \
	--pidfile="$OVSD/ovsdb-server.pid" --unixctl="$OVSD/ovsdb-server.ctl" \
	--log-file="$OVSD/ovsdb-server.log" --detach
VS_PIDS+=("$(cat "$OVSD/ovsdb-server.pid")")
ovs --no-wait init
ip netns exec "$OVSNS" ovs-vswitchd "unix:$OVSD/db.sock" \
	--pidfile="$OVSD/ovs-vswitchd.pid" --unixctl="$OVSD/ovs-vswitchd.ctl" \
	--log-file="$OVSD/ovs-vswitchd.log" --detach
t_check "ovs-vswitchd started" wait_until 10 test -s "$OVSD/ovs-vswitchd.pid"
VS_PIDS+=("$(cat "$OVSD/ovs-vswitchd.pid")")
ovs add-br br0 -- set bridge br0 datapath_type=netdev
ovs add-bond br0 bond0 o1 o2 lacp=active bond_mode=balance-tcp \
	other_config:lacp-time=fast
ip -n "$OVSNS" link set br0 up
ip -n "$OVSNS" addr add 10.70.0.50/24 dev br0
on A add-team t2 --member "net_af_packet,iface=${VS_ID}c1" \
	--member "net_af_packet,iface=${VS_ID}c2" --mode lacp --lb address-hash \
	--lacp-rate fast >/dev/null
t0=$(ms_now)
t_check "A: add-port ovsup --team t2" on A add-port ovsup --type external --team t2
# lacp/show: "member: o1: current attached" and its actor state.
ovs_members_ok() {
	appctl lacp/show bond0 >"$OVSD/lacp.txt" 2>&1 || return 1
	"$PY" - "$OVSD/lacp.txt" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
ok = 0
for name in ("o1", "o2"):
    m = re.search(r'member: %s: ([^\n]*)\n(.*?)(?=\nmember: |\Z)' % name, text, re.S)
    if not m or 'current' not in m.group(1):
        sys.exit(1)
    actor = re.search(r'actor state: (.*)', m.group(2))
    partner = re.search(r'partner state: (.*)', m.group(2))
    for s in (actor, partner):
        if not s or 'collecting' not in s.group(1) or 'distributing' not in s.group(1):
            sys.exit(1)
sys.exit(0)
EOF
}
wait_until 40 ovs_members_ok; ovs_ms=$(( $(ms_now) - t0 ))
echo "# OVS lacp/show after $ovs_ms ms:"; sed 's/^/#   /' "$OVSD/lacp.txt"
t_check "OVS lacp/show: both members current, collecting, distributing ($ovs_ms ms)" ovs_members_ok
t_check "OVS bond/show: lacp_status negotiated" bash -c \
	"ovs-appctl -t $OVSD/ovs-vswitchd.ctl bond/show bond0 | grep -q 'lacp_status: negotiated'"
t_check "vswitchd: both members to OVS distributing" wait_until 10 team_ok A
t_check "A's partner is OVS's system" test "$(json_get "$(on A --json team-status t2)" \
	"d['teams'][0]['members'][0]['partner']['system']")" = \
	"$(grep -m1 'sys_id:' "$OVSD/lacp.txt" | awk '{print $2}')"
t_check "ping va -> OVS's bridge across the bond" in_vm va ping -c 5 -i 0.2 -W 2 10.70.0.50

t_summary
