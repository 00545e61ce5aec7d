#!/bin/bash
# Port policies (issue 4) with real peers: namespaces as VMs, and in them
# dnsmasq, udhcpc, radvd, iperf3, tcpdump and scapy (vmtool.py).
#
#   vm1 10.70.0.1, vm2 10.70.0.2, vm3 10.70.0.3: vm ports, MACs configured
#   far 10.70.0.100: behind "uplink", an external port (af_packet)
#
# Each scenario is one function, run in this order: spoof dhcp router
# storm mirror cable bandwidth weights persist.  ONLY=dhcp (or a list,
# ONLY=dhcp,router) runs only those, on the same set-up:
#   ONLY=dhcp bash tests/integration/test_policy.sh build
# (meson: meson test -C build --suite integration policy; the unit tests
# have a "policy" too).  Every scenario asserts what the policy changes
# and, with the policy off, that the peer really works; it leaves every
# policy it set back at its default.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
vs_init "${1:?usage: test_policy.sh BUILD_DIR}"
trap vs_cleanup EXIT
VMTOOL=$HERE/vmtool.py
T=$VS_TMP

SCENARIOS="spoof dhcp router storm mirror cable bandwidth weights persist"
ONLY=${ONLY:-}
for s in ${ONLY//,/ }; do
	case " $SCENARIOS " in *" $s "*) ;; *) vs_die "ONLY: no scenario '$s' (have: $SCENARIOS)" ;; esac
done

M1=02:00:00:00:70:01; M2=02:00:00:00:70:02; M3=02:00:00:00:70:03
MFAR=02:00:00:00:70:64
MX=02:00:00:00:70:ee            # a MAC nobody owns: the forged source
IP1=10.70.0.1; IP2=10.70.0.2; IP3=10.70.0.3; IPFAR=10.70.0.100

vs_start_controld
vs_start_vswitchd
vs_vm vm1 $IP1/24 $M1
vs_vm vm2 $IP2/24 $M2
vs_vm vm3 $IP3/24 $M3
vs_vm far $IPFAR/24 $MFAR
for i in 1 2 3; do
	eval "mac=\$M$i"
	vsctl add-port vm$i --type vm --devargs "$(vs_vm_devargs vm$i)" \
		--mac "$mac" || vs_die "add-port vm$i"
done
vsctl add-port uplink --type external --devargs "$(vs_vm_devargs far)" ||
	vs_die "add-port uplink"

# --- helpers -------------------------------------------------------------

