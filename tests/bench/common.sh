# Shared by the benchmarks: timers that print medians and ratios against a named peer.
# Benchmarks are not tests: they never fail on a timing, they print numbers.
set -euo pipefail
BENCH_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mlci-bench.XXXXXX")
trap 'rm -rf "$BENCH_TMP"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
export GIT_CONFIG_NOSYSTEM=1 HOME="$BENCH_TMP/home" NO_COLOR=1
mkdir -p "$HOME"
git config --global user.name bench && git config --global user.email bench@example.com
git config --global init.defaultBranch main

# compare LABEL PEER_LABEL "MLCI CMD" "PEER CMD" [--prepare CMD]: time both, interleaved run by run and
# run alike (pairtime.py), and print the medians with their range, the CPU times and the ratio.
compare() {
    local label=$1 peer_label=$2 ours=$3 peer=$4
    shift 4
    python3 "$BENCH_SCRIPTS/pairtime.py" "$@" -- "$label" "$peer_label" "$ours" "$peer"
}
