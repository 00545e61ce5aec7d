#!/bin/bash
# The control socket under bad clients, and log levels at run time, with
# the real daemons.  rpc_robust.py runs every kind of bad client at once
# (oversized line, invalid JSON, unknown method, wrong types, a client
# that sends nothing, one that sends a byte a second) while a good client
# runs `vswitchctl show` in a loop: each bad one gets an error or is
# closed within controld's --client-timeout, and show keeps answering.
# Then 64 silent clients fill every slot.  Then `vswitchctl log-level`:
# debug lines appear only while a component is at debug, bad names and
# levels are refused, and so is a user outside root and --group.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (it runs vswitchctl as another user)"
	exit 77
fi
vs_init "${1:?usage: test_rpc_robust.sh BUILD_DIR}"
trap vs_cleanup EXIT

TIMEOUT_S=2             # controld --client-timeout
SHOW_MAX_S=3            # the longest a show may take meanwhile
MAX_CLIENTS=64          # CTLD_MAX_CLIENTS

# jcheck JSON EXPR [ARG...]: the Python expression EXPR holds, 'd' the
# JSON, 'a' the list of ARGs.
jcheck() {
	"$PY" -c 'import json, sys; d = json.loads(sys.argv[1]); a = sys.argv[3:]; sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"
}
# expect_fail DESC NEEDLE CMD...: CMD fails and its stderr has NEEDLE.
expect_fail() {
	local desc=$1 needle=$2 err; shift 2
	err=$("$@" 2>&1 >/dev/null) && { t_fail "$desc (succeeded)"; return; }
	case $err in
	*"$needle"*) t_ok "$desc ($err)" ;;
	*) t_fail "$desc: '$err' lacks '$needle'" ;;
	esac
}
levels() { vsctl --json log-level; }
quiet() { "$@" >/dev/null 2>&1; }
# count FILE PATTERN: lines of FILE with PATTERN (fixed string).
count() { grep -cF -- "$2" "$1"; }

vs_start_controld --client-timeout $TIMEOUT_S
vs_start_vswitchd
t_check "add-port vm1" vsctl add-port vm1 --type vm --devargs net_null

# --- every kind of bad client at once, show answering meanwhile
out=$(timeout 120 "$PY" "$HERE/rpc_robust.py" "$VS_CTL_SOCK" "$VSCTL_BIN" $TIMEOUT_S)
echo "# $out"
C="d['clients']"
# err_is CLIENT CODE NEEDLE: CLIENT got error CODE, its message has NEEDLE.
err_is() {
	jcheck "$out" "$C[a[0]]['reply']['error']['code'] == int(a[1]) and a[2] in $C[a[0]]['reply']['error']['message']" "$@"
}
t_check "oversized line: error -32600 naming the limit" err_is oversized -32600 "longer than 16777216 bytes"
t_check "... and the connection is closed" jcheck "$out" "$C['oversized']['closed']"
t_check "invalid JSON: -32700" err_is invalid_json -32700 "parse error"
t_check "not an object: -32600" err_is not_an_object -32600 "expected an object"
t_check "unknown method: -32601 naming it" err_is unknown_method -32601 "unknown method 'reboot'"
t_check "method not a string: -32600" err_is method_type -32600 "method must be a string"
t_check "id an object: -32600" err_is id_type -32600 "id must be a string or an integer"
t_check "params an array: -32602" err_is params_type -32602 "params: expected an object"
t_check "del_port name 5: -32602" err_is name_type -32602 "name: expected a string"
t_check "set_port vlan \"ten\": -32602" err_is vlan_type -32602 "vlan: expected an integer"
t_check "log_level component 5: -32602" err_is log_component_type -32602 "component: expected a string"
t_check "log_level level 7: -32602" err_is log_level_type -32602 "level: expected a string"
t_check "log_level unknown parameter: -32602" err_is unknown_param -32602 "components: unknown parameter of log_level"
t_check "after an error reply, the connection stays open" jcheck "$out" \
	"all($C[n]['open'] for n in $C if 'open' in $C[n])"
t_check "silent client: error after ~${TIMEOUT_S} s" err_is silent -32600 "no request within $TIMEOUT_S s"
t_check "... closed within [$TIMEOUT_S, $((TIMEOUT_S + 2))] s" jcheck "$out" \
	"$C['silent']['closed'] and $TIMEOUT_S - 0.1 <= $C['silent']['s'] <= $TIMEOUT_S + 2"
t_check "1 byte/s client: error after ~${TIMEOUT_S} s" err_is trickle -32600 "request incomplete within $TIMEOUT_S s"
t_check "... closed within $((TIMEOUT_S + 2)) s, its request unfinished" jcheck "$out" \
	"$C['trickle']['closed'] and $C['trickle']['s'] <= $TIMEOUT_S + 2 and $C['trickle']['sent'] < 40"
t_check "show kept answering meanwhile (no failure)" jcheck "$out" \
	"d['show']['runs'] >= 5 and d['show']['failed'] == 0"
t_check "... each within $SHOW_MAX_S s" jcheck "$out" "d['show']['max_s'] <= $SHOW_MAX_S"
t_check "controld is still running" kill -0 "$CONTROLD_PID"

# --- every slot taken by a silent client: the next is told, then served
# once the silent ones time out.
"$PY" - "$VS_CTL_SOCK" $MAX_CLIENTS >"$VS_TMP/fill.out" 2>&1 <<'EOF' &
import socket, sys, time
socks = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    socks.append(s)
print("filled", flush=True)
time.sleep(15)
EOF
FILL_PID=$!
VS_PIDS+=("$FILL_PID")
wait_until 10 grep -q filled "$VS_TMP/fill.out"
sleep 0.3               # controld accepts them
expect_fail "with $MAX_CLIENTS silent clients, the next one is refused" "too many clients" vsctl show
t_check "... and served once they timed out" wait_until $((TIMEOUT_S + 5)) vsctl show
vs_bg_stop "$FILL_PID"

