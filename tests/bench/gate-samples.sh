#!/usr/bin/env bash
# Benchmark (issue 13): the cost of samples. `git gate check` of a candidate and a baseline run of 10,000
# cases with 5 samples each, against the same check on runs of 10,000 cases with one sample each (goal:
# at most 2x). Both repositories hold the same gate, the same commits and the same pass rates.
# Usage: tests/bench/gate-samples.sh [CASES=10000] [SAMPLES=5]   (git-gate must be on PATH)
source "$(dirname "$0")/common.sh"
CASES=${1:-10000}
K=${2:-5}
make_repo() { # make_repo DIR SAMPLES
    git init -q "$1"
    (
        cd "$1"
        mkdir -p .mlci
        cat >.mlci/gates.toml <<'TOML'
[suite.sim]
command = ["false"]

[gate.pre-push]
suites = ["sim"]
baseline = "main"
rules = [{ metric = "accuracy", min = 0.5, max_drop = "2%" }]
TOML
        git add -A && git commit -q -m gates
        git checkout -q -b feat && git commit -q --allow-empty -m candidate && git checkout -q main
        for side in main feat; do
            python3 - "$CASES" "$2" "$side" >out.json <<'PY'
import json, random, sys
n, k, side = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(1 if side == "main" else 2)
cases = {}
for i in range(n):
    p = rng.uniform(0.2, 0.8) if i % 3 == 0 else (0.97 if i % 7 else 0.03)
    s = [1 if rng.random() < p else 0 for _ in range(k)]
    cases[f"q{i:05d}"] = s if k > 1 else s[0]
acc = sum((sum(v) / k if k > 1 else v) for v in cases.values()) / n
json.dump({"accuracy": acc, "cases": cases}, sys.stdout)
PY
            git gate record sim --rev "$side" --metrics out.json >/dev/null
        done
        git checkout -q feat
    )
}
make_repo "$BENCH_TMP/k$K" "$K"
make_repo "$BENCH_TMP/k1" 1
echo "runs of $CASES cases: $K samples per case against 1"
compare "git gate check ($CASES cases x $K samples)" "the same, 1 sample per case" \
    "git -C $BENCH_TMP/k$K gate check pre-push" "git -C $BENCH_TMP/k1 gate check pre-push" -i
compare "git gate show ($CASES cases x $K samples)" "the same, 1 sample per case" \
    "git -C $BENCH_TMP/k$K gate show" "git -C $BENCH_TMP/k1 gate show" -i
