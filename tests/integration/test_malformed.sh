#!/bin/bash
# Malformed frames through every kind of port (issue 7, "Faults"): two
# switches, A under test, B its LACP partner and NVGRE peer.
#
#   switch A                                   switch B
#   vm1  af_packet VM, access 10  <- frames    vb  access 10 (behind the team)
#   vm2  af_packet VM, access 10  (sink)       b1  VSID 5001, PA_B
#   vm3, vm4  access 20           (sink, ping)
#   ext  external af_packet, trunk native 10 allowed 10,20  <- frames
#   vh   vhost-user VM, access 10, testpmd virtio-user      <- frames
#   up   LACP team (2 veth pairs to B), access 10  <- frames on member 0
#   a1   VM in VSID 5001                       <- frames
#   uplink  NVGRE underlay, PA_A               <- frames from B's side
#
# tests/integration/malformed.py builds each port's corpus (fixed seed)
# and what every frame must cost: a drop reason, a forward to the sink of
# its VLAN/VSID, an NVGRE decap reason, or a team Slow Protocols counter.
#   1. Exact pass: each corpus once, port by port; every counter grows by
#      exactly what was predicted, the sinks get exactly the forwarded.
#   2. Full rate: every corpus in a loop on all six ports at once for a
#      few seconds while vm3 pings vm4; then vswitchd still runs, LACP
#      still holds, pings cross VLAN 10, the team and the NVGRE tunnel.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lib.sh"
vs_init "${1:?usage: test_malformed.sh BUILD_DIR}"
trap vs_cleanup EXIT
GEN="$PY $HERE/malformed.py"
SEND="$PY $HERE/sendpcap.py"
BLAST_S=${VS_BLAST_S:-8}

M1=02:00:00:10:00:01; M2=02:00:00:10:00:02; MX=02:00:00:10:00:0e
MV=02:00:00:10:00:99; MT=02:00:00:10:00:0b; MVB=02:00:00:10:00:09
M3=02:00:00:20:00:03; M4=02:00:00:20:00:04
MA1=02:00:00:50:00:11; MB1=02:00:00:50:00:12; MB2=02:00:00:60:00:12
PA_A=192.168.50.1; PA_B=192.168.50.2

# Team members ${VS_ID}ma1/mb1 and ma2/mb2, underlay ${VS_ID}ua/ub.
for p in m%s1 m%s2 u%s; do
	ip link add "$(printf "${VS_ID}$p" a)" type veth peer name "$(printf "${VS_ID}$p" b)" ||
		vs_die "cannot create veth pairs"
	VS_LINKS+=("$(printf "${VS_ID}$p" a)")
	for e in a b; do
		sysctl -qw "net.ipv6.conf.$(printf "${VS_ID}$p" $e).disable_ipv6=1"
		ip link set "$(printf "${VS_ID}$p" $e)" up
	done
done
vs_vm vm1 10.10.0.1/24 $M1
vs_vm vm2 10.10.0.2/24 $M2
vs_vm vm3 10.20.0.3/24 $M3
vs_vm vm4 10.20.0.4/24 $M4
vs_vm x "" $MX
vs_vm a1 10.0.0.11/24 $MA1
vs_vm vb 10.10.0.9/24 $MVB
vs_vm b1 10.0.0.12/24 $MB1

for s in A B; do
	vs_side $s
	vs_start_controld
	vs_start_vswitchd
	eval "${s}_VSWITCHD=$VSWITCHD_PID"
done
on() { vs_side "$1"; shift; vsctl "$@"; }
members() { echo "--member net_af_packet,iface=${VS_ID}m${1}1 --member net_af_packet,iface=${VS_ID}m${1}2"; }

on A add-team t1 $(members a) --mode lacp --lb address-hash --lacp-rate fast
on B add-team t1 $(members b) --mode lacp --lb address-hash --lacp-rate fast
for s in A B; do
	on $s add-port up --type external --team t1
	on $s set-port up --vlan-mode access --vlan 10
