#!/usr/bin/env bash
# Configure and build into BUILD (default: build/). Extra arguments go to cmake's configure step.
# The default is an optimised build without debug information (-O2): debug information doubles the time
# of a clean build (9 min against 4.5 min on 2 cores). For a debugger or perf's source lines pass
# -DCMAKE_BUILD_TYPE=RelWithDebInfo.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" "$@" >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