# --- log levels
lv=$(levels)
t_check "log-level lists both daemons' components at notice" jcheck "$lv" \
	"d['dataplane'] == 'up' and {'controld.rpc', 'controld.main', 'vswitchd.rpc', 'vswitchd.port', 'vswitchd.team'} <= {c['name'] for c in d['components']} and all(c['level'] == 'notice' for c in d['components'])"
t_check "log-level text output" bash -c "'$VSCTL_BIN' --socket '$VS_CTL_SOCK' log-level | grep -qE '^vswitchd\.port +notice$'"

DP_DEBUG="request get_ports from controld"
t_check "vswitchd.rpc -> debug" vsctl log-level vswitchd.rpc debug
n0=$(count "$VS_TMP/vswitchd.log" "$DP_DEBUG")
vsctl show >/dev/null
t_check "... a debug line appears in vswitchd's log after show" \
	wait_until 5 test "$(count "$VS_TMP/vswitchd.log" "$DP_DEBUG")" -gt "$n0"
t_check "... and only its level changed" jcheck "$(levels)" \
	"all(c['level'] == ('debug' if c['name'] == 'vswitchd.rpc' else 'notice') for c in d['components'])"
t_check "vswitchd.rpc -> info" vsctl log-level vswitchd.rpc info
n1=$(count "$VS_TMP/vswitchd.log" "$DP_DEBUG")
vsctl show >/dev/null
sleep 1
t_check "... no debug line after show" test "$(count "$VS_TMP/vswitchd.log" "$DP_DEBUG")" -eq "$n1"

CD_DEBUG="(uid 0): show"
t_check "controld -> debug (all its components)" vsctl log-level controld debug
n0=$(count "$VS_TMP/controld.log" "$CD_DEBUG")
vsctl show >/dev/null
t_check "... a debug line appears in controld's log after show" \
	wait_until 5 test "$(count "$VS_TMP/controld.log" "$CD_DEBUG")" -gt "$n0"
t_check "... every controld component at debug" jcheck "$(vsctl --json log-level controld)" \
	"len(d['components']) == 6 and all(c['level'] == 'debug' and c['name'].startswith('controld.') for c in d['components'])"
t_check "controld.rpc -> info" vsctl log-level controld.rpc info
n1=$(count "$VS_TMP/controld.log" "$CD_DEBUG")
vsctl show >/dev/null
sleep 1
t_check "... no debug line after show" test "$(count "$VS_TMP/controld.log" "$CD_DEBUG")" -eq "$n1"
t_check "the changes were logged" grep -q "log level of controld.rpc set to info by uid 0" "$VS_TMP/controld.log"
t_check "all -> notice" vsctl log-level all notice

before=$(levels)
conf_before=$(sha256sum <"$VS_CONFIG")
expect_fail "unknown component refused, named" "'bogus' is not a log component" vsctl log-level bogus debug
expect_fail "unknown controld component refused, named" "'controld.nope' is not a log component of controld" vsctl log-level controld.nope debug
expect_fail "unknown vswitchd component refused, named" "'vswitchd.nope' is not a log component of vswitchd" vsctl log-level vswitchd.nope debug
expect_fail "unknown level refused, named" "level: 'loud' is not a log level" vsctl log-level controld.rpc loud
reply=$(printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"log_level","params":{"component":"all","level":"verbose"}}' |
	timeout 10 "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read())
print(s.makefile().readline())' "$VS_CTL_SOCK")
t_check "unknown level refused by controld itself (-32602)" jcheck "$reply" \
	"d['error']['code'] == -32602 and \"'verbose'\" in d['error']['message']"
t_check "refusals changed no level" test "$before" = "$(levels)"
t_check "log-level is not stored in the configuration" test "$conf_before" = "$(sha256sum <"$VS_CONFIG")"

# --- a user outside root and --group may list, not change
cp "$VSCTL_BIN" "$VS_TMP/vswitchctl"
chmod 755 "$VS_TMP" "$VS_TMP/vswitchctl"
chmod 666 "$VS_CTL_SOCK"
as_nobody() {
	timeout 30 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$VS_TMP/vswitchctl" --socket "$VS_CTL_SOCK" "$@"
}
t_check "nobody may list log levels" quiet as_nobody log-level
expect_fail "nobody may not set a controld level" "permission denied: log_level needs root" as_nobody log-level controld.rpc debug
expect_fail "nobody may not set a vswitchd level" "permission denied" as_nobody log-level vswitchd debug
t_check "... nothing changed" test "$before" = "$(levels)"

# --- without vswitchd
vs_stop "$VSWITCHD_PID"
wait_until 10 bash -c "! '$VSCTL_BIN' --socket '$VS_CTL_SOCK' --json show | grep -q '\"dataplane\": *\"up\"'"
expect_fail "vswitchd's levels cannot change while it is away" "vswitchd is not connected: nothing changed" vsctl log-level vswitchd.port debug
t_check "controld's still can" vsctl log-level controld.apply info
t_check "the list says vswitchd is down" jcheck "$(levels)" \
	"d['dataplane'] == 'down' and all(c['name'].startswith('controld.') for c in d['components'])"
t_check "controld survived it all" kill -0 "$CONTROLD_PID"

t_summary
