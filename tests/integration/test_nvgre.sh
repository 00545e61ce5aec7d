#!/bin/bash
# Network virtualization across two hosts (issue 5): two vswitchd +
# controld pairs whose external ports are the ends of one veth underlay
# (af_packet), tenant VMs as namespaces on both.
#
#   host A (PA 192.168.50.1)             host B (PA 192.168.50.2)
#   a1 10.0.0.11  VSID 5001 tenant1      b1 10.0.0.12  VSID 5001 tenant1
#   a4 10.0.0.21  VSID 5001 tenant1      b3 10.0.1.14  VSID 5002 tenant1
#   a2 10.0.0.11  VSID 6001 tenant2      b2 10.0.0.12  VSID 6001 tenant2
#
#   1. The switches resolve each other's PA with ARP; pings cross the
#      underlay in each tenant and stay inside it (sniffers in the other
#      tenant's VMs); VMs of one VSID on one host are switched locally.
#   2. The VMs' ARP is answered from the lookup records (the virtual
#      gateway too) and never reaches the underlay.
#   3. Distributed routing 10.0.0.0/24 (5001) <-> 10.0.1.0/24 (5002):
#      routed at the source host, TTL decremented.
#   4. Broadcasts are replicated to the other host and to local ports of
#      the VSID only.
#   5. MTU: frames too big once encapsulated are dropped and counted;
#      1458 bytes fit and nv status reports inner MTU 1458.
#   6. A record moved to another PA (migration) takes effect on the next
#      packet; records imported while another tenant pings: no loss.
#   7. tshark decodes every tunnelled frame of the underlay capture as GRE
#      0x6558 with key VSID << 8 | FlowID and an untagged inner frame.
#   8. Bad input changes nothing.
#   9. IPv6 PAs on an underlay VLAN, IPv6 CAs: neighbor discovery on both
#      sides, tagged IPv6 tunnel frames.
#  10. kill -9 of a vswitchd: the tables come back by replay, traffic
#      resumes.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lib.sh"
vs_init "${1:?usage: test_nvgre.sh BUILD_DIR}"
trap vs_cleanup EXIT

MA1=02:00:00:50:00:11; MA4=02:00:00:50:00:21; MA2=02:00:00:60:00:11
MB1=02:00:00:50:00:12; MB3=02:00:00:50:01:14; MB2=02:00:00:60:00:12
PA_A=192.168.50.1; PA_B=192.168.50.2
GWMAC=02:76:73:67:77:01

ip link add "${VS_ID}ua" type veth peer name "${VS_ID}ub" ||
	vs_die "cannot create the underlay veth pair"
VS_LINKS+=("${VS_ID}ua")
for e in ua ub; do
	sysctl -qw "net.ipv6.conf.${VS_ID}$e.disable_ipv6=1"
	ip link set "${VS_ID}$e" up
done
vs_vm a1 10.0.0.11/24 $MA1
vs_vm a4 10.0.0.21/24 $MA4
vs_vm a2 10.0.0.11/24 $MA2
vs_vm b1 10.0.0.12/24 $MB1
vs_vm b2 10.0.0.12/24 $MB2
vs_vm b3 10.0.1.14/24 $MB3
in_vm a1 ip route add default via 10.0.0.1
in_vm b1 ip route add default via 10.0.0.1
in_vm b3 ip route add default via 10.0.1.1

# The whole underlay, from before the first frame: what each switch
# receives (af_packet sends bypassing the taps of its own interface).
for e in ua ub; do
	tcpdump -i "${VS_ID}$e" -U -w "$VS_TMP/underlay-$e.pcap" >"$VS_TMP/tcpdump-$e.log" 2>&1 &
	VS_PIDS+=($!)
	wait_until 5 grep -q listening "$VS_TMP/tcpdump-$e.log"
done

for s in A B; do
	vs_side $s
	vs_start_controld
	vs_start_vswitchd
	eval "${s}_VSWITCHD=$VSWITCHD_PID"
