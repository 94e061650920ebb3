#!/usr/bin/env bash
# git model: the less travelled paths — fetching on checkout, --remote status, selections of commits,
# a cache shared between clones, folder versions, and bad command lines and configurations.
. "$(dirname "$0")/lib.sh"

model_repo() {
    new_repo "${1:-repo}"
    mkdir -p "$TRASH/store" .mlci
    printf '[remote.team]\nurl = "%s"\n' "$TRASH/store" >.mlci/config.toml
    git add .mlci && git commit -q -m "store"
}

begin_test "checkout without the object: exit 2 with a hint; --fetch gets it"
model_repo
echo w >w.bin && git model add w.bin >/dev/null 2>&1 && commit_all "w"
git model push >/dev/null 2>&1
rm -rf .git/mlci/cache w.bin
run git model checkout
expect_rc 2
expect_err "'w.bin' is not in the cache"
expect_err "hint: fetch it first"
run git model checkout --fetch
expect_rc 0
expect_eq "$(cat w.bin)" "w"
end_test

begin_test "status --remote: not on store until pushed"
model_repo
echo r >r.bin && git model add r.bin >/dev/null 2>&1 && commit_all "r"
run git model status --remote --check
expect_rc 1
expect_out "not on store"
git model push >/dev/null 2>&1
run git model status --remote --check
expect_rc 0
run git model status --remote --json
expect_out '"store": "ok"'
end_test

begin_test "push/fetch --all-tags, --all-branches, --rev"
model_repo
echo a >m.bin && git model add m.bin >/dev/null 2>&1 && commit_all "a" && git tag v-a
echo b >m.bin && git model add m.bin >/dev/null 2>&1 && commit_all "b"
git checkout -q -b side && echo c >m.bin && git model add m.bin >/dev/null 2>&1 && commit_all "c" && git checkout -q main
git model checkout --force >/dev/null 2>&1
run git model push --all-tags
expect_rc 0
expect_err "push: 1 object"
run git model push --all-branches
expect_rc 0
expect_err "push: 2 objects"
rm -rf .git/mlci/cache
run git model fetch --rev v-a --rev side
expect_rc 0
expect_err "fetch: 2 objects"
run git model fetch --rev no-such-ref
expect_rc 2
end_test

begin_test "pull keeps a local edit (exit 2) and fetches the rest"
model_repo
echo one >a.bin && echo two >b.bin && git model add a.bin b.bin >/dev/null 2>&1 && commit_all "ab"
git model push >/dev/null 2>&1
git push -q origin main
cd "$TRASH" && git clone -q repo-origin.git clone && cd clone
echo mine >a.bin
run git model pull
expect_rc 2
expect_err "'a.bin' has changes that are not in the cache: not overwritten"
expect_eq "$(cat a.bin)" "mine"
expect_eq "$(cat b.bin)" "two"
end_test

begin_test "folder versions: checkout removes files the version lacks (when recoverable)"
model_repo
mkdir d && echo 1 >d/one && echo 2 >d/two && git model add d >/dev/null 2>&1 && commit_all "d1"
rm d/two && echo 3 >d/three && git model add d >/dev/null 2>&1 && commit_all "d2"
run git model checkout --rev HEAD~1
expect_rc 0
expect_eq "$(ls d | tr '\n' ' ')" "one two "
git checkout -q HEAD~1 && run git model status --check && expect_rc 0 && git checkout -q main
run git model checkout
expect_eq "$(ls d | tr '\n' ' ')" "one three "
echo private >d/new
run git model checkout --rev HEAD~1
expect_rc 2
expect_err "'d/new' is not part of this version and not in the cache: kept"
[ -f d/new ] || fail "private file removed"
end_test

begin_test "switching versions back and forth does not grow the stat cache: replaced files are forgotten"
model_repo
mkdir d && for i in $(seq 1 300); do echo "a$i" >"d/f$i"; done
git model add d >/dev/null 2>&1 && commit_all "d1"
for i in $(seq 1 300); do echo "b$i" >"d/f$i"; done
git model add d >/dev/null 2>&1 && commit_all "d2"
git model checkout --rev HEAD~1 >/dev/null 2>&1 && git model checkout >/dev/null 2>&1
size=$(stat -c %s .git/mlci/state)
for round in 1 2 3 4 5 6; do
    run git model checkout --rev HEAD~1
    expect_rc 0
    run git model checkout
    expect_rc 0
done
expect_eq "$(stat -c %s .git/mlci/state)" "$size"
expect_eq "$(cat d/f7)" "b7"
run git model status --check
expect_rc 0
end_test

begin_test "cache.dir shared by two clones on one machine (each clone's own setting)"
model_repo
mkdir -p .git/mlci && printf '[cache]\ndir = "%s"\n' "$TRASH/shared-cache" >.git/mlci/config.toml
echo s >s.bin && git model add s.bin >/dev/null 2>&1 && commit_all "s"
[ -n "$(find "$TRASH/shared-cache/xxh128" -type f)" ] || fail "object not in the shared cache"
git push -q origin main
cd "$TRASH" && git clone -q repo-origin.git clone && cd clone
mkdir -p .git/mlci && printf '[cache]\ndir = "%s"\n' "$TRASH/shared-cache" >.git/mlci/config.toml
run git model checkout
expect_rc 0
expect_eq "$(cat s.bin)" "s"
end_test

