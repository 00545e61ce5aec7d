#!/bin/bash
# scripts/install.sh stages a complete installation (DESTDIR), and the
# systemd units it installs are valid: systemd-analyze verify accepts them
# (syntax, and ExecStart binaries that exist and are executable), they
# restart on failure, and vswitchd starts after vswitch-controld.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
BUILD=${1:?usage: test_install.sh BUILD_DIR}
vs_init "$BUILD"
trap vs_cleanup EXIT
ROOT=$(cd "$HERE/../.." && pwd)
D=$VS_TMP/dest
U=$D/usr/local/lib/systemd/system

BUILD_DIR=$BUILD DESTDIR=$D "$ROOT/scripts/install.sh" >"$VS_TMP/install.log" 2>&1
t_check "scripts/install.sh with DESTDIR exits 0" test $? -eq 0
for f in sbin/vswitchd sbin/vswitch-controld bin/vswitchctl; do
	t_check "installed $f" test -x "$D/usr/local/$f"
done
for u in vswitch-controld.service vswitchd.service; do
	t_check "installed unit $u" test -f "$U/$u"
	t_check "$u restarts on failure" grep -qx "Restart=on-failure" "$U/$u"
	# Verify a copy that points at the staged binaries.
	mkdir -p "$VS_TMP/units"
	sed "s#/usr/local/sbin/#$D/usr/local/sbin/#g" "$U/$u" >"$VS_TMP/units/$u"
	out=$(systemd-analyze verify "$VS_TMP/units/$u" 2>&1)
	t_check "systemd-analyze verify $u (${out:-clean})" test -z "$out"
done
t_check "vswitchd is ordered after vswitch-controld" \
	grep -qx "After=vswitch-controld.service network.target" "$U/vswitchd.service"
t_check "vswitchd wants vswitch-controld" \
	grep -qx "Wants=vswitch-controld.service" "$U/vswitchd.service"
t_check "controld keeps /run/vswitch across its restarts" \
	grep -qx "RuntimeDirectoryPreserve=yes" "$U/vswitch-controld.service"
# The installed binaries run: controld from its unit's command line, with
# the paths moved into this test's directory.
cmd=$(sed -n 's/^ExecStart=//p' "$U/vswitch-controld.service" |
	sed "s#/usr/local/sbin/#$D/usr/local/sbin/#; s#/etc/vswitch/#$VS_TMP/#; s#/run/vswitch/#$VS_TMP/#g; s#\$CONTROLD_ARGS##")
$cmd >"$VS_TMP/controld.log" 2>&1 &
VS_PIDS+=("$!")
t_check "installed controld starts from the unit's ExecStart" \
	wait_until 10 test -S "$VS_TMP/controld.sock"
t_check "installed vswitchctl talks to it" \
	"$D/usr/local/bin/vswitchctl" --socket "$VS_TMP/controld.sock" show
t_summary