num() { [[ ${1:-} =~ ^-?[0-9]+$ ]]; }
gt() { num "$1" && [ "$1" -gt "$2" ]; }
eq() { num "$1" && [ "$1" -eq "$2" ]; }
between() { num "$1" && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# fbetween X LO HI: LO <= X <= HI for decimals.
fbetween() { "$PY" -c 'import sys; x, lo, hi = map(float, sys.argv[1:]); sys.exit(not lo <= x <= hi)' "$@" 2>/dev/null; }
fgt() { "$PY" -c 'import sys; x, y = map(float, sys.argv[1:]); sys.exit(not x > y)' "$@" 2>/dev/null; }

# vm_ping VM PING-ARGS...: quiet; prints ping's loss line when it fails.
vm_ping() {
	local vm=$1 out; shift
	out=$(in_vm "$vm" ping -q "$@" 2>&1) && return 0
	grep "packet loss" <<<"$out" | sed 's/^/#   /'
	return 1
}

# Drop counters: stats_snap prints the JSON of every port's counters;
# drop_delta BEFORE AFTER PORT REASON prints how much that drop counter
# grew ("n/a" if it cannot be read).
stats_snap() { vsctl --json port-stats; }
drop_delta() { "$PY" - "$@" <<'EOF' 2>/dev/null || echo n/a
import json, sys
b, a, port, reason = sys.argv[1:5]
get = lambda t: [p for p in json.loads(t)["ports"] if p["name"] == port][0]["stats"]["drops"][reason]
print(get(a) - get(b))
EOF
}

# mac_on_port MAC PORT: the MAC table has MAC learned on PORT.
mac_on_port() {
	test "$(json_get "$(vsctl --json mac-table)" \
		"any(e['mac'] == '$1' and e['port'] == '$2' for e in d['entries'])")" = True
}

# sniff_start VM NAME MARKER...: vmtool sniff in VM for 'seconds' (SNIFF_S,
# default 3) after it is ready; sniff_wait NAME waits for it and sets
# SNIFFED to its JSON.  (Not in $(...): a subshell cannot wait for it.)
sniff_start() {
	local vm=$1 name=$2 m args=(); shift 2
	for m; do args+=(--marker "$m"); done
	rm -f "$T/$name.ready"
	vs_vm_bg "$vm" "$T/$name.json" "$PY" "$VMTOOL" sniff eth0 "${args[@]}" \
		--seconds "${SNIFF_S:-3}" --ready "$T/$name.ready"
	eval "SNIFF_${name//[^A-Za-z0-9]/_}=\$VS_BG_PID"
	wait_until 15 test -f "$T/$name.ready"
}
sniff_wait() {
	local pid; eval "pid=\$SNIFF_${1//[^A-Za-z0-9]/_}"
	wait "$pid" 2>/dev/null
	vs_bg_stop "$pid"
	SNIFFED=$(cat "$T/$1.json")
}
# marker_count JSON MARKER
marker_count() { json_get "$1" "d['markers']['$2']" 2>/dev/null || echo n/a; }

# cap_start VM NAME FILTER: tcpdump in VM writing $T/NAME.pcap;
# cap_stop NAME: stops it; cap_count NAME [FILTER]: prints how many
# captured frames match FILTER.
cap_start() {
	local vm=$1 name=$2; shift 2
	vs_vm_bg "$vm" "$T/$name.tcpdump" tcpdump -i eth0 -n -U -B 8192 \
		-w "$T/$name.pcap" "$@"
	eval "CAP_${name//[^A-Za-z0-9]/_}=\$VS_BG_PID"
	wait_until 10 grep -q "listening on" "$T/$name.tcpdump"
}
cap_stop() {
	local name=$1 pid
	eval "pid=\$CAP_${name//[^A-Za-z0-9]/_}"
	# tcpdump may lag behind (one core polls for the switch): let it
	# write what the kernel holds for it, until the file stops growing.
	wait_until 15 pcap_settled "$T/$name.pcap"
	vs_bg_stop "$pid" INT
}
pcap_settled() {
	local a b
	a=$(stat -c %s "$1"); sleep 0.5; b=$(stat -c %s "$1")
	[ "$a" = "$b" ]
}
cap_count() {
	local name=$1; shift
	tcpdump -r "$T/$name.pcap" -n "$@" 2>/dev/null | wc -l
}

# --- spoof: MAC and ARP spoofing guard ------------------------------------
# spoof_round TAG: vm1 sends 3 UDP frames from the forged MAC MX to vm2
# and 3 ARP requests from its own MAC whose sender hardware address is MX;
# sets SP_ETH, SP_ARP (frames vm2 saw), SP_DMAC, SP_DARP (drop deltas).
spoof_round() {
	local tag=$1 before after out
	sniff_start vm2 "sp-$tag" "$tag-eth" "$tag-arp"
	before=$(stats_snap)
	in_vm vm1 "$PY" "$VMTOOL" send eth0 --src-mac $MX --dst-mac $M2 \
		--marker "$tag-eth" --count 3 >/dev/null
	in_vm vm1 "$PY" "$VMTOOL" arp eth0 --src-mac $M1 --dst-mac ff:ff:ff:ff:ff:ff \
		--hwsrc $MX --psrc 10.70.0.201 --pdst $IP2 --marker "$tag-arp" \
		--count 3 >/dev/null
	sniff_wait "sp-$tag"; out=$SNIFFED
	after=$(stats_snap)
	SP_ETH=$(marker_count "$out" "$tag-eth")
	SP_ARP=$(marker_count "$out" "$tag-arp")
	SP_DMAC=$(drop_delta "$before" "$after" vm1 mac-spoofing)
	SP_DARP=$(drop_delta "$before" "$after" vm1 arp-spoofing)
}

sc_spoof() {
	t_check "spoof: ping vm1 -> vm2 with the guard on (default)" \
		vm_ping vm1 -c 3 -i 0.2 -W 2 $IP2
	spoof_round spoofon
	t_check "spoof: guard on, vm2 gets no forged-source frame (saw $SP_ETH of 3)" eq "$SP_ETH" 0
	t_check "spoof: guard on, vm2 gets no forged ARP (saw $SP_ARP of 3)" eq "$SP_ARP" 0
	t_check "spoof: vm1 mac-spoofing drops +3 (got $SP_DMAC)" eq "$SP_DMAC" 3
	t_check "spoof: vm1 arp-spoofing drops +3 (got $SP_DARP)" eq "$SP_DARP" 3
	t_check_not "spoof: forged MAC not learned on vm1" mac_on_port $MX vm1

	t_check "spoof: set-port vm1 --mac-spoofing on" vsctl set-port vm1 --mac-spoofing on
	spoof_round spoofoff
	t_check "spoof: allowed, vm2 gets the 3 forged-source frames (saw $SP_ETH)" eq "$SP_ETH" 3
	t_check "spoof: allowed, vm2 gets the 3 forged ARPs (saw $SP_ARP)" eq "$SP_ARP" 3
	t_check "spoof: allowed, no mac-spoofing/arp-spoofing drops ($SP_DMAC/$SP_DARP)" \
		test "$SP_DMAC/$SP_DARP" = 0/0
	t_check "spoof: forged MAC learned on vm1" mac_on_port $MX vm1
	t_check "spoof: ping vm1 -> vm2 with spoofing allowed" \
		vm_ping vm1 -c 2 -i 0.2 -W 2 $IP2
	t_check "spoof: set-port vm1 --mac-spoofing off" vsctl set-port vm1 --mac-spoofing off
}

# --- dhcp: DHCP guard -----------------------------------------------------
# dhcp_server VM FIRST LAST: dnsmasq as DHCP server only (no DNS) on VM's
# eth0, leases FIRST..LAST; sets DHCPD_PID, log in $T/dnsmasq-VM.log.
dhcp_server() {
	local vm=$1
	rm -f "$T/dnsmasq-$vm.leases"
	vs_vm_bg "$vm" "$T/dnsmasq-$vm.log" dnsmasq --keep-in-foreground \
		--conf-file=/dev/null --no-resolv --no-hosts --port=0 \
		--interface=eth0 --bind-interfaces --user=root --no-ping \
		--dhcp-authoritative --dhcp-range="$2,$3,255.255.255.0,10m" \
		--dhcp-leasefile="$T/dnsmasq-$vm.leases" \
		--pid-file="$T/dnsmasq-$vm.pid" --log-dhcp --log-facility=-
	DHCPD_PID=$VS_BG_PID
	wait_until 10 bash -c "ip netns exec $VS_ID-$vm ss -Hlun 'sport = :67' | grep -q ."
}

# dhcp_client VM: udhcpc on VM's eth0, 3 discovers 1 s apart; prints the
# address leased, nothing if none.  Its script only writes the address
# down: the VM's interface is not touched.
dhcp_client() {
	local vm=$1 script=$T/udhcpc-$1.sh out=$T/udhcpc-$1.ip
	rm -f "$out"
	cat >"$script" <<EOF
#!/bin/sh
case "\$1" in bound|renew) echo "\$ip" >"$out" ;; esac
exit 0
EOF
	chmod 755 "$script"
	in_vm "$vm" timeout 20 udhcpc -f -q -n -i eth0 -t 3 -T 1 -A 1 \
		-s "$script" >"$T/udhcpc-$vm.log" 2>&1
	cat "$out" 2>/dev/null
}

