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
	grep -Eq '^vm4 +vm +net_af_packet,iface=veth4 +trunk 10,20,100-200 native 5 +- +- +- +spoof=off dhcp-guard=off router-guard=off max-bw=off weight=- storm=off mirror=none cable=connected\$'"
check "list-ports shows VLAN modes" bash -c "'$CTL_BIN' --socket '$SOCK' list-ports |
	grep -Eq '^vm1 +vm +vhost-user server $T/vms/vm1.sock +access 10 +52:54:00:00:00:01'"

# --- port policies (docs/config.md "Port policies")
POLICY_DEFAULTS="{'mac_spoofing': False, 'dhcp_guard': False, 'router_guard': False,
  'max_bandwidth': 0, 'min_weight': 0, 'storm_limit': 0, 'mirror': 'none', 'connected': True}"
# For jcheck on list-ports --json: PORT('vm1') is the object of port vm1.
PORT="(lambda n: [p for p in d['ports'] if p['name'] == n][0])"
ctl --json list-ports >"$T/ports.json"
check "list-ports --json: every port has all its policies, at their defaults" \
	jcheck "$T/ports.json" "all(p['policies'] == dict($POLICY_DEFAULTS,
  **({'link_speed': 0} if p['type'] == 'external' else {})) for p in d['ports'])"
while read -r port opt value key expected; do
	check "set-port $port $opt $value" ctl set-port "$port" "$opt" "$value"
	ctl --json list-ports >"$T/ports.json"
	check "... list-ports --json shows policies.$key == $expected" \
		jcheck "$T/ports.json" "$PORT('$port')['policies']['$key'] == $expected"
done <<'POLICIES'
vmc --mac-spoofing on mac_spoofing True
vmc --dhcp-guard on dhcp_guard True
vmc --router-guard on router_guard True
vmc --max-bandwidth 2.5G max_bandwidth 2500000000
vmc --min-weight 7 min_weight 7
vmc --storm-limit 10k storm_limit 10000
vmc --mirror both mirror 'both'
vmc --connected no connected False
uplink --link-speed 10G link_speed 10000000000
host0 --mirror destination mirror 'destination'
POLICIES
check "... and nothing else changed" jcheck "$T/ports.json" "
$PORT('vmc')['policies'] == {'mac_spoofing': True, 'dhcp_guard': True,
  'router_guard': True, 'max_bandwidth': 2500000000, 'min_weight': 7,
  'storm_limit': 10000, 'mirror': 'both', 'connected': False}
and $PORT('uplink')['policies'] == dict($POLICY_DEFAULTS, link_speed=10000000000)
and $PORT('host0')['policies'] == dict($POLICY_DEFAULTS, mirror='destination')
and $PORT('vm1')['policies'] == $POLICY_DEFAULTS"
check "the file holds the policies in canonical form" jcheck "$CONF" "
d['ports'][1] == {'name': 'vmc', 'type': 'vm', 'socket': '$T/vms/vmc.sock',
  'vhost_mode': 'client', 'mac_spoofing': True, 'dhcp_guard': True,
  'router_guard': True, 'max_bandwidth': 2500000000, 'min_weight': 7,
  'storm_limit': 10000, 'mirror': 'both', 'connected': False}
and d['ports'][3] == {'name': 'uplink', 'type': 'external',
  'devargs': 'net_tap,iface=up0', 'link_speed': 10000000000}
and d['ports'][4] == {'name': 'host0', 'type': 'internal',
  'mac': '02:00:00:00:00:fe', 'mirror': 'destination'}"
check "list-ports shows the policies of a vm port" bash -c "'$CTL_BIN' --socket '$SOCK' list-ports |
	grep -Eq '^vmc +vm +.* spoof=on dhcp-guard=on router-guard=on max-bw=2500M weight=7 storm=10k mirror=both cable=unplugged\$'"
check "... of an external port" bash -c "'$CTL_BIN' --socket '$SOCK' list-ports |
	grep -Eq '^uplink +external +.* +mirror=none link-speed=10G\$'"
check "... of an internal port" bash -c "'$CTL_BIN' --socket '$SOCK' list-ports |
	grep -Eq '^host0 +internal +.* +mirror=destination\$'"
check "show shows them too" bash -c "'$CTL_BIN' --socket '$SOCK' show |
	grep -Eq '^vmc +vm +.* spoof=on .* cable=unplugged\$'"
