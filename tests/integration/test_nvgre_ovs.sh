#!/bin/bash
# NVGRE interop with a real peer (issue 5): Open vSwitch in userspace
# (datapath_type=netdev) with a gre port, options:key = VSID << 8, as the
# other host; vswitchd sends FlowID 0 from its PA (nv add-pa --flowid 0),
# the only key OVS accepts.
#
#   vswitchd: PA 192.168.60.1, VM a1 10.0.0.11 in VSID 5001
#   OVS:      br-phy 192.168.60.2 (underlay), br-int with gre0 (key
#             0x138900) and VM c1 10.0.0.13
#
# Checks: the two resolve each other's PA with ARP; a1 and c1 ping each
# other both ways; every GRE frame on the underlay, both directions, has
# key 0x00138900 and protocol 0x6558; vswitchd refused none; a forged
# frame from OVS's side for another VSID is refused and counted.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lib.sh"
vs_init "${1:?usage: test_nvgre_ovs.sh BUILD_DIR}"
trap 'vs_cleanup_ovs; vs_cleanup' EXIT

"$ROOT/scripts/deps.sh" openvswitch-switch >/dev/null 2>&1
for b in ovs-vsctl ovs-vswitchd ovsdb-server ovsdb-tool; do
	command -v $b >/dev/null || vs_die "$b missing (scripts/deps.sh installs openvswitch-switch)"
done

MA1=02:00:00:50:00:11; MC1=02:00:00:50:00:13
PA_A=192.168.60.1; PA_C=192.168.60.2
VSID=5001; KEY=$(printf '0x%08x' $((VSID << 8)))

OVSNS=$VS_ID-ovs
OVSD=$VS_TMP/ovs
mkdir -p "$OVSD"
ip netns add "$OVSNS" && VS_NETNS+=("$OVSNS")
ip netns exec "$OVSNS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$OVSNS" link set lo up
# The underlay: vswitchd's end on the host, OVS's in its namespace.
ip link add "${VS_ID}ua" type veth peer name u0 netns "$OVSNS" || vs_die "veth"
VS_LINKS+=("${VS_ID}ua")
sysctl -qw "net.ipv6.conf.${VS_ID}ua.disable_ipv6=1"
ip link set "${VS_ID}ua" up
ip -n "$OVSNS" link set u0 up
# OVS's VM: a namespace whose eth0 is a veth into OVS's namespace.
ip netns add "$VS_ID-c1" && VS_NETNS+=("$VS_ID-c1")
ip netns exec "$VS_ID-c1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$OVSNS" link add vc1 type veth peer name eth0 netns "$VS_ID-c1"
ip -n "$VS_ID-c1" link set eth0 address $MC1
ip -n "$VS_ID-c1" addr add 10.0.0.13/24 dev eth0
ip -n "$VS_ID-c1" link set eth0 up
ip -n "$VS_ID-c1" link set lo up
ip -n "$OVSNS" link set vc1 up
ip netns exec "$VS_ID-c1" ethtool -K eth0 tx off tso off gso off >/dev/null 2>&1
vs_vm a1 10.0.0.11/24 $MA1

# Captures of what each side receives.
tcpdump -i "${VS_ID}ua" -U -w "$VS_TMP/from-ovs.pcap" >"$VS_TMP/td1.log" 2>&1 &
VS_PIDS+=($!)
ip netns exec "$OVSNS" tcpdump -i u0 -U -w "$VS_TMP/from-vs.pcap" >"$VS_TMP/td2.log" 2>&1 &
VS_PIDS+=($!)
wait_until 5 grep -q listening "$VS_TMP/td1.log"
wait_until 5 grep -q listening "$VS_TMP/td2.log"

export OVS_RUNDIR=$OVSD OVS_DBDIR=$OVSD OVS_LOGDIR=$OVSD OVS_SYSCONFDIR=$OVSD
ovs() { ovs-vsctl --db="unix:$OVSD/db.sock" --timeout=20 "$@"; }
appctl() { ovs-appctl -t "$OVSD/ovs-vswitchd.ctl" --timeout=20 "$@"; }
vs_cleanup_ovs() {
	local p
	for p in ovs-vswitchd ovsdb-server; do
		[ -s "$OVSD/$p.pid" ] && vs_stop "$(cat "$OVSD/$p.pid")"
	done
	# OVS's bridge TAP devices can outlive it: they are in its namespace,
	# which vs_cleanup deletes.
	return 0
}
ovsdb-tool create "$OVSD/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$OVSD/conf.db" --remote="punix:$OVSD/db.sock" \
	--pidfile="$OVSD/ovsdb-server.pid" --unixctl="$OVSD/ovsdb-server.ctl" \
	--log-file="$OVSD/ovsdb-server.log" --detach
ovs --no-wait init
ip netns exec "$OVSNS" ovs-vswitchd "unix:$OVSD/db.sock" \
	--pidfile="$OVSD/ovs-vswitchd.pid" --unixctl="$OVSD/ovs-vswitchd.ctl" \
	--log-file="$OVSD/ovs-vswitchd.log" --detach
