#!/bin/bash
# Why a case failed (issue 16, part 4): a suite's output file is stored as the run's details object in the
# artifact cache, named in the note by hash; `git gate check` and `report` show each flipped case's
# expected value, the candidate's and the baseline's output and the reason; `git gate sync` puts the
# objects on the default store and a clone fetches them from there; without them the verdict stands and
# the flip says "details not available". Hostile notes and bad inputs: exit codes, messages, nothing lost.
. "$(dirname "$0")/lib.sh"

notes_state() {
    { git rev-parse -q --verify refs/notes/mlci/evals || echo none; git notes --ref=mlci/evals list; } |
        sha256sum | cut -d' ' -f1
}

# details_suite: suite 'qa' answers the questions of evals/answers.txt ("id answer" lines) against
# evals/expected.txt and writes cases, pass_rate and a details table; the pre-push gate (baseline main)
# requires pass_rate >= 0.9. With STORE set, a default store at $TRASH/store.
details_suite() {
    mkdir -p evals .mlci
    cat >evals/qa.py <<'PY'
import json, sys
expected = dict(l.split(None, 1) for l in open("evals/expected.txt").read().splitlines() if l.strip())
answers = dict(l.split(None, 1) for l in open("evals/answers.txt").read().splitlines() if l.strip())
cases, details = {}, {}
for k, want in expected.items():
    got = answers.get(k, "")
    cases[k] = int(got == want)
    details[k] = {"expected": want, "output": got,
                  "reason": "" if got == want else "expected %r, got %r" % (want, got)}
json.dump({"pass_rate": sum(cases.values()) / len(cases), "cases": cases, "details": details},
          open(sys.argv[1], "w"))
PY
    printf 'q1 Paris\nq2 Rome\nq3 Berlin\nq4 Madrid\n' >evals/expected.txt
    cp evals/expected.txt evals/answers.txt
    cat >.mlci/gates.toml <<'TOML'
[suite.qa]
command = ["python3", "evals/qa.py", "{out}"]
inputs = ["evals/**"]
timeout = "20s"

[gate.pre-push]
suites = ["qa"]
baseline = "main"
rules = [ { metric = "pass_rate", min = 0.9 } ]
TOML
    if [ -n "${STORE:-}" ]; then
        # Loose objects: the tests look at and tamper with the store's files.
        printf '[remote.team]\nurl = "%s"\npack = false\n' "$TRASH/store" >.mlci/config.toml
    fi
    commit_all "qa suite"
}

# break_two: on branch 'feature', q2 and q4 answered wrong (one with a terminal escape), run and recorded.
break_two() {
    git checkout -q -b feature
    printf 'q1 Paris\nq2 Lyon\x1b[2J\nq3 Berlin\nq4 Barcelona\n' >evals/answers.txt
    commit_all "break q2 and q4"
    git gate run >/dev/null 2>&1 || true
}

begin_test "git gate run stores the output as a details object named in the note by hash"
new_repo r && details_suite
run git gate run; expect_rc 0
note=$(git notes --ref=mlci/evals show HEAD)
hash=$(sed -n 's/^details = "xxh128:\([0-9a-f]*\)"$/\1/p' <<<"$note")
[ ${#hash} = 32 ] || fail "no details hash in the note: $note"
grep -qx 'details_format = "mlci"' <<<"$note" || fail "no details_format in the note"
obj=".git/mlci/cache/xxh128/${hash:0:2}/${hash:2}"
[ -f "$obj" ] || fail "details object not in the cache at $obj"
expect_eq "$(xxh128sum "$obj" | cut -d' ' -f1)" "$hash"
grep -qx "details_size = $(stat -c %s "$obj")" <<<"$note" || fail "details_size is not the object's size"
grep -q '"expected": "Paris"' "$obj" || fail "the object is not the suite's output"
run git gate show; expect_rc 0
expect_out "details: xxh128:$hash (mlci,"
end_test

begin_test "check shows expected, candidate and baseline output and the reason of both flips"
new_repo r && details_suite
git gate run >/dev/null 2>&1
break_two
run git gate check; expect_rc 1
expect_out "cases that flipped pass → fail:"
expect_out "  qa  q2"
expect_out "      expected:  Rome"
expect_out '      candidate: Lyon\e[2J'
expect_out "      baseline:  Rome"
expect_out "      reason:    expected 'Rome', got 'Lyon\\x1b[2J'"
expect_out "  qa  q4"
expect_out "      candidate: Barcelona"
expect_out "      baseline:  Madrid"
[[ "$OUT" == *$'\x1b'* ]] && fail "a raw escape reached the terminal"
run git gate check --json; expect_rc 1
flips=$(python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)[0]["flips"]))' <<<"$OUT")
grep -qF '"head": {"expected": "Rome", "output": "Lyon\u001b[2J", "reason": "expected '"'Rome', got 'Lyon\\\\x1b[2J'"'"}' <<<"$flips" ||
    fail "the JSON flip lacks the candidate's details: $flips"
