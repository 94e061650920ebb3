#!/bin/bash
# Issue 12 (items 6, 7 and part of 13): forged evidence. Each case is written as the attack -- a note
# crafted with `git notes add -f -F`, a tag crafted with `git tag -a` or `git mktag` -- and checks the exit
# code, the message, and that nothing was written that should not be.
. "$(dirname "$0")/lib.sh"

# A repository with a suite "quality" reading evals/acc.txt, the stages dev → staging → production with a
# gate for staging (accuracy >= 0.8) and production (>= 0.85), and a prompt "greet".
evidence_repo() {
    new_repo r
    mkdir -p evals .mlci
    cat >.mlci/config.toml <<'TOML'
stages = ["dev", "staging", "production"]
TOML
    cat >evals/acc.py <<'PY'
import json, sys
acc = float(open("evals/acc.txt").read())
# One measured value and no cases: compared exactly (nothing to estimate noise from), as these tests need.
json.dump({"accuracy": acc}, open(sys.argv[1], "w"))
PY
    echo "${1:-0.5}" >evals/acc.txt
    cat >.mlci/gates.toml <<'TOML'
[suite.quality]
command = ["python3", "evals/acc.py", "{out}"]
inputs = ["evals/**", "prompts/**"]
timeout = "20s"

[gate.pre-push]
suites = ["quality"]
rules = [ { metric = "accuracy", min = 0.8 } ]

[gate.staging]
suites = ["quality"]
rules = [ { metric = "accuracy", min = 0.8 } ]

[gate.production]
suites = ["quality"]
rules = [ { metric = "accuracy", min = 0.85 } ]
TOML
    write_prompt greet "Hello {{name}}" '"name"'
    commit_all "evals and a prompt"
}

# forged_note FILE ACCURACY AT [FINGERPRINT]: a run as a teammate could write it by hand.
forged_note() {
    {
        echo '[[run]]'
        echo 'suite = "quality"'
        echo 'id = "forged"'
        echo "at = $3"
        echo 'by = "mallory@example.com"'
        echo 'duration_s = 1.0'
        [ -n "${4:-}" ] && echo "fingerprint = \"$4\""
        echo 'status = "ok"'
        echo '[run.metrics]'
        echo "accuracy = $2"
    } >"$1"
}

notes_snapshot() {
    git for-each-ref --format='%(refname) %(objectname)' refs/notes | sha256sum | cut -d' ' -f1
}

begin_test "a forged run dated in the future, then a real run: check judges the real run"
evidence_repo 0.5
forged_note forged.toml 0.99 2099-01-01T00:00:00Z
git notes --ref=mlci/evals add -f -F forged.toml HEAD
run git gate check pre-push
expect_rc 0 # the forged run is all there is: judged, but its date is said
expect_err "run forged of suite 'quality' on $(git rev-parse --short=7 HEAD) is dated 2099-01-01T00:00:00Z, in the future"
run git gate run --force
expect_rc 0
expect_out "quality: ok"
run git gate check pre-push
expect_rc 1
expect_out "accuracy 0.5 is below the minimum 0.8"
expect_not_out "0.99"
run git gate show
expect_rc 0
expect_err "run forged of suite 'quality'"
run git gate log accuracy --json
expect_rc 0
expect_out '"value": 0.5'
expect_not_out '"value": 0.99'
run git gate report
expect_rc 0
expect_not_out "0.99"
end_test

begin_test "a forged note on a blob, a tree or a commit with other inputs is never reused by fingerprint"
evidence_repo 0.9
first=$(git rev-list --max-parents=0 HEAD)
git gate run >/dev/null 2>&1 || fail "gate run"
fp=$(git notes --ref=mlci/evals show HEAD | sed -n 's/^fingerprint = "\(.*\)"$/\1/p')
[ -n "$fp" ] || fail "no fingerprint recorded"
git notes --ref=mlci/evals remove HEAD 2>/dev/null
forged_note forged.toml 0.99 2026-01-01T00:00:00Z "$fp"
blob=$(echo "anything" | git hash-object -w --stdin)
git notes --ref=mlci/evals add -f -F forged.toml "$blob"
git notes --ref=mlci/evals add -f -F forged.toml "$(git rev-parse 'HEAD^{tree}')"
git notes --ref=mlci/evals add -f -F forged.toml "$first" # a real commit, but without these inputs
before=$(notes_snapshot)
run git gate check pre-push
expect_rc 2
expect_err "git gate run quality"
expect_eq "$(notes_snapshot)" "$before"
run git gate run
expect_rc 0
expect_out "quality: ok in"
expect_not_out "reused"
run git notes --ref=mlci/evals show HEAD
expect_not_out "reused_from"
expect_out "accuracy = 0.9"
# A real result is still reused after a docs-only commit.
echo docs >>README.md && commit_all "docs"
run git gate run
expect_rc 0
expect_out "reused from $(git rev-parse --short=7 HEAD~1)"
end_test

