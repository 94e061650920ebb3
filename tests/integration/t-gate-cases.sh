#!/bin/bash
# git gate without loopholes (issue 16): a case deleted from a suite fails the gate unless
# allow_removed_cases lets it go (check, report, the pre-push hook); added cases are listed; n_cases is a
# metric rules can bound; `git gate run` refuses uncommitted inputs before reusing anything, and --dirty
# runs without recording; ok_exit_codes records a tool that exits non-zero on failed cases.
. "$(dirname "$0")/lib.sh"

# notes_state: the eval notes ref and every note under it (to prove a refused command changed nothing).
notes_state() {
    { git rev-parse -q --verify refs/notes/mlci/evals || echo none; git notes --ref=mlci/evals list; } |
        sha256sum | cut -d' ' -f1
}

# cases_suite [GATE_EXTRA]: suite 'qa' reads evals/cases.txt ("id 1|0" lines) and writes its cases and
# pass_rate; gate pre-push (baseline main) requires pass_rate >= 0.5, plus GATE_EXTRA lines.
cases_suite() {
    mkdir -p evals .mlci
    cat >evals/qa.py <<'PY'
import json, sys
cases = {}
for line in open("evals/cases.txt"):
    if line.strip():
        k, v = line.split()
        cases[k] = int(v)
json.dump({"pass_rate": sum(cases.values()) / len(cases), "cases": cases}, open(sys.argv[1], "w"))
PY
    printf 'q1 1\nq2 1\nq3 0\nq4 1\n' >evals/cases.txt
    write_gates "${1:-}"
    echo "evals/*.ignored" >.gitignore
    commit_all "qa suite"
}

write_gates() {
    cat >.mlci/gates.toml <<TOML
[suite.qa]
command = ["python3", "evals/qa.py", "{out}"]
inputs = ["evals/**"]
timeout = "20s"

[gate.pre-push]
suites = ["qa"]
baseline = "${BASELINE:-main}"
rules = [ { metric = "pass_rate", min = 0.5 } ]
$1
TOML
}

# delete_failing_case: on branch 'feature', q3 (the failing case) deleted, run and recorded.
delete_failing_case() {
    git checkout -q -b feature
    printf 'q1 1\nq2 1\nq4 1\n' >evals/cases.txt
    commit_all "drop q3"
    git gate run >/dev/null 2>&1 || fail "git gate run on the candidate failed"
}

begin_test "a failing case deleted from the suite fails the gate, named in the table"
new_repo r && cases_suite
run git gate run; expect_rc 0
delete_failing_case
before=$(notes_state)
run git gate check; expect_rc 1
expect_out "FAIL"
expect_out "  FAIL: 1 case removed from suite 'qa' (allow_removed_cases = 0)"
expect_out "cases removed (in the baseline's run, not in the candidate's):"
expect_out "  qa  q3"
run git gate check --json; expect_rc 1
expect_out '"removed": ['
expect_out '"case": "q3"'
expect_out '"allowed": false'
expect_eq "$(notes_state)" "$before"
end_test

begin_test "the report names removed and added cases: text, markdown and json"
new_repo r && cases_suite
git gate run >/dev/null 2>&1
git checkout -q -b feature
printf 'q1 1\nq2 1\nq4 1\nq*5 1\n' >evals/cases.txt
commit_all "drop q3, add q*5"
git gate run >/dev/null 2>&1
run git gate report --base main; expect_rc 0
expect_out "cases removed (in the baseline's run, not in the candidate's):"
expect_out "  qa  q3"
expect_out "cases added (new in the candidate's run):"
expect_out "  qa  q*5"
expect_out "1 case removed from suite 'qa' (allow_removed_cases = 0)"
expect_out "n_cases"
run git gate report --base main --format markdown; expect_rc 0
expect_out "### Cases removed (on base, not on head)"
expect_out "- qa / q3"
expect_out '- qa / q\*5'
run git gate report --base main --format json; expect_rc 0
expect_out '"removed": ['
expect_out '"case": "q*5"'
end_test

begin_test "allow_removed_cases = 1 lets one go; a list lets the ids it names go"
new_repo r && cases_suite
git gate run >/dev/null 2>&1
delete_failing_case
write_gates "allow_removed_cases = 1"
run git gate check; expect_rc 0
expect_out "PASS"
expect_out "  qa  q3  (allowed)"
expect_not_out "FAIL:"
write_gates 'allow_removed_cases = ["q3"]'
run git gate check; expect_rc 0
expect_out "  qa  q3  (allowed)"
write_gates 'allow_removed_cases = ["q9"]'
run git gate check; expect_rc 1
expect_out "  FAIL: 1 case removed from suite 'qa' (allow_removed_cases = ['q9'])"
end_test

begin_test "a bad allow_removed_cases is a config error naming the key; notes untouched"
new_repo r && cases_suite
git gate run >/dev/null 2>&1
delete_failing_case
before=$(notes_state)
for bad in '"1"' '-1' '1.5' '[1]' 'true'; do
    write_gates "allow_removed_cases = $bad"
    run git gate check; expect_rc 2
    expect_err "error: .mlci/gates.toml:10"
    expect_err "'gate.pre-push.allow_removed_cases' must be a number of cases (an integer, 0 or more) or an array of case ids (strings)"
    expect_eq "$(notes_state)" "$before"
done
end_test

