#!/bin/bash
# The switch with its embedded default, on any Debian 12 machine as root:
# installs what is missing, builds, starts vswitch-controld and vswitchd
# (no hugepages, no NIC), attaches three namespace VMs -- vm1 and vm2 in
# VLAN 10, vm3 in VLAN 20 -- pings vm1 -> vm2, shows that vm1 cannot reach
# vm3, and prints `vswitchctl show`.  The switch keeps running.
#
#   scripts/demo.sh         start (or restart) the demo
#   scripts/demo.sh stop    stop it and remove its namespaces and files
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "scripts/demo.sh: run as root" >&2; exit 1; }
STATE=/run/vswitch-demo
VS_ID=vsdemo
. scripts/lib.sh

demo_stop() {
	for d in vswitchd controld; do
		if [ -f "$STATE/$d.pid" ]; then
			pid=$(cat "$STATE/$d.pid")
			# Only our daemon: check the command line before signalling.
			if grep -qa "$d" "/proc/$pid/cmdline" 2>/dev/null; then
				vs_stop "$pid"
			fi
			rm -f "$STATE/$d.pid"
		fi
	done
	for i in 1 2 3; do
		ip netns del "$VS_ID-vm$i" 2>/dev/null || true
		ip link del "${VS_ID}vm$i" 2>/dev/null || true
	done
	rm -rf "$STATE"
}

# start_daemon NAME CMD...: detached from this shell, pid in $STATE.
start_daemon() {
	local name=$1; shift
	setsid bash -c 'echo $$ >"$0"; exec "$@"' "$STATE/$name.pid" "$@" \
		>>"$STATE/$name.log" 2>&1 </dev/null &
	wait_until 5 test -s "$STATE/$name.pid"
}

if [ "${1:-start}" = stop ]; then
	demo_stop
	echo "demo stopped"
	exit 0
fi

scripts/deps.sh
scripts/build.sh >/dev/null
demo_stop
mkdir -p "$STATE"
vs_init "$PWD/${BUILD_DIR:-build}" "$STATE"

start_daemon controld "$CONTROLD" --foreground --config "$VS_CONFIG" \
	--socket "$VS_CTL_SOCK" --dataplane-socket "$VS_DP_SOCK"
wait_until 10 test -S "$VS_CTL_SOCK" || vs_die "controld did not start: $STATE/controld.log"
start_daemon vswitchd "$VSWITCHD" --dataplane-socket "$VS_DP_SOCK"
wait_until 30 dataplane_up || vs_die "vswitchd did not start: $STATE/vswitchd.log"

VLAN=(0 10 10 20)
for i in 1 2 3; do
	mac=02:00:00:00:00:0$i
	vs_vm vm$i 192.168.250.$i/24 $mac
	vsctl add-port vm$i --type vm --devargs "$(vs_vm_devargs vm$i)" --mac $mac
	vsctl set-port vm$i --vlan-mode access --vlan "${VLAN[$i]}"
done

echo "== ping vm1 -> vm2 (both in VLAN 10)"
in_vm vm1 ping -c 3 -i 0.2 -W 2 192.168.250.2
echo "== ping vm1 -> vm3 (VLAN 10 -> VLAN 20: must fail)"
if in_vm vm1 ping -c 2 -i 0.2 -W 1 192.168.250.3; then
	echo "unexpected: VLANs are not isolated" >&2
	exit 1
fi
echo "== vswitchctl show"
vsctl show
cat <<EOF

The switch is running.  Try:
  $VSCTL_BIN --socket $VS_CTL_SOCK port-stats
  $VSCTL_BIN --socket $VS_CTL_SOCK mac-table
  ip netns exec $VS_ID-vm1 ping 192.168.250.2
Stop it with: scripts/demo.sh stop
EOF
