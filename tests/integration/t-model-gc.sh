#!/usr/bin/env bash
# git model gc and bump: what gc keeps (workspace, HEAD, branch and tag tips, only copies) and what it
# deletes; GTO-compatible version tags for models and their refusals.
. "$(dirname "$0")/lib.sh"

model_repo() {
    new_repo "${1:-repo}"
    mkdir -p "$TRASH/store" .mlci
    printf '[remote.team]\nurl = "%s"\n' "$TRASH/store" >.mlci/config.toml
    git add .mlci && git commit -q -m "store"
}
objects() { find .git/mlci/cache/xxh128 -type f 2>/dev/null | wc -l | tr -d ' '; }
has_obj() { # has_obj CONTENT: the cache holds an object with this content
    local hex
    hex=$(printf '%s\n' "$1" | xxh128sum | cut -d' ' -f1)
    [ -f ".git/mlci/cache/xxh128/${hex:0:2}/${hex:2}" ]
}

begin_test "gc keeps what a tag references, deletes what no commit ever did"
model_repo
echo v1 >m.bin && git model add m.bin >/dev/null 2>&1 && commit_all "v1"
git tag -a -m "release" rel-1
echo v2 >m.bin && git model add m.bin >/dev/null 2>&1 && commit_all "v2"
echo v3 >m.bin && git model add m.bin >/dev/null 2>&1 && commit_all "v3"
echo scratch >m.bin && git model add m.bin >/dev/null 2>&1 # never committed
git checkout -q -- m.bin.mlci && git model checkout --force >/dev/null 2>&1
expect_eq "$(objects)" "4"
run git model gc --dry-run
expect_rc 0
expect_out "would remove xxh128:"
expect_eq "$(objects)" "4"
run git model gc
expect_rc 0
expect_out "removed xxh128:$(printf 'scratch\n' | xxh128sum | cut -d' ' -f1)"
expect_err "kept 1 object that only this cache holds"
expect_err "hint: push them"
has_obj v1 || fail "tagged object deleted"
has_obj v3 || fail "HEAD object deleted"
has_obj v2 || fail "only copy deleted without --force"
has_obj scratch && fail "unreferenced object kept"
run git model gc --all-commits
has_obj v2 || fail "history object deleted with --all-commits"
# once v2 is on the default store, the cache's copy may go
git model push --rev HEAD~1 >/dev/null 2>&1
run git model gc
expect_rc 0
has_obj v2 && fail "v2 kept although it is on the store and no tip references it"
has_obj v1 || fail "tagged object deleted"
run git model gc --json
expect_out '"removed": []'
end_test

begin_test "gc --force deletes only copies; never what a tip or the workspace references"
model_repo
echo a >m.bin && git model add m.bin >/dev/null 2>&1 && commit_all "a"
echo b >m.bin && git model add m.bin >/dev/null 2>&1 && commit_all "b"
echo w >w.bin && git model add w.bin >/dev/null 2>&1 # workspace only
run git model gc --force
expect_rc 0
has_obj a && fail "--force kept an only copy"
has_obj b || fail "HEAD's object deleted"
has_obj w || fail "workspace pointer's object deleted"
end_test

begin_test "gc keeps objects of other branches' tips and their folder members"
model_repo
git checkout -q -b side
mkdir d && echo in-dir >d/f && git model add d >/dev/null 2>&1 && commit_all "dir on side"
git checkout -q main
rm -rf d
run git model gc
expect_rc 0
has_obj in-dir || fail "member of a folder on another branch deleted"
expect_eq "$(objects)" "2"
end_test

begin_test "bump: GTO version tag with the pointer's hash; refusals"
model_repo
mkdir models && echo w1 >models/clf.safetensors
git model add models/clf.safetensors >/dev/null 2>&1 && commit_all "clf"
run git model bump clf
expect_rc 0
expect_out "created clf@v0.1.0"
hex=$(sed -n 's/^hash = "\(.*\)"$/\1/p' models/clf.safetensors.mlci)
msg=$(git tag -l --format='%(contents)' clf@v0.1.0)
grep -q "^Release clf v0.1.0" <<<"$msg" || fail "first line: $msg"
grep -q "^Mlci-Kind: model" <<<"$msg" || fail "no kind trailer: $msg"
grep -q "^Mlci-Path: models/clf.safetensors.mlci" <<<"$msg" || fail "no path trailer: $msg"
grep -q "^Mlci-Object: $hex" <<<"$msg" || fail "no object trailer: $msg"
expect_eq "$(git cat-file -t clf@v0.1.0)" "tag"
before=$(refs_snapshot)
run git model bump clf --patch
expect_rc 2
expect_err "already carries clf@v0.1.0"
expect_eq "$(refs_snapshot)" "$before"
echo docs >>README.md && commit_all "docs only"
before=$(refs_snapshot)
run git model bump clf
expect_rc 2
expect_err "has not changed since clf@v0.1.0"
expect_eq "$(refs_snapshot)" "$before"
echo w2 >models/clf.safetensors && git model add models/clf.safetensors >/dev/null 2>&1
run git model bump clf
expect_rc 2
expect_err "has uncommitted changes"
commit_all "w2"
run git model bump clf --major
expect_rc 0
expect_out "created clf@v1.0.0"
run git model bump clf --major --minor
expect_rc 2
run git model bump nosuch
expect_rc 2
expect_err "no model named 'nosuch'"
run git model bump 'bad.name'
expect_rc 2
expect_err "invalid model name"
end_test

begin_test "bump: [model.NAME] path in config; --json"
model_repo
mkdir m && echo x >m/weights.v2.bin
git model add m/weights.v2.bin >/dev/null 2>&1
printf '[model.ranker]\npath = "m/weights.v2.bin.mlci"\n' >>.mlci/config.toml
commit_all "ranker"
run git model bump ranker --patch --json
expect_rc 0
expect_out '"tag": "ranker@v0.0.1"'
expect_out '"pointer": "m/weights.v2.bin.mlci"'
end_test

finish
