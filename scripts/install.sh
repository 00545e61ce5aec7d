#!/bin/bash
# Installs vswitch on this host: the Debian packages it needs, a build, and
# `meson install` (vswitchd and vswitch-controld in PREFIX/sbin, vswitchctl
# in PREFIX/bin, systemd units in PREFIX/lib/systemd/system; PREFIX is
# /usr/local).  Then reloads systemd if it runs.  DESTDIR=DIR stages the
# installation under DIR instead (packaging, tests).
#
#   sudo scripts/install.sh
#   sudo systemctl enable --now vswitch-controld vswitchd
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
if [ -n "${DESTDIR:-}" ]; then
	meson install -C "${BUILD_DIR:-build}" --quiet --destdir "$DESTDIR"
	exit 0
fi
meson install -C "${BUILD_DIR:-build}" --quiet
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload
fi
echo "installed; start with: systemctl enable --now vswitch-controld vswitchd"
