#!/bin/bash
# git gate: run, check verdicts, notes readable by git, bad input reported, concurrent sync.
. "$(dirname "$0")/lib.sh"

setup_suite() {
    mkdir -p evals .mlci
    cat >evals/acc.py <<'PY'
import json, sys
acc = float(open("evals/acc.txt").read())
json.dump({"accuracy": acc, "cases": {"a": 1, "b": 1 if acc > 0.8 else 0}}, open(sys.argv[1], "w"))
PY
    echo 0.9 >evals/acc.txt
    cat >.mlci/gates.toml <<'TOML'
[suite.quality]
command = ["python3", "evals/acc.py", "{out}"]
inputs = ["evals/**"]
timeout = "20s"

[gate.pre-push]
suites = ["quality"]
baseline = "main"
rules = [
  { metric = "accuracy", min = 0.8, max_drop = "2%" },
]
TOML
    commit_all "evals"
}

begin_test "run, check pass, regression fails with a table and flipped cases"
new_repo r && setup_suite
run git gate check; expect_rc 2; expect_err "git gate run quality"
run git gate run; expect_rc 0; expect_out "quality: ok"
run git notes --ref=mlci/evals show HEAD; expect_rc 0; expect_out 'suite = "quality"'; expect_out "accuracy = 0.9"
run git gate check; expect_rc 0; expect_out "PASS"
git checkout -q -b feat && echo 0.7 >evals/acc.txt && commit_all "worse"
run git gate run; expect_rc 0
run git gate check; expect_rc 1; expect_out "accuracy dropped by 22.22% (limit 2%)"; expect_out "cases that flipped pass → fail"
run git gate report --format markdown; expect_rc 0; expect_out "### Suite quality"; expect_out "| accuracy | 90.0% | 70.0% | 🔴 worse ▼ −20.0 pp |"
run git gate log accuracy --json; expect_rc 0; expect_out '"value": 0.7'
end_test

begin_test "reuse by fingerprint after a docs-only commit"
new_repo r && setup_suite
run git gate run; expect_rc 0
echo docs >>README.md && commit_all "docs"
run git gate run; expect_rc 0; expect_out "reused from"
run git notes --ref=mlci/evals show HEAD; expect_out "reused_from"
end_test

begin_test "suite exiting non-zero and suite timeout are recorded as errors"
new_repo r && setup_suite
cat >>.mlci/gates.toml <<'TOML'
[suite.broken]
command = ["sh", "-c", "exit 3"]
[suite.slow]
command = ["sleep", "30"]
timeout = "1s"
TOML
commit_all "more suites"
run git gate run broken; expect_rc 1; expect_out "error: exit code 3"
run git gate run slow; expect_rc 1; expect_out "timeout after 1 s"
run git notes --ref=mlci/evals show HEAD; expect_out 'status = "error"'; expect_out 'reason = "timeout after 1 s"'
end_test

begin_test "malformed note written by hand is reported, not crashed on"
new_repo r && setup_suite
git notes --ref=mlci/evals add -m '[[run]] suite = ' HEAD
run git gate show; expect_rc 2; expect_err "note of commit"
run git gate check; expect_rc 2; expect_err "treated as no result"
run git gate run; expect_rc 2; expect_err "git notes --ref=mlci/evals edit"
end_test

begin_test "missing metric fails by name; rule parse errors name file:line"
new_repo r && setup_suite
sed -i 's/metric = "accuracy", min/metric = "recall", min/' .mlci/gates.toml && commit_all "recall"
run git gate run; expect_rc 0
run git gate check; expect_rc 1; expect_out "metric 'recall' is missing"
printf '[gate.x]\nsuites = ["quality"]\nrules = [ { metric = "a", max_drop = "2%%" } ]\n' >>.mlci/gates.toml
run git gate check; expect_rc 2; expect_err ".mlci/gates.toml:14: rule 'max_drop 2%' on 'a' compares with a baseline"
end_test

begin_test "missing baseline: relative rules skipped with a warning"
new_repo r && setup_suite
sed -i 's/baseline = "main"/baseline = "origin\/main"/' .mlci/gates.toml && commit_all "origin"
run git gate run; expect_rc 0
run git gate check; expect_rc 0; expect_err "does not exist yet"
end_test

begin_test "two clones run concurrently, then sync in both: no run lost"
new_repo r && setup_suite && git push -q origin main
git clone -q "$TRASH/r-origin.git" "$TRASH/a" && git clone -q "$TRASH/r-origin.git" "$TRASH/b"
(cd "$TRASH/a" && git gate run --force >/dev/null 2>&1) &
(cd "$TRASH/b" && git gate run --force >/dev/null 2>&1) &
wait
(cd "$TRASH/a" && git gate sync >/dev/null 2>&1) & (cd "$TRASH/b" && git gate sync >/dev/null 2>&1) &
wait
(cd "$TRASH/a" && git gate sync >/dev/null 2>&1); (cd "$TRASH/b" && git gate sync >/dev/null 2>&1)
cd "$TRASH/a" && run git gate show --json
expect_eq "$(grep -c '"suite": "quality"' <<<"$OUT")" 2
cd "$TRASH/b" && run git notes --ref=mlci/evals show HEAD
expect_eq "$(grep -c '^\[\[run\]\]' <<<"$OUT")" 2
end_test

begin_test "CI recipe: fetch notes, check, report appended to GITHUB_STEP_SUMMARY"
new_repo r && setup_suite && git gate run >/dev/null 2>&1 && git push -q origin main && git gate sync >/dev/null 2>&1
git clone -q "$TRASH/r-origin.git" "$TRASH/ci" && cd "$TRASH/ci"
git fetch -q origin '+refs/notes/mlci/*:refs/notes/mlci/*'
run git gate check --baseline origin/main; expect_rc 0
export GITHUB_STEP_SUMMARY="$TRASH/summary.md"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then git gate report --format markdown >>"$GITHUB_STEP_SUMMARY"; fi
grep -q "## Eval report" "$TRASH/summary.md" || fail "summary lacks the report"
unset GITHUB_STEP_SUMMARY
end_test

finish