done

on() { vs_side "$1"; shift; vsctl "$@"; }
nvst() { json_get "$(on "$1" --json nv status)" "d['vswitchd']['dataplane']$2"; }
stats() { on "$1" --json port-stats; }
drop() { json_get "$(stats "$1")" "[p for p in d['ports'] if p['name']=='$2'][0]['stats']['drops'].get('$3', 0)"; }

on A add-port uplink --type external --devargs "net_af_packet,iface=${VS_ID}ua"
on B add-port uplink --type external --devargs "net_af_packet,iface=${VS_ID}ub"
for v in "a1 5001" "a4 5001" "a2 6001"; do
	set -- $v
	on A add-port "$1" --type vm --devargs "$(vs_vm_devargs "$1")" --vsid "$2"
done
for v in "b1 5001" "b2 6001" "b3 5002"; do
	set -- $v
	on B add-port "$1" --type vm --devargs "$(vs_vm_devargs "$1")" --vsid "$2"
done

# The same policy on both hosts but for the PA each host owns.
policy() {
	on "$1" nv add-record --vsid 5001 --ca 10.0.0.11 --mac $MA1 --pa $PA_A &&
	on "$1" nv add-record --vsid 5001 --ca 10.0.0.21 --mac $MA4 --pa $PA_A &&
	on "$1" nv add-record --vsid 5001 --ca 10.0.0.12 --mac $MB1 --pa $PA_B &&
	on "$1" nv add-record --vsid 5002 --ca 10.0.1.14 --mac $MB3 --pa $PA_B &&
	on "$1" nv add-record --vsid 6001 --ca 10.0.0.11 --mac $MA2 --pa $PA_A &&
	on "$1" nv add-record --vsid 6001 --ca 10.0.0.12 --mac $MB2 --pa $PA_B &&
	on "$1" nv add-route --rdid tenant1 --vsid 5001 --prefix 10.0.0.0/24 --next-hop 0.0.0.0 &&
	on "$1" nv add-route --rdid tenant1 --vsid 5002 --prefix 10.0.1.0/24 --next-hop 0.0.0.0 &&
	on "$1" nv add-route --rdid tenant2 --vsid 6001 --prefix 10.0.0.0/24 --next-hop 0.0.0.0
}
t_check "host A: add-pa $PA_A/24" on A nv add-pa --port uplink --address $PA_A/24
t_check "host B: add-pa $PA_B/24" on B nv add-pa --port uplink --address $PA_B/24
t_check "host A: records and customer routes" policy A
t_check "host B: records and customer routes" policy B

# ---- 1. underlay resolution, tenant traffic, isolation -------------------
resolved() { test "$(nvst "$1" "['peers']['ready']")" = 1; }
t_check "A resolved B's PA with ARP" wait_until 10 resolved A
t_check "B resolved A's PA with ARP" wait_until 10 resolved B
t_check "A's next hop $PA_B is at B's underlay MAC" test "$(nvst A \
	"['next_hops'][0]['address'], d['vswitchd']['dataplane']['next_hops'][0]['state'], d['vswitchd']['dataplane']['next_hops'][0]['mac']")" = \
	"('$PA_B', 'reachable', '$(cat /sys/class/net/${VS_ID}ub/address)')"

# sniff VM LOG: tcpdump of ICMP and UDP in VM; sniff_count LOG: frames seen.
SNIFF=()
sniff() { vs_vm_bg "$1" "$2.log" tcpdump -i eth0 -n -U -w "$2" icmp or udp; SNIFF+=("$VS_BG_PID"); }
sniff_wait() { wait_until 5 grep -q listening "$1.log"; }
sniff_stop() { local p; sleep 0.5; for p in "${SNIFF[@]}"; do vs_bg_stop "$p" INT; done; SNIFF=(); }
sniff_count() { tcpdump -r "$1" -n 2>/dev/null | grep -c "${2:-.}"; }

