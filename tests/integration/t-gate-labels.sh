#!/bin/bash
# Dimensions of cases (issue 16, part 2): two prompts × two providers in one suite, their cases labelled;
# a gate per prompt through `select`; rules on labelled metrics (pass_rate{provider=echo-b}); a provider
# added adds rows instead of failing on a missing metric; promotion of one prompt judged on its own cases
# only (select_artifact); labels in show, check and report; every bad input refused with exit 2 and
# nothing written.
. "$(dirname "$0")/lib.sh"

notes_state() {
    { git rev-parse -q --verify refs/notes/mlci/evals || echo none; git notes --ref=mlci/evals list; } |
        sha256sum | cut -d' ' -f1
}

# labels_repo: prompts triage and summary; suite qa reads evals/results.txt ("prompt provider case 1|0"
# lines, each case 20 times) and writes each case with its prompt and provider labels; a gate per prompt (select) and a
# staging gate for promotion.
labels_repo() {
    new_repo r
    mkdir -p .mlci evals
    printf 'stages = ["dev", "staging"]\n' >.mlci/config.toml
    write_prompt triage "Route {{ticket}}" '"ticket"'
    write_prompt summary "Summarize {{text}}" '"text"'
    cat >evals/qa.py <<'PY'
import json, sys
cases, labels = {}, {}
for line in open("evals/results.txt"):
    if line.strip():
        prompt, provider, case, ok = line.split()
        # 20 copies of each case (CID, CID-1, …): enough cases for decided verdicts
        for k in range(20):
            cid = prompt + "/" + provider + "/" + case + ("-%d" % k if k else "")
            cases[cid] = int(ok)
            labels[cid] = {"prompt": prompt, "provider": provider}
out = {"pass_rate": sum(cases.values()) / len(cases), "cases": cases, "labels": labels}
json.dump(out, open(sys.argv[1], "w"))
PY
    results echo-a 1 1 1 1
    cat >.mlci/gates.toml <<'TOML'
[suite.qa]
command = ["python3", "evals/qa.py", "{out}"]
inputs = ["evals/**", "prompts/**"]
timeout = "20s"

[gate.triage]
suites = ["qa"]
baseline = "main"
select = { prompt = "triage" }
rules = [ { metric = "pass_rate", min = 0.9 }, { metric = "pass_rate", max_drop = 0.1 } ]

[gate.summary]
suites = ["qa"]
baseline = "main"
select = { prompt = "summary" }
rules = [ { metric = "pass_rate", min = 0.9 } ]

[gate.staging]
suites = ["qa"]
rules = [ { metric = "pass_rate", min = 0.9 } ]
TOML
    commit_all "two prompts, one suite"
}

# results PROVIDERS... T1 T2 S1 S2: for each provider (a space-separated list in $1), cases c1 c2 of
# triage (T1 T2) and of summary (S1 S2).
results() {
    local providers=$1
    shift
    : >evals/results.txt
    for p in $providers; do
        printf 'triage %s c1 %s\ntriage %s c2 %s\nsummary %s c1 %s\nsummary %s c2 %s\n' \
            "$p" "$1" "$p" "$2" "$p" "$3" "$p" "$4" >>evals/results.txt
    done
}

begin_test "a gate per prompt: select judges only that prompt's cases"
labels_repo
git gate run >/dev/null 2>&1 || fail "run on main"
git checkout -q -b feature
results echo-a 1 1 0 1
commit_all "summary breaks c1"
git gate run >/dev/null 2>&1; expect_eq "$?" 0
run git gate check triage; expect_rc 0
expect_out "suite qa: 40 of 80 cases selected by prompt=triage"
expect_out "pass_rate{prompt=triage}"
expect_not_out "summary/echo-a/c1"
run git gate check summary; expect_rc 1
expect_out "pass_rate{prompt=summary}"
expect_out "cases that flipped pass → fail:"
expect_out "  qa  summary/echo-a/c1  (prompt=summary, provider=echo-a)"
run git gate check summary --json; expect_rc 1
expect_out '"selection": {'
expect_out '"labels": {'
expect_out '"metric": "pass_rate{prompt=summary}"'
end_test

