#!/bin/bash
# Results files of the tools evals come in (issue 16, part 1): `git gate record --from promptfoo|junit|
# lm-eval|mlci`, `[suite.X] format` and `out` for `git gate run` (real pytest writing JUnit XML, an
# lm-eval output folder), ok_exit_codes, a crashed suite's stderr tail as its reason, and bad input.
. "$(dirname "$0")/lib.sh"

FIX="$MLCI_SOURCE/tests/fixtures/formats"

notes_state() {
    { git rev-parse -q --verify refs/notes/mlci/evals || echo none; git notes --ref=mlci/evals list; } |
        sha256sum | cut -d' ' -f1
}

# compact: the last run's JSON stdout on one line (jq -c), so patterns can span keys and values.
compact() {
    OUT=$(jq -c . <<<"$OUT")
}

# gates TOML: write .mlci/gates.toml and commit it.
gates() {
    mkdir -p .mlci
    printf '%s\n' "$1" >.mlci/gates.toml
    commit_all "gates"
}

begin_test "record --from promptfoo: cases with prompt/provider ids, labels and the standard metrics"
new_repo r && gates '[suite.pf]
command = ["true"]'
run git gate record pf --from promptfoo "$FIX/promptfoo-2prompts-2providers.json" --json; expect_rc 0; compact
expect_out '"refund ticket [triage, echo-b]":1'
expect_out '"login ticket [summarize, echo-a]":0'
expect_out '"pass_rate":0.5'
expect_out '"n":8'
expect_out '"errors":0'
expect_out '"cost_usd":'
expect_out '"tokens_total":192'
expect_out '"latency_p95_ms":'
run git gate show; expect_rc 0; expect_out "pass_rate"
end_test

begin_test "record --from promptfoo: an older layout is refused naming its version, nothing recorded"
new_repo r && gates '[suite.pf]
command = ["true"]'
before=$(notes_state)
jq '.results.version = 2 | .metadata.promptfooVersion = "0.90.0"' "$FIX/promptfoo-2prompts-1provider.json" >old.json
run git gate record pf --from promptfoo old.json; expect_rc 2
expect_err "error: old.json: promptfoo results layout version 2 (promptfoo 0.90.0) is not supported: mlci reads version 3 (promptfoo 0.123.1)"
expect_err "hint: "
printf '{"results": {"version": 3, "results": [{"success": "yes", "testIdx": 0}]}}' >bad.json
run git gate record pf --from promptfoo bad.json; expect_rc 2
expect_err "error: bad.json: results.results[0].success must be a boolean"
expect_eq "$(notes_state)" "$before"
end_test

begin_test "record --from: unknown format, missing file, --metrics together, no file"
new_repo r && gates '[suite.pf]
command = ["true"]'
before=$(notes_state)
run git gate record pf --from csv x.csv; expect_rc 2
expect_err "error: --from: unknown results format 'csv'"
expect_err "hint: known formats: mlci, promptfoo, junit, lm-eval"
run git gate record pf --from junit nothere.xml; expect_rc 2
expect_err "error: cannot read results file 'nothere.xml': no such file"
run git gate record pf --from junit; expect_rc 2
expect_err "error: --from junit needs the results FILE"
echo '{"a": 1}' >m.json
run git gate record pf --from mlci m.json --metrics m.json; expect_rc 2
expect_err "error: --from and --metrics exclude each other"
run git gate record pf m.json; expect_rc 2
expect_err "needs --from FORMAT"
expect_eq "$(notes_state)" "$before"
run git gate record pf --from mlci m.json; expect_rc 0
end_test

# Debian's python3-pytest (scripts/deps.sh) lives under /usr/bin/python3, whatever python3 PATH finds first.
begin_test "run: format = junit from real pytest, out keeps its extension, failures are cases"
new_repo r
mkdir -p tests
cat >tests/test_app.py <<'PY'
import pytest

def test_add():
    assert 1 + 1 == 2

def test_sub():
    assert 2 - 1 == 0

@pytest.mark.skip(reason="later")
def test_skipped():
    pass

@pytest.mark.parametrize("x", ["a|b", "<c>"])
def test_param(x):
    assert x