sniff a2 "$VS_TMP/a2.pcap"; sniff b2 "$VS_TMP/b2.pcap"
sniff_wait "$VS_TMP/a2.pcap"; sniff_wait "$VS_TMP/b2.pcap"
t_check "tenant 1: a1 (host A) pings b1 (host B), VSID 5001" \
	in_vm a1 ping -c 5 -i 0.2 -W 2 10.0.0.12
sniff_stop
t_check "tenant 2's VMs with the same addresses saw none of it (a2: $(sniff_count "$VS_TMP/a2.pcap"), b2: $(sniff_count "$VS_TMP/b2.pcap"))" \
	test "$(sniff_count "$VS_TMP/a2.pcap")$(sniff_count "$VS_TMP/b2.pcap")" = 00
sniff a1 "$VS_TMP/a1.pcap"; sniff b1 "$VS_TMP/b1.pcap"
sniff_wait "$VS_TMP/a1.pcap"; sniff_wait "$VS_TMP/b1.pcap"
t_check "tenant 2: a2 pings b2 at the same addresses, VSID 6001" \
	in_vm a2 ping -c 5 -i 0.2 -W 2 10.0.0.12
sniff_stop
t_check "tenant 1's VMs saw none of it" \
	test "$(sniff_count "$VS_TMP/a1.pcap")$(sniff_count "$VS_TMP/b1.pcap")" = 00
gre0=$(json_get "$(stats A)" "[p for p in d['ports'] if p['name']=='uplink'][0]['stats']['tx_packets']")
t_check "a1 pings a4 on the same host, VSID 5001" in_vm a1 ping -c 5 -i 0.2 -W 2 10.0.0.21
gre1=$(json_get "$(stats A)" "[p for p in d['ports'] if p['name']=='uplink'][0]['stats']['tx_packets']")
t_check "...switched locally: nothing sent on the underlay ($((gre1 - gre0)) frames)" \
	test $((gre1 - gre0)) -le 1

t_check "mac-table lists a1 and a4 learned in vsid 5001" bash -c \
	"$VSCTL_BIN --socket $VS_TMP/A/controld.sock mac-table | grep -i $MA4 | grep -q 'vsid 5001 .*a4'"

# ---- 2. ARP answered from the records ------------------------------------
t_check "a1 learned b1's MAC from the switch's answer" \
	bash -c "ip netns exec $VS_ID-a1 ip neigh show 10.0.0.12 | grep -qi $MB1"
in_vm a1 ping -c 1 -W 2 10.0.0.1 >/dev/null 2>&1
t_check "a1 resolved its gateway 10.0.0.1 to the virtual gateway MAC" \
	bash -c "ip netns exec $VS_ID-a1 ip neigh show 10.0.0.1 | grep -qi $GWMAC"
un0=$(drop A a1 nv-neigh-unanswered)
in_vm a1 arping -c 2 -w 3 10.0.0.99 >/dev/null 2>&1 ||
	in_vm a1 ping -c 2 -W 1 10.0.0.99 >/dev/null 2>&1
t_check "ARP for a CA without a record: no answer, counted" \
	test "$(drop A a1 nv-neigh-unanswered)" -gt "$un0"

# ---- 3. distributed routing ----------------------------------------------
out=$(in_vm a1 ping -c 3 -i 0.2 -W 2 10.0.1.14 2>&1)
t_check "routing: a1 (10.0.0.11, VSID 5001, A) pings b3 (10.0.1.14, VSID 5002, B)" \
	grep -q " 0% packet loss" <<<"$out"
t_check "...the reply was routed once: TTL 63" grep -q "ttl=63" <<<"$out"
t_check "routing domains do not leak: a2 (tenant 2) cannot reach 10.0.1.14" \
	bash -c "! ip netns exec $VS_ID-a2 ping -c 2 -W 1 -I eth0 10.0.1.14 >/dev/null 2>&1"

