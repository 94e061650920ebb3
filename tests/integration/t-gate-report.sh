#!/usr/bin/env bash
# git gate report as a reviewer reads it: direction-aware deltas in words, numbers by magnitude (no
# exponent), rows grouped by suite and label set, what changed between base and head, the base chosen in
# CI from the pull request and never the head itself; [metric.X] config errors; untrusted strings escaped
# in markdown; and git log's one line per run (refs/notes/mlci/log) with the eval notes left as they are.
source "$(dirname "$0")/lib.sh"

# metrics FILE JSON: write a results file.
metrics() { printf '%s\n' "$2" >"$1"; }

gates_file() {
    mkdir -p .mlci
    cat >.mlci/gates.toml <<'EOF'
[suite.qa]
command = ["true"]

[gate.pre-push]
suites = ["qa"]
baseline = "origin/main"
rules = [{ metric = "pass_rate", min = 0.5 }]

[metric.widgets]
better = "lower"
EOF
}

# base_and_head: main with results (base), branch feature with worse and better results (head), a
# versioned prompt edited, a model pointer changed and two other files.
base_and_head() {
    new_repo r
    gates_file
    write_prompt triage "Sort the ticket: {{ticket}}" '"ticket"'
    mkdir -p models
    printf 'version = 1\npath = "clf.bin"\nhash = "xxh128:364b7492fe58a3947e824cae26e04823"\nsize = 3\n' \
        >models/clf.bin.mlci
    commit_all "base"
    git tag -a triage@v1.0.0 -m "Release triage v1.0.0"
    metrics "$TRASH/base.json" '{"pass_rate": 0.91, "failed": 0, "latency_p95_ms": 480.4,
      "cost_usd": 0.00495, "widgets": 7, "pass_rate{prompt=triage,provider=x}": 0.5}'
    git gate record qa --metrics "$TRASH/base.json" >/dev/null || fail "record base"
    git push -q origin main
    git checkout -q -b feature
    write_prompt triage "Sort the ticket carefully: {{ticket}}" '"ticket"'
    printf 'version = 1\npath = "clf.bin"\nhash = "xxh128:9f0c11aa00000000000000000000000f"\nsize = 3\n' \
        >models/clf.bin.mlci
    echo more >>README.md
    echo x >notes.txt
    commit_all "head"
    metrics "$TRASH/head.json" '{"pass_rate": 0.885, "failed": 3, "latency_p95_ms": 468.2,
      "cost_usd": 0.00031094999999999994, "widgets": 5, "pass_rate{prompt=triage,provider=x}": 0.75}'
    git gate record qa --metrics "$TRASH/head.json" >/dev/null || fail "record head"
}

begin_test "text report: worse/better in words, units, groups, what changed, why this base"
base_and_head
run git gate report
expect_rc 0
expect_out "base: the merge base with origin/main, the pre-push gate's baseline"
expect_out "prompt triage: v1.0.0 → edited"
expect_out "model clf: edited (xxh128:364b7492 → xxh128:9f0c11aa)"
expect_out "2 other files: README.md, notes.txt"
expect_out "suite qa"
grep -qE '^  failed +0 +3 +worse ▲ \+3' <<<"$OUT" || fail "failed row: $OUT"
grep -qE '^  latency_p95_ms +480 ms +468 ms +better ▼ −12 ms' <<<"$OUT" || fail "latency row: $OUT"
grep -qE '^  pass_rate +91.0% +88.5% +worse ▼ −2.5 pp' <<<"$OUT" || fail "pass_rate row: $OUT"
grep -qE '^  cost_usd +\$0.004950 +\$0.0003109 +better ▼ −\$0.004639' <<<"$OUT" || fail "cost row: $OUT"
grep -qE '^  widgets +7 +5 +better ▼ −2' <<<"$OUT" || fail "[metric.widgets] better = lower: $OUT"
expect_out "  prompt=triage, provider=x:"
grep -qE '^  pass_rate +50.0% +75.0% +better ▲ \+25.0 pp' <<<"$OUT" || fail "labelled row: $OUT"
# plain metrics before the label set
plain=$(grep -n '^  failed' <<<"$OUT" | cut -d: -f1)
labelled=$(grep -n 'prompt=triage, provider=x:' <<<"$OUT" | cut -d: -f1)
[ "$plain" -lt "$labelled" ] || fail "plain metrics must come first"
grep -qE '[0-9]e[-+][0-9]' <<<"$OUT" && fail "an exponent in the report: $OUT"
grep -q $'\e' <<<"$OUT" && fail "colour with NO_COLOR"
end_test