ctl --json show >"$T/show.json"
check "show --json: policies in every port of config" jcheck "$T/show.json" "
d['config']['ports'][1]['policies']['max_bandwidth'] == 2500000000
and all(len(p['policies']) == (9 if p['type'] == 'external' else 8)
        for p in d['config']['ports'])"
check "set-port back to the defaults" ctl set-port vmc --mac-spoofing off \
	--dhcp-guard off --router-guard off --max-bandwidth 0 --storm-limit 0 \
	--mirror none --connected yes
check "... leaves only the weight in the file" jcheck "$CONF" "
d['ports'][1] == {'name': 'vmc', 'type': 'vm', 'socket': '$T/vms/vmc.sock',
  'vhost_mode': 'client', 'min_weight': 7}"
reply=$(rpc '{"jsonrpc":"2.0","id":1,"method":"set_port","params":{"name":"vmc","min_weight":0}}')
check "set_port min_weight 0 is accepted" jcheck - "d['result'] == {}" <<<"$reply"
check "... and unsets the weight" jcheck "$CONF" "
d['ports'][1] == {'name': 'vmc', 'type': 'vm', 'socket': '$T/vms/vmc.sock',
  'vhost_mode': 'client'}"
check "several policies in one set-port" ctl set-port vm4 --dhcp-guard on \
	--router-guard on --max-bandwidth 100M --min-weight 3 --storm-limit 1000 \
	--mirror source
check "add-port with policies" ctl add-port vmp --type vm \
	--devargs net_tap,iface=p0 --mac 52:54:00:00:00:0d --mac-spoofing on \
	--max-bandwidth 1G --connected no
ctl --json list-ports >"$T/ports.json"
check "... has them" jcheck "$T/ports.json" "
$PORT('vmp')['policies'] == dict($POLICY_DEFAULTS, mac_spoofing=True,
  max_bandwidth=1000000000, connected=False)
and $PORT('vm4')['policies'] == dict($POLICY_DEFAULTS, dhcp_guard=True,
  router_guard=True, max_bandwidth=100000000, min_weight=3, storm_limit=1000,
  mirror='source')"
check "del-port of it" ctl del-port vmp

# --- NIC teams (docs/config.md "Teams")
TA=net_af_packet,iface=ta
TB=net_af_packet,iface=tb
check "add-team lacp" ctl add-team t1 --member $TA --member $TB --mode lacp \
	--lb address-hash --lacp-rate fast
check "add-team switch-independent" ctl add-team t2 --member net_tap,iface=tc \
	--mode switch-independent --lb hyperv-port
check "add-team lacp passive, address hash of MACs" ctl add-team t3 \
	--member 0000:01:00.0 --member 0000:01:00.1 --mode lacp \
	--lb address-hash --hash mac --lacp-passive
check "add-team static, dynamic" ctl add-team t4 --member net_tap,iface=td \
	--mode static --lb dynamic
check "add-port external --team" ctl add-port up2 --type external --team t1
check "the file holds the teams in canonical form" jcheck "$CONF" "
d['teams'] == [
  {'name': 't1', 'members': ['$TA', '$TB'], 'mode': 'lacp',
   'lb': 'address-hash', 'lacp_rate': 'fast'},
  {'name': 't2', 'members': ['net_tap,iface=tc'], 'mode': 'switch-independent',
   'lb': 'hyperv-port'},
  {'name': 't3', 'members': ['0000:01:00.0', '0000:01:00.1'], 'mode': 'lacp',
   'lb': 'address-hash', 'hash': 'mac', 'lacp_passive': True},
  {'name': 't4', 'members': ['net_tap,iface=td'], 'mode': 'static',
   'lb': 'dynamic'}]
and d['ports'][-1] == {'name': 'up2', 'type': 'external', 'team': 't1'}"
check "del-team" ctl del-team t4
check "... leaves the others" jcheck "$CONF" \
	"[t['name'] for t in d['teams']] == ['t1', 't2', 't3']"
ctl --json show >"$T/show.json"
check "show --json: the teams in config, the team in the port" \
	jcheck "$T/show.json" "
[t['name'] for t in d['config']['teams']] == ['t1', 't2', 't3']
and d['config']['ports'][-1]['team'] == 't1'
and d['config']['ports'][-1]['policies'] == dict($POLICY_DEFAULTS, link_speed=0)"
ctl show >"$T/show.txt"
check "show counts the teams" grep -q '^ports: 6, teams: 3, static MACs: 1$' \
	"$T/show.txt"
