#!/bin/bash
# Stage-relative baselines (issue 17): `baseline = "@production"` judges a candidate version against the
# version production holds now for the same NAME, not against a merge base; --rev, --base and --head take
# versions and stages (NAME@V, NAME@STAGE, NAME#STAGE) as well as git revisions.
. "$(dirname "$0")/lib.sh"

# metrics VALUE: a results file with one accuracy.
metrics() { printf '{"accuracy": %s}\n' "$1" >"$TRASH/m.json"; }

# A repository with model clf, stages canary → production, and a production gate whose accuracy may drop
# at most 2 % from what production runs. Results are recorded from files (as CI or monitoring would).
# clf v0.1.0 (accuracy 0.90) is promoted to canary and then production, main regresses to 0.80, and
# branch "feature" makes v0.2.0 at 0.85: better than its merge base with main, worse than production.
stage_repo() {
    new_repo r
    mkdir -p .mlci models
    cat >.mlci/config.toml <<'TOML'
stages = ["canary", "production"]
TOML
    cat >.mlci/gates.toml <<'TOML'
[suite.quality]
command = ["false"]
inputs = ["models/**"]

[gate.production]
suites = ["quality"]
baseline = "@production"
rules = [ { metric = "accuracy", max_drop = "2%" } ]
TOML
    echo weights-1 >models/clf.safetensors
    git model add models/clf.safetensors >/dev/null 2>&1 || fail "model add"
    commit_all "clf v1"
    V1=$(git rev-parse HEAD)
    git model bump clf >/dev/null 2>&1 || fail "bump v0.1.0"
    metrics 0.90 && git gate record quality --metrics "$TRASH/m.json" >/dev/null || fail "record v1"
    git model promote canary clf >/dev/null 2>&1 || fail "promote v1 to canary"
}

# main regresses (0.80); feature, from there, makes v0.2.0 (0.85) and promotes it to canary.
regress_and_branch() {
    echo weights-2 >models/clf.safetensors
    git model add models/clf.safetensors >/dev/null 2>&1 && commit_all "main regresses"
    MAIN=$(git rev-parse HEAD)
    metrics 0.80 && git gate record quality --metrics "$TRASH/m.json" >/dev/null || fail "record main"
    git checkout -q -b feature
    echo weights-3 >models/clf.safetensors
    git model add models/clf.safetensors >/dev/null 2>&1 && commit_all "clf v2"
    V2=$(git rev-parse HEAD)
    git model bump clf >/dev/null 2>&1 || fail "bump v0.2.0"
    metrics 0.85 && git gate record quality --metrics "$TRASH/m.json" >/dev/null || fail "record v2"
    git model promote canary clf@v0.2.0 >/dev/null 2>&1 || fail "promote v2 to canary"
}

begin_test "no version in the stage yet: relative rules skipped with a warning, the first promotion passes"
stage_repo
run git gate check production --rev clf@v0.1.0
expect_rc 0
expect_err "warning: gate 'production': baseline '@production': clf has no version in stage 'production' yet: relative rules skipped"
expect_out "no baseline: production holds no version"
run git model promote production clf
expect_rc 0
expect_err "clf has no version in stage 'production' yet: relative rules skipped"
expect_out "promoted clf v0.1.0 to production"
expect_eq "$(git rev-parse "$(git tag -l 'clf#production#*')^{commit}")" "$V1"
end_test

begin_test "@production refuses a candidate worse than production though better than its merge base"
stage_repo
git model promote production clf >/dev/null 2>&1 || fail "promote v1 to production"
regress_and_branch
before=$(refs_snapshot)
run git model promote production clf@v0.2.0
expect_rc 1
expect_out "gate production: FAIL"
expect_out "baseline ${V1:0:7} = clf v0.1.0 in production"
expect_out "accuracy"
expect_err "refusing to promote clf v0.2.0 to production: gate 'production' failed"
expect_eq "$(refs_snapshot)" "$before"
# The same verdict from git gate check on the version, on the stage, and on the plain commit (HEAD is
# v0.2.0's commit: the one NAME versioned there).
for rev in clf@v0.2.0 clf@canary 'clf#canary' HEAD; do
    run git gate check production --rev "$rev"
    expect_rc 1
    expect_out "(candidate ${V2:0:7}, baseline ${V1:0:7} = clf v0.1.0 in production)"
done
run git gate check production --rev clf@v0.2.0 --json
expect_rc 1
expect_eq "$(python3 -c 'import json,sys; g=json.loads(sys.argv[1])[0]; print(g["baseline"], g["baseline_version"], g["baseline_ref"])' "$OUT")" \
    "$V1 clf v0.1.0 @production"
# With the merge-base baseline the same candidate passes: 0.85 is better than main's 0.80.
run git gate check production --rev clf@v0.2.0 --baseline main
expect_rc 0
expect_out "baseline ${MAIN:0:7} = merge base with main"
run git model promote production clf@v0.2.0 --baseline main
expect_rc 0
expect_out "promoted clf v0.2.0 to production (displacing v0.1.0)"
# Now production holds v0.2.0: judged against itself, it passes.
run git gate check production --rev clf@production
expect_rc 0
expect_out "baseline ${V2:0:7} = clf v0.2.0 in production"
end_test