grep -qF '"base": {"expected": "Madrid", "output": "Madrid", "reason": ""}, "head": {"expected": "Madrid", "output": "Barcelona"' <<<"$flips" ||
    fail "the JSON flip lacks the baseline's details: $flips"
grep -qF '"available": true' <<<"$flips" || fail "the JSON flip says details are not available"
run git gate report --base main; expect_rc 0
expect_out "broken  qa q4"
expect_out "          candidate: Barcelona"
run git gate report --base main --format markdown; expect_rc 0
expect_out "- ❌ broken: qa / q2 (1 → 0)"
expect_out "  - candidate: Lyon\\\\e\\[2J"
expect_out "  - reason:    expected 'Rome', got 'Lyon\\\\x1b\\[2J'"
end_test

begin_test "a long output is shown cut to one line of 200 bytes"
new_repo r && details_suite
git gate run >/dev/null 2>&1
git checkout -q -b feature
long=$(printf 'x%.0s' $(seq 1 500))
printf 'q1 %s\nq2 Rome\nq3 Berlin\nq4 Madrid\n' "$long" >evals/answers.txt
commit_all "long answer"
git gate run >/dev/null 2>&1
run git gate check; expect_rc 0 # 3 of 4 pass: inconclusive, passed with a warning; the flip is shown
expect_out "      candidate: $(printf 'x%.0s' $(seq 1 200))…"
expect_not_out "$(printf 'x%.0s' $(seq 1 201))"
end_test

begin_test "sync puts details on the default store; a clone fetches them for check"
STORE=1 new_repo r && STORE=1 details_suite
mkdir -p "$TRASH/store"
git gate run >/dev/null 2>&1
git push -q --no-verify origin main
break_two
git push -q --no-verify origin feature
run git gate sync; expect_rc 0
expect_out "details objects on store 'team'"
expect_out "2 uploaded"
[ "$(find "$TRASH/store/xxh128" -type f | wc -l)" = 2 ] || fail "the store does not hold both objects"
run git gate sync; expect_rc 0
expect_out "0 uploaded"
expect_out "2 already there"
cd "$TRASH" && git clone -q r-origin.git c && cd c || fail "clone"
git checkout -q feature
git fetch -q origin '+refs/notes/mlci/*:refs/notes/mlci/*'
[ -d .git/mlci/cache/xxh128 ] && fail "the clone has a cache before check"
run git gate check; expect_rc 1
expect_out "      candidate: Lyon\\e[2J"
expect_out "      baseline:  Rome"
expect_not_err "not available"
[ "$(find .git/mlci/cache/xxh128 -type f | wc -l)" = 2 ] || fail "the fetched objects are not in the cache"
end_test

