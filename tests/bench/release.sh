#!/usr/bin/env bash
# Benchmark (issue 17): the release commands on the repository of release-repo.sh — 1,000 versions of a
# model over 20,000 commits, each commit with an eval note — against `git log --notes=mlci/evals` over
# the same history (goal: at most 3x):
#   git model lineage clf@V, lineage clf@V1 clf@V2, lineage --uses data/train.jsonl@REV, git model card
#   clf@V (Markdown and JSON).
# Each pair runs interleaved (compare in common.sh); wall and CPU medians and their ratios are printed.
# Usage: tests/bench/release.sh [COMMITS] [VERSIONS]   (git-model must be on PATH). Further release
# commands are timed by adding a `compare` line below.
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

# Check once that the commands answer what the repository holds, so the timings time real work.
one=$(git-model lineage "clf@$RELEASE_V_MID")
grep -q "data/train.jsonl.mlci" <<<"$one" || { echo "bench: no lineage" >&2; exit 1; }
uses=$(git-model lineage --uses "data/train.jsonl@$RELEASE_DATA_REV_OLD" --json | grep -c '"tag": "clf@')
[ "$uses" -eq 20 ] || [ "$VERSIONS" -lt 20 ] || { echo "bench: --uses found $uses versions, not 20" >&2; exit 1; }

peer="git log --notes=mlci/evals"
compare "git model lineage clf@$RELEASE_V_MID" "$peer" \
    "git-model lineage clf@$RELEASE_V_MID" "git log --notes=mlci/evals"
compare "git model lineage clf@V1 clf@V2" "$peer" \
    "git-model lineage clf@$RELEASE_V_MID clf@$RELEASE_V_LAST" "git log --notes=mlci/evals"
compare "git model lineage --uses data@REV" "$peer" \
    "git-model lineage --uses data/train.jsonl@$RELEASE_DATA_REV_OLD" "git log --notes=mlci/evals"
compare "git model lineage --uses --json" "$peer" \
    "git-model lineage --uses data/train.jsonl@$RELEASE_DATA_REV_OLD --json" "git log --notes=mlci/evals"
compare "git model card clf@V" "$peer" \
    "git-model card clf@$RELEASE_V_MID" "git log --notes=mlci/evals"
compare "git model card clf@V --format json" "$peer" \
    "git-model card clf@$RELEASE_V_MID --format json" "git log --notes=mlci/evals"