sc_dhcp() {
	local before after lease d
	t_check "dhcp: set-port vm1 --dhcp-guard on" vsctl set-port vm1 --dhcp-guard on
	dhcp_server vm1 10.70.0.50 10.70.0.59
	before=$(stats_snap)
	lease=$(dhcp_client vm2)
	after=$(stats_snap)
	d=$(drop_delta "$before" "$after" vm1 dhcp-guard)
	t_check "dhcp: guard on, vm2 gets no lease from vm1 (got '${lease}')" test -z "$lease"
	t_check "dhcp: ...though dnsmasq in vm1 did offer" grep -q DHCPOFFER "$T/dnsmasq-vm1.log"
	t_check "dhcp: vm1 dhcp-guard drops > 0 (got $d)" gt "$d" 0

	t_check "dhcp: set-port vm1 --dhcp-guard off" vsctl set-port vm1 --dhcp-guard off
	lease=$(dhcp_client vm2)
	t_check "dhcp: guard off, vm2 leases '$lease' from vm1" \
		bash -c "[[ '$lease' =~ ^10\.70\.0\.5[0-9]$ ]]"
	vs_bg_stop "$DHCPD_PID"

	# The guard stops servers only: vm1, guarded, is a client of vm2.
	t_check "dhcp: set-port vm1 --dhcp-guard on (vm1 as client)" \
		vsctl set-port vm1 --dhcp-guard on
	dhcp_server vm2 10.70.0.60 10.70.0.69
	before=$(stats_snap)
	lease=$(dhcp_client vm1)
	after=$(stats_snap)
	d=$(drop_delta "$before" "$after" vm1 dhcp-guard)
	t_check "dhcp: guarded vm1 leases '$lease' from vm2" \
		bash -c "[[ '$lease' =~ ^10\.70\.0\.6[0-9]$ ]]"
	t_check "dhcp: ...its client messages not dropped (dhcp-guard +$d)" eq "$d" 0
	vs_bg_stop "$DHCPD_PID"
	vsctl set-port vm1 --dhcp-guard off >/dev/null
}