check "show: a team row per team, a member per row" bash -c "
	grep -Eq '^t1 +lacp active fast +address-hash transport +up2 +$TA\$' '$T/show.txt' &&
	grep -Eq '^ +$TB\$' '$T/show.txt' &&
	grep -Eq '^t2 +switch-independent +hyperv-port +- +net_tap,iface=tc\$' '$T/show.txt' &&
	grep -Eq '^t3 +lacp passive slow +address-hash mac +- +0000:01:00.0\$' '$T/show.txt' &&
	grep -Eq '^TEAM +MODE +BALANCING +PORT +MEMBERS\$' '$T/show.txt'"
check "show: the port made of a team" \
	grep -Eq '^up2 +external +team t1 +untagged +- +- +- +mirror=none link-speed=auto$' \
	"$T/show.txt"
ctl --json list-ports >"$T/ports.json"
check "list-ports --json: the port's team" jcheck "$T/ports.json" \
	"$PORT('up2')['team'] == 't1' and 'devargs' not in $PORT('up2')"
check "add-team --help" bash -c "'$CTL_BIN' add-team --help | grep -qF -- \
	'add-team NAME --member DEVARGS [--member DEVARGS ...] --mode lacp|static|switch-independent --lb address-hash|hyperv-port|dynamic [--hash transport|ip|mac] [--lacp-rate fast|slow] [--lacp-passive]'"
check "add-team --help: --member is repeatable" bash -c "'$CTL_BIN' add-team --help |
	grep -Eq '^  --member DEVARGS .*\\(required, repeatable\\)\$'"
check "add-port --help lists --team" bash -c "'$CTL_BIN' add-port --help |
	grep -q -- '^  --team TEAM '"

# Bad team input: refused, the option named, the file untouched.
expect_fail "a member in two teams" \
	"--member: $TB is already a member of team t1" \
	add-team t5 --member net_tap,iface=te --member $TB --mode static --lb dynamic
expect_fail "a member in two teams (another instance number)" \
	"--member: net_af_packet1,iface=ta is already a member of team t1" \
	add-team t5 --member net_af_packet1,iface=ta --mode static --lb dynamic
expect_fail "a member that is a port's devargs" \
	"--member: net_af_packet,iface=veth4 is already the devargs of port vm4" \
	add-team t5 --member net_af_packet,iface=veth4 --mode static --lb dynamic
expect_fail "a member twice in one team" \
	"--member: net_tap,iface=te is already a member of this team" \
	add-team t5 --member net_tap,iface=te --member net_tap,iface=te \
	--mode static --lb dynamic
expect_fail "a port on another team's member" \
	"--devargs: $TA is a member of team t1" \
	add-port x --type external --devargs $TA
expect_fail "unknown team in add-port" "--team: team t9 does not exist" \
	add-port x --type external --team t9
expect_fail "unknown team in del-team" "team t9 does not exist" del-team t9
expect_fail "del-team of a team in use" "team t1 is used by port up2" \
	del-team t1
expect_fail "a team for two ports" "--team: team t1 is already used by port up2" \
	add-port x --type external --team t1
expect_fail "--team on a vm port" "--team: only for external ports, not vm ports" \
	add-port x --type vm --devargs net_tap,iface=x --team t2
expect_fail "--team on an internal port" \
	"--team: only for external ports, not internal ports" \
	add-port x --type internal --team t2
expect_fail "--team and --devargs" \
	"--team: an external port takes devargs or team, not both" \
	add-port x --type external --devargs net_tap,iface=x --team t2
expect_fail "--lacp-rate with --mode static" "--lacp-rate: only with mode lacp" \
	add-team t5 --member net_tap,iface=te --mode static --lb dynamic \
	--lacp-rate fast
expect_fail "--lacp-rate slow (the default) with --mode switch-independent" \
	"--lacp-rate: only with mode lacp" add-team t5 --member net_tap,iface=te \
	--mode switch-independent --lb dynamic --lacp-rate slow
expect_fail "--lacp-passive with --mode static" \
	"--lacp-passive: only with mode lacp" add-team t5 \
	--member net_tap,iface=te --mode static --lb dynamic --lacp-passive
expect_fail "--hash with --lb dynamic" "--hash: only with lb address-hash" \
	add-team t5 --member net_tap,iface=te --mode lacp --lb dynamic --hash ip
