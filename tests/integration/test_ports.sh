#!/bin/bash
# Port types and workers: an external trunk uplink (af_packet on a veth
# into a "physical network" namespace that speaks tagged frames), an
# internal port (the TAP moved into a namespace acting as the host stack),
# two workers with the queues spread over them, and a clean SIGTERM.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
vs_init "${1:?usage: test_ports.sh BUILD_DIR}"
trap vs_cleanup EXIT
VMTOOL=$HERE/vmtool.py

M1=02:00:00:00:60:01; M2=02:00:00:00:60:02; MP=02:00:00:00:60:99
vs_start_controld
vs_start_vswitchd --workers 2
vs_vm vm1 10.60.0.1/24 $M1
vs_vm vm2 10.60.0.2/24 $M2
vs_vm phys "" $MP
vsctl add-port vm1 --type vm --devargs "$(vs_vm_devargs vm1)" --mac $M1
vsctl add-port vm2 --type vm --devargs "$(vs_vm_devargs vm2)" --mac $M2
vsctl set-port vm1 --vlan-mode access --vlan 10
vsctl set-port vm2 --vlan-mode access --vlan 20
t_check "add external uplink" vsctl add-port uplink --type external \
	--devargs "$(vs_vm_devargs phys)"
t_check "uplink trunk 10 (native 0)" vsctl set-port uplink --vlan-mode trunk \
	--allowed-vlans 10

# A device the dataplane cannot open is refused, naming the field, and
# neither the stored nor the running configuration changes.
cfg_before=$(sha256sum <"$VS_CONFIG")
err=$(vsctl add-port bad --type external \
	--devargs net_af_packet,iface=${VS_ID}nosuch 2>&1); rc=$?
t_check "unopenable devargs refused (rc $rc): $err" test $rc -ne 0
t_check "...the error names ports[bad].devargs" grep -q "bad.*devargs" <<<"$err"
t_check "...config file unchanged" test "$cfg_before" = "$(sha256sum <"$VS_CONFIG")"
t_check "...no port 'bad' listed" bash -c "! $VSCTL_BIN --socket $VS_CTL_SOCK list-ports | grep -q '^bad '"
t_check "...and none in the dataplane" test "$(json_get "$(vsctl --json port-stats)" \
	"[p['name'] for p in d['ports'] if p['name']=='bad']")" = "[]"

# A port made of a team whose member cannot be opened is refused, naming
# the member; nothing changes and nothing is left open.
t_check "add-team with vswitchd up" vsctl add-team t1 \
	--member "net_af_packet,iface=${VS_ID}ta" \
	--member "net_af_packet,iface=${VS_ID}tb" --mode lacp --lb address-hash
cfg_before=$(sha256sum <"$VS_CONFIG")
err=$(vsctl add-port tup --type external --team t1 2>&1); rc=$?
t_check "a team port with a missing member is refused (rc $rc): $err" test $rc -ne 0
t_check "...naming the member: ports[tup].team: teams[t1].members[0]" grep -q \
	"ports\[tup\]\.team: teams\[t1\]\.members\[0\]: cannot probe" <<<"$err"
t_check "...config file unchanged" test "$cfg_before" = "$(sha256sum <"$VS_CONFIG")"
t_check "...no member queue left behind" bash -c "! $VSCTL_BIN --socket $VS_CTL_SOCK --json queues | grep -q tup"
st=$(vsctl --json team-status t1)
t_check "team-status of a team no port uses: down, no port" test "$(json_get "$st" \
	"(d['teams'][0]['status'], d['teams'][0]['port'], len(d['teams'][0]['members']))")" = "('down', None, 2)"
t_check "del-team with vswitchd up" vsctl del-team t1

# The physical network reaches vm1 with tag 10; VLAN 20 is not carried.
in_vm vm1 ip neigh replace 10.60.0.200 lladdr $MP dev eth0
out=$(in_vm phys "$PY" "$VMTOOL" ping eth0 --src-mac $MP --dst-mac $M1 \
	--src-ip 10.60.0.200 --dst-ip 10.60.0.1 --vlan 10 --count 3)
