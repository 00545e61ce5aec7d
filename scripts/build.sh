#!/bin/bash
# Configures (once) and builds into BUILD_DIR (default: build/).
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
[ -f "$BUILD_DIR/build.ninja" ] || meson setup "$BUILD_DIR" "$@"
ninja -C "$BUILD_DIR"