expect_fail "--hash with --lb hyperv-port" "--hash: only with lb address-hash" \
	add-team t5 --member net_tap,iface=te --mode lacp --lb hyperv-port \
	--hash transport
expect_fail "zero members" "add-team: --member is required" \
	add-team t5 --mode static --lb dynamic
expect_fail "9 members" "--member: given more than 8 times" \
	add-team t5 $(for i in 1 2 3 4 5 6 7 8 9; do echo --member net_tap,iface=n$i; done) \
	--mode static --lb dynamic
expect_fail "duplicate team name" "team t1 already exists" \
	add-team t1 --member net_tap,iface=te --mode static --lb dynamic
expect_fail "no --mode" "add-team: --mode is required" \
	add-team t5 --member net_tap,iface=te --lb dynamic
expect_fail "no --lb" "add-team: --lb is required" \
	add-team t5 --member net_tap,iface=te --mode static
expect_fail "bad --mode" "--mode: 'active' is not one of lacp|static|switch-independent" \
	add-team t5 --member net_tap,iface=te --mode active --lb dynamic
expect_fail "bad --lb" "--lb: 'round-robin' is not one of" \
	add-team t5 --member net_tap,iface=te --mode static --lb round-robin
expect_fail "bad --hash" "--hash: 'l4' is not one of transport|ip|mac" \
	add-team t5 --member net_tap,iface=te --mode lacp --lb address-hash --hash l4
expect_fail "bad --lacp-rate" "--lacp-rate: 'medium' is not one of fast|slow" \
	add-team t5 --member net_tap,iface=te --mode lacp --lb dynamic \
	--lacp-rate medium
expect_fail "--lacp-passive takes no value" "--lacp-passive: takes no value" \
	add-team t5 --member net_tap,iface=te --mode lacp --lb dynamic \
	--lacp-passive=yes
expect_fail "bad member devargs" "--member: 'net tap' does not start with" \
	add-team t5 --member "net tap" --mode static --lb dynamic
expect_fail "bad team name" "NAME: 't 5' is not a team name" \
	add-team "t 5" --member net_tap,iface=te --mode static --lb dynamic
expect_fail "bad --team name" "--team: 'a/b' is not a team name" \
	add-port x --type external --team a/b
expect_fail "team-status of an unknown team" "team t9 does not exist" \
	team-status t9
expect_fail "team-status without vswitchd" "vswitchd is not connected" \
	team-status
before=$(sha256sum <"$CONF")
# rpc_team ID METHOD PARAMS CODE NEEDLE: the reply is error CODE, its
# message starting with NEEDLE.
rpc_team() {
	reply=$(rpc "{\"jsonrpc\":\"2.0\",\"id\":$1,\"method\":\"$2\",\"params\":$3}")
	check "controld refuses $2 $3 ($4 $5)" jcheck - \
		"d['id'] == $1 and d['error']['code'] == $4 and d['error']['message'].startswith(\"$5\")" <<<"$reply"
}
rpc_team 40 add_team '{"name":"t5","members":"net_tap","mode":"static","lb":"dynamic"}' \
	-32602 'members: expected an array, got a string'
rpc_team 41 add_team '{"name":"t5","members":[],"mode":"static","lb":"dynamic"}' \
	-32602 'members: a team needs at least one member'
rpc_team 42 add_team '{"name":"t5","members":["a","b","c","d","e","f","g","h","i"],"mode":"static","lb":"dynamic"}' \
	-32602 'members: 9 members, at most 8'
rpc_team 43 add_team '{"name":"t5","members":["net_tap",1],"mode":"static","lb":"dynamic"}' \
	-32602 'members[1]: expected a string, got an integer'
rpc_team 44 add_team '{"name":"t5","members":["net_tap,iface=te"],"mode":"static","lb":"dynamic","lacp_passive":false}' \
	-32602 'lacp_passive: only with mode lacp'
rpc_team 45 add_team '{"name":"t5","members":["net_tap,iface=te"],"mode":"lacp","lb":"dynamic","lacp_passive":"yes"}' \
	-32602 'lacp_passive: expected a boolean, got a string'
rpc_team 46 add_team '{"name":"t5","members":["net_tap,iface=te"],"lb":"dynamic"}' \
	-32602 'mode: required key is missing'
rpc_team 47 add_team '{"name":"t5","members":["net_tap,iface=te"],"mode":"lacp","lb":"dynamic","rate":"fast"}' \
	-32602 'rate: unknown parameter of add_team'
