#!/bin/bash
# Live capture through the real daemons, namespaces as VMs: vswitchctl
# capture writes a port's frames to a pcap file while traffic flows, and
# tshark reads them back.  vm1 and vm2 share the untagged domain; their
# neighbour entries are static so that the only frames are the pings.
# vm4, a trunk, joins at the end to show frames captured in the form they
# have on the wire of each port.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
vs_init "${1:?usage: test_capture.sh BUILD_DIR}"
trap vs_cleanup EXIT
command -v tshark >/dev/null || vs_die "tshark is not installed (scripts/deps.sh)"

M1=02:00:00:00:30:01; M2=02:00:00:00:30:02; M4=02:00:00:00:30:04
IP1=10.30.0.1; IP2=10.30.0.2; IP4=10.30.0.4
VMTOOL=$HERE/vmtool.py
vs_start_controld
vs_start_vswitchd
vs_vm vm1 $IP1/24 $M1
vs_vm vm2 $IP2/24 $M2
vs_vm vm4 "" $M4
in_vm vm1 ip neigh replace $IP2 lladdr $M2 dev eth0 nud permanent
in_vm vm2 ip neigh replace $IP1 lladdr $M1 dev eth0 nud permanent
t_check "add-port vm1" vsctl add-port vm1 --type vm --devargs "$(vs_vm_devargs vm1)" --mac $M1
t_check "add-port vm2" vsctl add-port vm2 --type vm --devargs "$(vs_vm_devargs vm2)" --mac $M2
t_check "ping vm1 -> vm2 before capturing" in_vm vm1 ping -c 2 -i 0.2 -W 2 $IP2

# started N: vswitchd has logged N capture starts (it logs once the
# workers see the capture, just before it answers).
started() { test "$(grep -c 'capture [0-9]*: .*: started' "$VS_TMP/vswitchd.log")" -ge "$1"; }
n_started() { grep -c 'capture [0-9]*: .*: started' "$VS_TMP/vswitchd.log"; }
# capture_bg OUT-PREFIX ARGS...: vswitchctl capture in the background,
# output in OUT-PREFIX.out/.err; CAP_PID is vswitchctl itself (no
# wrapper: the test signals it), stopped at exit if still there.
capture_bg() {
	local out=$1; shift
	"$VSCTL_BIN" --socket "$VS_CTL_SOCK" capture "$@" \
		>"$out.out" 2>"$out.err" &
	CAP_PID=$!
	VS_PIDS+=("$CAP_PID")
}
# fields FILE: "src dst icmp-type" per frame, as tshark reads the file.
fields() { tshark -r "$1" -T fields -E separator=' ' -e ip.src -e ip.dst -e icmp.type 2>/dev/null; }
count_lines() { grep -c "^$2\$" <<<"$1"; }
ping4() { in_vm vm1 ping -c 4 -i 0.2 -W 2 $IP2 >"$VS_TMP/ping.out" 2>&1; }
no_loss() { grep -q ' 0% packet loss' "$VS_TMP/ping.out"; }
# wait_exit PID SECONDS: waits for a background vswitchctl, returns its
# status (124 when it had to be killed).
wait_exit() {
	wait_until "$2" bash -c "! kill -0 $1" || { kill -KILL "$1"; wait "$1"; return 124; }
	wait "$1"
}

# --- --count 8, both directions: 4 requests in, 4 replies out.
n0=$(n_started)
capture_bg "$VS_TMP/both" vm1 --out "$VS_TMP/both.pcap" --count 8
t_check "capture vm1 --count 8 started" wait_until 15 started $((n0 + 1))
ping4
t_check "no ping lost while capturing" no_loss
wait_exit $CAP_PID 15; rc=$?
t_check "vswitchctl exits 0 once 8 frames are written (rc $rc)" test $rc -eq 0
t_check "it says so: $(cat "$VS_TMP/both.out")" \
	test "$(cat "$VS_TMP/both.out")" = "8 frames written to $VS_TMP/both.pcap"
