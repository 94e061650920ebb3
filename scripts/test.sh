#!/usr/bin/env bash
# README command 2: install the packages, build, and run every test (unit, fuzz-corpus replay, and the
# integration tests against a staged install). Servers a test needs are installed and started by that
# test's own script. With SANITIZE=1 the build uses AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
if [ "${SANITIZE:-0}" = 1 ]; then
    export BUILD=${BUILD:-build-asan}
    scripts/build.sh -DMLCI_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo # line numbers in the reports
    export ASAN_OPTIONS=abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
else
    export BUILD=${BUILD:-build}
    scripts/build.sh
fi
# Tests in parallel: one per core, at least 2 (most wait on git and servers), at most 4.
cores=$(nproc)
jobs=$((cores < 2 ? 2 : cores > 4 ? 4 : cores))
ctest --test-dir "$BUILD" --output-on-failure -j"${JOBS:-$jobs}" "$@"
