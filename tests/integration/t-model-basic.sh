#!/usr/bin/env bash
# git model: the artifact round trip (add, commit, push to a local store, clone, pull), folders, nested
# pointers, link modes, re-adding without re-hashing, checkout of another revision, unlock.
. "$(dirname "$0")/lib.sh"

# model_repo: a repository with a bare origin and a local store configured as the default.
model_repo() {
    new_repo "${1:-repo}"
    mkdir -p "$TRASH/store" .mlci
    printf '[remote.team]\nurl = "%s"\n' "$TRASH/store" >.mlci/config.toml
    git add .mlci && git commit -q -m "store"
}

begin_test "add, commit, push, clone, pull: the bytes match"
model_repo
mkdir -p models
head -c 3000000 /dev/urandom >models/clf.safetensors
sum=$(sha256sum <models/clf.safetensors)
run git model add models/clf.safetensors
expect_rc 0
expect_out "added models/clf.safetensors"
[ -f models/clf.safetensors.mlci ] || fail "no pointer written"
expect_eq "$(grep -c '^/clf.safetensors$' models/.gitignore)" "1"
expect_eq "$(sed -n 's/^hash = "xxh128:\(.*\)"$/\1/p' models/clf.safetensors.mlci)" \
    "$(xxh128sum models/clf.safetensors | cut -d' ' -f1)"
expect_eq "$(sed -n 's/^size = //p' models/clf.safetensors.mlci)" "3000000"
hex=$(xxh128sum models/clf.safetensors | cut -d' ' -f1)
obj=".git/mlci/cache/xxh128/${hex:0:2}/${hex:2}"
[ -f "$obj" ] || fail "object not in the cache at $obj"
expect_eq "$(stat -c %a "$obj")" "444"
[ -z "$(git status --porcelain --ignored models/clf.safetensors | grep -v '^!!')" ] || fail "artifact not ignored"
commit_all "add model"
run git model push
expect_rc 0
expect_err "push: 1 object (2.9 MiB)"
[ -f "$TRASH/store/xxh128/${hex:0:2}/${hex:2}" ] || fail "object not on the store"
run git model push
expect_rc 0
expect_err "push: 0 objects"
expect_err "1 already there"
git push -q origin main
cd "$TRASH" && git clone -q repo-origin.git clone && cd clone
run git model status
expect_out "missing, not in cache"
run git model status --check
expect_rc 1
run git model pull
expect_rc 0
expect_err "fetch: 1 object"
expect_err "checkout: 1 file written"
expect_eq "$(sha256sum <models/clf.safetensors)" "$sum"
run git model status --check
expect_rc 0
expect_out "ok"
run git model status --json
expect_out '"workspace": "ok"'
expect_out '"ok": true'
end_test

begin_test "folders: manifest object, nfiles, round trip, exec bit"
model_repo
mkdir -p data/train/a data/train/b
echo one >data/train/a/1.txt
echo two >data/train/b/2.txt
printf '#!/bin/sh\necho hi\n' >data/train/run.sh
chmod +x data/train/run.sh
run git model add data/train
expect_rc 0
expect_out "added data/train (26 B, 3 files)"
grep -q '^nfiles = 3$' data/train.mlci || fail "nfiles missing"
mhex=$(sed -n 's/^hash = "xxh128:\(.*\)"$/\1/p' data/train.mlci)
manifest=".git/mlci/cache/xxh128/${mhex:0:2}/${mhex:2}"
expect_eq "$(xxh128sum "$manifest" | cut -d' ' -f1)" "$mhex"
expect_eq "$(cut -d' ' -f2- "$manifest" | tr '\n' '|')" "4 644 a/1.txt|4 644 b/2.txt|18 755 run.sh|"
commit_all "data"
run git model push
expect_rc 0
expect_err "push: 4 objects"
git push -q origin main
cd "$TRASH" && git clone -q repo-origin.git clone && cd clone
run git model pull
expect_rc 0
expect_eq "$(cat data/train/b/2.txt)" "two"
[ -x data/train/run.sh ] || fail "exec bit lost"
run git model status --check
expect_rc 0
echo extra >data/train/a/extra.txt
run git model status --check
expect_rc 1
expect_out "modified"
end_test

begin_test "pointers in nested folders, selected by path"
model_repo
mkdir -p a/b/c d
echo deep >a/b/c/w.bin
echo top >d/x.bin
run git model add a/b/c/w.bin d/x.bin
expect_rc 0
[ -f a/b/c/w.bin.mlci ] && [ -f a/b/c/.gitignore ] || fail "nested pointer or .gitignore missing"
commit_all "nested"
run git model status a/b
expect_rc 0
expect_out "a/b/c/w.bin"
expect_not_out "d/x.bin"
(cd a/b && run git model status c/w.bin.mlci && expect_out "a/b/c/w.bin")
run git model status nowhere
expect_rc 2
expect_err "names no artifact pointer"
rm a/b/c/w.bin
run git model checkout a/b/c/w.bin
expect_rc 0
expect_eq "$(cat a/b/c/w.bin)" "deep"
end_test

