#!/bin/bash
# Installs the Debian 12 packages vswitch needs to build, run and test,
# plus any packages named as arguments, when any is missing.  Runs apt-get
# update first (only if it installs).
set -eu
PKGS=(
	# build
	gcc meson ninja-build pkg-config libdpdk-dev libjansson-dev
	libpcap-dev libcriterion-dev
	# fuzzing (scripts/fuzz.sh): clang, and libFuzzer's runtime, which
	# Debian 12 ships for clang 14 in libclang-rt-14-dev
	clang libclang-rt-14-dev
	# run: DPDK's PMD plugins and dpdk-testpmd
	dpdk
	# tests and demo: namespaces, traffic, frames
	iproute2 iputils-ping ethtool procps util-linux python3 python3-scapy
	# tests: real peers in the VM namespaces (DHCP server and clients,
	# router advertisements, bandwidth, captures)
	dnsmasq-base radvd udhcpc iperf3 tcpdump tshark
	"$@"
)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	# Packages with a daemon (radvd, openvswitch-switch) would start
	# their system service; the tests and benchmarks run private
	# instances, so a temporary policy-rc.d forbids that.
	policy=/usr/sbin/policy-rc.d
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		trap 'rm -f "$policy"' EXIT
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