begin_test "markdown and json: the same words, no exponent, direction and change"
base_and_head
run git gate report --format markdown
expect_rc 0
expect_out "Base: the merge base with origin/main, the pre-push gate's baseline."
expect_out "### Changed since base"
expect_out "- prompt triage: v1.0.0 → edited"
expect_out "### Suite qa"
expect_out "| failed | 0 | 3 | 🔴 worse ▲ +3 |"
expect_out "| latency\\_p95\\_ms | 480 ms | 468 ms | 🟢 better ▼ −12 ms |"
expect_out "#### prompt=triage, provider=x"
grep -qE '[0-9]e[-+][0-9]' <<<"$OUT" && fail "an exponent in the markdown: $OUT"
run git gate report --json
expect_rc 0
python3 - "$OUT" <<'EOF' || fail "json rows"
import json, sys
j = json.loads(sys.argv[1])
rows = {r["metric"]: r for r in j["metrics"]}
f = rows["failed"]
assert f["direction"] == "lower" and f["change"] == "worse" and f["delta_text"] == "worse ▲ +3", f
assert rows["widgets"]["direction_from"] == "config", rows["widgets"]
assert rows["pass_rate"]["direction_from"] == "rule", rows["pass_rate"]
assert rows["pass_rate{prompt=triage,provider=x}"]["labels"] == "prompt=triage, provider=x"
assert j["changes"]["prompts"][0]["base_version"] == "v1.0.0"
assert j["changes"]["other_count"] == 2
assert "pre-push gate's baseline" in j["base_why"]
EOF
end_test

begin_test "the note keeps 12 significant digits (no float noise)"
base_and_head
run git notes --ref=mlci/evals show HEAD
expect_out "cost_usd = 0.00031095"
expect_not_out "0.00031094999999999994"
end_test

begin_test "base in CI: GITHUB_BASE_REF, then GitLab's target branch, a missing one warned"
base_and_head
git checkout -q main
echo other >other.txt
commit_all "main moves on"
metrics "$TRASH/m.json" '{"pass_rate": 0.2}'
git gate record qa --metrics "$TRASH/m.json" >/dev/null
git push -q origin main
git branch -q release HEAD~1
git push -q origin release
git checkout -q feature
base=$(git merge-base HEAD origin/main)
GITHUB_BASE_REF=release run git gate report
expect_rc 0
expect_out "base: the merge base with origin/release, the pull request's target (GITHUB_BASE_REF)"
expect_out ", base ${base:0:7} (origin/release)"
CI_MERGE_REQUEST_TARGET_BRANCH_NAME=release run git gate report --format markdown
expect_out "Base: the merge base with origin/release, the pull request's target (CI\\_MERGE\\_REQUEST\\_TARGET\\_BRANCH\\_NAME)."
GITHUB_BASE_REF=nope run git gate report
expect_rc 0
expect_err "warning: GITHUB_BASE_REF names 'nope', but 'origin/nope' does not exist in this clone"
expect_out "base: the merge base with origin/main, the pre-push gate's baseline"
end_test

begin_test "base right after a push: never the head, the nearest ancestor with results"
base_and_head
git checkout -q main
git merge -q --ff-only feature
git push -q origin main
echo docs >docs.txt
commit_all "docs only, no results"
git push -q origin main
metrics "$TRASH/m.json" '{"pass_rate": 0.95, "failed": 1}'
git gate record qa --metrics "$TRASH/m.json" >/dev/null
run git gate report
expect_rc 0
expect_out "base: the merge base with origin/main, the pre-push gate's baseline is the head itself; using the nearest first-parent ancestor with results"
expect_out ", base $(git rev-parse --short=7 HEAD~1) (origin/main)"
grep -qE '^  failed +3 +1 +better ▼ −2' <<<"$OUT" || fail "compared with the ancestor: $OUT"
end_test

begin_test "[metric.X]: an unknown key or value is a config error; nothing written"
base_and_head
before=$(git notes --ref=mlci/evals list | sha256sum)
printf '[metric.failed]\nbetter = "down"\n' >>.mlci/gates.toml
run git gate report
expect_rc 2
expect_err "error: .mlci/gates.toml:12: 'metric.failed.better' must be \"higher\" or \"lower\" (got 'down')"
gates_file
printf '[metric.failed]\nworse = "higher"\n' >>.mlci/gates.toml
run git gate check
expect_rc 2
expect_err "unknown key 'metric.failed.worse' (expected better = \"higher\" or \"lower\")"
expect_eq "$(git notes --ref=mlci/evals list | sha256sum)" "$before"
end_test

