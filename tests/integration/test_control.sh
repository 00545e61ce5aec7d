#!/bin/bash
# Integration test of vswitch-controld and vswitchctl (docs/protocol.md):
# controld runs without vswitchd, then against a small fake vswitchd
# written in Python that speaks the dataplane protocol.  Everything lives
# in a fresh temporary directory; only processes this script started are
# stopped.  Usage: test_control.sh BUILD_DIR
set -u

BUILD=${1:?usage: test_control.sh BUILD_DIR}
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (it runs vswitchctl as another user)"
	exit 77
fi
CTLD=$BUILD/control/vswitch-controld
CTL_BIN=$BUILD/control/vswitchctl
for b in "$CTLD" "$CTL_BIN"; do
	[ -x "$b" ] || { echo "FAIL - $b is not built"; exit 1; }
done

T=$(mktemp -d /tmp/vs-ctl.XXXXXX)
CONF=$T/etc/config.json
SOCK=$T/run/controld.sock
DPSOCK=$T/run/dataplane.sock
LOG=$T/controld.log
PID=""
FAKE_PID=""
passed=0
failed=0

cleanup() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null
		wait_for 10 gone "$PID" || kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	if [ "$failed" -ne 0 ] && [ -f "$LOG" ]; then
		echo "--- controld log"
		cat "$LOG"
	fi
	rm -rf "$T"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

ctl() { timeout 30 "$CTL_BIN" --socket "$SOCK" "$@"; }

# wait_for SECONDS COMMAND...: retries COMMAND every 0.1 s.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

# jcheck FILE EXPR: the Python expression EXPR about the JSON in FILE ("-"
# for standard input), bound to 'd', is true.
jcheck() {
	python3 -c '
import json, sys
d = json.load(sys.stdin if sys.argv[1] == "-" else open(sys.argv[1]))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2"
}

quiet() { "$@" >/dev/null 2>&1; }
not() { ! "$@"; }
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

start_controld() {
	"$CTLD" --foreground --config "$CONF" --socket "$SOCK" \
		--dataplane-socket "$DPSOCK" "$@" 2>>"$LOG" &
	PID=$!
	wait_for 10 test -S "$SOCK" && wait_for 10 ctl show >/dev/null
}

# Stops controld with SIGTERM; true when it exits 0 within 10 s.
stop_controld() {
	local rc
	kill -TERM "$PID"
	if ! wait_for 10 gone "$PID"; then
		kill -KILL "$PID"
		wait "$PID" 2>/dev/null
		PID=""
		return 1
	fi
	wait "$PID"
	rc=$?
	PID=""
	return "$rc"
}

