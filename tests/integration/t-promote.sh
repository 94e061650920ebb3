#!/bin/bash
# Promotion to stages for models and prompts: the stage's gate, the stages' order, one active assignment
# per stage, --force --reason, rollback, stages, history, --push, and what GTO would read from the tags.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/promote-lib.sh"

# A repository with a model "clf", an eval suite reading evals/acc.txt, and a gate per promotion stage.
promo_repo() {
    new_repo r
    mkdir -p .mlci evals models
    cat >.mlci/config.toml <<'TOML'
stages = ["dev", "staging", "production"]
[remote.local]
url = "../store"
TOML
    cat >evals/acc.py <<'PY'
import json, sys
acc = float(open("evals/acc.txt").read())
json.dump({"accuracy": acc, "cases": {"a": 1, "b": 1 if acc > 0.8 else 0}}, open(sys.argv[1], "w"))
PY
    cat >.mlci/gates.toml <<'TOML'
[suite.quality]
command = ["python3", "evals/acc.py", "{out}"]
inputs = ["evals/**", "models/**"]

[gate.staging]
suites = ["quality"]
rules = [ { metric = "accuracy", min = 0.8 } ]

[gate.production]
suites = ["quality"]
rules = [ { metric = "accuracy", min = 0.85 } ]
TOML
    echo 0.7 >evals/acc.txt
    echo weights-1 >models/clf.safetensors
    git model add models/clf.safetensors >/dev/null 2>&1 || fail "model add"
    commit_all "clf v1 (accuracy 0.7)"
    git model bump clf >/dev/null || fail "bump v0.1.0"
}

begin_test "model: order, missing results, failing gate refuse and write nothing; a fix is promoted"
promo_repo
before=$(refs_snapshot)
run git model promote staging
expect_rc 1
expect_err "clf v0.1.0 was never in dev"
expect_err "git model promote dev clf@v0.1.0"
expect_err "nothing was written"
expect_eq "$(refs_snapshot)" "$before"
run git model promote dev
expect_rc 0
expect_out "promoted clf v0.1.0 to dev"
expect_err "no gate named 'dev'"
expect_eq "$(git tag -l 'clf#*')" "clf#dev#1"
before=$(refs_snapshot)
run git model promote staging
expect_rc 2
expect_err "gate 'staging' has no results for quality"
expect_err "git gate run quality --rev $(git rev-parse HEAD)"
expect_eq "$(refs_snapshot)" "$before"
git gate run >/dev/null 2>&1 || fail "gate run"
run git model promote staging
expect_rc 1
expect_out "gate staging: FAIL"
expect_out "accuracy"
expect_out "min 0.8"
expect_err "refusing to promote clf v0.1.0 to staging: gate 'staging' failed"
expect_eq "$(git tag -l 'clf#staging*')" ""
# The fix: a better model, a new version, its results; dev then staging.
echo 0.9 >evals/acc.txt && echo weights-2 >models/clf.safetensors
git model add models/clf.safetensors >/dev/null 2>&1 && commit_all "clf v2 (accuracy 0.9)"
git model bump clf >/dev/null || fail "bump v0.2.0"
git gate run >/dev/null 2>&1 || fail "gate run 2"
run git model promote dev
expect_rc 0
expect_out "promoted clf v0.2.0 to dev (displacing v0.1.0)"
run git model promote staging
expect_rc 0
expect_out "gate staging: PASS"
expect_out "promoted clf v0.2.0 to staging"
msg=$(git tag -l --format='%(contents)' 'clf#staging#4')
grep -q "^Promote clf v0.2.0 to staging" <<<"$msg" || fail "first line: $msg"
grep -q "^Mlci-Kind: model" <<<"$msg" || fail "kind: $msg"
grep -q "^Mlci-Path: models/clf.safetensors.mlci" <<<"$msg" || fail "path: $msg"
grep -q "^Mlci-Object: xxh128:" <<<"$msg" || fail "object: $msg"
grep -q "^Mlci-Gate: staging passed" <<<"$msg" || fail "gate: $msg"
grep -q "^Mlci-Gate: accuracy 0.9 min 0.8 pass" <<<"$msg" || fail "rule: $msg"
run git model stages
expect_rc 0
expect_out "clf   staging  v0.2.0"
expect_eq "$(gto_stages clf)" "$(mlci_stages clf)"
run git model promote staging
expect_rc 0
expect_err "nothing to promote"
run git model promote staging clf@v0.2.0
expect_rc 0
expect_out "clf v0.2.0 is already in staging"
end_test