# ---- 4. broadcast replication --------------------------------------------
for v in a4 b1 a2 b2 b3; do sniff $v "$VS_TMP/bc-$v.pcap"; done
for v in a4 b1 a2 b2 b3; do sniff_wait "$VS_TMP/bc-$v.pcap"; done
in_vm a1 "$PY" -c "
from scapy.all import Ether, IP, UDP, Raw, sendp
sendp([Ether(src='$MA1', dst='ff:ff:ff:ff:ff:ff')/IP(src='10.0.0.11', dst='10.0.0.255')/UDP(sport=9999, dport=9999)/Raw(b'bcast%d' % i) for i in range(3)], iface='eth0', verbose=False)"
sniff_stop
n=""; for v in a4 b1 a2 b2 b3; do n="$n $v=$(sniff_count "$VS_TMP/bc-$v.pcap" 9999)"; done
t_check "3 broadcasts in VSID 5001 reach a4 (local) and b1 (remote) only:$n" \
	test "$n" = " a4=3 b1=3 a2=0 b2=0 b3=0"

# ---- 5. MTU ---------------------------------------------------------------
t_check "nv status: inner MTU 1458 for an IPv4 PA on a 1500-byte underlay" \
	test "$(nvst A "['inner_mtu']")" = 1458
t_check "show reports the inner MTU" grep -q "inner MTU 1458" <<<"$(on A show)"
t_check "1458-byte packets fit: ping -s 1430 -M do" \
	in_vm a1 ping -c 2 -i 0.2 -W 2 -M do -s 1430 10.0.0.12
m0=$(drop A a1 nv-mtu-exceeded)
in_vm a1 ping -c 3 -i 0.2 -W 1 -M do -s 1472 10.0.0.12 >/dev/null 2>&1
m1=$(drop A a1 nv-mtu-exceeded)
t_check "1500-byte packets: dropped and counted nv-mtu-exceeded ($((m1 - m0)))" \
	test $((m1 - m0)) -ge 3

# ---- 6. changes under traffic ---------------------------------------------
vs_vm_bg a2 "$VS_TMP/steady.txt" ping -i 0.01 -c 500 -W 1 10.0.0.12
STEADY=$VS_BG_PID
sleep 0.5
"$PY" - "$VS_TMP/import.json" <<'EOF'
import json, sys
recs = [{"vsid": 7001, "ca": "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255),
         "mac": "02:70:%02x:%02x:%02x:%02x" % (i >> 24, (i >> 16) & 255, (i >> 8) & 255, i & 255),
         "pa": "192.168.50.%d" % (3 + i % 200)} for i in range(1, 10001)]
json.dump({"records": recs}, open(sys.argv[1], "w"))
EOF
t_check "host A: 10,000 records imported while tenant 2 pings" on A nv import "$VS_TMP/import.json"
u0=$(drop A a1 nv-pa-unresolved)
t_check "b1's record moved to PA 192.168.50.9 (migration)" on A nv add-record \
	--vsid 5001 --ca 10.0.0.12 --mac $MB1 --pa 192.168.50.9
t_check_not "...the next packets go to the new PA: b1 unreachable from a1" \
	in_vm a1 ping -c 2 -i 0.2 -W 1 10.0.0.12
t_check "...counted as nv-pa-unresolved (no host answers ARP for it)" \
	test "$(drop A a1 nv-pa-unresolved)" -gt "$u0"
t_check "record moved back" on A nv add-record --vsid 5001 --ca 10.0.0.12 --mac $MB1 --pa $PA_B
t_check "...a1 reaches b1 again" in_vm a1 ping -c 2 -i 0.2 -W 2 10.0.0.12
wait "$STEADY" 2>/dev/null
t_check "tenant 2's 500 pings at 10 ms meanwhile: 0% loss" grep -q " 0% packet loss" "$VS_TMP/steady.txt"

