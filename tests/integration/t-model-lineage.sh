#!/usr/bin/env bash
# git model lineage: what `git model bump` records from [model.NAME] inputs (Mlci-Input, Mlci-Prompt), one
# version's lineage, two versions compared, --uses of a dataset version, a hostile hand-written tag, and
# the bad inputs (unknown version, --uses of a path that is no pointer).
. "$(dirname "$0")/lib.sh"

# lineage_repo: a model, its training data, code, a config and a prompt; clf@v0.1.0 tagged before any
# inputs are configured; then [model.clf] inputs set (with a glob that matches nothing).
lineage_repo() {
    new_repo repo
    mkdir -p .mlci models data configs
    echo 'print("train")' >train.py
    echo 'lr = 0.1' >configs/clf.toml
    write_prompt triage 'Classify {{text}}' '"text"'
    echo 'model-0' >models/clf.bin
    git model add models/clf.bin >/dev/null 2>&1 || fail "add model"
    commit_all "model without lineage"
    git model bump clf >/dev/null 2>&1 || fail "bump v0.1.0"
    cat >.mlci/config.toml <<'EOF'
[model.clf]
inputs = ["data/train.jsonl", "train.py", "configs/*.toml", "nothing/*.bin"]
EOF
    commit_all "configure the inputs of clf"
}

# version DATA MODEL: new training data and a model trained on it, committed and bumped.
version() {
    echo "$1" >data/train.jsonl
    echo "$2" >models/clf.bin
    git model add data/train.jsonl models/clf.bin >/dev/null 2>&1 || fail "add $1"
    commit_all "train on $1"
    run git model bump clf
    expect_rc 0
}

data_hash() { # the artifact hash in a pointer at a revision
    git show "$1:data/train.jsonl.mlci" | sed -n 's/^hash = "\(.*\)"$/\1/p'
}

begin_test "lineage across three versions where only the data changed"
lineage_repo
version data-1 model-1
expect_err "warning: model clf: input 'nothing/*.bin' matches nothing at "
expect_err "recorded lineage: 3 inputs, 1 prompt"
h1=$(data_hash HEAD)
version data-2 model-2
h2=$(data_hash HEAD)
version data-3 model-3
run git model lineage clf@v0.2.0
expect_rc 0
expect_out "clf v0.2.0 (tag clf@v0.2.0, commit "
expect_out "input   pointer  data/train.jsonl.mlci  $h1"
expect_out "input   file     train.py               git:$(git rev-parse clf@v0.2.0:train.py)"
expect_out "input   file     configs/clf.toml"
expect_out "prompt           triage                 git:$(git rev-parse clf@v0.2.0:prompts/triage.prompt)"
run git model lineage clf@v0.2.0 clf@v0.3.0
expect_rc 0
expect_out "changed    input   data/train.jsonl.mlci  $h1 -> $h2"
expect_out "unchanged  input   train.py"
expect_out "unchanged  input   configs/clf.toml"
expect_out "unchanged  prompt  triage"
expect_out "1 changed, 0 added, 0 removed, 3 unchanged"
expect_not_out "claimed by the tag"
expect_eq "$ERR" ""
run git model lineage clf@v0.3.0 clf@latest --json
expect_rc 0
expect_out '"status": "changed"'
expect_eq "$(grep -c '"status": "changed"' <<<"$OUT")" 1
expect_eq "$(grep -c '"status": "unchanged"' <<<"$OUT")" 3
run git model lineage clf@v0.1.0
expect_rc 0
expect_out "no lineage recorded"
run git model lineage clf@v0.1.0 clf@v0.2.0
expect_rc 0
expect_out "clf v0.1.0: no lineage recorded"
expect_out "0 changed, 4 added, 0 removed, 0 unchanged"
# What bump recorded is what the version's card shows.
run git model card clf@v0.2.0
expect_rc 0
expect_out "| data/train.jsonl.mlci | xxh128\\:${h1#xxh128:} |"
run git model lineage clf@v0.2.0 --json
expect_out '"recorded": true'
expect_out '"kind": "pointer"'
expect_out "\"hash\": \"$h1\""
expect_out '"dropped": 0'
end_test

begin_test "--uses after a dataset changed: the old version lists V1 and V2, the new one V3"
lineage_repo
version data-1 model-1
echo 'lr = 0.2' >configs/clf.toml
echo model-1b >models/clf.bin
git model add models/clf.bin >/dev/null 2>&1
commit_all "retrain with another learning rate"
run git model bump clf
expect_rc 0
old=$(git rev-parse HEAD)
version data-2 model-2
h1=$(data_hash "$old")
h2=$(data_hash HEAD)
run git model lineage --uses "data/train.jsonl@$old"
expect_rc 0
expect_out "data/train.jsonl.mlci $h1 (at $old"
expect_out "2 model versions"
expect_out "clf  v0.2.0"
expect_out "clf  v0.3.0"
expect_not_out "v0.4.0"
run git model lineage --uses data/train.jsonl@clf@v0.2.0 # a REV that holds '@'
expect_rc 0
expect_out "2 model versions"
run git model lineage --uses data/train.jsonl
expect_rc 0
expect_out "data/train.jsonl.mlci $h2 (at HEAD"
expect_out "1 model version"
expect_out "clf  v0.4.0"
expect_not_out "v0.3.0"
run git model lineage --uses data/train.jsonl.mlci --json
expect_rc 0
expect_out '"pointer": "data/train.jsonl.mlci"'
expect_out '"version": "v0.4.0"'
run git model lineage clf@v0.2.0 clf@v0.3.0
expect_out "changed    input   configs/clf.toml"
expect_out "unchanged  input   data/train.jsonl.mlci"
end_test