PY
gates '[suite.unit]
command = ["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml={out}", "tests"]
format = "junit"
out = "report.xml"
ok_exit_codes = [0, 1]
inputs = ["tests/**"]'
run git gate run --json; expect_rc 0; compact
expect_out '"tests.test_app::test_add":1'
expect_out '"tests.test_app::test_sub":0'
expect_out '"tests.test_app::test_param[a|b]":1'
expect_out '"tests.test_app::test_param[<c>]":1'
expect_out '"skipped":1'
expect_out '"failed":1'
expect_out '"pass_rate":0.75'
expect_out '"n":4'
expect_not_out 'test_skipped'
run git gate show; expect_rc 0; expect_out "skipped"
end_test

begin_test "run: format = lm-eval with out = a folder; record --from lm-eval of a folder"
new_repo r
mkdir -p evals
cp -r "$FIX/lm-eval" evals/canned
cat >evals/lm.sh <<'SH'
#!/bin/sh
# stands in for: lm_eval --model hf --tasks hellaswag,gsm8k --output_path "$1" --log_samples
cp -r evals/canned/pretrained__tiny "$1/"
SH
chmod +x evals/lm.sh
gates '[suite.lm]
command = ["sh", "evals/lm.sh", "{out}"]
format = "lm-eval"
out = "lm-eval/"'
run git gate run --json; expect_rc 0; compact
expect_out '"acc{task=hellaswag}":0.5'
expect_out '"exact_match{filter=flexible-extract,task=gsm8k}":1'
expect_out '"gsm8k/1 [strict-match]":0'
expect_out '"hellaswag/0":1'
expect_out '"n":8'
run git gate record lm --from lm-eval evals/canned --json; expect_rc 0; compact
expect_out '"acc_norm{task=hellaswag}":0.75'
end_test

begin_test "run: format = promptfoo exiting 100 with ok_exit_codes [0, 100] is a run, not a crash"
new_repo r
mkdir -p evals
cp "$FIX/promptfoo-2prompts-1provider.json" evals/canned.json
gates '[suite.pf]
command = ["sh", "-c", "cp evals/canned.json \"$0\"; exit 100", "{out}"]
format = "promptfoo"
ok_exit_codes = [0, 100]'
run git gate run pf --json; expect_rc 0; compact
expect_out '"status":"ok"'
expect_out '"refund ticket [triage, echo-a]":1'
expect_out '"failed":2'
end_test

begin_test "run: a crashing suite records the tail of its stderr, escaped when shown, and it still reaches the terminal"
new_repo r
gates '[suite.boom]
command = ["sh", "-c", "for i in $(seq 1 30); do echo \"line $i\" >&2; done; printf \"bad \\033[31mred\\033[0m \\001 end\\n\" >&2; exit 3"]'
run git gate run boom; expect_rc 1
expect_err "line 30"   # streamed through to our stderr
expect_err "line 1"
expect_out "exit code 3; stderr: line 12"
expect_not_out "line 11\\n"
expect_out "bad red  end (recorded as run"
run git gate show --json; expect_rc 0; compact
expect_out '"reason":"exit code 3; stderr: line 12\nline 13'
expect_not_out 'line 11\n'
run git gate show; expect_rc 0
expect_out "reason: exit code 3; stderr: line 12\\nline 13"
end_test

begin_test "gates.toml: a bad format or out name is refused (exit 2), nothing recorded"
new_repo r
for bad in '"../x.json"' '"a/b.json"' '".."' '""' '"/etc/passwd"' '"a\\b"'; do
    printf '[suite.s]\ncommand = ["true"]\nout = %s\n' "$bad" >gates.toml.try
    mkdir -p .mlci && cp gates.toml.try .mlci/gates.toml
    before=$(notes_state)
    run git gate run --dirty s; expect_rc 2
    expect_err "'suite.s.out'"
    expect_eq "$(notes_state)" "$before"
done
printf '[suite.s]\ncommand = ["true"]\nformat = "promptfooo"\n' >.mlci/gates.toml
run git gate run --dirty s; expect_rc 2
expect_err "'suite.s.format' is 'promptfooo': known formats are mlci, promptfoo, junit, lm-eval"
end_test

begin_test "run: a suite that writes no {out}, or garbage, records an error naming the format's problem"
new_repo r
gates '[suite.pf]
command = ["sh", "-c", "echo not json >\"$0\"", "{out}"]
format = "promptfoo"'
run git gate run pf; expect_rc 1
expect_out "unreadable output: output of suite 'pf':1:2: invalid JSON"
end_test

finish
