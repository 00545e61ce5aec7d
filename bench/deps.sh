#!/bin/bash
# Installs what the benchmarks need besides scripts/deps.sh: the comparison
# candidates (Open vSwitch with DPDK, dpdk-testpmd) and gnuplot for plots.
# Idempotent: apt-get update and install run only when a package is missing.
#
# The package install would start the system openvswitch-switch service
# (through invoke-rc.d when systemd is not running); a temporary
# policy-rc.d forbids that.  bench/candidates.py runs a private OVS
# instance of its own and never uses the system one.
set -eu
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
"$(dirname "$0")/../scripts/deps.sh" openvswitch-switch openvswitch-switch-dpdk \
	gnuplot-nox
# The DPDK build of ovs-vswitchd (PEERS.md); the package installs it as an
# alternative but may leave the plain build selected.
dpdk_vswitchd=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
if [ "$(readlink -f /usr/sbin/ovs-vswitchd)" != "$(readlink -f "$dpdk_vswitchd")" ]; then
	update-alternatives --set ovs-vswitchd "$dpdk_vswitchd"
fi
