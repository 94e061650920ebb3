# Shared helpers for the git model benchmarks (sourced). Uses the installed git-model ($MLCI_STAGE/bin
# first when set), hyperfine for timing, python3 to read hyperfine's JSON.
set -eu
if [ -n "${MLCI_STAGE:-}" ]; then
    PATH="$MLCI_STAGE/bin:$PATH"
fi
for c in git-model hyperfine python3; do
    command -v "$c" >/dev/null || { echo "skip: $c is not installed" >&2; exit 125; }
done
export GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
BENCH_ROOT=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mlci-bench.XXXXXX")
export HOME="$BENCH_ROOT/home"
mkdir -p "$HOME"
git config --global user.name bench
git config --global user.email bench@example.com
git config --global init.defaultBranch main
trap 'chmod -R u+w "$BENCH_ROOT" 2>/dev/null; rm -rf "$BENCH_ROOT"' EXIT

# bench NAME RUNS PREPARE COMMAND: time COMMAND with hyperfine, remember its median as MEDIAN_<NAME>.
bench() {
    local name=$1 runs=$2 prepare=$3 cmd=$4
    hyperfine --style basic -r "$runs" --prepare "$prepare" --export-json "$BENCH_ROOT/$name.json" "$cmd" \
        >"$BENCH_ROOT/$name.log" 2>&1 || { cat "$BENCH_ROOT/$name.log" >&2; exit 1; }
    local m
    m=$(python3 -c "import json,sys; print('%.3f' % json.load(open(sys.argv[1]))['results'][0]['median'])" \
        "$BENCH_ROOT/$name.json")
    eval "MEDIAN_$name=$m"
    printf '%-28s median %8.3f s   (%s)\n' "$name" "$m" "$cmd"
}

# interleave RUNS NAME PREPARE COMMAND [NAME PREPARE COMMAND]...: time the commands round-robin (one
# run of each per round), so that a machine whose load changes during the benchmark treats every command
# alike; remember each median as MEDIAN_<NAME>. PREPARE runs untimed before each run.
interleave() {
    local runs=$1
    shift
    local -a names=() preps=() cmds=()
    while [ $# -gt 0 ]; do
        names+=("$1") preps+=("$2") cmds+=("$3")
        shift 3
    done
    local i k t
    for ((i = 0; i < runs; i++)); do
        for k in "${!names[@]}"; do
            sh -c "${preps[$k]}" >/dev/null 2>&1 || true
            /usr/bin/time -o "$BENCH_ROOT/.t" -f %e sh -c "${cmds[$k]}" >/dev/null 2>&1 ||
                { echo "benchmark command failed: ${cmds[$k]}" >&2; exit 1; }
            tail -n1 "$BENCH_ROOT/.t" >>"$BENCH_ROOT/${names[$k]}.times"
        done
    done
    for k in "${!names[@]}"; do
        local m
        m=$(python3 -c "import statistics,sys; print('%.3f' % statistics.median(float(x) for x in open(sys.argv[1])))" \
            "$BENCH_ROOT/${names[$k]}.times")
        eval "MEDIAN_${names[$k]}=$m"
        printf '%-28s median %8.3f s   (%s; runs: %s)\n' "${names[$k]}" "$m" "${cmds[$k]}" \
            "$(tr '\n' ' ' <"$BENCH_ROOT/${names[$k]}.times")"
    done
}

# ratio A B: A / B with two decimals.
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