begin_test "a glob that matches nothing warns and the bump still succeeds"
new_repo repo
mkdir -p .mlci models
printf '[model.clf]\ninputs = ["configs/*.toml", "missing.py"]\n' >.mlci/config.toml
echo m >models/clf.bin
git model add models/clf.bin >/dev/null 2>&1
commit_all "model"
run git model bump clf
expect_rc 0
expect_err "warning: model clf: input 'configs/*.toml' matches nothing at $(git rev-parse --short HEAD); not recorded"
expect_err "warning: model clf: input 'missing.py' matches nothing"
expect_err "recorded lineage: 0 inputs, 0 prompts"
expect_out "created clf@v0.1.0"
expect_eq "$(git tag -l 'clf@*')" "clf@v0.1.0"
end_test

begin_test "a hostile hand-written tag: invalid trailers ignored and counted, the rest escaped"
lineage_repo
version data-1 model-1
h1=$(data_hash HEAD)
echo more >>README.md
commit_all "another commit"
bidi=$(printf 'data/\xe2\x80\xaeevil.mlci')
esc=$(printf 'data/\033]0;pwned\007x.mlci')
msg=$(printf 'Release clf v9.0.0\n\nMlci-Kind: model\nMlci-Input: ../../etc/passwd.mlci %s\nMlci-Input: %s %s\nMlci-Input: %s %s\nMlci-Input: train.py git:%s\nMlci-Prompt: ../x v1.0.0\n' \
    "$h1" "$esc" "$h1" "$bidi" "$h1" "$(printf 'a%.0s' $(seq 40))")
git tag -a clf@v9.0.0 -m "$msg"
run git model lineage clf@v9.0.0
expect_rc 0
expect_err "warning: clf@v9.0.0: 3 invalid Mlci-Input/Mlci-Prompt trailers ignored"
expect_err "warning: clf@v9.0.0: 2 recorded inputs are not in its commit $(git rev-parse --short HEAD) as recorded (claimed by the tag)"
expect_out 'data/\u{202e}evil.mlci'
expect_out "(claimed by the tag: not in the commit)"
expect_out "(claimed by the tag: the commit holds another)"
expect_not_out "etc/passwd"
expect_not_out "pwned"
if printf '%s' "$OUT" | grep -q "$(printf '\xe2\x80\xae')"; then fail "raw bidi override on stdout"; fi
run git model lineage --uses data/train.jsonl
expect_rc 0
expect_out "2 model versions"
expect_out 'clf  v9.0.0  '
expect_out "(claimed by the tag: not in the commit)"
expect_out 'data/\u{202e}evil.mlci'
expect_err "warning: version tags: 3 invalid Mlci-Input/Mlci-Prompt trailers ignored"
if printf '%s' "$OUT$ERR" | grep -q "$(printf '\033')"; then fail "raw escape on the terminal"; fi
run git model lineage clf@v9.0.0 --json
expect_out '"dropped": 3'
expect_out '"tree": "missing"'
expect_out '"tree": "differs"'
expect_out '"path": "data/\u202eevil.mlci"'
end_test

begin_test "bad input: unknown version, --uses of a path that is no pointer, wrong arguments (exit 2)"
lineage_repo
version data-1 model-1
before=$(refs_snapshot)
run git model lineage clf@v7.0.0
expect_rc 2
expect_err "error: "
expect_err "7.0.0"
run git model lineage nosuchmodel@v1.0.0
expect_rc 2
run git model lineage --uses train.py
expect_rc 2
expect_err "error: 'train.py' is no dataset pointer at HEAD"
expect_err "hint: --uses takes a dataset tracked by git model"
run git model lineage --uses data/nothing.jsonl
expect_rc 2
expect_err "error: 'data/nothing.jsonl' does not exist at HEAD"
run git model lineage --uses data/train.jsonl@nosuchrev
expect_rc 2
expect_err "error: --uses: unknown revision 'nosuchrev'"
run git model lineage --uses ../outside.jsonl
expect_rc 2
expect_err "is refused"
run git model lineage
expect_rc 2
expect_err "error: git model lineage takes NAME@V"
run git model lineage clf@v0.1.0 clf@v0.2.0 clf@v0.2.0
expect_rc 2
run git model lineage clf@v0.2.0 --uses data/train.jsonl
expect_rc 2
expect_eq "$(refs_snapshot)" "$before"
# An input that escapes the repository is a config error: no tag is written.
printf '[model.clf]\ninputs = ["../secret.txt"]\n' >.mlci/config.toml
echo model-x >models/clf.bin
git model add models/clf.bin >/dev/null 2>&1
commit_all "escaping input"
before=$(refs_snapshot)
run git model bump clf
expect_rc 2
expect_err "error: .mlci/config.toml"
expect_err "model.clf.inputs '../secret.txt' is refused"
expect_eq "$(refs_snapshot)" "$before"
end_test

finish
