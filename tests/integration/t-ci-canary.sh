#!/bin/bash
# The canary CI recipe (ci/canary/canary.sh; git-gate(1) CANARY RECIPE) against a bare origin, as a
# scheduled job runs it in a fresh clone: live metrics recorded as runs of `canary-live` on the canary's
# and on production's commits, the production gate (baseline = "@production") judging one against the
# other; a bad canary is rolled back and the tags pushed, a good one promoted and pushed.
. "$(dirname "$0")/lib.sh"

RECIPE="$MLCI_SOURCE/ci/canary/canary.sh"

# live FILE LATENCY ERROR_RATE ACCURACY: what monitoring exports for one deployment.
live() { printf '{"latency_p95_ms": %s, "error_rate": %s, "accuracy": %s}\n' "$2" "$3" "$4" >"$TRASH/$1"; }

# The developer's repository "r" (with origin beside it): model clf, stages canary → production, the
# recipe's suite and gate. `release N`: a new clf version N, promoted to canary and pushed.
canary_repo() {
    new_repo r
    mkdir -p .mlci models
    echo 'stages = ["canary", "production"]' >.mlci/config.toml
    cat >.mlci/gates.toml <<'TOML'
# Live metrics come from monitoring (git gate record canary-live --metrics FILE); the command never runs.
# inputs: the model's pointer, so that each version's results are its own (never reused across versions).
[suite.canary-live]
command = ["false"]
inputs = ["models/clf.safetensors.mlci"]

[gate.production]
suites = ["canary-live"]
baseline = "@production"
rules = [
  { metric = "latency_p95_ms", max_rise = "20%" },
  { metric = "error_rate", max_rise = "10%" },
  { metric = "accuracy", max_drop = "2%" },
]
TOML
    git add .mlci && commit_all "mlci: canary gate"
    git push -q origin main || fail "push main"
}
release() {
    echo "weights-$1" >models/clf.safetensors
    git model add models/clf.safetensors >/dev/null 2>&1 && commit_all "clf $1"
    git model bump clf >/dev/null 2>&1 || fail "bump $1"
    git push -q --tags origin main || fail "push $1"
    git model promote canary clf ${2:+--traffic "$2"} --push >/dev/null 2>&1 || fail "promote $1 to canary"
}
# The scheduled job: a fresh clone of origin, the recipe run there.
job() {
    rm -rf "$TRASH/ci"
    git clone -q "$TRASH/r-origin.git" "$TRASH/ci" || fail "clone"
    (cd "$TRASH/ci" && run env MLCI_STEPS="${STEPS:-}" "$RECIPE" clf "$TRASH/canary.json" "$TRASH/production.json" &&
        printf '%s\n' "$RC" >"$TRASH/rc" && printf '%s' "$OUT" >"$TRASH/out" && printf '%s' "$ERR" >"$TRASH/err")
    RC=$(cat "$TRASH/rc") OUT=$(cat "$TRASH/out") ERR=$(cat "$TRASH/err")
}
# origin_stage STAGE: the version origin's tags put in STAGE (read in a fresh clone).
origin_stage() {
    rm -rf "$TRASH/look"
    git clone -q "$TRASH/r-origin.git" "$TRASH/look" &&
        (cd "$TRASH/look" && git model stages clf --json | python3 -c '
import json, sys
v = json.load(sys.stdin)[0]["stages"].get(sys.argv[1])
print(v["version"] + (" %d%%" % v["traffic"] if len(sys.argv) > 2 else "") if v else "none")' "$@")
}

begin_test "first canary: production holds nothing, the canary is judged on its own and promoted"
canary_repo
release 1
live canary.json 450 0.010 0.91
live production.json 999 0.9 0.1 # ignored: production holds no version yet
job
expect_rc 0
expect_err "clf has no version in stage 'production' yet: relative rules skipped"
expect_out "gate production: PASS"
expect_out "promoted clf v0.1.0 to production"
expect_eq "$(origin_stage production)" "v0.1.0"
# The live run is on origin's notes, on v0.1.0's commit.
git fetch -q origin 'refs/notes/mlci/evals:refs/notes/mlci/evals' || fail "fetch notes"
expect_eq "$(git gate show clf@v0.1.0 --json | python3 -c 'import json,sys; r=json.load(sys.stdin)["runs"]; print(r[-1]["suite"], r[-1]["metrics"]["latency_p95_ms"])')" "canary-live 450"
# Run again: canary and production hold one version, nothing to judge, nothing written.
before=$(git ls-remote "$TRASH/r-origin.git" | sha256sum)
job
expect_rc 0
expect_err "canary and production hold the same version of clf: nothing to judge"
expect_eq "$(git ls-remote "$TRASH/r-origin.git" | sha256sum)" "$before"
end_test

begin_test "a bad canary (live latency up 33 %) is rolled back and pushed; a good one is promoted"
canary_repo
release 1
live canary.json 450 0.010 0.91
job
expect_rc 0
release 2
live canary.json 600 0.010 0.91
live production.json 450 0.010 0.91
job
expect_rc 1
expect_out "gate production: FAIL"
expect_out "latency_p95_ms"
expect_out "baseline $(git rev-parse --short=7 'clf@v0.1.0^{commit}') = clf v0.1.0 in production"
expect_out "rolled back clf in canary"
expect_eq "$(origin_stage canary)" "v0.1.0"
expect_eq "$(origin_stage production)" "v0.1.0"
# The rollback tag says why.
git fetch -q --tags origin
expect_eq "$(git for-each-ref --sort=-taggerdate --count=1 --format='%(contents)' 'refs/tags/clf#canary#*' | grep -c "canary-live")" "1"
# A good v3 (latency within 20 %, error rate within 10 %, accuracy within 2 %) is promoted and pushed.
release 3
live canary.json 500 0.0105 0.905
live production.json 450 0.010 0.91
job
expect_rc 0
expect_out "gate production: PASS"
expect_out "promoted clf v0.3.0 to production (displacing v0.1.0)"
expect_eq "$(origin_stage production)" "v0.3.0"
end_test

begin_test "MLCI_STEPS: a passing canary is widened 5 → 25 → 50 % run by run, then promoted"
canary_repo
release 1
live canary.json 450 0.010 0.91
job
expect_rc 0
release 2 5
expect_eq "$(origin_stage canary share)" "v0.2.0 5%"
live canary.json 460 0.010 0.91
live production.json 450 0.010 0.91
STEPS="5 25 50" job
expect_rc 0
expect_eq "$(origin_stage canary share)" "v0.2.0 25%"
expect_eq "$(origin_stage production)" "v0.1.0"
STEPS="5 25 50" job
expect_eq "$(origin_stage canary share)" "v0.2.0 50%"
STEPS="5 25 50" job
expect_rc 0
expect_out "promoted clf v0.2.0 to production (displacing v0.1.0)"
expect_eq "$(origin_stage production)" "v0.2.0"
# Steps that are not rising shares: exit 2 before anything is read or written.
before=$(git ls-remote "$TRASH/r-origin.git" | sha256sum)
for bad in "25 5" "0 50" "5 101" "5 x"; do
    STEPS=$bad job
    expect_rc 2
    expect_err "MLCI_STEPS"
done
expect_eq "$(git ls-remote "$TRASH/r-origin.git" | sha256sum)" "$before"
end_test

begin_test "the recipe changes nothing it cannot decide: a bad metrics file, missing production metrics"
canary_repo
release 1
live canary.json 450 0.010 0.91
job
expect_rc 0
release 2
before=$(git ls-remote "$TRASH/r-origin.git" | sha256sum)
echo 'not json' >"$TRASH/canary.json"
job
expect_rc 2
expect_err "error:"
expect_eq "$(git ls-remote "$TRASH/r-origin.git" | sha256sum)" "$before"
live canary.json 450 0.010 0.91
rm -f "$TRASH/production.json"
job
expect_rc 2
expect_eq "$(git ls-remote "$TRASH/r-origin.git" | sha256sum)" "$before"
expect_eq "$(origin_stage canary)" "v0.2.0"
# A name the registry does not know is an error, not "nothing to judge".
rm -rf "$TRASH/ci" && git clone -q "$TRASH/r-origin.git" "$TRASH/ci"
(cd "$TRASH/ci" && "$RECIPE" nope "$TRASH/canary.json" >/dev/null 2>"$TRASH/err")
RC=$? ERR=$(cat "$TRASH/err")
expect_rc 2
expect_err "error: unknown revision 'nope@canary'"
expect_err "hint: 'nope' is no registered name"
# Usage: exit 2.
run "$RECIPE" clf
expect_rc 2
expect_err "usage: canary.sh NAME CANARY_METRICS [PRODUCTION_METRICS]"
expect_eq "$(git ls-remote "$TRASH/r-origin.git" | sha256sum)" "$before"
end_test

finish