# --- router: router guard -------------------------------------------------
ipv6_on() {
	in_vm "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 \
		net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.eth0.accept_ra=2 \
		net.ipv6.conf.eth0.accept_ra_defrtr=1 \
		net.ipv6.conf.eth0.accept_ra_pinfo=1 net.ipv6.conf.eth0.autoconf=1 \
		net.ipv6.conf.eth0.disable_ipv6=0
}
ipv6_off() {
	in_vm "$1" sysctl -qw net.ipv6.conf.all.forwarding=0 \
		net.ipv6.conf.eth0.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}
has_ll() { in_vm "$1" ip -6 addr show dev eth0 scope link | grep -q "inet6 fe80"; }
v6_default() { in_vm vm2 ip -6 route show default | grep -q "via fe80"; }
v6_slaac() { in_vm vm2 ip -6 addr show dev eth0 | grep -q "inet6 2001:db8:1:"; }
v6_both() { v6_default && v6_slaac; }

# ra_send TAG: 3 scapy RAs from vm1 behind hop-by-hop and destination
# options headers (from a link-local address radvd does not use, router
# lifetime 0: no effect on vm2), TAG as their marker.
ra_send() {
	in_vm vm1 "$PY" "$VMTOOL" ra eth0 --src-mac $M1 --src-ip fe80::70:beef \
		--ext hbh,dst --marker "$1" --count 3 >/dev/null
}

sc_router() {
	local before after d out n
	cat >"$T/radvd.conf" <<EOF
interface eth0 {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 4;
	AdvDefaultLifetime 60;
	prefix 2001:db8:1::/64 {
		AdvOnLink on;
		AdvAutonomous on;
	};
};
EOF
	ipv6_on vm1
	in_vm vm1 sysctl -qw net.ipv6.conf.all.forwarding=1
	wait_until 10 has_ll vm1 || t_fail "router: vm1 has no link-local address"

	t_check "router: set-port vm1 --router-guard on" vsctl set-port vm1 --router-guard on
	before=$(stats_snap)
	vs_vm_bg vm1 "$T/radvd.log" radvd --nodaemon -C "$T/radvd.conf" \
		-p "$T/radvd.pid" -m stderr
	RADVD_PID=$VS_BG_PID
	ipv6_on vm2
	SNIFF_S=5 sniff_start vm2 ra-on ra-ext-on
	ra_send ra-ext-on
	sniff_wait ra-on; out=$SNIFFED
	sleep 1                 # 6 s and more since radvd started
	after=$(stats_snap)
	d=$(drop_delta "$before" "$after" vm1 router-guard)
	t_check "router: radvd is running in vm1" kill -0 "$RADVD_PID"
	t_check_not "router: guard on, vm2 has no default route after 6 s" v6_default
	t_check_not "router: guard on, vm2 has no 2001:db8:1:: address" v6_slaac
	t_check "router: guard on, vm2 saw none of 3 RAs behind HBH+DST options ($(marker_count "$out" ra-ext-on))" \
		eq "$(marker_count "$out" ra-ext-on)" 0
	t_check "router: vm1 router-guard drops >= 4 (radvd's and 3 scapy RAs; got $d)" \
		gt "$d" 3

	t_check "router: set-port vm1 --router-guard off" vsctl set-port vm1 --router-guard off
	t_check "router: guard off, vm2 gets a default route via vm1 and a SLAAC address" \
		wait_until 15 v6_both
	in_vm vm2 ip -6 route show default | sed 's/^/#   /'
	in_vm vm2 ip -6 addr show dev eth0 scope global | grep inet6 | sed 's/^/#  /'
	sniff_start vm2 ra-off ra-ext-off
	ra_send ra-ext-off
	sniff_wait ra-off; out=$SNIFFED
	n=$(marker_count "$out" ra-ext-off)
	t_check "router: guard off, vm2 saw the 3 RAs behind HBH+DST options ($n)" eq "$n" 3

	vs_bg_stop "$RADVD_PID"
	ipv6_off vm2
	ipv6_off vm1
}