rpc_team 48 del_team '{}' -32602 'name: required parameter is missing'
rpc_team 49 del_team '{"name":"t1"}' -32000 'team t1 is used by port up2'
rpc_team 50 add_port '{"name":"x","type":"external","team":7}' \
	-32602 'team: expected a string, got an integer'
check "bad team requests changed nothing" test "$before" = "$(sha256sum <"$CONF")"

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
expect_fail "--min-weight 0" "--min-weight: 0 is out of range (1-100)" \
	set-port vm4 --min-weight 0
expect_fail "--min-weight 101" "--min-weight: 101 is out of range (1-100)" \
	set-port vm4 --min-weight 101
expect_fail "--min-weight not a number" "--min-weight: 'x' is not a number" \
	set-port vm4 --min-weight x
for bw in -5 10x 1.5 100m ""; do
	expect_fail "--max-bandwidth '$bw'" \
		"--max-bandwidth: '$bw' is not a rate in bits/s" \
		set-port vm4 --max-bandwidth "$bw"
done
for bw in 2T 1000000000001 999 99999999999999999999999; do
	expect_fail "--max-bandwidth $bw" \
		"--max-bandwidth: '$bw' is out of range (0, or 1k-1T bits/s)" \
		set-port vm4 --max-bandwidth "$bw"
done
expect_fail "--link-speed over 1 Tbit/s" "--link-speed: '1.5T' is out of range" \
	set-port uplink --link-speed 1.5T
expect_fail "--mirror sideways" \
	"--mirror: 'sideways' is not one of none, source, destination, both" \
	set-port vm4 --mirror sideways
expect_fail "--storm-limit abc" "--storm-limit: 'abc' is not a rate in packets/s" \
	set-port vm4 --storm-limit abc
expect_fail "--storm-limit 1G" "--storm-limit: '1G' is not a rate" \
	set-port vm4 --storm-limit 1G
expect_fail "--storm-limit over 100M" "--storm-limit: '100000001' is out of range" \
	set-port vm4 --storm-limit 100000001
expect_fail "--dhcp-guard maybe" "--dhcp-guard: 'maybe' is not one of off, on" \
	set-port vm4 --dhcp-guard maybe
expect_fail "--connected maybe" "--connected: 'maybe' is not one of no, yes" \
	set-port vm4 --connected maybe
expect_fail "--dhcp-guard on an external port" \
	"--dhcp-guard: only for vm ports, not external ports" \
	set-port uplink --dhcp-guard on
expect_fail "--dhcp-guard on an internal port" \
	"--dhcp-guard: only for vm ports, not internal ports" \
	set-port host0 --dhcp-guard on
expect_fail "--mac-spoofing off (the default) on an external port" \
	"--mac-spoofing: only for vm ports" set-port uplink --mac-spoofing off
expect_fail "--link-speed on a vm port" \
	"--link-speed: only for external ports, not vm ports" \
	set-port vm4 --link-speed 1G
expect_fail "a refused policy undoes the whole request" "--link-speed: " \
	set-port vm4 --dhcp-guard off --mirror none --link-speed 1G
expect_fail "add-port with a guard on an internal port" \
	"--router-guard: only for vm ports" add-port x --type internal --router-guard on
expect_fail "add-port with a bad weight" "--min-weight: 0" \
	add-port x --type vm --devargs net_tap --min-weight 0
expect_fail "set-port with nothing to change" "nothing to change" set-port vm1
expect_fail "unknown command" "unknown command" frobnicate

# --- controld checks on its own, whatever the client
before=$(sha256sum <"$CONF")
reply=$(rpc '{"jsonrpc":"2.0","id":7,"method":"set_port","params":{"name":"vm1","vlan":4095}}')
check "controld validates params (-32602 naming vlan)" jcheck - \
	"d['id'] == 7 and d['error']['code'] == -32602 and d['error']['message'].startswith('vlan: 4095')" <<<"$reply"