begin_test "markdown escapes metric names, suites and case ids from notes"
new_repo r
head=$(git rev-parse HEAD)
git notes --ref=mlci/evals add -m '[[run]]
suite = "s|<b>x</b>"
id = "r1"
status = "ok"
[run.metrics]
"a|b`c<img src=x>" = 0.5
"p\n| injected | row |" = 1.0
[run.cases]
"q|1<script>" = 1' "$head"
run git gate report --base HEAD --format markdown
expect_rc 0
expect_out "### Suite s\\|\\<b\\>x\\</b\\>"
expect_out "| a\\|b\\\`c\\<img src=x\\> |"
grep -qE '(^|[^\\])<(img|b>)' <<<"$OUT" && fail "unescaped markup: $OUT"
grep -q '^| injected' <<<"$OUT" && fail "a newline in a metric name forged a row: $OUT"
# header, separator and three rows (a|b…, p…, n_cases), each with the table's 6 unescaped pipes
[ "$(grep -c '^|' <<<"$OUT")" = 5 ] || fail "the table has other than 3 rows: $OUT"
[ "$(grep '^| [ap]' <<<"$OUT" | sed 's/\\|//g' | tr -cd '|\n' | sort -u)" = "||||||" ] ||
    fail "an escaped pipe split a cell: $OUT"
run git gate report --base HEAD
expect_rc 0
grep -q $'\e' <<<"$OUT" && fail "an escape sequence reached the terminal"
expect_out 'p\n| injected | row |'
end_test

begin_test "git log: one line per suite, the eval note unchanged, the full note one command away"
new_repo r
gates_file
commit_all "gates"
for i in 1 2 3 4 5; do
    echo "$i" >"f$i.txt"
    commit_all "change $i"
    metrics "$TRASH/m.json" "{\"pass_rate\": 0.9$i, \"latency_p95_ms\": 48$i.5, \"n\": 400,
      \"cases\": {\"q1\": 1, \"q2\": 0, \"q3\": 1}}"
    git gate record qa --metrics "$TRASH/m.json" >/dev/null || fail "record $i"
done
evals=$(git rev-parse refs/notes/mlci/evals)
full=$(git notes --ref=mlci/evals show HEAD)
plain_lines=$(git log -5 --no-notes | wc -l)
run git gate init
expect_rc 0
expect_out "notes.displayRef = refs/notes/mlci/log"
expect_eq "$(git log -5 | wc -l)" "$((plain_lines + 5 * 3))"
run git log -1
expect_out "Notes (mlci/log):"
expect_out "    mlci: qa ok pass_rate=95.0% latency_p95_ms=486 2/3 pass"
expect_not_out "[[run]]"
expect_eq "$(git rev-parse refs/notes/mlci/evals)" "$evals"
expect_eq "$(git notes --ref=mlci/evals show HEAD)" "$full"
# a new run updates the summary; the eval note gains the run and nothing else
metrics "$TRASH/m.json" '{"pass_rate": 0.5}'
git gate record qa --metrics "$TRASH/m.json" >/dev/null
run git log -1
expect_out "    mlci: qa ok pass_rate=50.0% (2 runs)"
expect_eq "$(git log -5 | wc -l)" "$((plain_lines + 5 * 3))"
# an old displayRef of the eval notes (an earlier init) is replaced
git config --unset-all notes.displayRef
git config --add notes.displayRef refs/notes/mlci/evals
run git gate init
expect_out "git log no longer shows whole eval notes"
expect_eq "$(git config --get-all notes.displayRef)" "refs/notes/mlci/log"
end_test

begin_test "git gate sync: the summaries follow notes merged from the remote"
new_repo r
gates_file
commit_all "gates"
git push -q origin main
git gate init >/dev/null
git clone -q "$TRASH/r-origin.git" "$TRASH/other"
(
    cd "$TRASH/other" || exit 1
    metrics "$TRASH/m.json" '{"pass_rate": 0.77}'
    git gate record qa --metrics "$TRASH/m.json" >/dev/null
    git gate sync origin >/dev/null 2>&1
) || fail "the other clone's sync"
git fetch -q origin
run git gate sync origin
expect_rc 0
run git log -1
expect_out "    mlci: qa ok pass_rate=77.0%"
git ls-remote origin | grep -q refs/notes/mlci/log && fail "the derived log ref was pushed"
end_test

finish