begin_test "rules on labelled metrics; a provider added adds rows instead of a missing metric"
labels_repo
cat >>.mlci/gates.toml <<'TOML'

[gate.providers]
suites = ["qa"]
baseline = "main"
rules = [ { metric = "pass_rate{provider=echo-a}", min = 0.9 },
          { metric = "pass_rate{ provider=echo-a,prompt=triage}", max_drop = 0.1 } ]
TOML
commit_all "per-provider gate"
git gate run >/dev/null 2>&1 || fail "run on main"
git checkout -q -b feature
results "echo-a echo-b" 1 1 1 1
commit_all "add provider echo-b"
git gate run >/dev/null 2>&1 || fail "run on feature"
run git gate check providers; expect_rc 0
expect_out "pass_rate{prompt=triage,provider=echo-a}"
expect_out "cases added (new in the candidate's run):"
run git gate check triage; expect_rc 0
run git gate report --base main; expect_rc 0 # rows grouped by label set
expect_out "  provider=echo-b:"
expect_out "  prompt=summary, provider=echo-b:"
expect_out "  prompt=triage:"
run git gate report --base main --format json; expect_rc 0
expect_out '"metric": "pass_rate{provider=echo-b}"'
expect_out '"metric": "pass_rate{prompt=summary,provider=echo-b}"'
expect_out '"metric": "n_cases{prompt=triage}"'
# echo-b breaks one triage case: only the gates that select it see it.
results "echo-a echo-b" 1 1 1 1
sed -i 's/^triage echo-b c2 1$/triage echo-b c2 0/' evals/results.txt
commit_all "echo-b fails triage c2"
git gate run >/dev/null 2>&1; expect_eq "$?" 0
run git gate check providers; expect_rc 0
run git gate check triage; expect_rc 1
expect_out "pass_rate{prompt=triage}"
run git gate check summary; expect_rc 0
# The per-label metric along history, derived as check and report derive it.
run git gate log 'pass_rate{prompt=triage}'; expect_rc 0
expect_eq "$(grep -c . <<<"$OUT")" 3
expect_out "  0.75  echo-b fails triage c2"
expect_out "  1  add provider echo-b"
end_test

begin_test "show lists labels; --json gives each case's"
labels_repo
results echo-a 1 0 1 1
commit_all "triage c2 fails"
git gate run >/dev/null 2>&1
run git gate show; expect_rc 0
expect_out "  label prompt: summary 40/40 pass, triage 20/40 pass"
expect_out "  label provider: echo-a 60/80 pass"
run git gate show --json; expect_rc 0
expect_out '"triage/echo-a/c2": {'
expect_out '"prompt": "triage"'
git notes --ref=mlci/evals show HEAD >note.txt
grep -qF '"triage/echo-a/c1" = { prompt = "triage", provider = "echo-a" }' note.txt ||
    fail "the note lacks the labels of triage/echo-a/c1: $(cat note.txt)"
end_test

begin_test "promotion of one prompt is judged on its cases only; select_artifact = false judges all"
labels_repo
results echo-a 1 1 0 0
commit_all "summary fails"
git prompt bump triage >/dev/null 2>&1 || fail "bump triage"
git prompt bump summary >/dev/null 2>&1 || fail "bump summary"
git gate run >/dev/null 2>&1
git prompt promote dev triage summary >/dev/null 2>&1 || fail "promote dev"
run git prompt promote staging triage; expect_rc 0
expect_out "promoted triage v0.1.0 to staging"
tag=$(git tag -l 'triage#staging#*')
git cat-file -p "$tag" | grep -qF "Mlci-Gate: pass_rate{prompt=triage} 1 min 0.9 pass" ||
    fail "the tag lacks the selected evidence: $(git cat-file -p "$tag")"
