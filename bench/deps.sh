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
PKGS=(openvswitch-switch openvswitch-switch-dpdk dpdk gnuplot-nox)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	policy=/usr/sbin/policy-rc.d
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		trap 'rm -f "$policy"' EXIT
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
# The DPDK build of ovs-vswitchd (PEERS.md); the package installs it as an
# alternative but may leave the plain build selected.
dpdk_vswitchd=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
if [ "$(readlink -f /usr/sbin/ovs-vswitchd)" != "$(readlink -f "$dpdk_vswitchd")" ]; then
	update-alternatives --set ovs-vswitchd "$dpdk_vswitchd"
fi