begin_test "added cases are listed and never fail; n_cases is a metric a min rule bounds"
new_repo r && cases_suite
git gate run >/dev/null 2>&1
git checkout -q -b feature
printf 'q1 1\nq2 1\nq3 0\nq4 1\nq5 0\n' >evals/cases.txt
commit_all "add q5"
git gate run >/dev/null 2>&1
run git gate check; expect_rc 0
expect_out "cases added (new in the candidate's run):"
expect_out "  qa  q5"
expect_not_out "cases removed"
write_gates '[gate.size]
suites = ["qa"]
rules = [ { metric = "n_cases", min = 6 } ]'
run git gate check size; expect_rc 1
expect_out "n_cases"
expect_out "min 6"
write_gates '[gate.size]
suites = ["qa"]
rules = [ { metric = "n_cases", min = 5 } ]'
run git gate check size; expect_rc 0
end_test

begin_test "pre-push: a push that deletes a failing case is refused, the remote unchanged"
BASELINE=origin/main
new_repo r && cases_suite
git gate init >/dev/null 2>&1 || fail "git gate init failed"
git gate run >/dev/null 2>&1
git push -q -u origin main 2>/dev/null || fail "first push failed"
remote_before=$(git --git-dir="$TRASH/r-origin.git" rev-parse main)
printf 'q1 1\nq2 1\nq4 1\n' >evals/cases.txt
commit_all "drop the failing q3"
git gate run >/dev/null 2>&1
run git push origin main; expect_rc 1
expect_err "push refused: the pre-push gate failed"
expect_err "1 case removed from suite 'qa' (allow_removed_cases = 0)"
expect_err "  qa  q3"
expect_eq "$(git --git-dir="$TRASH/r-origin.git" rev-parse main)" "$remote_before"
unset BASELINE
end_test

begin_test "run refuses uncommitted inputs before reusing anything: exit 2, no note written"
new_repo r && cases_suite
run git gate run; expect_rc 0
before=$(notes_state)
note_before=$(git notes --ref=mlci/evals show HEAD)
echo "q9 0" >>evals/cases.txt # unstaged edit
run git gate run; expect_rc 2
expect_err "error: inputs of suite 'qa' have uncommitted changes (evals/cases.txt): a result would not describe HEAD"
expect_err "hint: commit them first, or use 'git gate run --dirty'"
expect_not_out "reused"
expect_eq "$(notes_state)" "$before"
git add evals/cases.txt # staged
run git gate run qa; expect_rc 2
expect_err "inputs of suite 'qa' have uncommitted changes (evals/cases.txt)"
git reset -q --hard
echo "x" >evals/new.txt # untracked, not ignored
run git gate run --force; expect_rc 2
expect_err "(evals/new.txt)"
rm evals/new.txt
echo "x" >evals/local.ignored # ignored: not an input change
echo "x" >outside.txt         # not an input
run git gate run; expect_rc 0
expect_out "qa: reused (already recorded here)"
expect_eq "$(notes_state)" "$before"
expect_eq "$(git notes --ref=mlci/evals show HEAD)" "$note_before"
end_test

begin_test "run --dirty runs on the work tree as it is, prints, records nothing"
new_repo r && cases_suite
git gate run >/dev/null 2>&1
before=$(notes_state)
printf 'q1 1\nq2 0\n' >evals/cases.txt
run git gate run --dirty; expect_rc 0
expect_out "qa: ok in"
expect_out "(not recorded)"
expect_out "pass_rate=0.5"
expect_err "suite 'qa': not recorded: inputs have uncommitted changes (--dirty)"
expect_eq "$(notes_state)" "$before"
run git gate run --dirty --rev HEAD; expect_rc 2
expect_err "error: --dirty runs on the work tree: it cannot be combined with --rev"
expect_eq "$(notes_state)" "$before"
# Without results on a fresh commit, --dirty writes no note at all.
git checkout -q evals/cases.txt
echo more >README.md && commit_all "docs"
printf 'q1 0\n' >evals/cases.txt
run git gate run --dirty; expect_rc 0
expect_out "pass_rate=0"
git notes --ref=mlci/evals show HEAD >/dev/null 2>&1 && fail "--dirty wrote a note"
end_test

begin_test "ok_exit_codes: a tool that exits non-zero on failed cases is recorded, not a crashed suite"
new_repo r && mkdir -p evals .mlci
cat >evals/pf.py <<'PY'
import json, sys
json.dump({"pass_rate": 0.75, "cases": {"a": 1, "b": 1, "c": 1, "d": 0}}, open(sys.argv[1], "w"))
sys.exit(100)  # as promptfoo does when a case fails
PY
cat >.mlci/gates.toml <<'TOML'
[suite.pf]
command = ["python3", "evals/pf.py", "{out}"]
inputs = ["evals/**"]
TOML
commit_all "pf suite"
run git gate run pf; expect_rc 1
expect_out "exit code 100"
sed -i 's/^inputs = .*/&\nok_exit_codes = [0, 100]/' .mlci/gates.toml
commit_all "exit 100 is a run"
run git gate run pf; expect_rc 0
expect_out "pass_rate=0.75"
run git gate show --json; expect_rc 0
expect_out '"status": "ok"'
sed -i 's/^ok_exit_codes = .*/ok_exit_codes = [0, 300]/' .mlci/gates.toml
before=$(notes_state)
run git gate run pf; expect_rc 2
expect_err "'suite.pf.ok_exit_codes' must be an array of exit codes (integers from 0 to 255), such as [0, 100]"
expect_eq "$(notes_state)" "$before"
end_test

finish