begin_test "a hand-made stage tag claiming Mlci-Gate results: history labels the claim, promote judges the notes"
evidence_repo 0.5
git prompt bump >/dev/null 2>&1 || fail "bump"
v1=$(git rev-parse HEAD)
test_tick
git tag -a 'greet#dev#1' -m "Promote greet v0.1.0 to dev" HEAD
test_tick
git tag -a 'greet#staging#2' HEAD -F - <<EOF
Promote greet v0.1.0 to staging

Mlci-Kind: prompt
Mlci-Gate: staging passed (candidate ${v1:0:7})
Mlci-Gate: accuracy 0.99 min 0.8 pass
EOF
run git prompt history greet
expect_rc 0
expect_out "promoted v0.1.0 to staging"
expect_out "evidence: claimed by the tag, not verified: the notes of ${v1:0:7} hold no run with these results"
expect_out "gate: accuracy 0.99 min 0.8 pass"
run git prompt history greet --json
python3 -c '
import json, sys
h = [e for e in json.loads(sys.argv[1]) if e["tag"] == "greet#staging#2"][0]
assert h["evidence"] == "claimed", h' "$OUT" || fail "history json: $OUT"
# The tag holds staging (GTO's model: it is an assignment), but production's gate reads the notes.
before=$(refs_snapshot)
run git prompt promote production greet@staging
expect_rc 2
expect_err "gate 'production' has no results for quality on ${v1:0:7}"
expect_eq "$(refs_snapshot)" "$before"
git gate run >/dev/null 2>&1 || fail "gate run"
run git prompt history greet
expect_out "evidence: claimed by the tag, not verified" # a real 0.5 does not make 0.99 true
before=$(refs_snapshot)
run git prompt promote production greet@staging
expect_rc 1
expect_out "accuracy 0.5 is below the minimum 0.85"
expect_err "refusing to promote greet v0.1.0 to production: gate 'production' failed"
expect_eq "$(refs_snapshot)" "$before"
# An honest promotion by mlci is verified against the notes.
echo 0.9 >evals/acc.txt && write_prompt greet "Hello there {{name}}" '"name"' && commit_all "better"
git prompt bump >/dev/null 2>&1 || fail "bump 2"
git gate run >/dev/null 2>&1 || fail "gate run 2"
git prompt promote dev greet >/dev/null 2>&1 || fail "promote dev"
run git prompt promote staging greet
expect_rc 0
run git prompt history greet
expect_out "evidence: verified: the notes of $(git rev-parse --short=7 HEAD) hold these results"
end_test

begin_test "a version or stage tag that does not point at a commit is ignored, and refused by name"
evidence_repo 0.9
git prompt bump >/dev/null 2>&1 || fail "bump"
test_tick
git tag -a 'greet@v9.0.0' -m "Release greet v9.0.0" "$(git rev-parse HEAD:prompts/greet.prompt)"
# A stage tag on a tree, made with mktag.
tag=$(printf 'object %s\ntype tree\ntag greet#dev#7\ntagger Mallory <m@example.com> 1767225600 +0000\n\nPromote greet v9.0.0 to dev\n' \
    "$(git rev-parse 'HEAD^{tree}')" | git mktag)
git update-ref 'refs/tags/greet#dev#7' "$tag"
before=$(refs_snapshot)
run git prompt list
expect_rc 0
expect_out "v0.1.0"
expect_not_out "v9.0.0"
expect_err "tag 'greet@v9.0.0' points at a blob, not a commit: ignored"
expect_err "tag 'greet#dev#7' points at a tree, not a commit: ignored"
run git prompt show greet@latest
expect_rc 0
expect_out "Hello {{name}}"
run git prompt promote dev greet@v9.0.0
expect_rc 2
expect_err "'greet' has no version v9.0.0"
expect_eq "$(refs_snapshot)" "$before"
run git prompt promote dev greet
expect_rc 0
expect_eq "$(git tag -l 'greet#dev#1')" "greet#dev#1" # the tree's counter 7 counts for nothing
# Said once per command, though a bump reads the registry twice.
write_prompt greet "Hello again {{name}}" '"name"' && commit_all "again"
run git prompt bump
expect_rc 0
expect_out "greet: v0.1.0 -> v0.1.1"
expect_eq "$(grep -c "tag 'greet@v9.0.0' points at a blob" <<<"$ERR")" "1"
end_test

