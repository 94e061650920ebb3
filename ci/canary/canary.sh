#!/usr/bin/env bash
# The canary's scheduled job (git-gate(1) CANARY RECIPE; README "Canary releases"). In a clone of the
# repository, with mlci installed and push rights:
#   1. fetch the registry's tags and the eval notes;
#   2. record the live metrics monitoring exported, as ordinary runs of the suite `canary-live`: the
#      canary's on the commit of NAME@canary, production's on the commit of NAME@production;
#   3. judge the canary with the gate named like the target stage (`[gate.production] suites =
#      ["canary-live"], baseline = "@production"`): the canary's live metrics against production's;
#   4. fail: roll the canary back (`git model rollback canary NAME --push`) and exit 1; pass: widen the
#      canary to the next of MLCI_STEPS (`git model promote canary NAME@canary --traffic N --push`), or,
#      past the last step (or with no steps), promote its version (`git model promote production
#      NAME@canary --push`), and exit 0; cannot decide (a missing result, a bad file, a dead remote):
#      change nothing and exit 2.
# The notes are pushed (git gate sync) before any tag, so the evidence a tag quotes is on the remote.
#
# Usage: canary.sh NAME CANARY_METRICS [PRODUCTION_METRICS]
#   CANARY_METRICS, PRODUCTION_METRICS: JSON or TOML tables of numbers (`{"latency_p95_ms": 480,
#   "error_rate": 0.01, "accuracy": 0.91}`) over the same window; the second is ignored while the target
#   stage holds no version (the first promotion then judges the canary on its absolute rules alone).
# Environment: MLCI_TOOL (model | prompt; default model), MLCI_REMOTE (origin), MLCI_SUITE (canary-live),
#   MLCI_CANARY_STAGE (canary), MLCI_TARGET_STAGE (production; its gate judges), MLCI_STEPS (the canary's
#   traffic shares in percent, rising, such as "5 25 50": each passing run widens to the next one above
#   its share now; empty (the default): a passing canary is promoted at once).
# Nothing from the metrics files is interpolated into a shell string: they are arguments to git gate.
set -uo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: canary.sh NAME CANARY_METRICS [PRODUCTION_METRICS]" >&2
    exit 2
fi
name=$1 canary_metrics=$2 production_metrics=${3:-}
tool=${MLCI_TOOL:-model}
remote=${MLCI_REMOTE:-origin}
suite=${MLCI_SUITE:-canary-live}
canary=${MLCI_CANARY_STAGE:-canary}
target=${MLCI_TARGET_STAGE:-production}
case "$tool" in
model | prompt) ;;
*)
    echo "error: MLCI_TOOL must be model or prompt, not '$tool'" >&2
    exit 2
    ;;
esac

say() { echo "canary: $*" >&2; }

steps=${MLCI_STEPS:-}
prev=0
for step in $steps; do
    case "$step" in
    [1-9] | [1-9][0-9] | 100) ;;
    *) echo "error: MLCI_STEPS holds '$step', not a share from 1 to 100" >&2; exit 2 ;;
    esac
    [ "$step" -gt "$prev" ] || { echo "error: MLCI_STEPS must rise: $steps" >&2; exit 2; }
    prev=$step
done

errors=$(mktemp) || exit 2
trap 'rm -f "$errors"' EXIT

# The commit a stage holds now into $commit ("" when it holds no version of NAME); exit 2 on any other
# error (an unknown NAME, a malformed note): a job that cannot read the registry must not report success.
stage_commit() {
    local json
    commit=""
    if json=$(git gate show "$name@$1" --json 2>"$errors"); then
        commit=$(printf '%s\n' "$json" | grep -o '"commit": *"[0-9a-f]*"' | head -n 1 | grep -o '[0-9a-f]\{40,64\}')
    elif ! grep -q "has no version in stage" "$errors"; then
        cat "$errors" >&2
        exit 2
    fi
}

git fetch -q --tags "$remote" || {
    say "cannot fetch the tags from $remote"
    exit 2
}
git gate sync "$remote" >/dev/null || exit 2

stage_commit "$canary"
cand=$commit
if [ -z "$cand" ]; then
    say "$name has no version in $canary: nothing to judge"
    exit 0
fi
stage_commit "$target"
prod=$commit
if [ "$cand" = "$prod" ]; then
    say "$canary and $target hold the same version of $name: nothing to judge"
    exit 0
fi

git gate record "$suite" --rev "$name@$canary" --metrics "$canary_metrics" || exit 2
if [ -n "$prod" ]; then
    if [ -z "$production_metrics" ]; then
        say "$target holds a version of $name: give its live metrics too (PRODUCTION_METRICS)"
        exit 2
    fi
    git gate record "$suite" --rev "$name@$target" --metrics "$production_metrics" || exit 2
fi
git gate sync "$remote" >/dev/null || exit 2

# The canary's share now (its Mlci-Traffic; 100 when none is recorded), from `stages --json`.
canary_share() {
    git "$tool" stages "$name" --json | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["stages"][sys.argv[1]]["traffic"])' "$canary"
}

rc=0
git gate check "$target" --rev "$name@$canary" || rc=$?
case "$rc" in
0)
    share=$(canary_share) || exit 2
    for step in $steps; do
        if [ "$step" -gt "$share" ]; then
            git "$tool" promote "$canary" "$name@$canary" --traffic "$step" --push --remote "$remote" || exit 2
            exit 0
        fi
    done
    git "$tool" promote "$target" "$name@$canary" --push --remote "$remote" || exit 2
    ;;
1)
    git "$tool" rollback "$canary" "$name" --push --remote "$remote" \
        --reason "gate '$target' failed on the live metrics of $suite" || exit 2
    exit 1
    ;;
*)
    say "the gate could not decide: nothing changed"
    exit 2
    ;;
esac
