#!/bin/bash
# L2 switching and 802.1Q through the real daemons, namespaces as VMs:
# vm1, vm2 access VLAN 10; vm3 access VLAN 20; vm4 a trunk of 10 and 20
# that sends and receives tagged frames with scapy.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
vs_init "${1:?usage: test_l2.sh BUILD_DIR}"
trap vs_cleanup EXIT
VMTOOL=$HERE/vmtool.py

M1=02:00:00:00:10:01; M2=02:00:00:00:10:02; M3=02:00:00:00:20:03
M4=02:00:00:00:99:04
vs_start_controld
vs_start_vswitchd
vs_vm vm1 10.10.0.1/24 $M1
vs_vm vm2 10.10.0.2/24 $M2
vs_vm vm3 10.10.0.3/24 $M3
vs_vm vm4 "" $M4

for vm in 1 2 3 4; do
	eval "mac=\$M$vm"
	t_check "add-port vm$vm" vsctl add-port vm$vm --type vm \
		--devargs "$(vs_vm_devargs vm$vm)" --mac "$mac"
done
t_check "vm1 access 10" vsctl set-port vm1 --vlan-mode access --vlan 10
t_check "vm2 access 10" vsctl set-port vm2 --vlan-mode access --vlan 10
t_check "vm3 access 20" vsctl set-port vm3 --vlan-mode access --vlan 20
t_check "vm4 trunk 10,20" vsctl set-port vm4 --vlan-mode trunk --allowed-vlans 10,20

t_check "ping vm1 -> vm2 (VLAN 10)" in_vm vm1 ping -c 3 -i 0.2 -W 2 10.10.0.2
t_check_not "ping vm1 -> vm3 (VLAN 10 -> 20) fails" \
	in_vm vm1 ping -c 2 -i 0.2 -W 1 10.10.0.3

# The trunk VM reaches vm1 with tag 10 and vm3 with tag 20, and the
# replies it gets carry the same tag.
in_vm vm1 ip neigh replace 10.10.0.4 lladdr $M4 dev eth0
in_vm vm3 ip neigh replace 10.10.0.4 lladdr $M4 dev eth0
out=$(in_vm vm4 "$PY" "$VMTOOL" ping eth0 --src-mac $M4 --dst-mac $M1 \
	--src-ip 10.10.0.4 --dst-ip 10.10.0.1 --vlan 10 --count 3)
t_check "vm4 -> vm1 tagged 10, replies tagged 10: $out" test $? -eq 0
out=$(in_vm vm4 "$PY" "$VMTOOL" ping eth0 --src-mac $M4 --dst-mac $M3 \
	--src-ip 10.10.0.4 --dst-ip 10.10.0.3 --vlan 20 --count 3)
t_check "vm4 -> vm3 tagged 20, replies tagged 20: $out" test $? -eq 0
out=$(in_vm vm4 "$PY" "$VMTOOL" ping eth0 --src-mac $M4 --dst-mac $M1 \
	--src-ip 10.10.0.4 --dst-ip 10.10.0.1 --vlan 20 --count 2)
t_check_not "vm4 -> vm1 with tag 20 gets no reply: $out" test $? -eq 0

# Frames the trunk receives carry the right tag: broadcast from vm1 and
# from vm3 arrive at vm4 tagged 10 and 20.
in_vm vm4 "$PY" "$VMTOOL" sniff eth0 --marker bcast-check --seconds 3 \
	--ready "$VS_TMP/sniff4.ready" >"$VS_TMP/sniff4.json" &
SNIFF=$!
wait_until 15 test -f "$VS_TMP/sniff4.ready"
in_vm vm1 "$PY" "$VMTOOL" send eth0 --src-mac $M1 --dst-mac ff:ff:ff:ff:ff:ff \
	--marker bcast-check --count 2 >/dev/null
in_vm vm3 "$PY" "$VMTOOL" send eth0 --src-mac $M3 --dst-mac ff:ff:ff:ff:ff:ff \
	--marker bcast-check --count 3 >/dev/null
wait $SNIFF
s=$(cat "$VS_TMP/sniff4.json")
t_check "trunk sees 2 frames tagged [10] and 3 tagged [20]: $s" \
	test "$(json_get "$s" 'sorted(map(str, d["vlans"]))')" = "['[10]', '[10]', '[20]', '[20]', '[20]']"

# No VLAN hopping: tagged and double-tagged frames from access vm1 and a
# double-tagged frame from the trunk never reach vm3 (or anyone).
for vm in vm2 vm3; do
	in_vm $vm "$PY" "$VMTOOL" sniff eth0 --marker hop-check --seconds 4 \
		--ready "$VS_TMP/hop-$vm.ready" >"$VS_TMP/hop-$vm.json" &
	eval "HOP_$vm=\$!"