begin_test "counters of 10 digits and more are read; promote writes the next one and stages shows it"
new_repo r
printf 'stages = ["dev", "staging", "production"]\n' >.mlci-config && mkdir -p .mlci && mv .mlci-config .mlci/config.toml
for p in p1 p2 p3 p4; do write_prompt "$p" "Hi {{name}}" '"name"'; done
commit_all "prompts"
git prompt bump >/dev/null 2>&1 || fail "bump"
hand_tag() { test_tick; git tag -a "$1" -m "by hand" HEAD; }
hand_tag 'p1#dev#999999999'
hand_tag 'p2#dev#1000000000'
hand_tag 'p3#dev#4294967296'
run git prompt stages
expect_rc 0
expect_out "p1    dev    v0.1.0"
expect_out "p2    dev    v0.1.0"
expect_out "p3    dev    v0.1.0"
run git prompt promote staging p1 p2 p3
expect_rc 0
expect_out "tags: p1#staging#1000000000"
expect_out "tags: p2#staging#1000000001"
expect_out "tags: p3#staging#4294967297"
run git prompt stages p2
expect_out "p2    staging     v0.1.0"
run git prompt promote production p2
expect_rc 0
expect_out "tags: p2#production#1000000002"
run git prompt stages --json
python3 -c '
import json, sys
d = {e["name"]: e["stages"] for e in json.loads(sys.argv[1])}
assert d["p1"]["staging"]["version"] == "v0.1.0", d
assert d["p2"]["production"]["tag"] == "p2@v0.1.0", d
assert d["p3"]["staging"] is not None, d' "$OUT" || fail "stages json: $OUT"
end_test

begin_test "a counter mlci could not read back is refused: 2^63 - 1, and 30 digits"
new_repo r
mkdir -p .mlci && printf 'stages = ["dev", "staging", "production"]\n' >.mlci/config.toml
for p in p1 p2; do write_prompt "$p" "Hi {{name}}" '"name"'; done
commit_all "prompts"
git prompt bump >/dev/null 2>&1 || fail "bump"
test_tick && git tag -a 'p1#dev#9223372036854775806' -m "by hand" HEAD
test_tick && git tag -a 'p2#dev#123456789012345678901234567890' -m "by hand" HEAD
run git prompt promote staging p1
expect_rc 0
expect_out "tags: p1#staging#9223372036854775807"
run git prompt stages p1
expect_out "p1    staging     v0.1.0"
before=$(refs_snapshot)
run git prompt promote production p1
expect_rc 2
expect_err "error: cannot write another tag of p1: tag 'p1#staging#9223372036854775807' has counter 9223372036854775807, and the next one would pass 9223372036854775807, the highest counter mlci reads"
expect_eq "$(refs_snapshot)" "$before"
run git prompt stages p2
expect_rc 0
expect_out "p2    dev         v0.1.0"
expect_err "warning: tag 'p2#dev#123456789012345678901234567890' has a counter above 9223372036854775807"
run git prompt promote staging p2
expect_rc 2
expect_err "cannot write another tag of p2: tag 'p2#dev#123456789012345678901234567890' has counter 123456789012345678901234567890"
expect_eq "$(refs_snapshot)" "$before"
run git prompt rollback staging p1
expect_rc 2
expect_eq "$(refs_snapshot)" "$before"
end_test