f=$(fields "$VS_TMP/both.pcap")
t_check "tshark reads 8 frames" test "$(wc -l <<<"$f")" -eq 8
t_check "4 echo requests $IP1 -> $IP2" test "$(count_lines "$f" "$IP1 $IP2 8")" -eq 4
t_check "4 echo replies $IP2 -> $IP1" test "$(count_lines "$f" "$IP2 $IP1 0")" -eq 4
t_check "frames are Ethernet with the VMs' MACs" test "$(tshark -r "$VS_TMP/both.pcap" \
	-T fields -e eth.src 2>/dev/null | sort -u | tr '\n' ' ')" = "$M1 $M2 "
t_check "vswitchd logged the end: count" grep -q "capture [0-9]*: port vm1: ended (count): 8 frames written, 0 dropped" "$VS_TMP/vswitchd.log"

# --- --direction rx: only what vm1 sends; tx: only what it receives.
n0=$(n_started)
capture_bg "$VS_TMP/rx" vm1 --out "$VS_TMP/rx.pcap" --count 4 --direction rx
t_check "capture --direction rx started" wait_until 15 started $((n0 + 1))
ping4
wait_exit $CAP_PID 15
f=$(fields "$VS_TMP/rx.pcap")
t_check "rx: the 4 requests and nothing else" test "$(count_lines "$f" "$IP1 $IP2 8")/$(wc -l <<<"$f")" = 4/4
n0=$(n_started)
capture_bg "$VS_TMP/tx" vm1 --out "$VS_TMP/tx.pcap" --count 4 --direction tx
t_check "capture --direction tx started" wait_until 15 started $((n0 + 1))
ping4
wait_exit $CAP_PID 15
f=$(fields "$VS_TMP/tx.pcap")
t_check "tx: the 4 replies and nothing else" test "$(count_lines "$f" "$IP2 $IP1 0")/$(wc -l <<<"$f")" = 4/4

# --- Three at once: vm1 twice and vm2; each sees the whole exchange.
n0=$(n_started)
capture_bg "$VS_TMP/a" vm1 --out "$VS_TMP/a.pcap" --count 8; PA=$CAP_PID
capture_bg "$VS_TMP/b" vm1 --out "$VS_TMP/b.pcap" --count 8 --direction both; PB=$CAP_PID
capture_bg "$VS_TMP/c" vm2 --out "$VS_TMP/c.pcap" --count 8; PC=$CAP_PID
t_check "three captures started" wait_until 15 started $((n0 + 3))
ping4
t_check "no ping lost with three captures" no_loss
for p in $PA $PB $PC; do wait_exit $p 15; done
for x in a b c; do
	f=$(fields "$VS_TMP/$x.pcap")
	t_check "capture $x: 4 requests and 4 replies" \
		test "$(count_lines "$f" "$IP1 $IP2 8")/$(count_lines "$f" "$IP2 $IP1 0")" = 4/4
done

# --- No count: the file fills while the capture runs; SIGINT ends it.
n0=$(n_started)
capture_bg "$VS_TMP/int" vm1 --out "$VS_TMP/int.pcap"
t_check "capture without --count started" wait_until 15 started $((n0 + 1))
ping4
sleep 0.3
f=$(fields "$VS_TMP/int.pcap")
t_check "the file already holds the 8 frames while capturing" test "$(wc -l <<<"$f")" -eq 8
t_check "vswitchctl still runs" kill -0 $CAP_PID
kill -INT $CAP_PID
wait_exit $CAP_PID 10; rc=$?
t_check "SIGINT: vswitchctl stops the capture and exits 0 (rc $rc)" test $rc -eq 0
t_check "SIGINT: $(cat "$VS_TMP/int.out")" \
	test "$(cat "$VS_TMP/int.out")" = "8 frames written to $VS_TMP/int.pcap"
