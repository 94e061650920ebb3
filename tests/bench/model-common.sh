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
trap 'exit 143' TERM
trap 'exit 130' INT

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
            /usr/bin/time -o "$BENCH_ROOT/.t" -f '%e %U %S' sh -c "${cmds[$k]}" >/dev/null 2>&1 ||
                { echo "benchmark command failed: ${cmds[$k]}" >&2; exit 1; }
            tail -n1 "$BENCH_ROOT/.t" | awk '{print $1}' >>"$BENCH_ROOT/${names[$k]}.times"
            tail -n1 "$BENCH_ROOT/.t" | awk '{printf "%.2f\n", $2 + $3}' >>"$BENCH_ROOT/${names[$k]}.cpu"
        done
    done
    for k in "${!names[@]}"; do
        local m c
        m=$(median_file "$BENCH_ROOT/${names[$k]}.times")
        c=$(median_file "$BENCH_ROOT/${names[$k]}.cpu")
        eval "MEDIAN_${names[$k]}=$m"
        eval "CPU_${names[$k]}=$c"
        printf '%-28s median %8.3f s  cpu %7.3f s   (%s; runs: %s)\n' "${names[$k]}" "$m" "$c" "${cmds[$k]}" \
            "$(tr '\n' ' ' <"$BENCH_ROOT/${names[$k]}.times")"
    done
}

# median_file FILE: the median of the numbers in FILE, one a line, three decimals.
median_file() {
    python3 -c "import statistics,sys; print('%.3f' % statistics.median(float(x) for x in open(sys.argv[1])))" "$1"
}

# On a shared machine the wall clock depends on everyone's load; user+system CPU time (of the command and
# its children) much less. Ratios are printed for both.
# ratio2 NAME_A NAME_B: "wall X.XX  cpu Y.YY" for MEDIAN_/CPU_ of two interleaved commands.
ratio2() {
    local ma mb ca cb
    eval "ma=\$MEDIAN_$1 mb=\$MEDIAN_$2 ca=\$CPU_$1 cb=\$CPU_$2"
    echo "wall $(ratio "$ma" "$mb")  cpu $(ratio "$ca" "$cb")"
}

# Space for what the prepare steps of a benchmark take away instead of deleting it: see
# model-many-files.sh (deleting 20,000 files just before a timed run slows the next creations).
TRASH="$BENCH_ROOT/trash"
mkdir -p "$TRASH"

# ratio A B: A / B with two decimals.
ratio() { python3 -c "import sys; b = float(sys.argv[2]); print('%.2f' % (float(sys.argv[1]) / b) if b > 0 else 'n/a')" "$1" "$2"; }
