#!/bin/bash
# The configuration lives in controld: vswitchd killed and restarted gets
# every port and setting back; controld restarted keeps its configuration
# and vswitchd keeps switching meanwhile; ports added and removed while
# two other VMs talk cost them no packet.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
vs_init "${1:?usage: test_restart.sh BUILD_DIR}"
trap vs_cleanup EXIT

vs_start_controld
vs_start_vswitchd
for i in 1 2 3 4; do vs_vm vm$i 10.30.0.$i/24 02:00:00:00:30:0$i; done
for i in 1 2 3; do
	vsctl add-port vm$i --type vm --devargs "$(vs_vm_devargs vm$i)" \
		--mac 02:00:00:00:30:0$i
done
vsctl set-port vm1 --vlan-mode access --vlan 10
vsctl set-port vm2 --vlan-mode access --vlan 10
vsctl set-port vm3 --vlan-mode access --vlan 20
t_check "ping vm1 -> vm2" in_vm vm1 ping -c 2 -i 0.2 -W 2 10.30.0.2

ports_running() {
	json_get "$(vsctl --json port-stats)" \
		"sorted(p['name'] for p in d['ports'] if p['status'] == 'ok')"
}

# kill -9 vswitchd, start it again: controld replays everything.
vs_stop "$VSWITCHD_PID" KILL
dataplane_down() { vsctl --json show | grep -q '"dataplane": *"down"'; }
t_check "controld reports the dataplane down" wait_until 10 dataplane_down
err=$(vsctl port-stats 2>&1); rc=$?
t_check "port-stats without vswitchd fails: $err" test $rc -ne 0
t_check "...saying vswitchd is not connected" grep -q "not connected" <<<"$err"
# While vswitchd is away, a team and a port made of it are stored; the
# new vswitchd opens the member on replay and runs the team.
vs_vm tq "" 02:00:00:00:30:09
t_check "add-team while vswitchd is away" vsctl add-team tq \
	--member "$(vs_vm_devargs tq)" --mode static --lb dynamic
t_check "add-port of the team while vswitchd is away" \
	vsctl add-port tup --type external --team tq
vs_start_vswitchd
all_back() { test "$(ports_running)" = "['tup', 'vm1', 'vm2', 'vm3']"; }
t_check "all four ports back, the team's too" wait_until 10 all_back
team_up() { json_get "$(vsctl --json team-status tq)" "d['teams'][0]['status']" | grep -qx up; }
t_check "the replayed team runs: its member distributes" wait_until 5 team_up
t_check "del-port of it" vsctl del-port tup
t_check "del-team" vsctl del-team tq
t_check "ping vm1 -> vm2 after vswitchd restart" \
	in_vm vm1 ping -c 3 -i 0.2 -W 2 10.30.0.2
t_check_not "VLANs came back too: vm1 -> vm3 still fails" \
	in_vm vm1 ping -c 2 -i 0.2 -W 1 10.30.0.3

# Restart controld: the configuration survives; vswitchd switches on.
cfg_before=$(sha256sum <"$VS_CONFIG")
list_before=$(vsctl --json list-ports | "$PY" -c 'import json,sys; d=json.load(sys.stdin); [p.pop("state", None) for p in d["ports"]]; print(json.dumps(d, sort_keys=True))')
vs_stop "$CONTROLD_PID"
t_check "vswitchd keeps switching while controld is away" \
	in_vm vm1 ping -c 3 -i 0.2 -W 2 10.30.0.2
vs_start_controld
t_check "vswitchd reconnects to the new controld" wait_until 15 dataplane_up
list_after=$(vsctl --json list-ports | "$PY" -c 'import json,sys; d=json.load(sys.stdin); [p.pop("state", None) for p in d["ports"]]; print(json.dumps(d, sort_keys=True))')
t_check "list-ports identical after controld restart" test "$list_before" = "$list_after"
t_check "config file unchanged by the restart" test "$cfg_before" = "$(sha256sum <"$VS_CONFIG")"
t_check "ping vm1 -> vm2 after controld restart" \
	in_vm vm1 ping -c 3 -i 0.2 -W 2 10.30.0.2

# Ports added, changed and removed while vm1 and vm2 talk: no loss.
in_vm vm1 ping -c 500 -i 0.01 -W 1 10.30.0.2 >"$VS_TMP/flood.txt" 2>&1 &
PING=$!
sleep 0.5
t_check "add vm4 under traffic" vsctl add-port vm4 --type vm \
	--devargs "$(vs_vm_devargs vm4)" --mac 02:00:00:00:30:04
t_check "set-port vm4 under traffic" vsctl set-port vm4 --vlan-mode access --vlan 10
t_check "set-port vm3 under traffic" vsctl set-port vm3 --vlan-mode access --vlan 30
t_check "del-port vm4 under traffic" vsctl del-port vm4
t_check "add vm4 again under traffic" vsctl add-port vm4 --type vm \
	--devargs "$(vs_vm_devargs vm4)" --mac 02:00:00:00:30:04
wait $PING
loss=$(grep -o '[0-9.]*% packet loss' "$VS_TMP/flood.txt")
t_check "500 pings during reconfiguration: $loss" test "$loss" = "0% packet loss"

t_summary