done
for v in vm1:10 vm2:10 vm3:20 vm4:20; do
	on A add-port ${v%:*} --type vm --devargs "$(vs_vm_devargs ${v%:*})"
	on A set-port ${v%:*} --vlan-mode access --vlan ${v#*:}
done
on A add-port ext --type external --devargs "$(vs_vm_devargs x)"
on A set-port ext --vlan-mode trunk --native-vlan 10 --allowed-vlans 10,20
on A add-port vh --type vm --socket "$VS_TMP/vh.sock"
on A set-port vh --vlan-mode access --vlan 10
on B add-port vb --type vm --devargs "$(vs_vm_devargs vb)"
on B set-port vb --vlan-mode access --vlan 10
on A add-port uplink --type external --devargs "net_af_packet,iface=${VS_ID}ua"
on B add-port uplink --type external --devargs "net_af_packet,iface=${VS_ID}ub"
on A add-port a1 --type vm --devargs "$(vs_vm_devargs a1)" --vsid 5001
on B add-port b1 --type vm --devargs "$(vs_vm_devargs b1)" --vsid 5001
on A nv add-pa --port uplink --address $PA_A/24
on B nv add-pa --port uplink --address $PA_B/24
for s in A B; do
	on $s nv add-record --vsid 5001 --ca 10.0.0.11 --mac $MA1 --pa $PA_A
	on $s nv add-record --vsid 5001 --ca 10.0.0.12 --mac $MB1 --pa $PA_B
	on $s nv add-record --vsid 6001 --ca 10.0.0.12 --mac $MB2 --pa $PA_B
	on $s nv add-route --rdid tenant1 --vsid 5001 --prefix 10.0.0.0/24 --next-hop 0.0.0.0
	on $s nv add-route --rdid tenant2 --vsid 6001 --prefix 10.0.0.0/24 --next-hop 0.0.0.0
done

# testpmd_replay FILE LOOP SECONDS: a virtio-user "VM" on vh replays FILE
# into it (io forwarding from a net_pcap port, with retries), once or in
# a loop, for SECONDS after the link came up; interactive, so that
# forwarding starts only once the vhost-user link is up.
TESTPMD_N=0
testpmd_replay() {
	local pcap=$1 loop=$2 secs=$3 prefix=${VS_ID}tp$TESTPMD_N
	TESTPMD_N=$((TESTPMD_N + 1))
	TESTPMD_LOG=$VS_TMP/testpmd$TESTPMD_N.log
	{
		wait_until 30 link_is vh up
		printf 'set fwd io retry\nstart\n'
		sleep "$secs"
		printf 'stop\nshow port stats 1\nquit\n'
	} | dpdk-testpmd --lcores 0@0,1@1 --no-huge --no-pci -m 512 \
		--single-file-segments --file-prefix "$prefix" \
		--vdev "net_pcap0,rx_pcap=$pcap,tx_pcap=/dev/null,infinite_rx=$loop" \
		--vdev "net_virtio_user0,path=$VS_TMP/vh.sock,queues=1,mac=$MV" -- \
		-i --no-flush-rx --total-num-mbufs 16384 --no-lsc-interrupt \
		>"$TESTPMD_LOG" 2>&1 &
	TESTPMD_PID=$!
	VS_PIDS+=("$TESTPMD_PID")
	VS_PREFIXES+=("$prefix")
}
link_is() { test "$(json_get "$(on A --json port-stats "$1")" "d['ports'][0]['link']")" = "$2"; }
# testpmd_sent LOG: frames the virtio-user port (port 1) sent.
testpmd_sent() {
	"$PY" - "$1" <<'EOF'
import re, sys
text = open(sys.argv[1], errors='replace').read()
blocks = re.findall(r'NIC statistics for port 1 +#+\s*\n(.*?)#####', text, re.S)
m = re.findall(r'TX-packets:\s*(\d+)', blocks[-1]) if blocks else []
print(m[0] if m else -1)
EOF
}

team_ok() {
	json_get "$(on "$1" --json team-status)" "all(m['selected'] and m['collecting'] and m['distributing'] for t in d['teams'] for m in t['members']) and len(d['teams']) > 0" | grep -q True
}
both_ok() { team_ok A && team_ok B; }
resolved() { test "$(json_get "$(on A --json nv status)" "d['vswitchd']['dataplane']['peers']['ready']")" = 1; }
t_check "LACP formed between A and B" wait_until 15 both_ok
t_check "A resolved PA_B" wait_until 10 resolved
pings() {
	local ok=0
	in_vm vm1 ping -c 2 -i 0.2 -W 2 -q 10.10.0.2 >/dev/null && ok=$((ok + 1))
	in_vm vb ping -c 2 -i 0.2 -W 2 -q 10.10.0.2 >/dev/null && ok=$((ok + 1))
	in_vm a1 ping -c 2 -i 0.2 -W 2 -q 10.0.0.12 >/dev/null && ok=$((ok + 1))
	in_vm vm3 ping -c 2 -i 0.2 -W 2 -q 10.20.0.4 >/dev/null && ok=$((ok + 1))
	[ "$ok" = 4 ]
}
t_check "before: vm1 -> vm2, vb -> vm2 (team), a1 -> b1 (NVGRE), vm3 -> vm4" pings

# ---- the corpora ------------------------------------------------------
UMAC=$(cat /sys/class/net/${VS_ID}ua/address)
gen() { $GEN "$1" --src "$2" --seed "$3" --out "$VS_TMP/$4.pcap" --expect "$VS_TMP/$4.json" ${5:+--our-mac $5} ${6:+--min-len $6}; }
gen access $M1 11 vm1 >/dev/null
gen trunk $MX 12 ext >/dev/null
gen access $MV 13 vh "" 1 >/dev/null
gen team $MT 14 up >/dev/null
gen vsid $MA1 15 a1 >/dev/null
gen underlay 02:00:00:00:bb:01 16 uplink "$UMAC" >/dev/null

# snap FILE: every counter of A the checks compare, as one JSON object.
snap() {
	on A --json port-stats >"$1.ps"
	on A --json nv status >"$1.nv"
	on A --json team-status >"$1.ts"
	"$PY" -c '
import json, sys
ps, nv, ts = [json.load(open(sys.argv[1] + x)) for x in (".ps", ".nv", ".ts")]
out = {"ports": {p["name"]: p["stats"] for p in ps["ports"]},
       "decap": nv["vswitchd"]["dataplane"]["decap_drops"],
       "team": ts["teams"][0]["members"][0].get("lacp_stats", {})}
json.dump(out, open(sys.argv[1], "w"))' "$1"
}
# rx_of PORT: A's rx_packets of PORT now.
rx_of() { json_get "$(on A --json port-stats "$1")" "d['ports'][0]['stats']['rx_packets']"; }
settled() {
	local a b
	a=$(rx_of "$1"); sleep 0.5; b=$(rx_of "$1")
	[ "$a" = "$b" ]
}
# account PORT: compares what the counters gained between $VS_TMP/b.json
# and $VS_TMP/e.json with $VS_TMP/PORT.json for 'SENT' frames.  Prints
# one line per finding, 'ok' lines for checks that hold.
account() {
	"$PY" - "$VS_TMP/$1.json" "$VS_TMP/b.json" "$VS_TMP/e.json" "$1" "$2" <<'EOF'
import json, sys
exp, b, e = (json.load(open(p)) for p in sys.argv[1:4])
port, sent = sys.argv[4], int(sys.argv[5])
def d(path):
    x, y = b, e
    for k in path:
        x, y = x.get(k, 0) if isinstance(x, dict) else 0, y.get(k, 0) if isinstance(y, dict) else 0
    return y - x
res = []
def check(desc, ok):
    res.append(('ok' if ok else 'FAIL') + ' ' + desc)
# testpmd gives up on a frame the vhost-user queue has no room for
# after its retries (the switch reads slowly on a loaded machine): those
# count as lost before the switch, like the kernel's.
check('%s: the sender sent %d of %d frames' % (port, sent, exp['frames']),
      sent == exp['frames'] or (port == 'vh' and 0 < sent <= exp['frames']))
slowp = sum(exp['slowp'].values())
missed = d(['ports', port, 'drops', 'rx-missed'])
check('%s: none missed by the device (rx-missed %d)' % (port, missed), missed == 0)
rx = d(['ports', port, 'rx_packets'])
lost = exp['frames'] - slowp - rx
# Frames the kernel lost before the switch (a full backlog or packet
# ring on a loaded machine: no counter of the switch sees them) make
# each class's count an upper bound; what the switch received is still
# accounted exactly, frame for frame, below.
print('# %s: switch received %d of %d (%d lost before it)' % (port, rx, exp['frames'] - slowp, lost))
eq = (lambda a, b: a == b) if lost == 0 else (lambda a, b: a <= b)
check('%s: the switch received no more than was sent (%d of %d)' % (port, rx, exp['frames'] - slowp), lost >= 0)
drops = {k: d(['ports', port, 'drops', k]) for k in e['ports'][port]['drops'] if k != 'rx-missed'}
for k in sorted(set(exp['drops']) | {k for k, v in drops.items() if v}):
    check('%s: drops %s +%d (expected %d)' % (port, k, drops.get(k, 0), exp['drops'].get(k, 0)),
          eq(drops.get(k, 0), exp['drops'].get(k, 0)))
for k in sorted(set(exp['decap']) | {k for k in e['decap'] if d(['decap', k])}):
    check('%s: nv decap_drops %s +%d (expected %d)' % (port, k, d(['decap', k]), exp['decap'].get(k, 0)),
          eq(d(['decap', k]), exp['decap'].get(k, 0)))
for k, v in sorted(exp['slowp'].items()):
    check('%s: team-status %s +%d (expected %d)' % (port, k, d(['team', k]), v), d(['team', k]) == v)
fwd = 0
for sink, v in sorted(exp['fwd'].items()):
    out = d(['ports', sink, 'tx_packets']) + d(['ports', sink, 'drops', 'tx-failed'])
    # The underlay also carries the switch's own ARP for PA_B; vm2 may
    # get a neighbor probe of the VMs that pinged it before the pass.
    slack = {'uplink': 3, 'vm2': 2}.get(sink, 0)
    fwd += out
    check('%s: forwarded to %s %d (expected %d)' % (port, sink, out, v),
          v <= out <= v + slack if lost == 0 else out <= v + slack)
slack = sum({'uplink': 3, 'vm2': 2}.get(k, 0) for k in exp['fwd'])
ingress = sum(drops.values())
check('%s: every frame the switch received dropped by a reason or forwarded: %d = %d + %d' % (port, rx, ingress, fwd),
      fwd - slack <= rx - ingress <= fwd)
total = sum(drops.values()) + sum(d(['team', k]) for k in exp['slowp'])
want = sum(exp['drops'].values()) + slowp
check('%s: sum of drop counters +%d = frames that must be dropped %d' % (port, total, want), eq(total, want))
print('\n'.join(res))
EOF
}
# exact PORT HOW...: sends PORT's corpus once by HOW and checks it.
exact() {
	local port=$1 sent out line; shift
	snap "$VS_TMP/b.json"
	if [ "$1" = testpmd ]; then
		testpmd_replay "$VS_TMP/$port.pcap" 0 3
		wait_until 60 bash -c "! kill -0 $TESTPMD_PID"
		vs_bg_stop "$TESTPMD_PID"
		sent=$(testpmd_sent "$TESTPMD_LOG")
		out="testpmd"
	else
		out=$("$@" "$VS_TMP/$port.pcap" --rate "${VS_EXACT_RATE:-20000}")
		sent=$(sed -n 's/^sent \([0-9]*\) .*/\1/p' <<<"$out")
	fi
	wait_until 10 settled "$port"
	sleep 0.3
	snap "$VS_TMP/e.json"
	echo "# $port: $out"
	while read -r line; do
		case $line in
		\#*) echo "$line" ;;
		ok\ *) t_ok "${line#ok }" ;;
		*) t_fail "${line#FAIL }" ;;
		esac
	done < <(account "$port" "$sent")
}