begin_test "a clone without the objects and no store: details not available, the verdict unchanged"
new_repo r && details_suite
git gate run >/dev/null 2>&1
git push -q --no-verify origin main
break_two
git push -q --no-verify origin feature
git gate sync >/dev/null 2>&1
run git gate sync; expect_rc 0
expect_err "2 details objects stay in this clone's cache: no default store is configured"
cd "$TRASH" && git clone -q r-origin.git c && cd c || fail "clone"
git checkout -q feature
git fetch -q origin '+refs/notes/mlci/*:refs/notes/mlci/*'
before=$(notes_state)
run git gate check; expect_rc 1
expect_out "  qa  q2"
expect_out "      details not available"
expect_err "warning: details of suite 'qa' (run "
expect_err "not available: it is not in the cache and no default store is configured"
expect_err "'git gate sync'"
run git gate check --json; expect_rc 1
expect_out '"available": false'
run git gate report --base main --format markdown; expect_rc 0
expect_out "  - details not available"
expect_eq "$(notes_state)" "$before"
end_test

begin_test "a store that lost an object: details not available, nothing bad enters the cache"
STORE=1 new_repo r && STORE=1 details_suite
mkdir -p "$TRASH/store"
git gate run >/dev/null 2>&1
git push -q --no-verify origin main
break_two
git push -q --no-verify origin feature
git gate sync >/dev/null 2>&1
cd "$TRASH" && git clone -q r-origin.git c && cd c || fail "clone"
git checkout -q feature
git fetch -q origin '+refs/notes/mlci/*:refs/notes/mlci/*'
# The candidate's object replaced by other bytes on the store: its hash no longer matches.
hash=$(git notes --ref=mlci/evals show HEAD | sed -n 's/^details = "xxh128:\([0-9a-f]*\)"$/\1/p')
obj="$TRASH/store/xxh128/${hash:0:2}/${hash:2}"
chmod u+w "$obj" && echo '{"pass_rate": 1, "details": {"q2": {"output": "forged"}}}' >"$obj"
run git gate check; expect_rc 1
expect_out "      candidate: (details not available)"
expect_out "      baseline:  Rome"
expect_not_out "forged"
expect_err "is corrupt"
[ -e ".git/mlci/cache/xxh128/${hash:0:2}/${hash:2}" ] && fail "a corrupt download entered the cache"
end_test

begin_test "hostile notes: a bad hash is a malformed note, a hash naming another object is not believed"
new_repo r && details_suite
git gate run >/dev/null 2>&1
break_two
head=$(git rev-parse HEAD)
good=$(git notes --ref=mlci/evals show HEAD)
# 1. A path where the hash should be: the note is malformed (no result), never a path.
git notes --ref=mlci/evals add -f -m "$(sed 's|^details = .*|details = "xxh128:../../../etc/passwd"|' <<<"$good")" HEAD 2>/dev/null
run git gate check; expect_rc 2
expect_err "'details' must be \"xxh128:\" and 32 lowercase hex digits"
run git gate show; expect_rc 2
expect_err "note of commit ${head:0:7}"
# 2. The candidate's note names the baseline's object (with the candidate's size): not believed, not shown.
basehash=$(git notes --ref=mlci/evals show main | sed -n 's/^details = "\(.*\)"$/\1/p')
git notes --ref=mlci/evals add -f -m "$(sed "s|^details = .*|details = \"$basehash\"|" <<<"$good")" HEAD 2>/dev/null
run git gate check; expect_rc 1
expect_out "      candidate: (details not available)"
expect_out "      baseline:  Rome"
expect_err "does not match its name or the note's size (corrupt)"
git notes --ref=mlci/evals add -f -m "$(sed "s|^details_size = .*|details_size = 7|" <<<"$good")" HEAD 2>/dev/null
run git gate check; expect_rc 1
expect_out "      candidate: (details not available)"
expect_err "not available"
# 3. Details that do not read in the format the note claims.
git notes --ref=mlci/evals add -f -m "$(sed 's|^details_format = .*|details_format = "promptfoo"|' <<<"$good")" HEAD 2>/dev/null
run git gate check; expect_rc 1
expect_err "not a promptfoo results file of a known layout"
expect_out "      candidate: (details not available)"
end_test

