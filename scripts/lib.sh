# Shell helpers shared by scripts/demo.sh and tests/integration/*.sh:
# starting the daemons, namespaces as VMs, waiting with timeouts, cleaning
# up only what we started.  Source it, then call vs_init BUILD_DIR.
#
# Everything a run creates is named after VS_ID (a random tag), so runs
# never touch each other's namespaces, links or files.

VS_PIDS=()
VS_NETNS=()
VS_LINKS=()
VS_PREFIXES=()

vs_die() { echo "error: $*" >&2; exit 1; }

# vs_init BUILD_DIR [STATE_DIR]: binaries from BUILD_DIR; state (sockets,
# config, logs) in STATE_DIR or a new temporary directory.
vs_init() {
	local build=$1
	VSWITCHD=$build/dataplane/vswitchd
	CONTROLD=$build/control/vswitch-controld
	VSCTL_BIN=$build/control/vswitchctl
	for b in "$VSWITCHD" "$CONTROLD" "$VSCTL_BIN"; do
		[ -x "$b" ] || vs_die "$b not built"
	done
	VS_TMP=${2:-$(mktemp -d /tmp/vswitch.XXXXXX)}
	mkdir -p "$VS_TMP"
	VS_ID=${VS_ID:-vs$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')}
	VS_CTL_SOCK=$VS_TMP/controld.sock
	VS_DP_SOCK=$VS_TMP/dataplane.sock
	VS_CONFIG=$VS_TMP/config.json
	VS_LOGDIR=$VS_TMP
	PY=/usr/bin/python3
}

# vs_side NAME: for tests that run several switches: the sockets,
# configuration and logs of the following vs_start_*, vsctl and
# dataplane_up calls are those of switch NAME, under $VS_TMP/NAME.
# Each switch keeps its own VSWITCHD_PID and CONTROLD_PID: save them.
vs_side() {
	VS_LOGDIR=$VS_TMP/$1
	mkdir -p "$VS_LOGDIR"
	VS_CTL_SOCK=$VS_LOGDIR/controld.sock
	VS_DP_SOCK=$VS_LOGDIR/dataplane.sock
	VS_CONFIG=$VS_LOGDIR/config.json
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s; fails after SECONDS.
wait_until() {
	local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

vsctl() { "$VSCTL_BIN" --socket "$VS_CTL_SOCK" "$@"; }

dataplane_up() { vsctl --json show | grep -q '"dataplane": *"up"'; }

# vs_start_controld [ARGS...]: starts controld with ARGS added.
vs_start_controld() {
	"$CONTROLD" --foreground --config "$VS_CONFIG" --socket "$VS_CTL_SOCK" \
		--dataplane-socket "$VS_DP_SOCK" "$@" \
		>>"$VS_LOGDIR/controld.log" 2>&1 &
	CONTROLD_PID=$!
	VS_PIDS+=("$CONTROLD_PID")
	wait_until 10 test -S "$VS_CTL_SOCK" || vs_die "controld did not start (see $VS_LOGDIR/controld.log)"
}

# vs_start_vswitchd [ARGS...]: starts vswitchd and waits until controld
# reports it connected.
vs_start_vswitchd() {
	"$VSWITCHD" --dataplane-socket "$VS_DP_SOCK" "$@" \
		>>"$VS_LOGDIR/vswitchd.log" 2>&1 &
	VSWITCHD_PID=$!
	VS_PIDS+=("$VSWITCHD_PID")
	VS_PREFIXES+=("vswitchd$VSWITCHD_PID")
	wait_until 30 dataplane_up || vs_die "vswitchd did not connect (see $VS_LOGDIR/vswitchd.log)"
}

# vs_stop PID [SIGNAL]: signals a process we started and waits (10 s)
# for it to exit, then kills it.
vs_stop() {
	local pid=$1 sig=${2:-TERM}
	kill -"$sig" "$pid" 2>/dev/null || return 0
	wait_until 10 bash -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	return 0
}

# vs_vm NAME IP/PREFIX MAC: a namespace "$VS_ID-NAME" as a VM, its eth0
# one end of a veth pair; the other end, "$VS_ID$NAME" on the host, is
# what the switch attaches with af_packet.  Prints nothing.
vs_vm() {
	local name=$1 addr=$2 mac=$3 ns=$VS_ID-$1 host=$VS_ID$1
	ip netns add "$ns" || return 1
	VS_NETNS+=("$ns")
	# No IPv6 autoconfiguration chatter: tests count frames exactly.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.all.disable_ipv6=1
	ip link add "$host" type veth peer name eth0 netns "$ns" || return 1
	VS_LINKS+=("$host")
	sysctl -qw "net.ipv6.conf.$host.disable_ipv6=1"
	ip -n "$ns" link set eth0 address "$mac"
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
	[ -n "$addr" ] && ip -n "$ns" addr add "$addr" dev eth0
	# af_packet hands the switch what the kernel wrote: fill checksums,
	# no TSO/GSO super-frames.
	ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off >/dev/null 2>&1
	ip link set "$host" up
	ip link set "$host" mtu 1500
}

vs_vm_devargs() { echo "net_af_packet,iface=$VS_ID$1"; }
in_vm() { local ns=$VS_ID-$1; shift; ip netns exec "$ns" "$@"; }

# vs_vm_bg NAME LOG CMD...: runs CMD in VM NAME in the background, output
# to LOG.  ip netns exec execs CMD, so VS_BG_PID is CMD's own PID; it is
# added to VS_PIDS, so vs_cleanup stops it if the test does not.
vs_vm_bg() {
	local ns=$VS_ID-$1 log=$2; shift 2
	ip netns exec "$ns" "$@" >"$log" 2>&1 &
	VS_BG_PID=$!
	VS_PIDS+=("$VS_BG_PID")
}

# vs_bg_stop PID [SIGNAL]: vs_stop, and PID leaves VS_PIDS.
vs_bg_stop() {
	local pid=$1 i
	vs_stop "$pid" "${2:-TERM}"
	for i in "${!VS_PIDS[@]}"; do
		[ "${VS_PIDS[$i]}" = "$pid" ] && unset "VS_PIDS[$i]"
	done
	VS_PIDS=("${VS_PIDS[@]}")
}

vs_cleanup() {
	local i
	for (( i=${#VS_PIDS[@]}-1; i>=0; i-- )); do
		vs_stop "${VS_PIDS[$i]}"
	done
	for ns in "${VS_NETNS[@]}"; do ip netns del "$ns" 2>/dev/null; done
	for l in "${VS_LINKS[@]}"; do ip link del "$l" 2>/dev/null; done
	for p in "${VS_PREFIXES[@]}"; do rm -rf "/var/run/dpdk/$p"; done
	if [ -n "${VS_KEEP:-}" ]; then
		echo "state kept in $VS_TMP"
	elif [ -n "${VS_TMP:-}" ] && [ "${VS_TMP#/tmp/vswitch.}" != "$VS_TMP" ]; then
		rm -rf "$VS_TMP"
	fi
}

# Test bookkeeping: t_ok / t_fail DESC, t_check DESC CMD..., t_summary.
T_PASS=0
T_FAIL=0
t_ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
t_fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL - $*"; }
t_check() { local d=$1; shift; if "$@"; then t_ok "$d"; else t_fail "$d"; fi; }
t_check_not() { local d=$1; shift; if "$@"; then t_fail "$d"; else t_ok "$d"; fi; }
t_summary() {
	local d
	if [ "$T_FAIL" -ne 0 ] && [ -n "${VS_TMP:-}" ]; then
		for d in "$VS_TMP" "$VS_TMP"/*/; do
			d=${d%/}
			[ -e "$d/controld.log" ] || [ -e "$d/vswitchd.log" ] || continue
			echo "--- ${d#$VS_TMP}/controld.log"; tail -n 30 "$d/controld.log" 2>/dev/null
			echo "--- ${d#$VS_TMP}/vswitchd.log"; grep -v VHOST_CONFIG "$d/vswitchd.log" 2>/dev/null | tail -n 30
		done
	fi
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}

# json_get JSON-TEXT PYTHON-EXPR: evaluates EXPR with 'd' the parsed JSON.
json_get() { "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