# --- storm: broadcast storm limit -----------------------------------------
# storm_round TAG: vm1 sends 1000 broadcast frames, one per ms; sets
# ST_N (what vm2 captured), ST_S (seconds the sending took), ST_D (vm1's
# storm-limit drops).
storm_round() {
	local before after sent
	cap_start vm2 "storm-$1" ether src $M1 and ether broadcast and udp dst port 5679
	before=$(stats_snap)
	sent=$(in_vm vm1 "$PY" "$VMTOOL" send eth0 --src-mac $M1 \
		--dst-mac ff:ff:ff:ff:ff:ff --dport 5679 --marker "storm-$1" \
		--count 1000 --inter 0.001)
	cap_stop "storm-$1"
	ST_N=$(cap_count "storm-$1")
	after=$(stats_snap)
	ST_S=$(json_get "$sent" 'd["seconds"]' 2>/dev/null || echo n/a)
	ST_D=$(drop_delta "$before" "$after" vm1 storm-limit)
}

storm_accounted() {
	between "$ST_D" "$1" 900 && num "$ST_N" &&
		between $((ST_D + ST_N)) 1000 1010
}

sc_storm() {
	local windows
	t_check "storm: set-port vm1 --storm-limit 100" vsctl set-port vm1 --storm-limit 100
	storm_round on
	# Window k is [t0 + k s, t0 + (k + 1) s): sending for S seconds opens
	# floor(S) + 1 windows of 100 at most.
	windows=$("$PY" -c "import sys; print(int(float(sys.argv[1])) + 1)" "$ST_S" 2>/dev/null || echo 2)
	t_check "storm: limit 100/s, vm2 got $ST_N of 1000 sent in $ST_S s (100..$((windows * 100)))" \
		between "$ST_N" 100 $((windows * 100))
	t_check "storm: vm1 storm-limit drops $ST_D ($((1000 - windows * 100))..900), with the $ST_N captured 1000 (..1010)" \
		storm_accounted $((1000 - windows * 100))
	t_check "storm: set-port vm1 --storm-limit 0" vsctl set-port vm1 --storm-limit 0
	storm_round off
	t_check "storm: no limit, vm2 got all 1000 (got $ST_N in $ST_S s)" eq "$ST_N" 1000
	t_check "storm: no limit, no storm-limit drops (got $ST_D)" eq "$ST_D" 0
}

# --- mirror: port mirroring ----------------------------------------------
# mirror_round TAG: vm1 pings vm2 5 times while vm3 captures; sets
# MR_LOSS, MR_REQ, MR_REP (echo requests and replies vm3 saw).
mirror_round() {
	# vm1 and vm2 learned first: nothing between them is flooded to vm3.
	in_vm vm1 ping -c 1 -W 2 $IP2 >/dev/null
	in_vm vm2 ping -c 1 -W 2 $IP1 >/dev/null
	cap_start vm3 "mirror-$1" icmp and host $IP1 and host $IP2
	MR_LOSS=$(in_vm vm1 ping -q -c 5 -i 0.2 -W 2 $IP2 | grep -o '[0-9.]*% packet loss')
	cap_stop "mirror-$1"
	MR_REQ=$(cap_count "mirror-$1" 'icmp[icmptype] == icmp-echo')
	MR_REP=$(cap_count "mirror-$1" 'icmp[icmptype] == icmp-echoreply')
}

sc_mirror() {
	t_check "mirror: set-port vm3 --mirror destination" vsctl set-port vm3 --mirror destination
	t_check "mirror: set-port vm1 --mirror source" vsctl set-port vm1 --mirror source
	mirror_round on
	t_check "mirror: vm1 -> vm2 ping unharmed: $MR_LOSS" test "$MR_LOSS" = "0% packet loss"
	t_check "mirror: vm3 sees vm1's 5 echo requests (got $MR_REQ)" eq "$MR_REQ" 5
	t_check "mirror: vm3 sees vm2's 5 echo replies to vm1 (got $MR_REP)" eq "$MR_REP" 5
	t_check "mirror: set-port vm1 --mirror none" vsctl set-port vm1 --mirror none
	t_check "mirror: set-port vm3 --mirror none" vsctl set-port vm3 --mirror none
	mirror_round off
	t_check "mirror: none, ping still fine: $MR_LOSS" test "$MR_LOSS" = "0% packet loss"
	t_check "mirror: none, vm3 sees no echo request or reply ($MR_REQ/$MR_REP)" \
		test "$MR_REQ/$MR_REP" = 0/0
}