t_check "vswitchd logged the end: stopped" grep -q "port vm1: ended (stopped): 8 frames" "$VS_TMP/vswitchd.log"

# --- --timeout, and --json.
out=$(timeout 20 "$VSCTL_BIN" --socket "$VS_CTL_SOCK" --json capture vm2 \
	--out "$VS_TMP/quiet.pcap" --timeout 1)
t_check "--timeout 1 without traffic: 0 frames, --json result ($out)" \
	test "$(json_get "$out" 'd["frames"], d["dropped"], d["reason"], d["file"]')" = \
	"(0, 0, 'stopped', '$VS_TMP/quiet.pcap')"
t_check "...and the file is an empty capture tshark reads" \
	test "$(tshark -r "$VS_TMP/quiet.pcap" 2>/dev/null | wc -l)" -eq 0

# --- A killed vswitchctl does not leave vswitchd capturing: controld
# stops the capture when the connection closes.
n0=$(n_started)
capture_bg "$VS_TMP/kill" vm1 --out "$VS_TMP/kill.pcap"
t_check "capture for kill -9 started" wait_until 15 started $((n0 + 1))
ping4
kill -KILL $CAP_PID; wait $CAP_PID 2>/dev/null
reaped() { grep -q "port vm1: ended (stopped): 8 frames" <(grep -A1000 "capture $((n0 + 1)): " "$VS_TMP/vswitchd.log"); }
t_check "vswitchctl killed: controld stopped its capture" wait_until 10 reaped
t_check "controld logged why" grep -q "client pid $CAP_PID went away: stopping it" "$VS_TMP/controld.log"
size=$(stat -c %s "$VS_TMP/kill.pcap")
ping4
t_check "the file no longer grows" test "$(stat -c %s "$VS_TMP/kill.pcap")" -eq "$size"

# --- Errors: each names what is wrong, and nothing starts or changes.
sum0=$(md5sum <"$VS_CONFIG")
n0=$(n_started)
# err_case DESC EXPECTED-MESSAGE ARGS...: vswitchctl capture fails with
# exactly "vswitchctl: EXPECTED-MESSAGE".
err_case() {
	local desc=$1 want=$2; shift 2
	local got
	got=$(timeout 20 "$VSCTL_BIN" --socket "$VS_CTL_SOCK" capture "$@" 2>&1)
	local rc=$?
	t_check "$desc: exit 1, '$got'" test "$rc/$got" = "1/vswitchctl: $want"
}
err_case "unwritable path" "--out: /proc/x.pcap: No such file or directory" \
	vm1 --out /proc/x.pcap --count 1
err_case "missing directory" "--out: $VS_TMP/none/x.pcap: No such file or directory" \
	vm1 --out "$VS_TMP/none/x.pcap"
err_case "a directory" "--out: $VS_TMP: Is a directory" vm1 --out "$VS_TMP"
err_case "a device" "--out: /dev/null: not a regular file" vm1 --out /dev/null
err_case "unknown port" "port vm9 does not exist" vm9 --out "$VS_TMP/vm9.pcap"
t_check "...leaves no file behind" test ! -e "$VS_TMP/vm9.pcap"
echo keep >"$VS_TMP/keep.pcap"
err_case "unknown port, existing file" "port vm9 does not exist" vm9 --out "$VS_TMP/keep.pcap"
t_check "...leaves the existing file as it was" test "$(cat "$VS_TMP/keep.pcap")" = keep
err_case "--count 0" "--count: 0 is out of range (1-1000000000000)" vm1 --out "$VS_TMP/e.pcap" --count 0
err_case "--count -3" "--count: -3 is out of range (1-1000000000000)" vm1 --out "$VS_TMP/e.pcap" --count -3
err_case "--count abc" "--count: 'abc' is not a number" vm1 --out "$VS_TMP/e.pcap" --count abc
err_case "--direction sideways" "--direction: 'sideways' is not one of rx|tx|both" \
	vm1 --out "$VS_TMP/e.pcap" --direction sideways
