#!/bin/bash
# vhost-user vm ports carry traffic between a DPDK virtio-user client
# (dpdk-testpmd answering ARP and ICMP echo) and a namespace VM, in server
# mode and in client mode, and a client-mode port reconnects when the VM
# side comes back.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
vs_init "${1:?usage: test_vhost.sh BUILD_DIR}"
trap vs_cleanup EXIT

# start_testpmd NAME VDEV-ARGS: a virtio-user "VM" in icmpecho mode on CPU 0.
start_testpmd() {
	local prefix=${VS_ID}$1
	dpdk-testpmd --lcores 0@0,1@0 --no-huge --no-pci -m 256 \
		--single-file-segments --file-prefix "$prefix" --vdev "$2" -- \
		--total-num-mbufs 8192 --no-lsc-interrupt --forward-mode=icmpecho \
		--auto-start --stats-period 1 >"$VS_TMP/$1.log" 2>&1 &
	TESTPMD_PID=$!
	VS_PIDS+=("$TESTPMD_PID")
	VS_PREFIXES+=("$prefix")
}

stats_of() { json_get "$(vsctl --json port-stats "$1")" "d['ports'][0]['stats']['$2']"; }
link_of() { json_get "$(vsctl --json port-stats "$1")" "d['ports'][0]['link']"; }
link_is() { test "$(link_of "$1")" = "$2"; }

vs_start_controld
vs_start_vswitchd
vs_vm vm1 10.20.0.1/24 02:00:00:00:20:01
t_check "add vm1 (af_packet)" vsctl add-port vm1 --type vm \
	--devargs "$(vs_vm_devargs vm1)" --mac 02:00:00:00:20:01

# Server mode: vswitchd owns the socket.
t_check "add vh1 (vhost-user server)" vsctl add-port vh1 --type vm \
	--socket "$VS_TMP/vh1.sock" --mac 02:00:00:00:20:99
t_check "vh1 socket created" test -S "$VS_TMP/vh1.sock"
start_testpmd tp1 "net_virtio_user0,path=$VS_TMP/vh1.sock,queues=1,mac=02:00:00:00:20:99"
t_check "vh1 link comes up when the VM attaches" wait_until 30 \
	link_is vh1 up
t_check "vm1 pings the virtio-user VM through vh1" \
	in_vm vm1 ping -c 5 -i 0.2 -W 2 10.20.0.99
t_check "vh1 counted rx >= 5" test "$(stats_of vh1 rx_packets)" -ge 5
t_check "vh1 counted tx >= 5" test "$(stats_of vh1 tx_packets)" -ge 5
vs_stop "$TESTPMD_PID"
t_check "vh1 link goes down when the VM leaves" wait_until 10 \
	link_is vh1 down
t_check "del-port vh1 removes its socket" bash -c \
	"$VSCTL_BIN --socket $VS_CTL_SOCK del-port vh1 && ! test -e $VS_TMP/vh1.sock"

# Client mode: the VM (virtio-user server=1) owns the socket.
start_testpmd tp2 "net_virtio_user1,path=$VS_TMP/vh2.sock,queues=1,server=1,mac=02:00:00:00:20:98"
t_check "virtio-user server socket appears" wait_until 30 test -S "$VS_TMP/vh2.sock"
t_check "add vh2 (vhost-user client)" vsctl add-port vh2 --type vm \
	--socket "$VS_TMP/vh2.sock" --vhost-mode client --mac 02:00:00:00:20:98
t_check "vh2 link up" wait_until 30 link_is vh2 up
t_check "vm1 pings through vh2 (client mode)" \
	in_vm vm1 ping -c 3 -i 0.2 -W 2 10.20.0.98
vs_stop "$TESTPMD_PID"
t_check "vh2 link down while the VM is away" wait_until 10 \
	link_is vh2 down
in_vm vm1 ip neigh flush dev eth0
start_testpmd tp3 "net_virtio_user1,path=$VS_TMP/vh2.sock,queues=1,server=1,mac=02:00:00:00:20:98"
t_check "vh2 reconnects when the VM comes back" wait_until 30 \
	link_is vh2 up
t_check "vm1 pings through vh2 after the reconnect" \
	in_vm vm1 ping -c 3 -i 0.2 -W 2 10.20.0.98
vs_stop "$TESTPMD_PID"

t_summary