begin_test "model: --force needs --reason; forced promotion, rollback, history, production order"
promo_repo
git model promote dev >/dev/null 2>&1
echo 0.9 >evals/acc.txt && echo weights-2 >models/clf.safetensors
git model add models/clf.safetensors >/dev/null 2>&1 && commit_all "clf v2"
git model bump clf >/dev/null
git gate run >/dev/null 2>&1
git model promote dev >/dev/null 2>&1 && git model promote staging >/dev/null 2>&1 || fail "setup"
git gate run --rev clf@v0.1.0 >/dev/null 2>&1 || fail "gate run v0.1.0"
before=$(refs_snapshot)
run git model promote staging clf@v0.1.0 --force
expect_rc 2
expect_err "--force needs --reason"
expect_eq "$(refs_snapshot)" "$before"
run git model promote staging clf@v0.1.0
expect_rc 1
expect_eq "$(refs_snapshot)" "$before"
run git model promote staging clf@v0.1.0 --force --reason "hotfix: v0.2.0 breaks the EU tenant"
expect_rc 0
expect_out "forced: hotfix"
msg=$(git tag -l --format='%(contents)' 'clf#staging#6')
grep -q "^Mlci-Forced: hotfix: v0.2.0 breaks the EU tenant" <<<"$msg" || fail "forced trailer: $msg"
grep -q "^Mlci-Gate: staging failed (forced)" <<<"$msg" || fail "gate trailer: $msg"
expect_eq "$(git tag -l --format='%(*objectname)' 'clf#staging!#5')" "$(git rev-parse clf@v0.2.0^{commit})"
expect_eq "$(gto_stages clf)" "$(mlci_stages clf)"
# Rollback: back to v0.2.0 with new tags; nothing earlier than that in staging afterwards.
run git model rollback staging
expect_rc 0
expect_out "rolled back clf in staging: v0.1.0 → v0.2.0"
run git model stages clf --json
expect_out '"version": "v0.2.0"'
expect_eq "$(git tag -l --format='%(contents:subject)' 'clf#staging#8')" "Rollback clf staging to v0.2.0"
before=$(refs_snapshot)
run git model rollback staging clf
expect_rc 2
expect_err "no earlier version of clf held stage 'staging'"
expect_eq "$(refs_snapshot)" "$before"
expect_eq "$(gto_stages clf)" "$(mlci_stages clf)"
run git model history clf
expect_rc 0
expect_out "registered v0.1.0"
expect_out "promoted v0.2.0 to staging"
expect_out "gate: staging passed"
expect_out "unassigned v0.2.0 from staging"
expect_out "forced: hotfix"
expect_out "rolled-back v0.2.0 to staging"
run git model history clf --json
expect_rc 0
python3 -c 'import json,sys; h=json.loads(sys.argv[1]); assert [e["event"] for e in h][-2:]==["unassigned","rolled-back"], h' "$OUT" ||
    fail "history json order"
# Tagger times strictly increase over the tags of one name (GTO orders by time in whole seconds).
git for-each-ref --format='%(taggerdate:unix)' 'refs/tags/clf*' | sort -n | uniq -d | grep -q . &&
    fail "two tags of clf share a tagger second"
# Production: v0.2.0 held staging; a new v0.3.0 never did.
run git model promote production clf@v0.2.0
expect_rc 0
echo weights-3 >models/clf.safetensors
git model add models/clf.safetensors >/dev/null 2>&1 && commit_all "clf v3" && git model bump clf >/dev/null
git gate run >/dev/null 2>&1
before=$(refs_snapshot)
run git model promote production clf@v0.3.0
expect_rc 1
expect_err "clf v0.3.0 was never in staging"
expect_eq "$(refs_snapshot)" "$before"
end_test

begin_test "bad input: unknown stage, invalid version, unknown name, a prompt named to git model"
promo_repo
write_prompt greet "Hello {{name}}" '"name"' && commit_all "prompt" && git prompt bump >/dev/null 2>&1
before=$(refs_snapshot)
run git model promote qa
expect_rc 2
expect_err "unknown stage 'qa' (stages: dev, staging, production)"
run git model promote dev clf@1.x
expect_rc 2
expect_err "invalid version"
run git model promote dev nope
expect_rc 2
expect_err "'nope' has no registered version"
run git model promote dev greet
expect_rc 2
expect_err "'greet' is not a model"
run git model rollback dev clf@v0.1.0
expect_rc 2
expect_err "rollback takes names, not versions"
run git model rollback dev
expect_rc 2
expect_err "no model has a version in stage 'dev'"
run git model promote dev --reason why
expect_rc 2
expect_err "--reason goes with --force"
expect_eq "$(refs_snapshot)" "$before"
end_test

begin_test "prompts: promote every prompt not yet in a stage, stages, dry run, --push, --json"
new_repo r
write_prompt greet "Hello {{name}}" '"name"'
write_prompt sum/short "Summarize: {{text}}" '"text"'
commit_all "prompts"
git prompt bump >/dev/null 2>&1 || fail "bump"
before=$(refs_snapshot)
run git prompt promote dev --dry-run
expect_rc 0
expect_out "would promote greet v0.1.0 to dev"
expect_out "would promote sum/short v0.1.0 to dev"
expect_eq "$(refs_snapshot)" "$before"
run git prompt promote dev --push
expect_rc 0
expect_out "promoted greet v0.1.0 to dev"
expect_out "promoted sum/short v0.1.0 to dev"
expect_err "pushed 2 tags to origin"
expect_eq "$(git ls-remote --refs origin 'refs/tags/greet#dev#*' | wc -l)" "1"
run git prompt stages
expect_rc 0
expect_out "greet      dev    v0.1.0"
expect_out "sum/short  dev    v0.1.0"
run git prompt promote staging greet --json
expect_rc 0
python3 -c 'import json,sys; r=json.loads(sys.argv[1])[0]; assert r["allowed"] and r["tags"]==["greet#staging#2"] and r["gate"] is None, r' "$OUT" ||
    fail "promote json: $OUT"
run git prompt show greet@staging
expect_rc 0
expect_out "Hello {{name}}"
run git prompt history greet
expect_out "promoted v0.1.0 to staging"
run git prompt promote dev clf
expect_rc 2
expect_err "'clf' has no registered version"
end_test

finish