# --- cable: connected yes|no ---------------------------------------------
vm2_link() { in_vm vm2 ip link show eth0; }
vm2_unplugged() { vm2_link | grep -qE "NO-CARRIER|state DOWN"; }

sc_cable() {
	t_check "cable: ping vm1 -> vm2 while connected" vm_ping vm1 -c 2 -i 0.2 -W 2 $IP2
	t_check "cable: set-port vm2 --connected no" vsctl set-port vm2 --connected no
	t_check_not "cable: disconnected, ping vm1 -> vm2 fails" \
		vm_ping vm1 -c 3 -i 0.3 -W 1 $IP2
	wait_until 5 vm2_unplugged
	t_check "cable: disconnected, vm2's eth0 has no carrier: $(vm2_link | head -n1 | cut -d' ' -f3-)" \
		vm2_unplugged
	t_check "cable: set-port vm2 --connected yes" vsctl set-port vm2 --connected yes
	t_check "cable: reconnected, ping vm1 -> vm2 works again" \
		wait_until 15 in_vm vm1 ping -c 1 -W 1 $IP2
	t_check_not "cable: reconnected, vm2's eth0 has its carrier back" vm2_unplugged
}

# --- bandwidth: maximum bandwidth ----------------------------------------
# iperf_server VM PORT: iperf3 -s in VM; sets IPERF_PID.
iperf_server() {
	vs_vm_bg "$1" "$T/iperf3-$1-$2.log" iperf3 -s -p "$2"
	IPERF_PID=$VS_BG_PID
	wait_until 10 bash -c "ip netns exec $VS_ID-$1 ss -Hltn 'sport = :$2' | grep -q ."
}
# iperf_rate FILE: the receiver's rate in Mbit/s from the iperf3 -J
# output of a client (end.sum_received: what the server counted; for UDP
# the bytes that arrived, lost datagrams excluded).
iperf_rate() {
	"$PY" - "$1" <<'EOF' 2>/dev/null || echo n/a
import json, sys
d = json.load(open(sys.argv[1]))
print("%.1f" % (d["end"]["sum_received"]["bits_per_second"] / 1e6))
EOF
}

# bw_round TAG [UDP_RATE]: 5 s of TCP vm1 -> vm2 (after 1 s not counted:
# slow start), or UDP at UDP_RATE; sets BW (Mbit/s vm2 received), BW_D
# (vm1's max-bandwidth drops) and BW_LOST (UDP: % of datagrams lost).
bw_round() {
	local before after mode=()
	[ -n "${2:-}" ] && mode=(-u -b "$2" -l 1400)
	before=$(stats_snap)
	in_vm vm1 timeout 30 iperf3 -c $IP2 -p 5201 -t 5 -O 1 -J "${mode[@]}" \
		>"$T/bw-$1.json" 2>&1
	after=$(stats_snap)
	BW=$(iperf_rate "$T/bw-$1.json")
	BW_D=$(drop_delta "$before" "$after" vm1 max-bandwidth)
	BW_LOST=$("$PY" -c 'import json,sys; print("%.0f" % json.load(open(sys.argv[1]))["end"]["sum"].get("lost_percent", 0))' "$T/bw-$1.json" 2>/dev/null || echo n/a)
}

sc_bandwidth() {
	local srv
	iperf_server vm2 5201; srv=$IPERF_PID
	bw_round free
	t_check "bandwidth: no limit, vm1 -> vm2 TCP at $BW Mbit/s (> 150)" fgt "$BW" 150
	t_check "bandwidth: no limit, no max-bandwidth drops (got $BW_D)" eq "$BW_D" 0
	t_check "bandwidth: set-port vm1 --max-bandwidth 100M" vsctl set-port vm1 --max-bandwidth 100M
	bw_round 100M
	t_check "bandwidth: limit 100M, vm1 -> vm2 TCP at $BW Mbit/s (90..110)" \
		fbetween "$BW" 90 110
	# The switch reads a limited VM's queue at the rate, so TCP sees a
	# slower link rather than a policer's drops.
	t_check "bandwidth: limit 100M, TCP without policer drops (got $BW_D)" eq "$BW_D" 0
	bw_round 100M-udp 300M
	t_check "bandwidth: limit 100M, vm1 -> vm2 UDP offered at 300M arrives at $BW Mbit/s (90..110)" \
		fbetween "$BW" 90 110
	# The excess overflows vm1's own queue (here the af_packet ring):
	# iperf3 counts it lost, and nothing beyond the rate reaches vm2.
	t_check "bandwidth: limit 100M, the excess UDP never reaches vm2 (${BW_LOST} % lost)" \
		fbetween "$BW_LOST" 50 90
	t_check "bandwidth: set-port vm1 --max-bandwidth 0" vsctl set-port vm1 --max-bandwidth 0
	vs_bg_stop "$srv"
}