# expect_fail DESC NEEDLE ARGS...: vswitchctl ARGS exits non-zero, prints
# one "vswitchctl: ..." line naming NEEDLE, and the file does not change.
expect_fail() {
	local desc=$1 needle=$2 before after err rc
	shift 2
	before=$(sha256sum <"$CONF")
	err=$(ctl "$@" 2>&1 >/dev/null)
	rc=$?
	after=$(sha256sum <"$CONF")
	if [ "$rc" -ne 0 ] && [[ $err == "vswitchctl: "*"$needle"* ]] &&
		[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
		[ "$before" = "$after" ]; then
		ok "$desc: $err"
	else
		not_ok "$desc (exit $rc, stderr '$err', file changed: $([ "$before" = "$after" ] && echo no || echo yes))"
	fi
}

# rpc LINE: sends one raw line to controld and prints the reply line.
rpc() {
	timeout 20 python3 - "$SOCK" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
print(s.makefile("rb").readline().decode().strip() or "CLOSED")
EOF
}

# --- start without a configuration file
mkdir -p "$T/vms"
check "controld starts with no configuration file" start_controld
check "the configuration file is created" \
	jcheck "$CONF" 'd == {"schema_version": 1, "ports": []}'
check "control socket has mode 0660" test "$(stat -c %a "$SOCK")" = 660
check "dataplane socket has mode 0660" test "$(stat -c %a "$DPSOCK")" = 660
check "show reports the dataplane down" \
	bash -c "'$CTL_BIN' --socket '$SOCK' show | grep -q '^dataplane: down'"
ctl --json show >"$T/show.json"
check "show --json" jcheck "$T/show.json" \
	"d['dataplane'] == 'down' and d['config_file'] == '$CONF' and 'ports' not in d"

# --- ports of every type
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	"$T/vms/vmc.sock"
check "add-port vm (vhost-user server)" ctl add-port vm1 --type vm \
	--socket "$T/vms/vm1.sock" --mac 52:54:00:00:00:01
check "add-port vm (vhost-user client)" ctl add-port vmc --type vm \
	--socket "$T/vms/vmc.sock" --vhost-mode client
check "add-port vm (devargs)" ctl add-port vm4 --type vm \
	--devargs net_af_packet,iface=veth4
check "add-port external" ctl add-port uplink --type external \
	--devargs net_tap,iface=up0
check "add-port internal" ctl add-port host0 --type internal \
	--mac 02:00:00:00:00:fe
check "set-port access" ctl set-port vm1 --vlan-mode access --vlan 10
check "set-port trunk" ctl set-port vm4 --vlan-mode trunk \
	--allowed-vlans 10,20,100-200 --native-vlan 5
check "add-mac" ctl add-mac --mac 52:54:00:00:00:09 --port vm1 --vlan 10
check "add-mac untagged" ctl add-mac --mac 52:54:00:00:00:0a --port uplink
check "set-switch" ctl set-switch --mac-aging 600
check "the file holds every change" jcheck "$CONF" "
[p['name'] for p in d['ports']] == ['vm1', 'vmc', 'vm4', 'uplink', 'host0']
and d['ports'][0] == {'name': 'vm1', 'type': 'vm', 'socket': '$T/vms/vm1.sock',
  'mac': '52:54:00:00:00:01', 'vlan_mode': 'access', 'vlan': 10}
and d['ports'][1]['vhost_mode'] == 'client'
and d['ports'][2]['allowed_vlans'] == '10,20,100-200'
and d['ports'][2]['native_vlan'] == 5
and d['ports'][3] == {'name': 'uplink', 'type': 'external', 'devargs': 'net_tap,iface=up0'}
and d['ports'][4] == {'name': 'host0', 'type': 'internal', 'mac': '02:00:00:00:00:fe'}
and d['switch'] == {'mac_aging_s': 600}
and d['static_macs'] == [{'mac': '52:54:00:00:00:09', 'vlan': 10, 'port': 'vm1'},
                         {'mac': '52:54:00:00:00:0a', 'port': 'uplink'}]"
check "del-mac" ctl del-mac --mac 52:54:00:00:00:0a
check "add-port for deletion" ctl add-port tmp0 --type internal
check "add-mac on it" ctl add-mac --mac 52:54:00:00:00:0c --port tmp0 --vlan 7
check "del-port" ctl del-port tmp0
check "del-port took its static MAC along" jcheck "$CONF" "
[p['name'] for p in d['ports']] == ['vm1', 'vmc', 'vm4', 'uplink', 'host0']
and d['static_macs'] == [{'mac': '52:54:00:00:00:09', 'vlan': 10, 'port': 'vm1'}]"
check "show lists the ports" bash -c "'$CTL_BIN' --socket '$SOCK' show |
	grep -Eq '^vm4 +vm +net_af_packet,iface=veth4 +trunk 10,20,100-200 native 5 +- +- +-\$'"
check "list-ports shows VLAN modes" bash -c "'$CTL_BIN' --socket '$SOCK' list-ports |
	grep -Eq '^vm1 +vm +vhost-user server $T/vms/vm1.sock +access 10 +52:54:00:00:00:01'"

# --- bad input: refused, field named, file untouched
expect_fail "unknown port (del-port)" "port vm9 does not exist" del-port vm9
expect_fail "unknown port (set-port)" "vm9" set-port vm9 --vlan 10
expect_fail "unknown port (add-mac)" "vm9" \
	add-mac --mac 52:54:00:00:00:0b --port vm9
expect_fail "duplicate name" "port vm1 already exists" \
	add-port vm1 --type internal
expect_fail "VLAN 0" "--vlan: 0" set-port vm1 --vlan 0
expect_fail "VLAN 4095" "--vlan: 4095" set-port vm1 --vlan 4095
expect_fail "VLAN not a number" "--vlan: 'abc' is not a number" \
	set-port vm1 --vlan abc
expect_fail "native VLAN 4095" "--native-vlan" set-port vm4 --native-vlan 4095
for mac in 52:54:00:00:00 52:54:00:00:00:zz 01:00:5e:00:00:01 \
	00:00:00:00:00:00; do
	expect_fail "malformed MAC $mac" "--mac: " \
		add-port x --type internal --mac "$mac"
done
for devargs in "" ",x=1" "net_tap,=1" "net_tap,a=" "net tap"; do
	expect_fail "malformed devargs '$devargs'" "--devargs: " \
		add-port x --type external --devargs "$devargs"
done
for list in "10,,20" "a" "20-10" "0" "4095" "10-"; do
	expect_fail "allowed VLANs '$list'" "--allowed-vlans: " \
		set-port vm4 --allowed-vlans "$list"
done
expect_fail "socket directory does not exist" "socket: " \
	add-port x --type vm --socket "$T/nodir/x.sock"
expect_fail "relative socket path" "socket: " \
	add-port x --type vm --socket vms/x.sock
expect_fail "socket path too long" "socket: " \
	add-port x --type vm --socket "$T/$(printf 'a%.0s' $(seq 120))"
expect_fail "client socket does not exist" "socket: " \
	add-port x --type vm --socket "$T/vms/none.sock" --vhost-mode client
expect_fail "socket used twice" "socket: " \
	add-port x --type vm --socket "$T/vms/vm1.sock"
expect_fail "vm with socket and devargs" "devargs: " \
	add-port x --type vm --socket "$T/vms/x.sock" --devargs net_tap
expect_fail "external without devargs" "devargs: " add-port x --type external
expect_fail "access without VLAN" "vlan: " set-port host0 --vlan-mode access
expect_fail "trunk with VLAN" "vlan: " set-port vm4 --vlan 10
expect_fail "duplicate static MAC" "already exists" \
	add-mac --mac 52:54:00:00:00:09 --port vm4 --vlan 10
expect_fail "unknown static MAC" "does not exist" \
	del-mac --mac 52:54:00:00:00:0b
expect_fail "MAC aging out of range" "--mac-aging" set-switch --mac-aging 5
expect_fail "--team is not accepted yet" "unknown option '--team'" \
	add-port x --type external --team t0
expect_fail "policy options are not accepted yet" "unknown option" \
	set-port vm1 --mac-spoofing on
expect_fail "set-port with nothing to change" "nothing to change" set-port vm1
expect_fail "unknown command" "unknown command" frobnicate

# --- controld checks on its own, whatever the client
before=$(sha256sum <"$CONF")
reply=$(rpc '{"jsonrpc":"2.0","id":7,"method":"set_port","params":{"name":"vm1","vlan":4095}}')
check "controld validates params (-32602 naming vlan)" jcheck - \
	"d['id'] == 7 and d['error']['code'] == -32602 and d['error']['message'].startswith('vlan: 4095')" <<<"$reply"
reply=$(rpc '{"jsonrpc":"2.0","id":8,"method":"add_port","params":{"name":"x","type":"internal","vlan":1}}')
check "unknown parameter (-32602)" jcheck - \
	"d['error']['code'] == -32602 and 'vlan' in d['error']['message']" <<<"$reply"
reply=$(rpc '{"jsonrpc":"2.0","id":9,"method":"add_port",')
check "invalid JSON (-32700)" jcheck - "d['error']['code'] == -32700 and d['id'] is None" <<<"$reply"
reply=$(rpc '{"jsonrpc":"2.0","id":"a","method":"reboot"}')
check "unknown method (-32601)" jcheck - "d['error']['code'] == -32601 and d['id'] == 'a'" <<<"$reply"
reply=$(rpc '{"jsonrpc":"1.0","id":1,"method":"show"}')
check "invalid request (-32600)" jcheck - "d['error']['code'] == -32600" <<<"$reply"
reply=$(timeout 20 python3 - "$SOCK" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
try:
    s.sendall(b"x" * (17 << 20))
    print(s.recv(1) == b"" and "CLOSED" or "OPEN")
except OSError:
    print("CLOSED")
EOF
)
check "a message over 16 MiB closes the connection" test "$reply" = CLOSED
check "bad requests changed nothing" test "$before" = "$(sha256sum <"$CONF")"
check "controld still answers" ctl show >/dev/null

# --- queries that need vswitchd
for cmd in port-stats mac-table queues; do
	expect_fail "$cmd without vswitchd" "vswitchd is not connected" $cmd
done

# --- help
check "vswitchctl --help" bash -c "'$CTL_BIN' --help | grep -q '^usage: vswitchctl'"
for cmd in show add-port del-port set-port list-ports port-stats mac-table \
	queues add-mac del-mac set-switch; do
	check "vswitchctl $cmd --help" bash -c "'$CTL_BIN' $cmd --help |
		grep -q '^usage: vswitchctl .*$cmd' && '$CTL_BIN' --help | grep -q '^  $cmd'"
done
check "vswitch-controld --help" bash -c "'$CTLD' --help | grep -q '^usage: vswitch-controld'"

# --- restart: the configuration persists
ctl --json list-ports >"$T/before.json"
check "SIGTERM stops controld with status 0" stop_controld
check "sockets are removed on exit" test ! -e "$SOCK" -a ! -e "$DPSOCK"
check "controld restarts" start_controld
ctl --json list-ports >"$T/after.json"
check "list-ports --json is identical after a restart" \
	cmp -s "$T/before.json" "$T/after.json"
check "a second controld refuses a live socket" \
	bash -c "! timeout 10 '$CTLD' --foreground --config '$CONF' --socket '$SOCK' --dataplane-socket '$T/run/dp2.sock' 2>/dev/null"

# --- credentials: nobody may look but not change
cp "$CTL_BIN" "$T/vswitchctl"
chmod 755 "$T" "$T/vswitchctl" "$T/run"
as_nobody() {
	timeout 30 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$T/vswitchctl" --socket "$SOCK" "$@"
}
check "socket mode 0660 keeps others out" not quiet as_nobody show
chmod 666 "$SOCK"
check "nobody can run show" quiet as_nobody show
before=$(sha256sum <"$CONF")
err=$(as_nobody add-port x --type internal 2>&1)
check "nobody cannot add-port ($err)" \
	test $? -ne 0 -a "${err#vswitchctl: permission denied}" != "$err"
check "refused change left the file alone" test "$before" = "$(sha256sum <"$CONF")"
stop_controld
check "controld restarts with --group nogroup" start_controld --group nogroup
check "socket belongs to --group" test "$(stat -c %G "$SOCK")" = nogroup
check "a --group member may change" as_nobody add-port grp0 --type internal
check "root may change" ctl del-port grp0

# --- with a (fake) vswitchd
cat >"$T/fake_vswitchd.py" <<'EOF'
import json, os, socket, sys, time
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
deadline = time.time() + 10
while True:
    try:
        s.connect(path)
        break
    except OSError:
        if time.time() > deadline:
            sys.exit(1)
        time.sleep(0.1)
f = s.makefile("rwb")
def send(o):
    f.write((json.dumps(o) + "\n").encode())
    f.flush()
def state(i, p):
    return {"name": p["name"], "type": p["type"], "device": "dev%d" % i,
            "dpdk_port": i, "link": "up", "status": "ok", "rx_queues": 1,
            "tx_queues": 1, "stats": {"rx_packets": 10, "rx_bytes": 1200,
            "tx_packets": 5, "tx_bytes": 600,
            "drops": {"truncated": 0, "tagged-on-access": 3}}}
send({"jsonrpc": "2.0", "method": "hello", "params": {"pid": os.getpid()}})
ports = []
for line in f:
    req = json.loads(line)
    with open(log, "a") as lf:
        lf.write(json.dumps(req) + "\n")
    m, p, rid = req["method"], req.get("params", {}), req["id"]
    ok = lambda r: send({"jsonrpc": "2.0", "id": rid, "result": r})
    if m == "apply":
        names = [q["name"] for q in p["config"]["ports"]]
        if "slow" in names and not p["replay"]:
            continue
        if "bad" in names and not p["replay"]:
            send({"jsonrpc": "2.0", "id": rid, "error": {"code": -32000,
                  "message": "ports[bad].devargs: cannot probe 'net_tap,iface=bad': -2"}})
            continue
        ports = p["config"]["ports"]
        ok({"ports": [{"name": n, "status": "ok"} for n in names]})
    elif m == "get_ports":
        ok({"ports": [state(i, q) for i, q in enumerate(ports)
                      if p.get("name") in (None, q["name"])]})
    elif m == "mac_table":
        ok({"aging_s": 600, "entries": [
            {"vlan": 10, "mac": "52:54:00:00:00:01", "port": "vm1",
             "static": False, "age_s": 4},
            {"vlan": 10, "mac": "52:54:00:00:00:09", "port": "vm1",
             "static": True, "age_s": 0}]})
    elif m == "queues":
        ok({"workers": [{"worker": 0, "lcore": 1, "busy_cycles": 300,
            "idle_cycles": 700, "queues": [{"port": "vm1", "queue": 0,
            "cycles": 1000, "packets": 10}]}]})
    else:
        send({"jsonrpc": "2.0", "id": rid,
              "error": {"code": -32601, "message": "unknown method"}})
EOF
start_fake() {
	python3 "$T/fake_vswitchd.py" "$DPSOCK" "$T/dp.log" &
	FAKE_PID=$!
	wait_for 10 bash -c "grep -q '\"replay\": true' '$T/dp.log' 2>/dev/null"
}
check "vswitchd connects and gets the configuration replayed" start_fake
check "the replay holds the whole configuration" jcheck - "
d['params']['replay'] and [p['name'] for p in d['params']['config']['ports']]
== ['vm1', 'vmc', 'vm4', 'uplink', 'host0']" <<<"$(head -n 1 "$T/dp.log")"
wait_for 10 bash -c "'$CTL_BIN' --socket '$SOCK' show | grep -q '^dataplane: up'"
ctl --json show >"$T/show.json"
check "show reports the dataplane up with its pid" jcheck "$T/show.json" \
	"d['dataplane'] == 'up' and d['dataplane_pid'] == $FAKE_PID and len(d['ports']) == 5"
check "list-ports carries port state" bash -c "'$CTL_BIN' --socket '$SOCK' list-ports |
	grep -Eq '^uplink +external +net_tap,iface=up0 +untagged +- +up +ok\$'"
check "port-stats prints counters and non-zero drops only" bash -c "
	out=\$('$CTL_BIN' --socket '$SOCK' port-stats vm1) &&
	grep -q 'rx: 10 packets, 1200 bytes' <<<\"\$out\" &&
	grep -q 'drop tagged-on-access: 3' <<<\"\$out\" && ! grep -q truncated <<<\"\$out\""
check "mac-table" bash -c "'$CTL_BIN' --socket '$SOCK' mac-table |
	grep -Eq '^10 +52:54:00:00:00:09 +vm1 +static +-\$'"
check "queues" bash -c "'$CTL_BIN' --socket '$SOCK' queues | grep -Eq '^  vm1 +0 +1000 +10 +100.0\$'"
check "a change goes through vswitchd" ctl add-port ext2 --type external \
	--devargs net_tap,iface=e2
check "... as apply replay:false" jcheck - "
not d['params']['replay'] and d['params']['config']['ports'][-1]['name'] == 'ext2'" \
	<<<"$(tail -n 1 "$T/dp.log")"
expect_fail "a change vswitchd refuses" "cannot probe" \
	add-port bad --type external --devargs net_tap,iface=bad
check "... is not kept" bash -c "! '$CTL_BIN' --socket '$SOCK' list-ports | grep -q '^bad '"
before=$(sha256sum <"$CONF")
start=$SECONDS
ctl add-port slow --type internal >"$T/slow.out" 2>&1 &
slow_pid=$!
sleep 1
ctl show >"$T/slow_show.out" 2>&1
check "another client waits for the change, then is answered" \
	test $((SECONDS - start)) -ge 8 -a -s "$T/slow_show.out"
wait "$slow_pid"
check "a change vswitchd does not answer fails after 10 s" \
	test $? -ne 0 -a $((SECONDS - start)) -ge 8
check "... saying so ($(cat "$T/slow.out"))" grep -q "did not answer" "$T/slow.out"
check "... and changes nothing" test "$before" = "$(sha256sum <"$CONF")"
check "controld dropped the silent vswitchd" wait_for 10 gone "$FAKE_PID"
wait "$FAKE_PID" 2>/dev/null
FAKE_PID=""
expect_fail "port-stats after vswitchd left" "vswitchd is not connected" port-stats
check "changes while vswitchd is away are kept" ctl del-port ext2
: >"$T/dp.log"
check "vswitchd reconnects and gets the replay" start_fake
check "... with the change made while it was away" jcheck - "
[p['name'] for p in d['params']['config']['ports']] == ['vm1', 'vmc', 'vm4', 'uplink', 'host0']" \
	<<<"$(head -n 1 "$T/dp.log")"
check "SIGTERM with vswitchd connected" stop_controld
kill "$FAKE_PID" 2>/dev/null
wait "$FAKE_PID" 2>/dev/null
FAKE_PID=""

check "controld logged no sanitizer report" \
	not grep -qE 'Sanitizer|runtime error' "$LOG"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