err_case "no --out" "capture: --out is required" vm1 --count 1
t_check "no error created a file" test ! -e "$VS_TMP/e.pcap"

# As an unprivileged user: the file is opened with that user's
# permissions, and starting a capture needs root (it sees everyone's
# traffic).  The state directory is opened up for this.
chmod 755 "$VS_TMP"; chmod 666 "$VS_CTL_SOCK"
mkdir -m 755 "$VS_TMP/rootonly"
mkdir -m 1777 "$VS_TMP/open"
as_nobody() { timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$VSCTL_BIN" --socket "$VS_CTL_SOCK" capture "$@" 2>&1; }
got=$(as_nobody vm1 --out "$VS_TMP/rootonly/x.pcap")
t_check "nobody, root's directory: '$got'" \
	test "$got" = "vswitchctl: --out: $VS_TMP/rootonly/x.pcap: Permission denied"
got=$(as_nobody vm1 --out "$VS_TMP/open/x.pcap")
t_check "nobody, own file: '$got'" \
	test "$got" = "vswitchctl: permission denied: capture_start needs root"
t_check "...and the file it created is gone" test ! -e "$VS_TMP/open/x.pcap"
chmod 700 "$VS_TMP"

t_check "no capture started by any error case" test "$(n_started)" -eq "$n0"
t_check "configuration file unchanged" test "$(md5sum <"$VS_CONFIG")" = "$sum0"
t_check "traffic still flows" in_vm vm1 ping -c 2 -i 0.2 -W 2 $IP2

# --- Deleting the port ends its capture; vswitchctl says so.
n0=$(n_started)
capture_bg "$VS_TMP/del" vm2 --out "$VS_TMP/del.pcap"
t_check "capture vm2 started" wait_until 15 started $((n0 + 1))
ping4
t_check "del-port vm2 while capturing" vsctl del-port vm2
wait_exit $CAP_PID 10; rc=$?
t_check "vswitchctl exits 0 when the port goes (rc $rc)" test $rc -eq 0
t_check "with the frames: $(cat "$VS_TMP/del.out")" \
	test "$(cat "$VS_TMP/del.out")" = "8 frames written to $VS_TMP/del.pcap"
t_check "and why: $(cat "$VS_TMP/del.err")" \
	grep -qx "vswitchctl: capture ended: the port was deleted" "$VS_TMP/del.err"
f=$(fields "$VS_TMP/del.pcap")
t_check "vm2's side: 4 requests in, 4 replies out" \
	test "$(count_lines "$f" "$IP1 $IP2 8")/$(count_lines "$f" "$IP2 $IP1 0")" = 4/4
t_check "vswitchd logged the end: port-deleted" grep -q "port vm2: ended (port-deleted)" "$VS_TMP/vswitchd.log"
t_check "vswitchd still up" dataplane_up

# --- VLANs: vm1 access 10, vm4 a trunk of 10.  What vm4 receives is
# captured tagged (the tag is pushed before transmission), what vm1
# receives untagged (popped), each as it is on that port's wire.
t_check "add-port vm4 (trunk 10)" vsctl add-port vm4 --type vm --devargs "$(vs_vm_devargs vm4)" --mac $M4
t_check "set-port vm4 trunk 10" vsctl set-port vm4 --vlan-mode trunk --allowed-vlans 10
t_check "set-port vm1 access 10" vsctl set-port vm1 --vlan-mode access --vlan 10
in_vm vm1 ip neigh replace $IP4 lladdr $M4 dev eth0 nud permanent
n0=$(n_started)
capture_bg "$VS_TMP/v4" vm4 --out "$VS_TMP/v4.pcap" --count 6; P4=$CAP_PID
capture_bg "$VS_TMP/v1" vm1 --out "$VS_TMP/v1.pcap" --count 6; P1=$CAP_PID
t_check "captures on vm4 and vm1 started" wait_until 15 started $((n0 + 2))
out=$(in_vm vm4 "$PY" "$VMTOOL" ping eth0 --src-mac $M4 --dst-mac $M1 \
	--src-ip $IP4 --dst-ip $IP1 --vlan 10 --count 3)
t_check "vm4 pings vm1 tagged 10: $out" test $? -eq 0
wait_exit $P4 15; wait_exit $P1 15
vfields() { tshark -r "$1" -T fields -E separator=' ' -e vlan.id -e ip.src -e icmp.type 2>/dev/null; }
f=$(vfields "$VS_TMP/v4.pcap")
t_check "vm4: 3 requests in and 3 replies out, all tagged 10" \
	test "$(count_lines "$f" "10 $IP4 8")/$(count_lines "$f" "10 $IP1 0")" = 3/3
f=$(vfields "$VS_TMP/v1.pcap")
t_check "vm1: 3 requests out and 3 replies in, untagged" \
	test "$(count_lines "$f" " $IP4 8")/$(count_lines "$f" " $IP1 0")" = 3/3

# --- vswitchd stops: it closes the file; vswitchctl reports the capture
# lost.  A new vswitchd gets the configuration and captures again.
n0=$(n_started)
capture_bg "$VS_TMP/down" vm1 --out "$VS_TMP/down.pcap"
t_check "capture before stopping vswitchd started" wait_until 15 started $((n0 + 1))
vs_stop "$VSWITCHD_PID"
wait_exit $CAP_PID 10; rc=$?
t_check "vswitchctl exits 1 (rc $rc): $(cat "$VS_TMP/down.err")" \
	test "$rc/$(cut -c1-32 "$VS_TMP/down.err")" = "1/vswitchctl: the capture was lost"
t_check "vswitchd logged the end: shutdown" grep -q "port vm1: ended (shutdown)" "$VS_TMP/vswitchd.log"
t_check "the file is a valid capture" tshark -r "$VS_TMP/down.pcap"
vs_start_vswitchd
n0=$(n_started)
capture_bg "$VS_TMP/again" vm1 --out "$VS_TMP/again.pcap" --count 6
t_check "a capture on the new vswitchd started" wait_until 15 started $((n0 + 1))
out=$(in_vm vm4 "$PY" "$VMTOOL" ping eth0 --src-mac $M4 --dst-mac $M1 \
	--src-ip $IP4 --dst-ip $IP1 --vlan 10 --count 3)
t_check "traffic flows through the new vswitchd: $out" test $? -eq 0
wait_exit $CAP_PID 15; rc=$?
t_check "...and is captured: $(cat "$VS_TMP/again.out")" \
	test "$rc/$(cat "$VS_TMP/again.out")" = "0/6 frames written to $VS_TMP/again.pcap"

# --- vswitchd ends every capture when controld goes away (its clients
# went with it); vswitchctl reports the capture lost.
n0=$(n_started)
capture_bg "$VS_TMP/gone" vm1 --out "$VS_TMP/gone.pcap"
t_check "capture before stopping controld started" wait_until 15 started $((n0 + 1))
vs_stop "$CONTROLD_PID"
wait_exit $CAP_PID 10; rc=$?
t_check "vswitchctl exits 1 (rc $rc): $(cat "$VS_TMP/gone.err")" \
	test "$rc/$(cat "$VS_TMP/gone.err")" = "1/vswitchctl: the capture was lost: vswitch-controld closed the connection"
t_check "vswitchd logged the end: controld-gone" \
	wait_until 10 grep -q "port vm1: ended (controld-gone)" "$VS_TMP/vswitchd.log"
t_check "the file is a valid capture" tshark -r "$VS_TMP/gone.pcap"

t_summary
