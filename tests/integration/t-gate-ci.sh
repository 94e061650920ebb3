#!/usr/bin/env bash
# The CI recipe of README.md and git-gate(1), run as a CI job would: in a fresh clone of the remote,
# fetch the eval notes, `git gate check` (the authoritative gate, since hooks can be skipped), and
# append `git gate report --format markdown` to $GITHUB_STEP_SUMMARY when it is set.
source "$(dirname "$0")/lib.sh"

# ci_job DIR: the recipe's commands, verbatim.
ci_job() {
    cd "$1" || return 2
    git fetch -q origin '+refs/notes/mlci/*:refs/notes/mlci/*' || return 2
    local rc=0
    git gate check || rc=$?
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        git gate report --format markdown >>"$GITHUB_STEP_SUMMARY"
    fi
    return $rc
}

setup() {
    new_repo dev
    mkdir -p evals .mlci
    cat >.mlci/gates.toml <<'EOF'
[suite.acc]
command = ["python3", "evals/acc.py", "{out}"]
inputs = ["evals/**"]

[gate.pre-push]
suites = ["acc"]
baseline = "origin/main"
rules = [{ metric = "accuracy", max_drop = "5%" }, { metric = "accuracy", min = 0.5 }]
EOF
    printf 'import json, sys\nv = float(open("evals/value.txt").read())\njson.dump({"accuracy": v}, open(sys.argv[1], "w"))\n' >evals/acc.py
    echo 0.9 >evals/value.txt
    commit_all "eval"
    git gate run >/dev/null 2>&1 || fail "gate run failed"
    git push -q origin main 2>/dev/null || fail "push failed"
    git gate sync origin >/dev/null 2>&1 || fail "sync failed"
}

begin_test "CI recipe: a passing change, with the markdown report in the job summary"
setup
git checkout -q -b feature
echo 0.91 >evals/value.txt
commit_all "better"
git gate run >/dev/null 2>&1
git push -q --no-verify origin feature 2>/dev/null
git gate sync origin >/dev/null 2>&1
git clone -q -b feature "$TRASH/dev-origin.git" "$TRASH/ci"
export GITHUB_STEP_SUMMARY="$TRASH/summary.md"
run ci_job "$TRASH/ci"
expect_rc 0
expect_out "gate pre-push: PASS"
grep -q "### Suite acc" "$GITHUB_STEP_SUMMARY" || fail "summary lacks the suite heading"
grep -q "| accuracy | 90.0% | 91.0% | 🟢 better ▲ +1.0 pp |" "$GITHUB_STEP_SUMMARY" || fail "summary lacks the metric row"
grep -q "pre-push" "$GITHUB_STEP_SUMMARY" || fail "summary lacks the gate verdict"
unset GITHUB_STEP_SUMMARY
end_test

begin_test "CI recipe: a regression pushed with --no-verify fails the CI gate"
setup
git checkout -q -b worse
echo 0.6 >evals/value.txt
commit_all "worse"
git gate run >/dev/null 2>&1
run git push --no-verify origin worse
expect_rc 0
git gate sync origin >/dev/null 2>&1
git clone -q -b worse "$TRASH/dev-origin.git" "$TRASH/ci"
run ci_job "$TRASH/ci"
expect_rc 1
expect_out "gate pre-push: FAIL"
expect_out "max_drop 5%"
end_test

begin_test "CI recipe: a change with no results cannot be decided (exit 2, with the command)"
setup
git checkout -q -b untested
echo 0.95 >evals/value.txt
commit_all "untested"
git push -q --no-verify origin untested 2>/dev/null
git clone -q -b untested "$TRASH/dev-origin.git" "$TRASH/ci"
run ci_job "$TRASH/ci"
expect_rc 2
expect_err "git gate run"
end_test

finish