# --- weights: minimum-bandwidth weights on an external port --------------
# weights_round TAG: vm1 and vm2 each send UDP at 150 Mbit/s for 6 s to
# their own iperf3 server in far; sets W1, W2 (receiver Mbit/s).  (vs_vm
# turned checksum offload off in the VMs: af_packet forwards what the
# kernel wrote, and a veth leaves UDP checksums to be filled in.)
weights_round() {
	local p1 p2
	in_vm vm1 timeout 30 iperf3 -c $IPFAR -p 5202 -u -b 150M -l 1400 -t 6 \
		-J >"$T/w-$1-vm1.json" 2>&1 &
	p1=$!
	in_vm vm2 timeout 30 iperf3 -c $IPFAR -p 5203 -u -b 150M -l 1400 -t 6 \
		-J >"$T/w-$1-vm2.json" 2>&1 &
	p2=$!
	wait $p1 $p2
	W1=$(iperf_rate "$T/w-$1-vm1.json")
	W2=$(iperf_rate "$T/w-$1-vm2.json")
}
share_of() { "$PY" -c 'import sys; a, b = map(float, sys.argv[1:]); print("%.3f" % (a / (a + b)))' "$1" "$2" 2>/dev/null || echo n/a; }

sc_weights() {
	local s1 s2 srv1 srv2
	iperf_server far 5202; srv1=$IPERF_PID
	iperf_server far 5203; srv2=$IPERF_PID
	weights_round free
	# Each alone more than the 100M the link speed will allow (some of
	# the 150 are lost when the two cores are busy).
	t_check "weights: no link speed, vm1 -> far UDP at $W1 Mbit/s (> 100 of 150)" fgt "$W1" 100
	t_check "weights: no link speed, vm2 -> far UDP at $W2 Mbit/s (> 100 of 150)" fgt "$W2" 100
	t_check "weights: set-port uplink --link-speed 100M" vsctl set-port uplink --link-speed 100M
	t_check "weights: set-port vm1 --min-weight 1" vsctl set-port vm1 --min-weight 1
	t_check "weights: set-port vm2 --min-weight 3" vsctl set-port vm2 --min-weight 3
	weights_round 13
	s1=$(share_of "$W1" "$W2"); s2=$(share_of "$W2" "$W1")
	echo "# weights 1:3 on a 100M uplink: vm1 $W1 Mbit/s, vm2 $W2 Mbit/s, shares $s1 / $s2"
	t_check "weights: vm1 (weight 1) gets share $s1 of the uplink (0.225..0.275)" \
		fbetween "$s1" 0.225 0.275
	t_check "weights: vm2 (weight 3) gets share $s2 of the uplink (0.675..0.825)" \
		fbetween "$s2" 0.675 0.825
	t_check "weights: the uplink carried no more than its 100M (got $W1 + $W2)" \
		fbetween "$("$PY" -c "print($W1 + $W2)")" 85 105
	# Unused share goes to the others: vm1 idle, vm2 gets the whole link.
	in_vm vm2 timeout 30 iperf3 -c $IPFAR -p 5203 -u -b 150M -l 1400 -t 4 \
		-J >"$T/w-alone-vm2.json" 2>&1
	W2=$(iperf_rate "$T/w-alone-vm2.json")
	t_check "weights: vm1 idle, vm2 (weight 3) uses the whole 100M link (got $W2)" \
		fbetween "$W2" 85 105
	t_check "weights: set-port uplink --link-speed 0 (as reported)" \
		vsctl set-port uplink --link-speed 0
	t_check "weights: set-port vm2 --min-weight 1" vsctl set-port vm2 --min-weight 1
	vs_bg_stop "$srv1"; vs_bg_stop "$srv2"
}

