#!/bin/bash
# Installs what the benchmarks need besides scripts/deps.sh: the comparison
# candidates (Open vSwitch with DPDK, dpdk-testpmd) and gnuplot for plots.
# Idempotent: apt-get update and install run only when a package is missing.
# scripts/deps.sh keeps the system openvswitch-switch service from starting
# at install; bench/candidates.py runs a private OVS instance of its own.
set -eu
"$(dirname "$0")/../scripts/deps.sh" openvswitch-switch openvswitch-switch-dpdk \
	gnuplot-nox
# The DPDK build of ovs-vswitchd (PEERS.md); the package installs it as an
# alternative but may leave the plain build selected.
dpdk_vswitchd=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
if [ "$(readlink -f /usr/sbin/ovs-vswitchd)" != "$(readlink -f "$dpdk_vswitchd")" ]; then
	update-alternatives --set ovs-vswitchd "$dpdk_vswitchd"
fi
