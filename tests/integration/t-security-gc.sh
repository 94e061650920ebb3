#!/usr/bin/env bash
# Data loss through git model gc (issue 12, items 3 and 4): a gc beside an add or a pull, and a cache
# shared by clones (cache.dir) or by git worktrees. gc takes the cache's lock exclusively (the others
# hold it shared) and keeps what every work tree registered with the cache keeps.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/security-lib.sh"

# many_files DIR N: N small files of distinct content.
many_files() {
    mkdir -p "$1"
    python3 - "$1" "$2" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, "f%05d" % i), "w") as f:
        f.write("file %d %s\n" % (i, os.urandom(8).hex()))
PY
}

# gc_loop: run git model gc (no --force) until the file $TRASH/stop appears; counts runs in $TRASH/gcs.
gc_loop() {
    local n=0
    while [ ! -e "$TRASH/stop" ]; do
        git model gc >/dev/null 2>&1
        n=$((n + 1))
    done
    echo "$n" >"$TRASH/gcs"
}

begin_test "gc running during add of a 3,000-file folder deletes none of its objects"
store_repo
many_files ds 3000
rm -f "$TRASH/stop"
gc_loop &
loop=$!
sleep 0.2
run git model add ds
touch "$TRASH/stop"
wait "$loop"
expect_rc 0
[ "$(cat "$TRASH/gcs")" -ge 1 ] || fail "gc never ran"
run git model status --check ds
expect_rc 0
expect_eq "$(find .git/mlci/cache/xxh128 -type f | wc -l | tr -d ' ')" "3001"
end_test

begin_test "gc running during pull --rev of an old commit: pull writes every file or says what it could not"
store_repo
many_files ds 3000
git model add ds >/dev/null 2>&1 && commit_all "ds"
old=$(git rev-parse HEAD)
git model push >/dev/null 2>&1
git rm -rq ds.mlci && commit_all "ds gone"
rm -rf ds .git/mlci/cache
rm -f "$TRASH/stop"
gc_loop &
loop=$!
sleep 0.2
run git model pull --rev "$old"
touch "$TRASH/stop"
wait "$loop"
expect_rc 0
expect_eq "$(find ds -type f | wc -l | tr -d ' ')" "3000"
end_test

begin_test "a cache shared by two clones: gc in one keeps the other's never-pushed objects"
store_repo a
mkdir -p .git/mlci && printf '[cache]\ndir = "%s"\n' "$TRASH/shared" >.git/mlci/config.toml
git push -q origin main
cd "$TRASH" && git clone -q a-origin.git b && cd b
mkdir -p .git/mlci && printf '[cache]\ndir = "%s"\n' "$TRASH/shared" >.git/mlci/config.toml
echo "only b has it" >b.bin && git model add b.bin >/dev/null 2>&1 && commit_all "b, never pushed"
echo "b's work in progress" >wip.bin && git model add wip.bin >/dev/null 2>&1
bobj=$(store_object "$TRASH/shared" "$(xxh128sum b.bin | cut -d' ' -f1)")
wobj=$(store_object "$TRASH/shared" "$(xxh128sum wip.bin | cut -d' ' -f1)")
cd "$TRASH/a"
run git model gc
expect_rc 0
[ -e "$bobj" ] || fail "gc in clone a deleted clone b's committed, never-pushed object"
[ -e "$wobj" ] || fail "gc in clone a deleted clone b's added object"
# A clone that is gone keeps nothing: its registry entry goes with its objects.
rm -rf "$TRASH/b"
run git model gc
expect_rc 0
[ ! -e "$bobj" ] || fail "the objects of a clone that is gone were kept"
expect_eq "$(ls "$TRASH/shared/worktrees" | wc -l | tr -d ' ')" "1"
end_test

begin_test "git worktrees share the cache: gc in one keeps what another's workspace added"
store_repo
git worktree add -q ../wt -b wt
cd ../wt
echo "added in the other worktree" >w.bin && git model add w.bin >/dev/null 2>&1
wobj=$(store_object "$TRASH/repo/.git/mlci/cache" "$(xxh128sum w.bin | cut -d' ' -f1)")
cd "$TRASH/repo"
run git model gc --force
expect_rc 0
[ -e "$wobj" ] || fail "gc deleted an object only the other worktree's pointer names"
end_test

begin_test "a registered work tree that cannot be read stops gc: nothing is deleted"
store_repo
echo gone >g.bin && git model add g.bin >/dev/null 2>&1 && rm -f g.bin.mlci g.bin
git init -q "$TRASH/other" && (cd "$TRASH/other" && mkdir -p .mlci && echo 'stages = 3' >.mlci/config.toml)
reg=".git/mlci/cache/worktrees/$(printf '%s' "$TRASH/other" | xxh128sum | cut -d' ' -f1)"
printf '%s\n' "$TRASH/other" >"$reg"
before=$(snapshot .git/mlci/cache)
run git model gc --force
expect_rc 2
expect_err "which uses this cache too, keeps"
expect_err "nothing deleted"
expect_eq "$(snapshot .git/mlci/cache)" "$before"
end_test

finish