# rpc_invalid ID PARAMS NEEDLE: set_port with PARAMS gets -32602 whose
# message starts with NEEDLE.
rpc_invalid() {
	reply=$(rpc "{\"jsonrpc\":\"2.0\",\"id\":$1,\"method\":\"set_port\",\"params\":$2}")
	check "controld refuses $2 (-32602 $3)" jcheck - \
		"d['id'] == $1 and d['error']['code'] == -32602 and d['error']['message'].startswith(\"$3\")" <<<"$reply"
}
rpc_invalid 20 '{"name":"vm4","dhcp_guard":"on"}' 'dhcp_guard: expected a boolean, got a string'
rpc_invalid 21 '{"name":"vm4","connected":"no"}' 'connected: expected a boolean, got a string'
rpc_invalid 22 '{"name":"vm4","min_weight":101}' 'min_weight: 101 is out of range'
rpc_invalid 23 '{"name":"vm4","min_weight":-1}' 'min_weight: -1 is out of range'
rpc_invalid 24 '{"name":"vm4","max_bandwidth":999}' 'max_bandwidth: 999 is out of range'
rpc_invalid 25 '{"name":"vm4","max_bandwidth":-5}' 'max_bandwidth: -5 is out of range'
rpc_invalid 26 '{"name":"vm4","max_bandwidth":"100M"}' 'max_bandwidth: expected an integer, got a string'
rpc_invalid 27 '{"name":"vm4","storm_limit":100000001}' 'storm_limit: 100000001 is out of range'
rpc_invalid 28 '{"name":"vm4","mirror":"sideways"}' "mirror: 'sideways' is not one of"
rpc_invalid 29 '{"name":"vm4","mirror":true}' 'mirror: expected a string, got a boolean'
rpc_invalid 30 '{"name":"vm4","link_speed":1000000000}' 'link_speed: only for external ports, not vm ports'
rpc_invalid 31 '{"name":"uplink","router_guard":false}' 'router_guard: only for vm ports, not external ports'
rpc_invalid 32 '{"name":"uplink","link_speed":1000000000001}' 'link_speed: 1000000000001 is out of range'
rpc_invalid 33 '{"name":"vm4"}' 'set_port: nothing to change (give any of vlan_mode, vlan, allowed_vlans, native_vlan, mac, mac_spoofing, dhcp_guard, router_guard, max_bandwidth, min_weight, storm_limit, mirror, connected, link_speed or vsid)'
reply=$(rpc '{"jsonrpc":"2.0","id":34,"method":"add_port","params":{"name":"x","type":"external","devargs":"net_tap","storm_limit":10}}')
check "add_port refuses a vm policy on an external port" jcheck - \
	"d['error']['code'] == -32602 and d['error']['message'] == 'storm_limit: only for vm ports, not external ports'" <<<"$reply"
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
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
try:
    s.sendall(b"x" * (17 << 20))
except OSError:
    pass
f = s.makefile("rb")
line = f.readline()
error = json.loads(line)["error"]["message"] if line else "-"
print(error + (f.read(1) == b"" and ": CLOSED" or ": OPEN"))
EOF
)
check "a message over 16 MiB gets an error and closes the connection ($reply)" \
	test "$reply" = "request longer than 16777216 bytes: CLOSED"
check "bad requests changed nothing" test "$before" = "$(sha256sum <"$CONF")"
check "controld still answers" ctl show >/dev/null

# --- queries that need vswitchd
for cmd in port-stats mac-table queues; do
	expect_fail "$cmd without vswitchd" "vswitchd is not connected" $cmd
done

# --- help
check "vswitchctl --help" bash -c "'$CTL_BIN' --help | grep -q '^usage: vswitchctl'"
for cmd in show add-port del-port set-port list-ports port-stats mac-table \
	queues add-mac del-mac set-switch add-team del-team team-status \
	log-level; do
	check "vswitchctl $cmd --help" bash -c "'$CTL_BIN' $cmd --help |
		grep -q '^usage: vswitchctl .*$cmd' && '$CTL_BIN' --help | grep -q '^  $cmd'"
done
for opt in --mac-spoofing --dhcp-guard --router-guard --max-bandwidth \
	--min-weight --storm-limit --mirror --connected --link-speed; do
	check "set-port --help lists $opt" bash -c "'$CTL_BIN' set-port --help |
		grep -q -- '^  $opt ' && '$CTL_BIN' set-port --help | grep -qF -- '[$opt '"
done
check "vswitch-controld --help" bash -c "'$CTLD' --help | grep -q '^usage: vswitch-controld'"

# --- restart: the configuration persists
ctl --json list-ports >"$T/before.json"
ctl --json show | python3 -c 'import json, sys; print(json.load(sys.stdin)["config"]["teams"])' \
	>"$T/teams_before.txt"