done
wait_until 15 test -f "$VS_TMP/hop-vm3.ready" -a -f "$VS_TMP/hop-vm2.ready"
in_vm vm1 "$PY" "$VMTOOL" send eth0 --src-mac $M1 --dst-mac ff:ff:ff:ff:ff:ff \
	--tags 10,20 --marker hop-check --count 2 >/dev/null
in_vm vm1 "$PY" "$VMTOOL" send eth0 --src-mac $M1 --dst-mac ff:ff:ff:ff:ff:ff \
	--tags 20 --marker hop-check --count 2 >/dev/null
in_vm vm1 "$PY" "$VMTOOL" send eth0 --src-mac $M1 --dst-mac $M3 \
	--tags 20 --marker hop-check --count 2 >/dev/null
in_vm vm4 "$PY" "$VMTOOL" send eth0 --src-mac $M4 --dst-mac ff:ff:ff:ff:ff:ff \
	--tags 10,20 --marker hop-check --count 2 >/dev/null
wait $HOP_vm2 $HOP_vm3
t_check "double/extra-tagged frames never reach vm3" \
	test "$(json_get "$(cat "$VS_TMP/hop-vm3.json")" 'd["count"]')" = 0
t_check "...nor vm2" \
	test "$(json_get "$(cat "$VS_TMP/hop-vm2.json")" 'd["count"]')" = 0
stats=$(vsctl --json port-stats)
drop() { json_get "$stats" "[p for p in d['ports'] if p['name']=='$1'][0]['stats']['drops']['$2']"; }
t_check "vm1 counts 2 double-tagged drops" test "$(drop vm1 double-tagged)" = 2
t_check "vm1 counts 4 tagged-on-access drops" test "$(drop vm1 tagged-on-access)" = 4
t_check "vm4 counts 2 double-tagged drops" test "$(drop vm4 double-tagged)" = 2

# The MAC table lists the learned MACs on the right ports and VLANs.
mt=$(vsctl --json mac-table)
has_mac() { json_get "$mt" "any(e['vlan']==$1 and e['mac']=='$2' and e['port']=='$3' and not e['static'] for e in d['entries'])"; }
t_check "mac-table: vm1 in VLAN 10" test "$(has_mac 10 $M1 vm1)" = True
t_check "mac-table: vm2 in VLAN 10" test "$(has_mac 10 $M2 vm2)" = True
t_check "mac-table: vm3 in VLAN 20" test "$(has_mac 20 $M3 vm3)" = True
t_check "mac-table: vm4 in VLAN 10" test "$(has_mac 10 $M4 vm4)" = True
t_check "mac-table: vm4 in VLAN 20" test "$(has_mac 20 $M4 vm4)" = True
t_check "mac-table: vm1 not in VLAN 20" test "$(has_mac 20 $M1 vm1)" = False
human=$(vsctl mac-table)
t_check "mac-table human output lists vm3's MAC on vm3" grep -qiE "$M3.*vm3" <<<"$human"

# MAC moves, static MACs, aging.  vm1 and vm2 send from other MACs than
# their own here, which the MAC spoofing guard (on by default for a port
# with a MAC) would drop.
t_check "vm1 may spoof" vsctl set-port vm1 --mac-spoofing on
t_check "vm2 may spoof" vsctl set-port vm2 --mac-spoofing on
MX=02:00:00:00:aa:01; MS=02:00:00:00:aa:02; MA=02:00:00:00:aa:03
mac_port() { json_get "$(vsctl --json mac-table)" "([e['port'] for e in d['entries'] if e['vlan']==$1 and e['mac']=='$2'] or ['none'])[0]"; }
in_vm vm2 "$PY" "$VMTOOL" send eth0 --src-mac $MX --dst-mac ff:ff:ff:ff:ff:ff --count 1 >/dev/null
t_check "MAC learned on vm2" test "$(mac_port 10 $MX)" = vm2
in_vm vm1 "$PY" "$VMTOOL" send eth0 --src-mac $MX --dst-mac ff:ff:ff:ff:ff:ff --count 1 >/dev/null
t_check "MAC moved to vm1" test "$(mac_port 10 $MX)" = vm1

t_check "add-mac static on vm2" vsctl add-mac --mac $MS --port vm2 --vlan 10
t_check "static MAC listed as static" test "$(json_get "$(vsctl --json mac-table)" \
	"[e['static'] for e in d['entries'] if e['mac']=='$MS'] == [True]")" = True
in_vm vm4 "$PY" "$VMTOOL" sniff eth0 --marker static-check --seconds 2 \
	--ready "$VS_TMP/st4.ready" >"$VS_TMP/st4.json" &
ST4=$!
in_vm vm2 "$PY" "$VMTOOL" sniff eth0 --marker static-check --seconds 2 \
	--ready "$VS_TMP/st2.ready" >"$VS_TMP/st2.json" &
ST2=$!
wait_until 15 test -f "$VS_TMP/st4.ready" -a -f "$VS_TMP/st2.ready"
in_vm vm1 "$PY" "$VMTOOL" send eth0 --src-mac $M1 --dst-mac $MS \
	--marker static-check --count 3 >/dev/null