run git prompt history triage; expect_rc 0
expect_out "verified"
before=$(git for-each-ref | sha256sum)
run git prompt promote staging summary; expect_rc 1
expect_err "gate 'staging' failed"
expect_out "pass_rate{prompt=summary}"
expect_eq "$(git for-each-ref | sha256sum)" "$before"
# select_artifact = false: triage's promotion is judged on every case, summary's failures included.
sed -i 's/^\[gate.staging\]$/[gate.staging]\nselect_artifact = false/' .mlci/gates.toml
git prompt promote dev triage >/dev/null 2>&1
printf 'x\n' >>prompts/triage.prompt
commit_all "triage v0.1.1"
git prompt bump triage --patch >/dev/null 2>&1 || fail "bump triage v0.1.1"
git gate run >/dev/null 2>&1
git prompt promote dev triage >/dev/null 2>&1 || fail "promote dev v0.1.1"
run git prompt promote staging triage; expect_rc 1
expect_err "refusing to promote triage v0.1.1 to staging: gate 'staging' failed"
expect_out "pass_rate  "
expect_not_out "pass_rate{prompt=triage}"
end_test

begin_test "bad labels in a results file: exit 2, named, nothing recorded"
labels_repo
before=$(notes_state)
bad() {
    printf '%s\n' "$1" >bad.json
    run git gate record qa --metrics bad.json; expect_rc 2
    expect_err "$2"
    expect_eq "$(notes_state)" "$before"
}
bad '{"cases": {"q1": 1}, "labels": {"q1": {"prompt": 7}}}' "'labels.q1.prompt' must be a string (a label's value)"
bad '{"cases": {"q1": 1}, "labels": {"q2": {"prompt": "a"}}}' "labels of 'q2', which is not one of its cases"
bad '{"cases": {"q1": 1}, "labels": {"q1": {"1st": "a"}}}' "label name '1st' of case 'q1' is invalid"
bad '{"cases": {"q1": 1}, "labels": {"q1": {"prompt": "a\u001bb"}}}' "label 'prompt' of case 'q1' holds a control character"
bad '{"cases": {"q1": 1}, "labels": {"q1": "triage"}}' "'labels.q1' must be an object of labels"
printf '[cases]\nq1 = 1\n[labels]\nq1 = { prompt = "" }\n' >bad.toml
run git gate record qa --metrics bad.toml; expect_rc 2
expect_err "label 'prompt' of case 'q1' is empty"
expect_eq "$(notes_state)" "$before"
end_test

begin_test "bad select and labelled rule metrics in gates.toml: exit 2 with file:line"
labels_repo
git gate run >/dev/null 2>&1
cp .mlci/gates.toml good.toml
before=$(notes_state)
badgate() {
    cp good.toml .mlci/gates.toml
    printf '%s\n' "$1" >>.mlci/gates.toml
    run git gate check triage; expect_rc 2
    expect_err "$2"
    expect_eq "$(notes_state)" "$before"
}
badgate '[gate.x]
suites = ["qa"]
select = "triage"' "error: .mlci/gates.toml:23: 'gate.x.select' must be a table of labels"
badgate '[gate.x]
suites = ["qa"]
select = { prompt = 1 }' "'gate.x.select.prompt' must be a string or a non-empty array of strings"
badgate '[gate.x]
suites = ["qa"]
select_artifact = "no label"' "'gate.x.select_artifact' must be a label name"
badgate '[gate.x]
suites = ["qa"]
rules = [ { metric = "pass_rate{prompt=a", min = 1 } ]' "metric 'pass_rate{prompt=a' is malformed: the labels must end the name with '}'"
badgate '[gate.x]
suites = ["qa"]
rules = [ { metric = "pass_rate{prompt=a{b}", min = 1 } ]' "'{' in a label value must be escaped"
cp good.toml .mlci/gates.toml
end_test

begin_test "a note with malformed labels: show exits 2, check counts it as no result"
labels_repo
git gate run >/dev/null 2>&1
note=$(git notes --ref=mlci/evals show HEAD | sed 's/^"triage\/echo-a\/c1" = { prompt = "triage"/"triage\/echo-a\/c9" = { prompt = "triage"/')
git notes --ref=mlci/evals add -f -m "$note" HEAD 2>/dev/null
run git gate show; expect_rc 2
expect_err "labels of 'triage/echo-a/c9', which is not one of its cases"
run git gate check triage; expect_rc 2
expect_err "warning: "
end_test

finish