begin_test "record: a boolean metric or a case value of 5 is an input error; nothing is recorded"
evidence_repo 0.9
before=$(refs_snapshot)
echo '{"accuracy": true}' >m.json
run git gate record quality --metrics m.json
expect_rc 2
expect_err "error: m.json: 'accuracy' must be a number or a list of numbers, not a boolean"
echo '{"accuracy": 0.9, "cases": {"q1": 5}}' >m.json
run git gate record quality --metrics m.json
expect_rc 2
expect_err "error: m.json: 'cases.q1' must be a number in [0, 1] (1/0 for pass/fail, or a score), not 5.0"
printf 'accuracy = 0.9\n[cases]\nq1 = false\n' >m.toml
run git gate record quality --metrics m.toml
expect_rc 2
expect_err "'cases.q1' must be a finite number or a list of them, not a boolean"
expect_eq "$(refs_snapshot)" "$before"
# The same values in a teammate's note make it malformed: no result, show exits 2.
printf '[[run]]\nsuite = "quality"\nid = "t"\n[run.metrics]\naccuracy = true\n' >bad.toml
git notes --ref=mlci/evals add -f -F bad.toml HEAD 2>/dev/null
run git gate show
expect_rc 2
expect_err "'metrics.accuracy' must be a number, not a boolean"
run git gate check pre-push
expect_rc 2
expect_err "treated as no result"
run git gate log accuracy
expect_rc 0
expect_err "treated as no result"
printf '[[run]]\nsuite = "quality"\nid = "t"\n[run.metrics]\naccuracy = 1.0\n[run.cases]\nq1 = 5\n' >bad.toml
git notes --ref=mlci/evals add -f -F bad.toml HEAD 2>/dev/null
run git gate show
expect_rc 2
expect_err "'cases.q1' must be a number in [0, 1]"
end_test

begin_test "sync: an oversized or malformed teammate note never makes the local runs unreadable"
evidence_repo 0.9
git push -q origin main
git clone -q "$TRASH/r-origin.git" "$TRASH/mate"
commit=$(git rev-parse HEAD)
git gate run >/dev/null 2>&1 || fail "gate run"
# The teammate pushes a 1.1 MiB note on the same commit (its own history: a merge, not a fast-forward).
(
    cd "$TRASH/mate" || exit 1
    python3 -c 'print("[[run]]\nsuite = \"quality\"\nid = \"big\"\n" + "# padding\n" * 120000)' >big.toml
    git notes --ref=mlci/evals add -f -F big.toml HEAD && git push -q origin refs/notes/mlci/evals
) || fail "teammate setup"
run git gate sync
expect_rc 0
expect_err "too large"
expect_err "kept the local note of ${commit:0:7}"
run git gate show --json
expect_rc 0
expect_out '"accuracy": 0.9'
run git gate check pre-push
expect_rc 0
expect_eq "$(git notes --ref=mlci-remotes/origin/evals show HEAD | grep -c '^# padding$')" "120000" # kept there
expect_eq "$(git --git-dir="$TRASH/r-origin.git" notes --ref=mlci/evals show "$commit" | head -1)" "[[run]]"
run git --git-dir="$TRASH/r-origin.git" notes --ref=mlci/evals show "$commit"
expect_out "accuracy = 0.9"
# Now the teammate builds on what was pushed and replaces our note with a malformed one: a
# fast-forward for us, which would drop our run; sync merges instead and keeps it.
(
    cd "$TRASH/mate" || exit 1
    git fetch -q origin '+refs/notes/mlci/evals:refs/notes/mlci/evals'
    printf '[[run]]\nsuite = "quality"\nid = "x"\n[run.metrics]\naccuracy = true\n' >bad.toml
    git notes --ref=mlci/evals add -f -F bad.toml "$commit" 2>/dev/null && git push -q origin refs/notes/mlci/evals
) || fail "teammate setup 2"
run git gate sync
expect_rc 0
expect_err "must be a number, not a boolean"
expect_err "kept the local note of ${commit:0:7}"
run git gate show --json
expect_rc 0
expect_out '"accuracy": 0.9'
run git --git-dir="$TRASH/r-origin.git" notes --ref=mlci/evals show "$commit"
expect_out "accuracy = 0.9"
# A teammate's good run still arrives, after ours in the note (ours was recorded first here).
(
    cd "$TRASH/mate" || exit 1
    git fetch -q origin '+refs/notes/mlci/evals:refs/notes/mlci/evals'
    git gate run --force >/dev/null 2>&1 && git gate sync >/dev/null 2>&1
) || fail "teammate run"
run git gate sync
expect_rc 0
run git gate show --json
python3 -c '
import json, sys
runs = json.loads(sys.argv[1])["runs"]
assert len(runs) == 2 and all(r["metrics"]["accuracy"] == 0.9 for r in runs), runs' "$OUT" || fail "show: $OUT"
end_test

finish