begin_test "details = false records no details; an output over details_max_size is recorded without"
new_repo r && details_suite
sed -i 's|^timeout = "20s"|timeout = "20s"\ndetails = false|' .mlci/gates.toml
commit_all "no details"
run git gate run; expect_rc 0
git notes --ref=mlci/evals show HEAD | grep -q '^details' && fail "details recorded with details = false"
sed -i 's|^details = false|details_max_size = "10B"|' .mlci/gates.toml
echo "q5 Lisbon" >>evals/expected.txt && echo "q5 Lisbon" >>evals/answers.txt
commit_all "tiny bound"
run git gate run; expect_rc 0
expect_err "warning: suite 'qa': its output is"
expect_err "over details_max_size (10 B): recorded without details"
git notes --ref=mlci/evals show HEAD | grep -q '^details' && fail "details recorded over the bound"
sed -i 's|^details_max_size = "10B"|details_max_size = "1GiB"|' .mlci/gates.toml
run git gate run --force; expect_rc 2
expect_err "'suite.qa.details_max_size' must be a size up to \"64MiB\""
sed -i 's|^details_max_size = "1GiB"|details = "yes"|' .mlci/gates.toml
run git gate run --force; expect_rc 2
expect_err "'suite.qa.details' must be true or false"
end_test

begin_test "record --details stores the file; bad --details records nothing"
new_repo r && details_suite
echo '{"pass_rate": 1, "cases": {"q1": 1}}' >m.json
echo '{"pass_rate": 1, "details": {"q1": {"output": "Paris"}}}' >d.json
before=$(notes_state)
run git gate record qa --metrics m.json --details missing.json; expect_rc 2
expect_err "error: cannot read details file 'missing.json': no such file"
run git gate record qa --metrics m.json --details .; expect_rc 2
expect_err "not a regular file"
expect_eq "$(notes_state)" "$before"
run git gate record qa --metrics m.json --details d.json --json; expect_rc 0
expect_out '"format": "mlci"'
hash=$(git notes --ref=mlci/evals show HEAD | sed -n 's/^details = "xxh128:\(.*\)"$/\1/p')
expect_eq "$(xxh128sum d.json | cut -d' ' -f1)" "$hash"
cmp -s d.json ".git/mlci/cache/xxh128/${hash:0:2}/${hash:2}" || fail "the stored object is not the file"
end_test

begin_test "the pre-push hook uploads the details after the gate passed, not when it refused"
STORE=1 new_repo r && STORE=1 details_suite
mkdir -p "$TRASH/store"
git gate init >/dev/null 2>&1 || fail "git gate init failed"
git gate run >/dev/null 2>&1
git push -q --no-verify origin main
break_two
run git push origin feature; expect_rc 1
[ -n "$(find "$TRASH/store" -type f 2>/dev/null)" ] && fail "a refused push uploaded details"
cp evals/expected.txt evals/answers.txt
commit_all "fix q2 and q4"
git gate run >/dev/null 2>&1
run git push origin feature; expect_rc 0
expect_err "pre-push: details objects on store 'team'"
[ "$(find "$TRASH/store/xxh128" -type f | wc -l)" -ge 1 ] || fail "the details were not uploaded"
end_test

begin_test "git model gc keeps the details objects the notes name, in the cache and on the store"
STORE=1 new_repo r && STORE=1 details_suite
mkdir -p "$TRASH/store"
git gate run >/dev/null 2>&1
hash=$(git notes --ref=mlci/evals show HEAD | sed -n 's/^details = "xxh128:\([0-9a-f]*\)"$/\1/p')
run git model gc --force; expect_rc 0
[ -f ".git/mlci/cache/xxh128/${hash:0:2}/${hash:2}" ] || fail "gc deleted a details object a note names"
git gate sync >/dev/null 2>&1
run git model gc --remote --force; expect_rc 0
[ -f "$TRASH/store/xxh128/${hash:0:2}/${hash:2}" ] || fail "gc --remote deleted a details object a note names"
# An object no note names any more goes.
git notes --ref=mlci/evals remove HEAD 2>/dev/null
run git model gc --force; expect_rc 0
[ -f ".git/mlci/cache/xxh128/${hash:0:2}/${hash:2}" ] && fail "gc kept an object nothing names"
end_test

finish