begin_test "default link mode: editing the workspace file leaves the cache object unchanged"
model_repo
echo original >m.bin
git model add m.bin >/dev/null 2>&1
commit_all "m"
hex=$(xxh128sum m.bin | cut -d' ' -f1)
obj=".git/mlci/cache/xxh128/${hex:0:2}/${hex:2}"
expect_eq "$(stat -c %h m.bin)" "1"
echo edited >>m.bin
expect_eq "$(cat "$obj")" "original"
run git model status
expect_out "modified"
run git model verify
expect_rc 0
run git model checkout
expect_rc 2
expect_err "m.bin' has changes that are not in the cache: not overwritten"
expect_err "hint: keep it with 'git model add m.bin', or discard it with --force"
expect_eq "$(tail -n1 m.bin)" "edited"
run git model checkout --force
expect_rc 0
expect_eq "$(cat m.bin)" "original"
end_test

begin_test "re-adding an unchanged file does not re-hash it (stat cache)"
model_repo
head -c 200000 /dev/urandom >w.bin
touch -d '2 seconds ago' w.bin
git model add w.bin >/dev/null 2>&1
sleep 1
run git model add w.bin
expect_rc 0
expect_out "unchanged w.bin"
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
    strace -f -e trace=openat -o "$TRASH/trace" git model add w.bin >/dev/null 2>&1
    if grep -q '"w.bin"\|/w.bin"' "$TRASH/trace"; then
        fail "w.bin was opened (re-hashed) although unchanged"
    fi
    strace -f -e trace=openat -o "$TRASH/trace2" git model status >/dev/null 2>&1
    if grep -q '/w.bin"' "$TRASH/trace2"; then
        fail "status opened w.bin although unchanged"
    fi
fi
echo more >>w.bin
run git model add w.bin
expect_out "updated w.bin"
end_test

begin_test "checkout --rev: switch an artifact between versions, keep an edit unless --force"
model_repo
echo v1 >m.bin
git model add m.bin >/dev/null 2>&1
commit_all "v1"
echo v2 >m.bin
git model add m.bin >/dev/null 2>&1
commit_all "v2"
run git model checkout --rev HEAD~1
expect_rc 0
expect_eq "$(cat m.bin)" "v1"
git checkout -q HEAD~1
run git model status --check
expect_rc 0
git checkout -q main
run git model checkout
expect_rc 0
expect_eq "$(cat m.bin)" "v2"
run git model checkout --rev no-such-rev
expect_rc 2
end_test

begin_test "hardlink mode: workspace linked read-only; unlock gives a private writable copy"
model_repo
printf '[cache]\nlink = "hardlink"\n' >>.mlci/config.toml
echo weights >h.bin
run git model add h.bin
expect_rc 0
hex=$(xxh128sum h.bin | cut -d' ' -f1)
obj=".git/mlci/cache/xxh128/${hex:0:2}/${hex:2}"
expect_eq "$(stat -c %i h.bin)" "$(stat -c %i "$obj")"
expect_eq "$(stat -c %a h.bin)" "444"
run git model unlock h.bin
expect_rc 0
expect_out "unlocked h.bin"
[ "$(stat -c %i h.bin)" != "$(stat -c %i "$obj")" ] || fail "still linked after unlock"
[ -w h.bin ] || fail "not writable after unlock"
echo changed >h.bin
expect_eq "$(cat "$obj")" "weights"
run git model unlock h.bin
expect_out "already unlocked h.bin"
end_test

begin_test "symlink mode: workspace is a link to the object; re-add is a no-op"
model_repo
printf '[cache]\nlink = "symlink"\n' >>.mlci/config.toml
echo sym >s.bin
run git model add s.bin
expect_rc 0
[ -L s.bin ] || fail "s.bin is not a symlink"
expect_eq "$(cat s.bin)" "sym"
run git model add s.bin
expect_rc 0
expect_out "unchanged s.bin"
run git model status --check
expect_rc 0
mkdir d && echo m >d/m
run git model add d
expect_rc 0
[ -L d/m ] && fail "folder member made a symlink"
run git model add d
expect_out "unchanged d"
run git model status --check
expect_rc 0
end_test

begin_test "--json on add, checkout, push"
model_repo
echo j >j.bin
run git model add --json j.bin
expect_rc 0
expect_out '"state": "added"'
expect_out '"pointer": "j.bin.mlci"'
commit_all "j"
run git model push --json
expect_out '"objects": 1'
run git model checkout --json
expect_out '"unchanged": 1'
end_test

finish