begin_test "cache.shared = group: cache folders group-writable and setgid, objects read-only"
model_repo
mkdir -p .git/mlci && printf '[cache]\nshared = "group"\n' >.git/mlci/config.toml
echo g >g.bin && git model add g.bin >/dev/null 2>&1
expect_eq "$(stat -c %a .git/mlci/cache)" "2775"
expect_eq "$(stat -c %a .git/mlci/cache/xxh128)" "2775"
hex=$(xxh128sum g.bin | cut -d' ' -f1)
expect_eq "$(stat -c %a .git/mlci/cache/xxh128/${hex:0:2})" "2775"
expect_eq "$(stat -c %a .git/mlci/cache/xxh128/${hex:0:2}/${hex:2})" "444"
end_test

begin_test "adding inside a tracked folder, or a folder holding pointers, is refused"
model_repo
mkdir d && echo x >d/x && git model add d >/dev/null 2>&1
run git model add d/x
expect_rc 2
expect_err "'d/x' is inside the tracked folder 'd'"
expect_err "hint: add the folder again: git model add d"
mkdir -p e/f && echo y >e/f/y && git model add e/f/y >/dev/null 2>&1
run git model add e
expect_rc 2
expect_err "is a pointer: a tracked folder cannot hold other artifacts"
end_test

begin_test "bad command lines, configurations and places"
model_repo
run git model
expect_rc 2
run git model frobnicate
expect_rc 2
run git model status --no-such-flag
expect_rc 2
run git model unlock nothing-here
expect_rc 2
expect_err "names no artifact pointer"
printf '[cache]\nlink = "teleport"\n' >>.mlci/config.toml
run git model status
expect_rc 2
expect_err "cache.link must be one of"
git checkout -q -- .mlci/config.toml
printf '[remote.x]\nurl = "https://user:pw@example.com/s"\n' >>.mlci/config.toml
run git model status
expect_rc 2
expect_err "holds a password"
git checkout -q -- .mlci/config.toml
mkdir -p "$TRASH/not-a-repo" && cd "$TRASH/not-a-repo"
run git model status
expect_rc 2
expect_err "not a git repository"
end_test

begin_test "git's environment names the repository: GIT_DIR, GIT_WORK_TREE, GIT_CEILING_DIRECTORIES"
model_repo
R=$PWD
mkdir -p d && head -c 3000 /dev/urandom >d/c.bin
cd "$TRASH" && git init -q other && cd other
# From inside another repository, the environment (or git --git-dir/--work-tree) picks R: the object
# goes to R's cache and the pointer into R, nothing into the repository around the current folder.
run env GIT_DIR="$R/.git" GIT_WORK_TREE="$R" git model add "$R/d/c.bin"
expect_rc 0
[ -f "$R/d/c.bin.mlci" ] || fail "no pointer in R"
[ -e .git/mlci ] && fail "the other repository got a cache"
run git --git-dir="$R/.git" --work-tree="$R" model status
expect_rc 0
expect_out "ok  d/c.bin"
# A path outside the work tree git was given is refused, as git add refuses it.
run env GIT_DIR="$R/.git" GIT_WORK_TREE="$R" git model add d/x.bin
expect_rc 2
expect_err "outside the repository"
cd "$R/d"
run env GIT_CEILING_DIRECTORIES="$R" git model status
expect_rc 2
expect_err "not a git repository"
run env GIT_COMMON_DIR="$R/.git" git model status
expect_rc 2
expect_err "GIT_COMMON_DIR"
end_test

begin_test "a nested repository (a submodule) keeps its own artifacts"
model_repo
git init -q sm
(cd sm && git commit -q --allow-empty -m i && head -c 2000 /dev/urandom >w.bin && git model add w.bin >/dev/null 2>&1) ||
    fail "the nested repository's own add failed"
head -c 2000 /dev/urandom >sm/x.bin
run git model status
expect_rc 0
expect_not_out "sm/w.bin"
run git model add sm/x.bin
expect_rc 2
expect_err "is inside 'sm', a submodule or another repository"
expect_err "cd -- 'sm' && git model add -- 'x.bin'"
[ -e sm/x.bin.mlci ] && fail "a pointer was written into the nested repository"
[ -e .git/mlci/cache ] && cache_files .git/mlci/cache | grep -q . && fail "an object went into the outer cache"
end_test

begin_test "gc --json and --dry-run change nothing"
model_repo
echo g >g.bin && git model add g.bin >/dev/null 2>&1
echo h >g.bin && git model add g.bin >/dev/null 2>&1
before=$(snapshot .git/mlci/cache)
run git model gc --dry-run --json
expect_rc 0
expect_out '"would_remove": ['
expect_eq "$(snapshot .git/mlci/cache)" "$before"
run git model gc
expect_out "removed xxh128:"
end_test

finish
