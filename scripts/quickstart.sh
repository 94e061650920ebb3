#!/usr/bin/env bash
# README command 1: on a fresh Debian machine, install the packages, build, install mlci into
# PREFIX (default /usr/local, with sudo when not root), and run the end-to-end demo from the
# installed commands on the embedded default (a local directory store, no server).
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
scripts/deps.sh
scripts/build.sh -DCMAKE_INSTALL_PREFIX="$PREFIX"
SUDO=""
if [ ! -w "$PREFIX" ] && [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO cmake --install build --prefix "$PREFIX" >/dev/null
export PATH="$PREFIX/bin:$PATH"
echo "installed: $(command -v git-prompt) $(command -v git-model) $(command -v git-gate)"
exec scripts/demo.sh