# ---- 1. exact accounting ----------------------------------------------
exact vm1 in_vm vm1 $SEND eth0
exact ext in_vm x $SEND eth0
exact vh testpmd
exact up $SEND "${VS_ID}mb1"
exact a1 in_vm a1 $SEND eth0
exact uplink $SEND "${VS_ID}ub"
t_check "after the exact pass: LACP still up on both sides" both_ok

# ---- 2. full rate, all ports at once ----------------------------------
snap "$VS_TMP/b.json"
BL=()
blast() { local n=$1; shift; "$@" >"$VS_TMP/blast-$n.log" 2>&1 & BL+=($!); VS_PIDS+=($!); }
blast vm1 in_vm vm1 $SEND eth0 "$VS_TMP/vm1.pcap" --seconds $BLAST_S
blast ext in_vm x $SEND eth0 "$VS_TMP/ext.pcap" --seconds $BLAST_S
blast up $SEND "${VS_ID}mb1" "$VS_TMP/up.pcap" --seconds $BLAST_S
blast a1 in_vm a1 $SEND eth0 "$VS_TMP/a1.pcap" --seconds $BLAST_S
blast uplink $SEND "${VS_ID}ub" "$VS_TMP/uplink.pcap" --seconds $BLAST_S
testpmd_replay "$VS_TMP/vh.pcap" 1 $BLAST_S
sleep 1
in_vm vm3 ping -c 20 -i 0.2 -W 1 10.20.0.4 >"$VS_TMP/ping-during.txt" 2>&1
wait "${BL[@]}"
wait_until 60 bash -c "! kill -0 $TESTPMD_PID"
vs_bg_stop "$TESTPMD_PID"
vh_sent=$(testpmd_sent "$TESTPMD_LOG")
sleep 1
snap "$VS_TMP/e.json"
total=0
for n in vm1 ext up a1 uplink; do
	l=$(cat "$VS_TMP/blast-$n.log")
	echo "# full rate $n: $l"
	total=$((total + $(sed -n 's/^sent \([0-9]*\) .*/\1/p' <<<"$l")))
