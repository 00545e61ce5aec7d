#!/bin/bash
# Fault: a vhost-user client disconnects and reconnects 100 times under
# load.  The client is one dpdk-testpmd (virtio-user, icmpecho) driven on
# its interactive stdin: each cycle detaches its virtio-user device (the
# vhost-user socket closes) and attaches it again (a new connection, new
# memory table and rings), while
#   - vm3 flood-pings the testpmd VM (ping -f) through the flapping port, so
#     frames are in flight towards it and from it at every disconnect;
#   - vm1 pings vm2 every 10 ms on other ports.
# Checked: vswitchd lives; vm1 -> vm2 loses (almost) nothing; every cycle
# the port goes down, comes up and forwards again; the packet buffer
# pool's in-use count (show's "mempool") is back at its baseline after.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
vs_init "${1:?usage: test_fault_vhost.sh BUILD_DIR}"
trap vs_cleanup EXIT

CYCLES=${CYCLES:-100}
TP_MAC=02:00:00:00:34:99
TP_IP=10.34.0.99
ms_now() { echo $(( $(date +%s%N) / 1000000 )); }
port_field() { json_get "$(vsctl --json port-stats "$1")" "d['ports'][0]$2"; }
link_is() { test "$(port_field "$1" "['link']")" = "$2"; }
mempool() { json_get "$(vsctl --json show)" "d['mempool']$1"; }
in_use() { mempool "['in_use']"; }
rx_above() { test "$(port_field vh1 "['stats']['rx_packets']")" -gt "$1"; }

vs_start_controld
vs_start_vswitchd
for i in 1 2 3; do
	vs_vm vm$i 10.34.0.$i/24 02:00:00:00:34:0$i
	vsctl add-port vm$i --type vm --devargs "$(vs_vm_devargs vm$i)" >/dev/null
done
t_check "add vh1 (vhost-user server)" vsctl add-port vh1 --type vm \
	--socket "$VS_TMP/vh1.sock" --mac $TP_MAC

# One testpmd for all cycles, commands on a FIFO.  --disable-link-check:
# otherwise each "port stop" waits 9 s for a link change virtio-user
# never reports.
VDEV="net_virtio_user0,path=$VS_TMP/vh1.sock,queues=1,mac=$TP_MAC"
TP_PREFIX=${VS_ID}tp
mkfifo "$VS_TMP/tp.in"
dpdk-testpmd --lcores 0@0,1@0 --no-huge --no-pci -m 256 \
	--single-file-segments --file-prefix "$TP_PREFIX" --vdev "$VDEV" -- \
	-i --disable-link-check --total-num-mbufs 8192 --no-lsc-interrupt \
	--forward-mode=icmpecho <"$VS_TMP/tp.in" >"$VS_TMP/testpmd.log" 2>&1 &
TESTPMD=$!
VS_PIDS+=("$TESTPMD")
VS_PREFIXES+=("$TP_PREFIX")
exec 3>"$VS_TMP/tp.in"
tp() { printf '%s\n' "$@" >&3; }
tp start
t_check "testpmd attaches: vh1 link up" wait_until 30 link_is vh1 up
tp_reachable() { in_vm vm3 ping -c 1 -W 0.3 $TP_IP >/dev/null 2>&1; }
t_check "vm3 pings the testpmd VM through vh1" wait_until 10 tp_reachable
t_check "vm1 pings vm2" in_vm vm1 ping -c 2 -i 0.2 -W 2 10.34.0.2
sleep 0.5
base=$(in_use)
echo "# mbufs in use at rest, testpmd attached: $base of $(mempool "['size']")"

# Load for the whole run.
vs_vm_bg vm1 "$VS_TMP/ping12.txt" ping -i 0.01 -W 1 -c 1000000 10.34.0.2
PING12=$VS_BG_PID
vs_vm_bg vm3 "$VS_TMP/ping3.txt" ping -f -q -W 1 -c 100000000 $TP_IP
PING3=$VS_BG_PID
sleep 0.5