check "SIGTERM stops controld with status 0" stop_controld
check "sockets are removed on exit" test ! -e "$SOCK" -a ! -e "$DPSOCK"
check "controld restarts" start_controld
ctl --json list-ports >"$T/after.json"
check "list-ports --json is identical after a restart" \
	cmp -s "$T/before.json" "$T/after.json"
check "... and so are the teams" cmp -s "$T/teams_before.txt" \
	<(ctl --json show | python3 -c 'import json, sys; print(json.load(sys.stdin)["config"]["teams"])')
check "... with the port made of a team" jcheck "$T/after.json" "$PORT('up2')['team'] == 't1'"
check "... with the port policies" jcheck "$T/after.json" "
$PORT('vm4')['policies'] == dict($POLICY_DEFAULTS, dhcp_guard=True,
  router_guard=True, max_bandwidth=100000000, min_weight=3, storm_limit=1000,
  mirror='source')
and $PORT('uplink')['policies'] == dict($POLICY_DEFAULTS, link_speed=10000000000)
and $PORT('host0')['policies'] == dict($POLICY_DEFAULTS, mirror='destination')"
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
# With "teams", team_status is answered as docs/protocol.md describes;
# without, it is an unknown method, as in a vswitchd that has no teams.
with_teams = sys.argv[3:] == ["teams"]
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
teams = []
def team_status(t):
    users = [q["name"] for q in ports if q.get("team") == t["name"]]
    end = lambda system, port: {"system": system, "key": 1, "port": port,
        "state": ["activity", "aggregation", "synchronization",
                  "collecting", "distributing"]}
    return {"name": t["name"], "port": users[0] if users else None,
            "mode": t["mode"], "lb": t["lb"], "status": "up",
            "members": [{"devargs": m, "link": "up", "selected": True,
                         "collecting": True, "distributing": True,
                         "actor": end("02:00:00:00:00:01", i + 1),
                         "partner": end("02:00:00:00:00:02", i + 11),
                         "tx_frames": 100 + i, "rx_frames": 90,
                         "load_share": 0.5, "last_change_s": 12}
                        for i, m in enumerate(t["members"])]}
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
        teams = p["config"].get("teams", [])
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
    elif m == "team_status" and with_teams:
        ok({"teams": [team_status(t) for t in teams
                      if p.get("name") in (None, t["name"])]})
    elif m == "queues":
        ok({"workers": [{"worker": 0, "lcore": 1, "busy_cycles": 300,
            "idle_cycles": 700, "queues": [{"port": "vm1", "queue": 0,
            "cycles": 1000, "packets": 10}]}]})
    else:
        send({"jsonrpc": "2.0", "id": rid,
              "error": {"code": -32601, "message": "unknown method '%s'" % m}})
EOF
start_fake() {
	python3 "$T/fake_vswitchd.py" "$DPSOCK" "$T/dp.log" "$@" &
	FAKE_PID=$!
	wait_for 10 bash -c "grep -q '\"replay\": true' '$T/dp.log' 2>/dev/null"
}
check "vswitchd connects and gets the configuration replayed" start_fake
check "the replay holds the whole configuration" jcheck - "
d['params']['replay'] and [p['name'] for p in d['params']['config']['ports']]
== ['vm1', 'vmc', 'vm4', 'uplink', 'host0', 'up2']" <<<"$(head -n 1 "$T/dp.log")"
check "... with the teams and the port's team, in the file's form" jcheck - "
[t['name'] for t in d['params']['config']['teams']] == ['t1', 't2', 't3']
and d['params']['config']['teams'][0]['lacp_rate'] == 'fast'
and d['params']['config']['ports'][-1] == {'name': 'up2', 'type': 'external', 'team': 't1'}" \
	<<<"$(head -n 1 "$T/dp.log")"
check "... with the port policies, in the file's form" jcheck - "
d['params']['config']['ports'][2]['max_bandwidth'] == 100000000
and d['params']['config']['ports'][2]['mirror'] == 'source'
and d['params']['config']['ports'][3]['link_speed'] == 10000000000
and all('policies' not in p for p in d['params']['config']['ports'])" \
	<<<"$(head -n 1 "$T/dp.log")"
wait_for 10 bash -c "'$CTL_BIN' --socket '$SOCK' show | grep -q '^dataplane: up'"
ctl --json show >"$T/show.json"
check "show reports the dataplane up with its pid" jcheck "$T/show.json" \
	"d['dataplane'] == 'up' and d['dataplane_pid'] == $FAKE_PID and len(d['ports']) == 6"