begin_test "an unknown stage in baseline: exit 2, nothing written"
stage_repo
git model promote production clf >/dev/null 2>&1 || fail "promote v1 to production"
regress_and_branch
sed -i 's/baseline = "@production"/baseline = "@prod"/' .mlci/gates.toml
before=$(refs_snapshot)
run git gate check production --rev clf@v0.2.0
expect_rc 2
expect_err "error: gate 'production': baseline = '@prod' names no stage (stages: canary, production)"
expect_err "hint: write baseline = \"@STAGE\" with a stage of .mlci/config.toml, or a git ref"
run git model promote production clf@v0.2.0
expect_rc 2
expect_err "baseline = '@prod' names no stage"
expect_eq "$(refs_snapshot)" "$before"
git checkout -q .mlci/gates.toml
run git gate check production --rev clf@v0.2.0 --baseline @nope
expect_rc 2
expect_err "error: --baseline '@nope' names no stage (stages: canary, production)"
run git model promote production clf@v0.2.0 --baseline @nope
expect_rc 2
expect_err "error: --baseline '@nope' names no stage"
expect_eq "$(refs_snapshot)" "$before"
end_test

begin_test "a plain commit with no version and stage holders on two commits: ambiguous, exit 2"
stage_repo
git model promote production clf >/dev/null 2>&1 || fail "promote clf to production"
echo tok-1 >models/tok.safetensors
git model add models/tok.safetensors >/dev/null 2>&1 && commit_all "tok v1"
git model bump tok >/dev/null 2>&1 || fail "bump tok"
metrics 0.5 && git gate record quality --metrics "$TRASH/m.json" >/dev/null || fail "record tok"
git model promote canary tok >/dev/null 2>&1 || fail "tok to canary"
git model promote production tok >/dev/null 2>&1 || fail "tok to production"
echo docs >README.md && commit_all "docs"
metrics 0.5 && git gate record quality --metrics "$TRASH/m.json" >/dev/null || fail "record docs"
before=$(refs_snapshot)
run git gate check production
expect_rc 2
expect_err "error: gate 'production': baseline '@production' is ambiguous for $(git rev-parse --short=7 HEAD): stage 'production' holds clf v0.1.0 (${V1:0:7}), tok v0.1.0"
expect_err "hint: name the version judged: git gate check production --rev NAME@VERSION"
expect_eq "$(refs_snapshot)" "$before"
# Named, it is not.
run git gate check production --rev tok@production
expect_rc 0
expect_out "= tok v0.1.0 in production"
# A gate not named like a stage: git gate check refuses alike; the report shows the results without it.
cat >>.mlci/gates.toml <<'TOML'

[gate.pre-push]
suites = ["quality"]
baseline = "@production"
rules = [ { metric = "accuracy", max_drop = "2%" } ]
TOML
run git gate check
expect_rc 2
expect_err "error: gate 'pre-push': baseline '@production' is ambiguous"
run git gate report --base HEAD~1
expect_rc 0
expect_out "accuracy"
run git gate report
expect_rc 0
expect_err "warning: gate 'pre-push' not judged: gate 'pre-push': baseline '@production' is ambiguous"
run git gate report --head clf@production
expect_rc 0
expect_out "pre-push"
expect_not_err "not judged"
expect_eq "$(refs_snapshot)" "$before"
end_test

begin_test "versions and stages wherever a revision is taken; git's own syntax still works"
stage_repo
git model promote production clf >/dev/null 2>&1 || fail "promote v1 to production"
regress_and_branch
# record and show on a stage, report from one stage to another.
metrics 0.84 && run git gate record quality --rev clf@canary --metrics "$TRASH/m.json"
expect_rc 0
expect_eq "$(git gate show "$V2" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"][-1]["metrics"]["accuracy"])')" "0.84"
run git gate show clf@production
expect_rc 0
expect_out "${V1:0:7}"
expect_out "0.9"
run git gate report --base clf@production --head clf@canary
expect_rc 0
expect_out "base: given with --base: clf v0.1.0 (${V1:0:7})"
expect_out "90.0%  84.0%"
run git gate report --base clf@production --head clf@canary --json
expect_rc 0
expect_eq "$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["base"], r["head"])' "$OUT")" "$V1 $V2"
# git's reflog syntax is git's: HEAD@{1} is where HEAD was before the last commit moved it.
run git gate check production --rev 'HEAD@{1}' --baseline main
expect_rc 0
expect_out "candidate $(git rev-parse --short=7 'HEAD@{1}')"
# Unknown names, versions and stages: exit 2, nothing recorded.
notes_before=$(git rev-parse refs/notes/mlci/evals)
run git gate record quality --rev nope@v1.0.0 --metrics "$TRASH/m.json"
expect_rc 2
expect_err "error: unknown revision 'nope@v1.0.0'"
run git gate record quality --rev clf@v9.9.9 --metrics "$TRASH/m.json"
expect_rc 2
expect_err "error: 'clf' has no version v9.9.9"
run git gate check production --rev clf@dev
expect_rc 2
expect_err "error: 'clf' has no version in stage 'dev'"
run git gate report --base nope@production
expect_rc 2
expect_err "error: unknown revision 'nope@production'"
expect_eq "$(git rev-parse refs/notes/mlci/evals)" "$notes_before"
end_test

finish
