#!/bin/bash
# The configuration surface of network virtualization (docs/nv.md) with a
# real controld and a real vswitchd: every 'vswitchctl nv' command and its
# output, a VM port's --vsid, bad input refused with nothing changed,
# 'nv import' of 100,000 records in one transaction (timed), the tables
# surviving a controld restart, replayed to a restarted vswitchd, and a
# controld killed with -9 in the middle of a stream of changes keeping
# exactly what it acknowledged.  VS_NV_MILLION=1 also times the replay of
# 1,000,000 records (about a minute more).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
vs_init "${1:?usage: test_nv_control.sh BUILD_DIR}"
trap vs_cleanup EXIT

nv() { vsctl nv "$@"; }
status_get() { json_get "$(vsctl --json nv status)" "$1"; }
in_sync() { test "$(status_get "d.get('in_sync')")" = True; }
digest() { status_get "d['controld']['digest']"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
NV_JOURNAL=$VS_TMP/config.nv.journal
NV_SNAPSHOT=$VS_TMP/config.nv.json

# expect_err DESC NEEDLE ARGS...: 'vswitchctl nv ARGS' fails with one line
# holding NEEDLE, and neither the tables nor their files change.
expect_err() {
	local desc=$1 needle=$2 before after files err rc
	shift 2
	before=$(digest)
	files=$(cat "$NV_JOURNAL" "$NV_SNAPSHOT" 2>/dev/null | sha256sum)
	err=$(nv "$@" 2>&1 >/dev/null); rc=$?
	after=$(digest)
	if [ $rc -ne 0 ] && [[ $err == "vswitchctl: "*"$needle"* ]] &&
		[ "$(wc -l <<<"$err")" -eq 1 ] && [ "$before" = "$after" ] &&
		[ "$files" = "$(cat "$NV_JOURNAL" "$NV_SNAPSHOT" 2>/dev/null |
				sha256sum)" ]; then
		t_ok "$desc: $err"
	else
		t_fail "$desc (exit $rc, '$err', tables $before -> $after)"
	fi
}

vs_start_controld
vs_start_vswitchd
vs_vm phys "" 02:00:00:00:70:99
vs_vm vm1 10.70.0.1/24 02:00:00:00:70:01
vsctl add-port uplink --type external --devargs "$(vs_vm_devargs phys)"
vsctl add-port vm1 --type vm --devargs "$(vs_vm_devargs vm1)" \
	--mac 02:00:00:00:70:01

# --- A VM port's virtual subnet.
t_check "set-port --vsid 5001" vsctl set-port vm1 --vsid 5001
t_check "...listed with the port" test "$(json_get "$(vsctl --json list-ports)" \
	"[p.get('vsid') for p in d['ports'] if p['name'] == 'vm1']")" = "[5001]"
err=$(vsctl set-port vm1 --vsid 4095 2>&1)
t_check "--vsid 4095 refused: $err" grep -q "^vswitchctl: --vsid: 4095 is out of range" <<<"$err"
err=$(vsctl set-port uplink --vsid 5001 2>&1)
t_check "--vsid on an external port refused: $err" \
	grep -q "^vswitchctl: --vsid: only for vm ports" <<<"$err"
t_check "set-port --vsid 0 takes it away" vsctl set-port vm1 --vsid 0
t_check "add-port --vsid" vsctl add-port vm2 --type vm --devargs net_null0 --vsid 6001

# --- Provider addresses and routes.
t_check "nv add-pa" nv add-pa --port uplink --address 192.168.1.10/24
t_check "nv add-pa IPv6 with a VLAN" nv add-pa --port uplink \
	--address 2001:db8::10/64 --vlan 100
t_check "nv add-pa --flowid 0 (fixed FlowID, for peers such as OVS)" nv add-pa \
	--port uplink --address 192.168.3.10/24 --flowid 0
t_check "...list-pa shows FlowID 0" grep -Eq "^192.168.3.10/24 +uplink +untagged +0$" <<<"$(nv list-pa)"
t_check "...del-pa" nv del-pa --address 192.168.3.10
expect_err "add-pa --flowid 256" "--flowid: 256 is not a FlowID (0-255)" \
	add-pa --port uplink --address 192.168.3.10/24 --flowid 256
expect_err "add-pa on a missing port" "--port: port nosuch does not exist" \
	add-pa --port nosuch --address 192.168.2.10/24
expect_err "add-pa on a vm port" "--port: vm1 is a vm port, not an external port" \
	add-pa --port vm1 --address 192.168.2.10/24
expect_err "add-pa on a network address" "--address: 192.168.2.0 is the network address" \
	add-pa --port uplink --address 192.168.2.0/24
expect_err "add-pa without a prefix length" "--address: '192.168.2.10' is not ADDRESS/LENGTH" \
	add-pa --port uplink --address 192.168.2.10
expect_err "add-pa --vlan 4095" "--vlan: 4095 is not a VLAN id" \
	add-pa --port uplink --address 192.168.2.10/24 --vlan 4095
t_check "nv add-pa-route" nv add-pa-route --prefix 10.2.0.0/16 \
	--next-hop 192.168.1.1 --metric 5
expect_err "a provider route whose next hop is off every PA subnet" \
	"--next-hop: 192.168.9.1 is not on the subnet of a provider address" \
	add-pa-route --prefix 10.3.0.0/16 --next-hop 192.168.9.1
expect_err "a malformed prefix" "--prefix: 10.3.0.1/16 has bits set past the prefix length" \
	add-pa-route --prefix 10.3.0.1/16 --next-hop 192.168.1.1
err=$(vsctl del-port uplink 2>&1)
t_check "del-port of the port a PA is on refused: $err" test "$err" = \
	"vswitchctl: port uplink carries provider address 192.168.1.10: remove it first (nv del-pa)"
out=$(nv list-pa)
t_check "list-pa" test "$out" = "ADDRESS          PORT    VLAN      FLOWID
192.168.1.10/24  uplink  untagged  hash
2001:db8::10/64  uplink  100       hash"
out=$(nv list-pa-routes)
t_check "list-pa-routes" test "$out" = "PREFIX       NEXT HOP     METRIC
10.2.0.0/16  192.168.1.1  5"

# --- Lookup records.
t_check "add-record" nv add-record --vsid 5001 --ca 10.0.0.11 \
	--mac 52:54:00:00:00:11 --pa 192.168.1.10
t_check "add-record behind the provider route" nv add-record --vsid 5001 \
	--ca 10.0.0.12 --mac 52:54:00:00:00:12 --pa 10.2.3.4
expect_err "deleting the route a record needs" \
	"record (vsid 5001, ca 10.0.0.12) would have no way to its PA" \
	del-pa-route --prefix 10.2.0.0/16
t_check "add-record IPv6" nv add-record --vsid 5001 --ca fd00::12 \
	--mac 52:54:00:00:00:12 --pa 2001:db8::20
t_check "add-record L2Only (CA 0.0.0.0)" nv add-record --vsid 6001 \
	--ca 0.0.0.0 --mac 52:54:00:00:00:21 --pa 192.168.1.20
t_check "add-record rule l2only with a CA" nv add-record --vsid 6001 \
	--ca 10.0.0.22 --mac 52:54:00:00:00:22 --pa 192.168.1.20 --rule l2only
t_check "add-record again: the VM moved" nv add-record --vsid 5001 \
	--ca 10.0.0.12 --mac 52:54:00:00:00:12 --pa 192.168.1.30
expect_err "VSID out of range" "--vsid: 4095 is out of range (4096-16777214)" \
	add-record --vsid 4095 --ca 10.0.0.13 --mac 52:54:00:00:00:13 --pa 192.168.1.10
expect_err "a record whose PA is not routable" \
	"--pa: 172.16.0.1 is neither on the subnet of a provider address nor behind a provider route" \
	add-record --vsid 5001 --ca 10.0.0.13 --mac 52:54:00:00:00:13 --pa 172.16.0.1
expect_err "a multicast MAC" "--mac: " \
	add-record --vsid 5001 --ca 10.0.0.13 --mac 01:00:5e:00:00:13 --pa 192.168.1.10
expect_err "CA 0.0.0.0 with rule encap" "--rule: a record with CA 0.0.0.0 is L2Only" \
	add-record --vsid 5001 --ca 0.0.0.0 --mac 52:54:00:00:00:13 --pa 192.168.1.10 --rule encap
expect_err "a missing option" "nv add-record: --pa is required" \
	add-record --vsid 5001 --ca 10.0.0.13 --mac 52:54:00:00:00:13
expect_err "an unknown option" "nv add-record: unknown option '--color'" \
	add-record --vsid 5001 --color red
expect_err "del-record of a missing record" \
	"--ca: record (vsid 5001, ca 10.0.0.99) does not exist" \
	del-record --vsid 5001 --ca 10.0.0.99
expect_err "del-record of an L2Only record without --mac" \
	"--mac: required with ca 0.0.0.0" del-record --vsid 6001 --ca 0.0.0.0
expect_err "deleting the PA a provider route needs" \
	"provider route 10.2.0.0/16 would lose its next hop 192.168.1.1" \
	del-pa --address 192.168.1.10
out=$(nv list-records)
t_check "list-records: sorted by VSID and CA, the moved VM at its new PA" \
	test "$out" = "VSID  CA         MAC                PA            RULE
5001  10.0.0.11  52:54:00:00:00:11  192.168.1.10  encap
5001  10.0.0.12  52:54:00:00:00:12  192.168.1.30  encap
5001  fd00::12   52:54:00:00:00:12  2001:db8::20  encap
6001  0.0.0.0    52:54:00:00:00:21  192.168.1.20  l2only
6001  10.0.0.22  52:54:00:00:00:22  192.168.1.20  l2only

5 records"
t_check "list-records --vsid 6001" test "$(nv list-records --vsid 6001 | tail -1)" = "2 records"
t_check "list-records --json" test "$(json_get "$(vsctl --json nv list-records)" \
	"(d['total'], d['records'][2])")" = "(5, {'vsid': 5001, 'ca': 'fd00::12', 'mac': '52:54:00:00:00:12', 'pa': '2001:db8::20', 'rule': 'encap'})"
t_check "del-record" nv del-record --vsid 5001 --ca fd00::12
t_check "del-record L2Only by MAC" nv del-record --vsid 6001 --ca 0.0.0.0 \
	--mac 52:54:00:00:00:21
t_check "...3 records left" test "$(nv list-records | tail -1)" = "3 records"

# --- Customer routes and routing domains.
RD={0F5A3C2B-1D4E-4F60-8A9B-0C1D2E3F4A5B}
t_check "add-route, GUID routing domain, default gateway" nv add-route \
	--rdid "$RD" --vsid 5001 --prefix 10.0.0.0/24 --next-hop 0.0.0.0
t_check "add-route, explicit gateway" nv add-route --rdid "$RD" --vsid 5002 \
	--prefix 10.0.1.0/24 --next-hop 0.0.0.0 --gateway 10.0.1.254 --metric 10
t_check "add-route, tenant 2 reuses 10.0.0.0/24" nv add-route --rdid tenant2 \
	--vsid 6001 --prefix 10.0.0.0/24 --next-hop 0.0.0.0
t_check "add-route via a CA next hop" nv add-route --rdid tenant2 --vsid 6001 \
	--prefix 0.0.0.0/0 --next-hop 10.0.0.254
expect_err "a VSID in two routing domains" \
	"--rdid: VSID 5001 belongs to routing domain {0f5a3c2b-1d4e-4f60-8a9b-0c1d2e3f4a5b} (route 10.0.0.0/24), not tenant2" \
	add-route --rdid tenant2 --vsid 5001 --prefix 10.0.9.0/24 --next-hop 0.0.0.0
expect_err "a gateway outside the prefix" "--gateway: 10.0.2.1 is not in 10.0.1.0/24" \
	add-route --rdid "$RD" --vsid 5002 --prefix 10.0.1.0/24 --next-hop 0.0.0.0 --gateway 10.0.2.1
expect_err "a gateway on a routed route" "--gateway: only on an on-link route" \
	add-route --rdid tenant2 --vsid 6001 --prefix 10.9.0.0/16 --next-hop 10.0.0.254 --gateway 10.9.0.1
expect_err "a bad routing domain id" "--rdid: '{0F5A}' is not a GUID" \
	add-route --rdid "{0F5A}" --vsid 6001 --prefix 10.9.0.0/16 --next-hop 0.0.0.0
out=$(nv list-routes)
t_check "list-routes, with each virtual gateway" test "$out" = "RDID                                    VSID  PREFIX       NEXT HOP    METRIC  GATEWAY
{0f5a3c2b-1d4e-4f60-8a9b-0c1d2e3f4a5b}  5001  10.0.0.0/24  on-link     0       10.0.0.1 (default)
{0f5a3c2b-1d4e-4f60-8a9b-0c1d2e3f4a5b}  5002  10.0.1.0/24  on-link     10      10.0.1.254
tenant2                                 6001  10.0.0.0/24  on-link     0       10.0.0.1 (default)
tenant2                                 6001  0.0.0.0/0    10.0.0.254  0       -"
t_check "del-route" nv del-route --rdid tenant2 --vsid 6001 --prefix 0.0.0.0/0
expect_err "del-route in the wrong domain" "does not exist" \
	del-route --rdid tenant2 --vsid 5001 --prefix 10.0.0.0/24
t_check "vswitchd has what controld has" in_sync

# --- One transaction of 100,000 records, from a file.
"$PY" - "$VS_TMP/import.json" "$VS_TMP/dup.json" <<'EOF'
import json, sys
recs = [{"vsid": 7000 + i % 100,
         "ca": "172.16.%d.%d" % (i >> 8 & 255, i & 255) if i < 65536
               else "fd00::%x:%x" % (i >> 16, i & 0xffff),
         "mac": "02:00:00:%02x:%02x:%02x" % (i >> 16 & 255, i >> 8 & 255, i & 255),
         "pa": "192.168.1.%d" % (i % 200 + 20)} for i in range(100000)]
json.dump({"records": recs}, open(sys.argv[1], "w"))
json.dump({"records": [recs[0], recs[1], recs[0]]}, open(sys.argv[2], "w"))
EOF
expect_err "a file with one record twice" \
	"dup.json: records[2].ca: record (vsid 7000, ca 172.16.0.0) is already changed by ops[0] of this transaction" \
	import "$VS_TMP/dup.json"
t0=$(now_ms)
out=$(nv import "$VS_TMP/import.json"); rc=$?
t1=$(now_ms)
echo "# nv import of 100000 records ($(stat -c %s "$VS_TMP/import.json") bytes): $((t1 - t0)) ms"
t_check "nv import: $out" test $rc -eq 0 -a "${out%%;*}" = \
	"100000 records imported (100000 new, 0 replaced, 0 deleted)"
t_check "...vswitchd has them all" in_sync
t_check "...100003 records" test "$(status_get "d['vswitchd']['records']")" = 100003
t_check "...list-records --vsid 7042 pages through them" \
	test "$(nv list-records --vsid 7042 | tail -1)" = "1000 records"

# --- controld restarted: the same tables, from its files.
lists() {
	vsctl --json nv list-records | sha256sum
	vsctl --json nv list-routes; vsctl --json nv list-pa
	vsctl --json nv list-pa-routes
}
before=$(lists)
vs_stop "$CONTROLD_PID"
vs_start_controld
t_check "controld restarted: vswitchd back" wait_until 15 dataplane_up
t_check "...every list identical" test "$before" = "$(lists)"
t_check "...vswitchd in sync after the replay" wait_until 15 in_sync
grep "NV tables" "$VS_TMP/controld.log" | tail -2 | sed 's/^/# /'

# --- vswitchd killed and started again: the tables are replayed.
dataplane_down() { vsctl --json show | grep -q '"dataplane": *"down"'; }
vs_stop "$VSWITCHD_PID" KILL
wait_until 10 dataplane_down
t_check "nv status without vswitchd" bash -c "'$VSCTL_BIN' --socket \
	'$VS_CTL_SOCK' nv status | grep -q '^vswitchd: not connected'"
vs_start_vswitchd
t_check "vswitchd restarted gets every table back" wait_until 15 in_sync
t_check "...counts equal" test "$(status_get "[d['vswitchd'][k] == d['controld'][k] \
	for k in ('pas', 'pa_routes', 'records', 'routes')]")" = "[True, True, True, True]"
grep "NV tables replayed" "$VS_TMP/controld.log" | tail -1 | sed 's/^/# /'

# --- controld killed with -9 in the middle of a stream of changes: after
# its restart the tables hold every acknowledged change, and at most the
# one change that was under way when it died.
acked=$VS_TMP/acked
: >"$acked"
(
	for i in $(seq 1 100000); do
		echo "$i" >"$VS_TMP/inflight"
		"$VSCTL_BIN" --socket "$VS_CTL_SOCK" nv add-record --vsid 8000 \
			--ca "10.80.$((i / 250)).$((i % 250 + 1))" \
			--mac 02:00:00:80:00:01 --pa 192.168.1.10 2>/dev/null || break
		echo "$i" >>"$acked"
	done
) &
STREAM=$!
sleep 1.5
kill -KILL "$CONTROLD_PID"
wait "$STREAM" 2>/dev/null
n_acked=$(wc -l <"$acked")
inflight=$(cat "$VS_TMP/inflight")
vs_start_controld
t_check "controld back after kill -9 ($n_acked changes acknowledged)" \
	wait_until 15 dataplane_up
# acknowledged <= stored <= acknowledged + the change under way
check_stream() {
	vsctl --json nv list-records --vsid 8000 | "$PY" -c '
import json, sys
acked = {int(l) for l in open(sys.argv[1])}
inflight = int(sys.argv[2])
ca = lambda i: "10.80.%d.%d" % (i // 250, i % 250 + 1)
stored = {r["ca"] for r in json.load(sys.stdin)["records"]}
ok = {ca(i) for i in acked} <= stored <= {ca(i) for i in acked | {inflight}}
print("%d stored" % len(stored)); sys.exit(0 if ok else 1)' "$acked" "$inflight"
}
t_check "...it holds every acknowledged record ($(check_stream); change $inflight was under way)" \
	check_stream
t_check "...and vswitchd has the same" wait_until 15 in_sync

# --- vswitchd refuses a change, or goes away before it answers: controld
# keeps nothing of it, neither in its tables nor in its journal.  A small
# stand-in for vswitchd refuses VSID 9001 and hangs up on VSID 9002.
vs_stop "$VSWITCHD_PID" KILL
wait_until 10 dataplane_down
"$PY" - "$VS_DP_SOCK" >"$VS_TMP/fake.log" 2>&1 <<'EOF_FAKE' &
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rwb")
def send(o):
    f.write((json.dumps(o) + "\n").encode())
    f.flush()
send({"jsonrpc": "2.0", "method": "hello", "params": {"pid": 1}})
for line in f:
    m = json.loads(line)
    p, res = m.get("params") or {}, {}
    if m["method"] == "apply":
        res = {"ports": [{"name": x["name"], "status": "ok"}
                         for x in p["config"].get("ports", [])]}
    elif m["method"] == "nv_apply":
        vsids = {o.get("vsid") for o in p["ops"]}
        if 9002 in vsids:
            sys.exit(0)
        if 9001 in vsids:
            send({"jsonrpc": "2.0", "id": m["id"], "error":
                  {"code": -32000, "message": "the stand-in refuses 9001"}})
            continue
    send({"jsonrpc": "2.0", "id": m["id"], "result": res})
EOF_FAKE
VS_PIDS+=($!)
t_check "a stand-in vswitchd connects" wait_until 10 dataplane_up
expect_err "vswitchd refuses a change" "the stand-in refuses 9001" \
	add-record --vsid 9001 --ca 10.0.0.1 --mac 02:00:00:90:00:01 --pa 192.168.1.10
expect_err "vswitchd goes away before it answers" \
	"vswitchd disconnected before answering (nothing was changed)" \
	add-record --vsid 9002 --ca 10.0.0.1 --mac 02:00:00:90:00:01 --pa 192.168.1.10
t_check "with vswitchd away, a change is kept" nv add-record --vsid 9003 \
	--ca 10.0.0.1 --mac 02:00:00:90:00:01 --pa 192.168.1.10
vs_start_vswitchd
t_check "...and replayed when vswitchd comes back" wait_until 15 in_sync
t_check "...with nothing of 9001 and 9002" test "$(vsctl --json nv list-records \
	| grep -c '"vsid": *900[12]')" = 0

if [ -n "${VS_NV_MILLION:-}" ]; then
	"$PY" - "$VS_TMP/million" <<'EOF'
import json, sys
for k in range(10):
    ops = [{"op": "add-record", "vsid": 9000 + i % 1000,
            "ca": "10.%d.%d.%d" % (100 + (i >> 16), i >> 8 & 255, i & 255),
            "mac": "02:01:%02x:%02x:%02x:%02x" % (i >> 24 & 255, i >> 16 & 255, i >> 8 & 255, i & 255),
            "pa": "192.168.1.%d" % (i % 200 + 20)} for i in range(k * 100000, (k + 1) * 100000)]
    json.dump(ops, open("%s.%d.json" % (sys.argv[1], k), "w"))
EOF
	for k in 0 1 2 3 4 5 6 7 8 9; do
		nv import "$VS_TMP/million.$k.json" >/dev/null || t_fail "import $k"
	done
	vs_stop "$VSWITCHD_PID" KILL
	vs_start_vswitchd
	t_check "1M: vswitchd restarted gets every record back" wait_until 60 in_sync
	grep "NV tables replayed" "$VS_TMP/controld.log" | tail -1 | sed 's/^/# 1M: /'
fi

t_summary