wait $ST4 $ST2
t_check "frames to the static MAC reach vm2" \
	test "$(json_get "$(cat "$VS_TMP/st2.json")" 'd["count"]')" = 3
t_check "...and are not flooded to the trunk" \
	test "$(json_get "$(cat "$VS_TMP/st4.json")" 'd["count"]')" = 0
in_vm vm1 "$PY" "$VMTOOL" send eth0 --src-mac $MS --dst-mac ff:ff:ff:ff:ff:ff --count 1 >/dev/null
t_check "learning does not move a static MAC" test "$(mac_port 10 $MS)" = vm2
t_check "del-mac" vsctl del-mac --mac $MS --vlan 10
t_check "static MAC gone" test "$(mac_port 10 $MS)" = none

t_check "set-switch --mac-aging 10" vsctl set-switch --mac-aging 10
t_check "mac-table reports aging 10 s" \
	test "$(json_get "$(vsctl --json mac-table)" 'd["aging_s"]')" = 10
in_vm vm2 "$PY" "$VMTOOL" send eth0 --src-mac $MA --dst-mac ff:ff:ff:ff:ff:ff --count 1 >/dev/null
t_check "fresh MAC present" test "$(mac_port 10 $MA)" = vm2
aged() { test "$(mac_port 10 $MA)" = none; }
t_check "fresh MAC aged out after 10 s" wait_until 20 aged
vsctl set-switch --mac-aging 300 >/dev/null

# Malformed frames are counted and dropped, never delivered.
drop_delta() { "$PY" -c '
import json, sys
b, a = (json.loads(x) for x in sys.argv[1:3])
get = lambda d: [p for p in d["ports"] if p["name"] == sys.argv[3]][0]["stats"]["drops"][sys.argv[4]]
print(get(a) - get(b))' "$@"; }
before=$(vsctl --json port-stats)
in_vm vm2 "$PY" "$VMTOOL" sniff eth0 --marker bad-frame --seconds 2 \
	--ready "$VS_TMP/bad.ready" >"$VS_TMP/bad.json" &
BAD=$!
wait_until 15 test -f "$VS_TMP/bad.ready"
for how in ihl totlen version; do
	in_vm vm1 "$PY" "$VMTOOL" send eth0 --src-mac $M1 --dst-mac $M2 \
		--malform $how --marker bad-frame --count 2 >/dev/null
done
wait $BAD
after=$(vsctl --json port-stats)
t_check "no malformed frame reached vm2" \
	test "$(json_get "$(cat "$VS_TMP/bad.json")" 'd["count"]')" = 0
t_check "vm1 counted 6 bad-ipv4 drops" \
	test "$(drop_delta "$before" "$after" vm1 bad-ipv4)" = 6

# Counters match what was sent: 50 frames from the trunk (tag 10) to vm2,
# a learned unicast destination; vm2 gets them untagged (4 bytes fewer).
# (The aging check above let vm2's MAC expire: vm2 speaks once first.)
in_vm vm2 "$PY" "$VMTOOL" send eth0 --src-mac $M2 --dst-mac ff:ff:ff:ff:ff:ff --count 1 >/dev/null
t_check "vm2 learned again" test "$(mac_port 10 $M2)" = vm2
before=$(vsctl --json port-stats)
in_vm vm2 "$PY" "$VMTOOL" sniff eth0 --marker count-check --seconds 3 \
	--ready "$VS_TMP/cnt.ready" >"$VS_TMP/cnt.json" &
CNT=$!
wait_until 15 test -f "$VS_TMP/cnt.ready"
sent=$(in_vm vm4 "$PY" "$VMTOOL" send eth0 --src-mac $M4 --dst-mac $M2 \
	--tags 10 --marker count-check --count 50)
wait $CNT
len=$(json_get "$sent" 'd["length"]')
after=$(vsctl --json port-stats)
delta() { "$PY" - "$before" "$after" "$1" "$2" <<'EOF'
import json, sys
b, a, port, key = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
get = lambda d: [p for p in d["ports"] if p["name"] == port][0]["stats"][key]
print(get(a) - get(b))
EOF
}
t_check "vm2 received all 50 untagged" \
	test "$(json_get "$(cat "$VS_TMP/cnt.json")" 'd["count"], set(map(len, d["vlans"]))')" = "(50, {0})"
t_check "vm4 rx_packets +50" test "$(delta vm4 rx_packets)" = 50
t_check "vm4 rx_bytes +50*$len" test "$(delta vm4 rx_bytes)" = $((50 * len))
t_check "vm2 tx_packets +50" test "$(delta vm2 tx_packets)" = 50
t_check "vm2 tx_bytes +50*($len-4)" test "$(delta vm2 tx_bytes)" = $((50 * (len - 4)))
t_check "vm1, vm3 got none of them" test "$(delta vm1 tx_packets)$(delta vm3 tx_packets)" = 00

t_summary