t_check "ovs-vswitchd started" wait_until 10 test -s "$OVSD/ovs-vswitchd.pid"
ovs add-br br-phy -- set bridge br-phy datapath_type=netdev
ovs add-port br-phy u0
ip -n "$OVSNS" link set br-phy up
ip -n "$OVSNS" addr add $PA_C/24 dev br-phy
ovs add-br br-int -- set bridge br-int datapath_type=netdev
ovs add-port br-int vc1
ovs add-port br-int gre0 -- set Interface gre0 type=gre \
	options:remote_ip=$PA_A options:key=$KEY
t_check "OVS: gre0 with key $KEY toward $PA_A" bash -c \
	"ovs-vsctl --db=unix:$OVSD/db.sock get Interface gre0 options:key | grep -q $KEY"

vs_start_controld
vs_start_vswitchd
vsctl add-port uplink --type external --devargs "net_af_packet,iface=${VS_ID}ua"
vsctl add-port a1 --type vm --devargs "$(vs_vm_devargs a1)" --vsid $VSID
t_check "add-pa $PA_A --flowid 0" vsctl nv add-pa --port uplink --address $PA_A/24 --flowid 0
t_check "record of a1 (here)" vsctl nv add-record --vsid $VSID --ca 10.0.0.11 --mac $MA1 --pa $PA_A
t_check "record of c1 (behind OVS)" vsctl nv add-record --vsid $VSID --ca 10.0.0.13 --mac $MC1 --pa $PA_C
t_check "customer route" vsctl nv add-route --rdid tenant1 --vsid $VSID --prefix 10.0.0.0/24 --next-hop 0.0.0.0

nvst() { json_get "$(vsctl --json nv status)" "d['vswitchd']['dataplane']$1"; }
t_check "vswitchd resolved OVS's PA (br-phy) with ARP" wait_until 10 \
	test "$(nvst "['peers']['ready']")" = 1
t_check "...at br-phy's MAC" test "$(nvst "['next_hops'][0]['mac']")" = \
	"$(ip netns exec "$OVSNS" cat /sys/class/net/br-phy/address)"
# OVS's first packets may wait for its own ARP and flow setup.
ping_ok() { in_vm a1 ping -c 1 -W 1 10.0.0.13; }
t_check "a1 (vswitchd) reaches c1 (OVS) within 15 s" wait_until 15 ping_ok
t_check "a1 pings c1: 10 of 10" in_vm a1 ping -c 10 -i 0.1 -W 2 10.0.0.13
t_check "c1 pings a1: 10 of 10" ip netns exec "$VS_ID-c1" ping -c 10 -i 0.1 -W 2 10.0.0.11
t_check "OVS learned our PA's MAC (tnl/arp/show)" bash -c \
	"ip netns exec $OVSNS ovs-appctl -t $OVSD/ovs-vswitchd.ctl tnl/arp/show | grep -qi \$(cat /sys/class/net/${VS_ID}ua/address)"
t_check "vswitchd refused no NVGRE frame from OVS" test "$(nvst "['decap_drops']")" = "{}"

# A frame from OVS's side with another VSID: refused, counted.
d0=$(nvst "['decap_drops'].get('vsid-unknown', 0)")
ip netns exec "$OVSNS" "$PY" -c "
from scapy.all import Ether, IP, GRE, Raw, sendp
import subprocess
mac = open('/sys/class/net/br-phy/address').read().strip()
dst = '$(cat /sys/class/net/${VS_ID}ua/address)'
inner = Ether(src='$MC1', dst='$MA1')/IP(src='10.0.0.13', dst='10.0.0.11')/Raw(b'x' * 20)
f = Ether(src=mac, dst=dst)/IP(src='$PA_C', dst='$PA_A', flags='DF')/GRE(key_present=1, key=0x177100, proto=0x6558)/inner
sendp([f] * 3, iface='u0', verbose=False)"
t_check "a forged VSID 6001 from OVS's side: refused as vsid-unknown" wait_until 3 \
	test "$(nvst "['decap_drops'].get('vsid-unknown', 0)")" -ge $((d0 + 3))

sleep 0.5
keys() { tshark -r "$1" -Y gre -T fields -e gre.key -e gre.proto 2>/dev/null | grep -v 0x00177100 | sort | uniq -c; }
k1=$(keys "$VS_TMP/from-ovs.pcap"); k2=$(keys "$VS_TMP/from-vs.pcap")
echo "# GRE from OVS: $k1"; echo "# GRE on OVS's end (both ways): $k2"
only_key() { [ "$(wc -l <<<"$1")" = 1 ] && grep -qP "^ *[0-9]+ $KEY\t0x6558$" <<<"$1"; }
t_check "OVS sent GRE with key $KEY, protocol 0x6558 only" only_key "$k1"
t_check "vswitchd sent GRE with key $KEY (FlowID 0), protocol 0x6558 only" only_key "$k2"
t_summary