t_check "uplink -> vm1 tagged 10, replies tagged 10: $out" test $? -eq 0
in_vm vm2 ip neigh replace 10.60.0.200 lladdr $MP dev eth0
out=$(in_vm phys "$PY" "$VMTOOL" ping eth0 --src-mac $MP --dst-mac $M2 \
	--src-ip 10.60.0.200 --dst-ip 10.60.0.2 --vlan 20 --count 2)
t_check_not "uplink -> vm2 with tag 20 (not allowed) gets nothing: $out" test $? -eq 0
stats=$(vsctl --json port-stats uplink)
t_check "uplink counted vlan-not-allowed" test \
	"$(json_get "$stats" "d['ports'][0]['stats']['drops']['vlan-not-allowed']")" -ge 2

# Internal port: a TAP into the host kernel, here moved into a namespace.
HOSTNS=$VS_ID-host
TAP=${VS_ID}h
t_check "add internal port" vsctl add-port "$TAP" --type internal
t_check "its TAP exists in the host kernel" ip link show "$TAP"
ip netns add "$HOSTNS" && VS_NETNS+=("$HOSTNS")
ip link set "$TAP" netns "$HOSTNS"
ip -n "$HOSTNS" link set "$TAP" up
ip -n "$HOSTNS" addr add 10.60.0.100/24 dev "$TAP"
vsctl set-port "$TAP" --vlan-mode access --vlan 10
t_check "vm1 pings the host stack through the internal port" \
	in_vm vm1 ping -c 3 -i 0.2 -W 2 10.60.0.100

# Two workers: every (port, queue) polled by exactly one worker, both busy.
q=$(vsctl --json queues)
t_check "two workers reported" test "$(json_get "$q" 'len(d["workers"])')" = 2
t_check "each queue on exactly one worker" test "$(json_get "$q" \
	'(lambda l: len(l) == len(set(l)))([(x["port"], x["queue"]) for w in d["workers"] for x in w["queues"]])')" = True
t_check "queues of all 4 ports placed" test "$(json_get "$q" \
	"set(x['port'] for w in d['workers'] for x in w['queues']) == {'$TAP', 'uplink', 'vm1', 'vm2'}")" = True
t_check "both workers poll something" test "$(json_get "$q" \
	'all(len(w["queues"]) > 0 for w in d["workers"])')" = True
human=$(vsctl queues)
t_check "queues human output shows cycles per queue" grep -q "CYCLES" <<<"$human"
t_check "traffic crosses workers (vm1 -> host, 200 pings)" \
	in_vm vm1 ping -c 200 -i 0.005 -W 1 -q 10.60.0.100

# SIGTERM: clean exit, vhost socket and EAL runtime files removed, TAP gone.
vsctl add-port vh1 --type vm --socket "$VS_TMP/vh1.sock" >/dev/null
t_check "vhost socket present" test -S "$VS_TMP/vh1.sock"
kill -TERM "$VSWITCHD_PID"
t_check "vswitchd exits on SIGTERM" wait_until 15 bash -c "! kill -0 $VSWITCHD_PID"
wait "$VSWITCHD_PID"; rc=$?
t_check "...with status 0 (got $rc)" test "$rc" = 0
t_check "vhost socket removed" test ! -e "$VS_TMP/vh1.sock"
t_check "EAL runtime dir removed" test ! -e "/var/run/dpdk/vswitchd$VSWITCHD_PID"
t_check "internal TAP removed" bash -c "! ip -n $HOSTNS link show $TAP 2>/dev/null"
kill -TERM "$CONTROLD_PID"
t_check "controld exits on SIGTERM" wait_until 15 bash -c "! kill -0 $CONTROLD_PID"
t_check "controld sockets removed" test ! -e "$VS_CTL_SOCK" -a ! -e "$VS_DP_SOCK"

t_summary