# --- persist: policies survive a vswitchd crash ---------------------------
# persist_round TAG: vm1 sends 3 frames from UDP port 67 (a DHCP server's)
# and 3 from the forged MAC MX; sets PE_DHCP, PE_FORGED (what vm2 saw),
# PE_DDHCP, PE_DMAC (vm1's dhcp-guard and mac-spoofing drops).
persist_round() {
	local tag=$1 before after out
	sniff_start vm2 "pe-$tag" "$tag-dhcp" "$tag-forged"
	before=$(stats_snap)
	in_vm vm1 "$PY" "$VMTOOL" send eth0 --src-mac $M1 --dst-mac ff:ff:ff:ff:ff:ff \
		--sport 67 --dport 68 --marker "$tag-dhcp" --count 3 >/dev/null
	in_vm vm1 "$PY" "$VMTOOL" send eth0 --src-mac $MX --dst-mac ff:ff:ff:ff:ff:ff \
		--marker "$tag-forged" --count 3 >/dev/null
	sniff_wait "pe-$tag"; out=$SNIFFED
	after=$(stats_snap)
	PE_DHCP=$(marker_count "$out" "$tag-dhcp")
	PE_FORGED=$(marker_count "$out" "$tag-forged")
	PE_DDHCP=$(drop_delta "$before" "$after" vm1 dhcp-guard)
	PE_DMAC=$(drop_delta "$before" "$after" vm1 mac-spoofing)
}
dataplane_down() { vsctl --json show | grep -q '"dataplane": *"down"'; }
vm1_listed() {
	json_get "$(vsctl --json list-ports)" \
		"[(p['policies']['dhcp_guard'], p['policies']['max_bandwidth'], p['policies']['storm_limit']) for p in d['ports'] if p['name'] == 'vm1']" 2>/dev/null
}
ports_running() {
	test "$(json_get "$(vsctl --json port-stats)" \
		"sorted(p['name'] for p in d['ports'] if p['status'] == 'ok')")" = \
		"['uplink', 'vm1', 'vm2', 'vm3']"
}

sc_persist() {
	local want="[(True, 200000000, 5000)]"
	t_check "persist: set-port vm1 --dhcp-guard on --max-bandwidth 200M --storm-limit 5000" \
		vsctl set-port vm1 --dhcp-guard on --max-bandwidth 200M --storm-limit 5000
	persist_round pe1
	t_check "persist: before the crash, vm2 saw no DHCP-server frame ($PE_DHCP) nor forged one ($PE_FORGED)" \
		test "$PE_DHCP/$PE_FORGED" = 0/0
	t_check "persist: list-ports shows vm1's policies: $(vm1_listed)" test "$(vm1_listed)" = "$want"

	vs_stop "$VSWITCHD_PID" KILL 2>/dev/null
	wait_until 10 dataplane_down
	vs_start_vswitchd
	t_check "persist: vswitchd restarted, all four ports back" wait_until 15 ports_running
	persist_round pe2
	t_check "persist: after the crash, vm2 sees no DHCP-server frame from vm1 ($PE_DHCP)" eq "$PE_DHCP" 0
	t_check "persist: ...vm1 dhcp-guard drops +3 (got $PE_DDHCP)" eq "$PE_DDHCP" 3
	t_check "persist: ...and no forged-source frame ($PE_FORGED), mac-spoofing +3 (got $PE_DMAC)" \
		test "$PE_FORGED/$PE_DMAC" = 0/3
	t_check "persist: list-ports still shows them: $(vm1_listed)" test "$(vm1_listed)" = "$want"
	t_check "persist: ping vm1 -> vm2 after the restart" vm_ping vm1 -c 2 -i 0.2 -W 2 $IP2

	t_check "persist: set-port vm1 --dhcp-guard off --max-bandwidth 0 --storm-limit 0" \
		vsctl set-port vm1 --dhcp-guard off --max-bandwidth 0 --storm-limit 0
	t_check "persist: set-port vm1 --mac-spoofing on" vsctl set-port vm1 --mac-spoofing on
	persist_round pe3
	t_check "persist: guards off, vm2 gets the 3 DHCP-port frames ($PE_DHCP) and 3 forged ($PE_FORGED)" \
		test "$PE_DHCP/$PE_FORGED" = 3/3
	vsctl set-port vm1 --mac-spoofing off >/dev/null
}

for s in $SCENARIOS; do
	case ",${ONLY:-$s}," in
	*",$s,"*) echo "# --- $s"; "sc_$s" ;;
	esac
done
t_summary