check "list-ports carries port state" bash -c "'$CTL_BIN' --socket '$SOCK' list-ports |
	grep -Eq '^uplink +external +net_tap,iface=up0 +untagged +- +up +ok +mirror=none link-speed=10G\$'"
check "port-stats prints counters and non-zero drops only" bash -c "
	out=\$('$CTL_BIN' --socket '$SOCK' port-stats vm1) &&
	grep -q 'rx: 10 packets, 1200 bytes' <<<\"\$out\" &&
	grep -q 'drop tagged-on-access: 3' <<<\"\$out\" && ! grep -q truncated <<<\"\$out\""
check "mac-table" bash -c "'$CTL_BIN' --socket '$SOCK' mac-table |
	grep -Eq '^10 +52:54:00:00:00:09 +vm1 +static +-\$'"
check "queues" bash -c "'$CTL_BIN' --socket '$SOCK' queues | grep -Eq '^  vm1 +0 +1000 +10 +100.0\$'"
expect_fail "team-status, which this vswitchd does not know" \
	"unknown method 'team_status'" team-status
expect_fail "team-status t1, which this vswitchd does not know" \
	"unknown method 'team_status'" team-status t1
check "... was forwarded with the team's name" jcheck - "
d['method'] == 'team_status' and d['params'] == {'name': 't1'}" \
	<<<"$(tail -n 1 "$T/dp.log")"
check "add-team goes through vswitchd" ctl add-team t5 --member net_tap,iface=te \
	--mode static --lb dynamic
check "... as apply replay:false with the new team" jcheck - "
not d['params']['replay'] and d['params']['config']['teams'][-1]
== {'name': 't5', 'members': ['net_tap,iface=te'], 'mode': 'static', 'lb': 'dynamic'}" \
	<<<"$(tail -n 1 "$T/dp.log")"
check "del-team goes through vswitchd" ctl del-team t5
check "... as apply replay:false without it" jcheck - "
not d['params']['replay']
and [t['name'] for t in d['params']['config']['teams']] == ['t1', 't2', 't3']" \
	<<<"$(tail -n 1 "$T/dp.log")"
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
check "vswitchd reconnects and gets the replay" start_fake teams
check "... with the change made while it was away" jcheck - "
[p['name'] for p in d['params']['config']['ports']] == ['vm1', 'vmc', 'vm4', 'uplink', 'host0', 'up2']" \
	<<<"$(head -n 1 "$T/dp.log")"
wait_for 10 bash -c "'$CTL_BIN' --socket '$SOCK' show | grep -q '^dataplane: up'"
ctl team-status t1 >"$T/team.txt"
check "team-status t1 (vswitchd with teams)" test $? -eq 0
check "... prints the team" grep -qx \
	'team t1: port up2, mode lacp, lb address-hash, status up' "$T/team.txt"
check "... each member" grep -qx \
	"  member $TB: link up, selected, collecting, distributing" "$T/team.txt"
check "... with its LACP actor and partner" bash -c "
	grep -qx '    actor:   system 02:00:00:00:00:01, key 1, port 1, state activity,aggregation,synchronization,collecting,distributing' '$T/team.txt' &&
	grep -qx '    partner: system 02:00:00:00:00:02, key 1, port 12, state activity,aggregation,synchronization,collecting,distributing' '$T/team.txt'"
check "... and its traffic" grep -qx \
	'    tx 101 frames, rx 90 frames, 50.0% of the load, last change 12 s ago' \
	"$T/team.txt"
check "... and no other team" test "$(grep -c '^team ' "$T/team.txt")" = 1
ctl --json team-status >"$T/team.json"
check "team-status --json: every team, as vswitchd answered" jcheck "$T/team.json" "
[t['name'] for t in d['teams']] == ['t1', 't2', 't3']
and d['teams'][1]['port'] is None and len(d['teams'][2]['members']) == 2"
check "team-status without a name asks for all" jcheck - "
d['method'] == 'team_status' and d['params'] == {}" <<<"$(tail -n 1 "$T/dp.log")"
check "SIGTERM with vswitchd connected" stop_controld
kill "$FAKE_PID" 2>/dev/null
wait "$FAKE_PID" 2>/dev/null
FAKE_PID=""

check "controld logged no sanitizer report" \
	not grep -qE 'Sanitizer|runtime error' "$LOG"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