# ---- 7. the underlay, read by tshark ---------------------------------------
sleep 0.5
T="$VS_TMP/underlay.pcap"
mergecap -w "$T" "$VS_TMP/underlay-ua.pcap" "$VS_TMP/underlay-ub.pcap" 2>/dev/null ||
	cat "$VS_TMP/underlay-ua.pcap" >"$T"
gre=$(tshark -r "$T" -Y gre -T fields -e gre.proto -e gre.key -e vlan.id -e gre.flags.key 2>/dev/null)
t_check "the underlay carried tunnelled frames ($(wc -l <<<"$gre"))" test "$(wc -l <<<"$gre")" -gt 20
bad=$("$PY" -c '
import sys
bad = 0
for line in sys.stdin.read().splitlines():
    f = line.split("\t")
    proto, key, vlan = int(f[0], 0), int(f[1], 0), f[2]
    if proto != 0x6558 or (key >> 8) not in (5001, 5002, 6001) or vlan:
        bad += 1
print(bad)' <<<"$gre")
t_check "every one: GRE protocol 0x6558, key = VSID << 8 | FlowID, untagged ($bad bad)" test "$bad" = 0
arp=$(tshark -r "$T" -Y arp -T fields -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 2>/dev/null | sort -u)
t_check "no ARP from a VM on the underlay, only between the PAs: $(tr '\n\t' ', ' <<<"$arp")" \
	bash -c "! grep -q '10\.0\.' <<<'$arp' && grep -q '$PA_A' <<<'$arp'"
icmp=$(tshark -r "$T" -Y "gre && icmp" -T fields -e ip.src 2>/dev/null | tr '\n' ' ')
t_check "tshark decodes the inner IPv4/ICMP of the tunnelled pings" grep -q "10.0.0.11" <<<"$icmp"

# ---- 9. IPv6 PAs on VLAN 100, IPv6 CAs ----------------------------------
# a6 (host A) and b6 (host B) in VSID 8001: IPv6 provider addresses on the
# underlay's VLAN 100 (resolved with neighbor discovery), the VMs' own
# neighbor solicitations answered from the records.
MA6=02:00:00:80:00:11; MB6=02:00:00:80:00:12
vs_vm a6 "" $MA6
vs_vm b6 "" $MB6
for v in a6:11 b6:12; do
	in_vm ${v%:*} sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0
	in_vm ${v%:*} ip addr add fd00:8::${v#*:}/64 dev eth0 nodad
done
on A add-port a6 --type vm --devargs "$(vs_vm_devargs a6)" --vsid 8001
on B add-port b6 --type vm --devargs "$(vs_vm_devargs b6)" --vsid 8001
t_check "host A: IPv6 PA fd50::1/64 on VLAN 100" on A nv add-pa --port uplink --address fd50::1/64 --vlan 100
t_check "host B: IPv6 PA fd50::2/64 on VLAN 100" on B nv add-pa --port uplink --address fd50::2/64 --vlan 100
for s in A B; do
	on $s nv add-record --vsid 8001 --ca fd00:8::11 --mac $MA6 --pa fd50::1
	on $s nv add-record --vsid 8001 --ca fd00:8::12 --mac $MB6 --pa fd50::2
	on $s nv add-route --rdid tenant3 --vsid 8001 --prefix fd00:8::/64 --next-hop ::
done
t_check "A resolved fd50::2 with neighbor discovery on VLAN 100" wait_until 10 bash -c \
	"$VSCTL_BIN --socket $VS_TMP/A/controld.sock --json nv status | grep -q '\"ready\": 2'"
t_check "a6 pings b6 over IPv6 PAs (ping -6 fd00:8::12)" in_vm a6 ping -6 -c 5 -i 0.2 -W 2 fd00:8::12
t_check "a6 learned b6's MAC from the switch's neighbor advertisement" \
	bash -c "ip netns exec $VS_ID-a6 ip -6 neigh show fd00:8::12 | grep -qi $MB6"
# tcpdump may still be writing (slow under the sanitizers): wait until
# the captures hold the pings' tunnel frames.
v6_captured() {
	mergecap -w "$T" "$VS_TMP/underlay-ua.pcap" "$VS_TMP/underlay-ub.pcap" 2>/dev/null &&
	[ "$(tshark -r "$T" -Y "ipv6 && gre" 2>/dev/null | wc -l)" -ge 8 ]
}
wait_until 10 v6_captured
v6=$(tshark -r "$T" -Y "ipv6 && gre" -T fields -e vlan.id -e gre.key -e gre.proto 2>/dev/null |
	"$PY" -c '
import sys
rows = [l.split("\t") for l in sys.stdin.read().splitlines()]
ok = all(r[0] == "100" and int(r[1], 0) >> 8 == 8001 and int(r[2], 0) == 0x6558 for r in rows)
print(len(rows), ok)')
t_check "tshark: the IPv6 tunnel frames are tagged 100, key 8001 << 8 | FlowID ($v6)" \
	bash -c "[ '${v6% *}' -ge 8 ] && [ '${v6#* }' = True ]"
nd=$(tshark -r "$T" -Y "icmpv6.type == 135 || icmpv6.type == 136" -T fields -e ipv6.src 2>/dev/null | sort -u | tr '\n' ' ')
t_check "no neighbor discovery of the VMs on the underlay, only the PAs' ($nd)" \
	bash -c "! grep -q 'fd00:8' <<<'$nd' && grep -q 'fd50::' <<<'$nd'"

# ---- 10. kill -9 of vswitchd: controld replays the tables -----------------
vs_side A
vs_stop "$A_VSWITCHD" KILL
vs_start_vswitchd
ping1() { in_vm a1 ping -c 1 -W 1 10.0.0.12; }
t_check "host A's vswitchd killed -9 and restarted: a1 reaches b1 again within 15 s" wait_until 15 ping1
t_check "...the replayed tables are controld's (in sync)" test "$(json_get "$(on A --json nv status)" "d['in_sync']")" = True
t_check "...routing works again" in_vm a1 ping -c 2 -i 0.2 -W 2 10.0.1.14

# ---- 8. bad input ---------------------------------------------------------
before=$(on A --json nv status)
expect_err() { local out; out=$(on A nv "${@:2}" 2>&1) && return 1; grep -qF -- "$1" <<<"$out"; }
t_check "VSID out of range refused" expect_err "--vsid: 4095 is out of range" \
	add-record --vsid 4095 --ca 10.0.0.13 --mac 02:00:00:00:00:13 --pa $PA_B
t_check "a record whose PA is not routable refused" expect_err "--pa: 172.16.0.1" \
	add-record --vsid 5001 --ca 10.0.0.13 --mac 02:00:00:00:00:13 --pa 172.16.0.1
t_check "a malformed prefix refused" expect_err "--prefix: 10.9.0.1/16" \
	add-route --rdid tenant1 --vsid 5001 --prefix 10.9.0.1/16 --next-hop 0.0.0.0
printf '{"records": [{"vsid": 5001, "ca": "10.0.0.40", "mac": "02:00:00:00:00:40", "pa": "%s"}, {"vsid": 5001, "ca": "10.0.0.40", "mac": "02:00:00:00:00:41", "pa": "%s"}]}' $PA_B $PA_B >"$VS_TMP/dup.json"
t_check_not "an import with a duplicate record refused" on A nv import "$VS_TMP/dup.json"
t_check "...nothing changed" test "$(json_get "$(on A --json nv status)" "d['vswitchd']['records']")" = \
	"$(json_get "$before" "d['vswitchd']['records']")"
t_check "tenant traffic unaffected" in_vm a1 ping -c 2 -i 0.2 -W 2 10.0.0.12

t_summary