# On a failure: what vh1 and testpmd count, twice, a second apart.
diagnose() {
	local k
	for k in 1 2; do
		echo "# vh1: $(json_get "$(vsctl --json port-stats vh1)" "(d['ports'][0]['link'], {k: v for k, v in d['ports'][0]['stats'].items() if k != 'drops'}, {k: v for k, v in d['ports'][0]['stats']['drops'].items() if v})")"
		echo "# worker: $(json_get "$(vsctl --json queues)" "[(w['busy_cycles'], w['idle_cycles'], [(q['port'], q['packets']) for q in w['queues']]) for w in d['workers']]")"
		tp "show port stats 0"
		sleep 1
	done
}
down_ms=() up_ms=() fwd_ms=() failed=0 peak=$base
t_start=$(ms_now)
for (( c = 1; c <= CYCLES; c++ )); do
	t0=$(ms_now)
	tp stop "port stop 0" "port close 0" "device detach net_virtio_user0"
	if ! wait_until 10 link_is vh1 down; then
		failed=$((failed + 1)); echo "cycle $c: vh1 link stays up"; break
	fi
	t1=$(ms_now)
	rx=$(port_field vh1 "['stats']['rx_packets']")
	tp "port attach $VDEV" "port start all" start
	if ! wait_until 10 link_is vh1 up; then
		failed=$((failed + 1)); echo "cycle $c: vh1 link does not come back"; break
	fi
	t2=$(ms_now)
	# Forwarding again: echo replies from testpmd counted by vh1.
	if ! wait_until 10 rx_above "$rx"; then
		failed=$((failed + 1)); echo "cycle $c: nothing from testpmd after the reconnect"
		diagnose; break
	fi
	t3=$(ms_now)
	down_ms+=($((t1 - t0))); up_ms+=($((t2 - t1))); fwd_ms+=($((t3 - t1)))
	n=$(in_use); [ "$n" -gt "$peak" ] && peak=$n
done
t_run=$(( $(ms_now) - t_start ))
vs_bg_stop "$PING3" INT
vs_bg_stop "$PING12" INT
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "median %d ms, max %d ms", a[int((NR+1)/2)], a[NR]}'; }
echo "# ${#fwd_ms[@]} disconnect/reconnect cycles in $t_run ms ($(( t_run / (${#fwd_ms[@]} + 1) )) ms each)"
echo "#   link down after detach: $(stats "${down_ms[@]}"); up after attach: $(stats "${up_ms[@]}"); forwarding again after attach: $(stats "${fwd_ms[@]}")"
loss12=$(grep -o '[0-9]* packets transmitted, [0-9]* received' "$VS_TMP/ping12.txt")
loss3=$(grep -o '[0-9]* packets transmitted, [0-9]* received' "$VS_TMP/ping3.txt")
echo "# vm1 -> vm2 (other ports): $loss12; vm3 -> testpmd (flapping port): $loss3"
read -r sent got < <(sed -E 's/([0-9]+) packets transmitted, ([0-9]+) received/\1 \2/' <<<"$loss12")

t_check "vswitchd survived" kill -0 "$VSWITCHD_PID"
t_check "$CYCLES cycles: each time down, up, forwarding again ($failed failed)" \
	test "$failed" -eq 0 -a "${#fwd_ms[@]}" -eq "$CYCLES"
t_check "vm1 -> vm2 kept forwarding: $((sent - got)) of $sent lost (at most 0.5 %)" \
	test "$sent" -gt 0 -a $(( (sent - got) * 200 )) -le "$sent"
t_check "vm3 still reaches the testpmd VM" wait_until 10 tp_reachable
sleep 1
settled() { test "$(in_use)" -le "$base"; }
wait_until 10 settled
after=$(in_use)
echo "# mbufs in use: $base at rest before, peak $peak during, $after at rest after"
t_check "no mbuf leaked: in use back at its baseline ($base -> $after)" \
	test "$after" -le "$base"
drops=$(json_get "$(vsctl --json port-stats vh1)" \
	"' '.join('%s=%d' % kv for kv in d['ports'][0]['stats']['drops'].items() if kv[1])")
echo "# vh1 drops: ${drops:-none}"
tp quit
exec 3>&-
vs_bg_stop "$TESTPMD"

t_summary