done
echo "# full rate vh (testpmd virtio-user): sent $vh_sent frames"
total=$((total + vh_sent))
echo "# full rate, all ports: $total frames in about $BLAST_S s ($((total / BLAST_S)) frames/s)"
read -r rx dropped missed fwd <<<"$("$PY" - "$VS_TMP/b.json" "$VS_TMP/e.json" <<'EOF'
import json, sys
b, e = (json.load(open(p)) for p in sys.argv[1:])
def d(port, *k):
    x, y = b['ports'][port], e['ports'][port]
    for kk in k:
        x, y = x.get(kk, 0), y.get(kk, 0)
    return y - x
senders = ['vm1', 'ext', 'vh', 'up', 'a1', 'uplink']
rx = sum(d(p, 'rx_packets') for p in senders)
drops = sum(d(p, 'drops', r) for p in senders for r in e['ports'][p]['drops'] if r != 'rx-missed')
missed = sum(d(p, 'drops', 'rx-missed') for p in senders)
print(rx, drops, missed, rx - drops)
EOF
)"
echo "# full rate: switch received $rx, dropped $dropped by reason, $missed missed by the devices (rings full)"
t_check "full rate: the switch received frames on every port ($rx)" test "$rx" -gt 0
t_check "full rate: vswitchd A still runs" kill -0 "$A_VSWITCHD"
t_check "full rate: vswitchd B still runs" kill -0 "$B_VSWITCHD"
t_check "during: vm3 pinged vm4 ($(grep -o '[0-9]*% packet loss' "$VS_TMP/ping-during.txt"))" \
	grep -q " [0-9]* received" "$VS_TMP/ping-during.txt"
t_check "after: vm1 -> vm2, vb -> vm2 (team), a1 -> b1 (NVGRE), vm3 -> vm4" pings
t_check "after: LACP still up on both sides" both_ok
t_check "after: no error in A's log" bash -c "! grep -Ei 'panic|segfault|assert' '$VS_TMP/A/vswitchd.log'"

t_summary
