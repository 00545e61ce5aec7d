#!/bin/bash
# VMQ placement by measured load: with two workers, four VM queues start
# round-robin (vm1, vm3 on one worker; vm2, vm4 on the other).  Load only
# vm1's and vm3's receive queues; the periodic rebalance (every 10 s) must
# notice from the measured cycles and put them on different workers,
# without losing the traffic while it moves them.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
vs_init "${1:?usage: test_vmq.sh BUILD_DIR}"
trap vs_cleanup EXIT

vs_start_controld
vs_start_vswitchd --workers 2
for i in 1 2 3 4; do
	vs_vm vm$i 10.70.0.$i/24 02:00:00:00:70:0$i
	vsctl add-port vm$i --type vm --devargs "$(vs_vm_devargs vm$i)" \
		--mac 02:00:00:00:70:0$i
done
# Every VM speaks once so the switch knows where each MAC lives.
for i in 1 2 3 4; do in_vm vm$i ping -c 1 -W 1 10.70.0.$(( i % 4 + 1 )) >/dev/null; done

worker_of() { json_get "$(vsctl --json queues)" \
	"[w['worker'] for w in d['workers'] for q in w['queues'] if q['port']=='$1'][0]"; }
w1=$(worker_of vm1); w3=$(worker_of vm3)
t_check "vm1 and vm3 start on the same worker ($w1, $w3)" test "$w1" = "$w3"
t_check "vm2 on the other worker" test "$(worker_of vm2)" != "$w1"

# One-way load into vm1's and vm3's receive queues: echo requests to an
# address whose neighbour entry points at vm2 / vm4, which drop them
# silently (not their address), so nothing comes back.
in_vm vm1 ip neigh replace 10.70.0.50 lladdr 02:00:00:00:70:02 dev eth0
in_vm vm3 ip neigh replace 10.70.0.51 lladdr 02:00:00:00:70:04 dev eth0
in_vm vm1 timeout 40 ping -f -q -w 35 10.70.0.50 >/dev/null 2>&1 &
L1=$!
in_vm vm3 timeout 40 ping -f -q -w 35 10.70.0.51 >/dev/null 2>&1 &
L3=$!
split() { test "$(worker_of vm1)" != "$(worker_of vm3)"; }
t_check "rebalance puts vm1 and vm3 on different workers (<= 30 s)" \
	wait_until 30 split
kill "$L1" "$L3" 2>/dev/null; wait "$L1" "$L3" 2>/dev/null
grep -q "rebalanced" "$VS_TMP/vswitchd.log"
t_check "vswitchd logged the rebalance" test $? -eq 0
t_check "vm1 -> vm2 still works after the move" \
	in_vm vm1 ping -c 3 -i 0.2 -W 2 10.70.0.2
t_check "vm3 -> vm4 still works after the move" \
	in_vm vm3 ping -c 3 -i 0.2 -W 2 10.70.0.4

t_summary
