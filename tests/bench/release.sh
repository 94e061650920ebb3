#!/usr/bin/env bash
# Benchmark (issue 17): the release commands on the repository of release-repo.sh — 1,000 versions of a
# model over 20,000 commits, each commit with an eval note — against `git log --notes=mlci/evals` over
# the same history (goal: at most 3x):
#   git model lineage clf@V, lineage clf@V1 clf@V2, lineage --uses data/train.jsonl@REV.
# Each pair alternates run by run (a change of load on a shared machine hits both alike); wall and CPU
# medians and their ratios are printed. Usage: tests/bench/release.sh [COMMITS] [VERSIONS]
# (git-model must be on PATH). Further release commands are timed by adding a `compare_interleaved`
# line below.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/release-repo.sh"
COMMITS=${1:-20000}
VERSIONS=${2:-1000}
repo="$BENCH_TMP/repo"
SECONDS=0
release_repo "$repo" "$COMMITS" "$VERSIONS"
cd "$repo"
echo "repository: $(git rev-list --count HEAD) commits, $(git notes --ref=mlci/evals list | wc -l) notes," \
    "$(git tag -l | wc -l) tags (generated in $SECONDS s)"

# compare_interleaved LABEL PEER_LABEL "MLCI CMD" "PEER CMD": RUNS (default 10) rounds of one run each,
# ours then the peer's; medians of wall time and of CPU time (user + system), and the ratios.
compare_interleaved() {
    local label=$1 peer_label=$2 ours=$3 peer=$4
    local runs=${RUNS:-10} i
    hyperfine -N --style none --warmup 2 --runs 1 "$ours" "$peer" >/dev/null
    for i in $(seq 1 "$runs"); do
        hyperfine -N --style none --runs 1 --export-json "$BENCH_TMP/c$i.json" "$ours" "$peer" >/dev/null
    done
    python3 - "$label" "$peer_label" "$BENCH_TMP" "$runs" <<'PY'
import json, statistics, sys
label, peer, tmp, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
wall = [[], []]; cpu = [[], []]
for i in range(1, runs + 1):
    res = json.load(open(f"{tmp}/c{i}.json"))["results"]
    for k in (0, 1):
        wall[k].append(res[k]["median"])
        cpu[k].append(res[k]["user"] + res[k]["system"])
wa, wb = statistics.median(wall[0]), statistics.median(wall[1])
ca, cb = statistics.median(cpu[0]), statistics.median(cpu[1])
print(f"{label:<44} median {wa*1000:9.1f} ms   {peer:<28} {wb*1000:9.1f} ms   ratio {wa/wb:6.2f}x")
print(f"{'  same, CPU time (user + system)':<44} median {ca*1000:9.1f} ms   {peer:<28} {cb*1000:9.1f} ms   ratio {ca/cb:6.2f}x")
PY
}

# Check once that the commands answer what the repository holds, so the timings time real work.
git-model lineage "clf@$RELEASE_V_MID" | grep -q "data/train.jsonl.mlci" || { echo "bench: no lineage" >&2; exit 1; }
uses=$(git-model lineage --uses "data/train.jsonl@$RELEASE_DATA_REV_OLD" --json | grep -c '"tag": "clf@')
[ "$uses" -eq 20 ] || [ "$VERSIONS" -lt 20 ] || { echo "bench: --uses found $uses versions, not 20" >&2; exit 1; }

peer="git log --notes=mlci/evals"
compare_interleaved "git model lineage clf@$RELEASE_V_MID" "$peer" \
    "git-model lineage clf@$RELEASE_V_MID" "git log --notes=mlci/evals"
compare_interleaved "git model lineage clf@V1 clf@V2" "$peer" \
    "git-model lineage clf@$RELEASE_V_MID clf@$RELEASE_V_LAST" "git log --notes=mlci/evals"
compare_interleaved "git model lineage --uses data@REV" "$peer" \
    "git-model lineage --uses data/train.jsonl@$RELEASE_DATA_REV_OLD" "git log --notes=mlci/evals"
compare_interleaved "git model lineage --uses --json" "$peer" \
    "git-model lineage --uses data/train.jsonl@$RELEASE_DATA_REV_OLD --json" "git log --notes=mlci/evals"
