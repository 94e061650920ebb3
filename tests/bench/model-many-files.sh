#!/usr/bin/env bash
# Benchmark: `git model add` and `git model status` of a folder of many small files against their peers
# in the same run: `git add -A` and `git status` of the same tree in git, and md5sum of every file.
# Goals (issue 4): add ≥ 5× faster than git add -A; status ≤ 2× git status; report the ratio to md5sum.
# A third peer shows the floor of the cache layout (one file per object, DESIGN.md section 4): copying the
# folder with `cp -r` and making it durable with `sync` reads, creates and writes the same 20,000 files that
# `git model add` must (which then also hashes them and renames each into place).
# Usage: model-many-files.sh [NFILES=20000] [FILE_BYTES=4096] [RUNS=5]
. "$(dirname "$0")/model-common.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
NFILES=${1:-20000}
BYTES=${2:-4096}
RUNS=${3:-5}
echo "# $NFILES files of $BYTES bytes in 100 folders, $RUNS runs each (warm page cache)"
cd "$BENCH_ROOT"
git init -q repo && cd repo && git commit -q --allow-empty -m init
python3 "$HERE/small-files.py" ds "$NFILES" "$BYTES"
cp -r ds ../ds-git
sync

cd "$BENCH_ROOT" && git init -q gitrepo && mv ds-git gitrepo/ds
cd "$BENCH_ROOT/repo"
# Each run starts from an empty cache (and an empty git object store). What the previous run wrote is
# moved to $TRASH, not deleted: on ext4 without a journal, the inode allocator skips every inode freed in
# the last minutes one by one (fs/ext4/ialloc.c, recently_deleted), so deleting 20,000 files right before
# a timed run makes every file creation of that run slower — for git and git model alike, and by an amount
# that depends on what else the machine deleted lately. FREE_INODES=1 deletes instead (the old way).
if [ "${FREE_INODES:-0}" = 1 ]; then
    clear_model="rm -rf .git/mlci"
    clear_git="rm -rf .git/objects/[0-9a-f][0-9a-f]"
else
    clear_model="mv .git/mlci $TRASH/m\$\$ 2>/dev/null || true"
    clear_git="mv .git/objects $TRASH/g\$\$ && mkdir -p .git/objects/info .git/objects/pack"
fi
# Interleaved rounds: the machine's load changes; each round times every command once.
interleave "$RUNS" \
    md5sum "true" "find ds -type f -print0 | xargs -0 md5sum >/dev/null" \
    model_add "$clear_model; rm -f ds.mlci .gitignore; sync" "git model add ds" \
    cp_r_sync "sync" "cp -r ds $TRASH/c\$\$ && sync" \
    git_add_all "cd ../gitrepo && rm -f .git/index && $clear_git; sync" \
    "cd ../gitrepo && git add -A"
(cd ../gitrepo && git add -A && git commit -q -m files)
git model add ds >/dev/null 2>&1
sleep 2
git model status >/dev/null # re-records entries that were racy right after the add
interleave "$RUNS" \
    git_status "true" "cd ../gitrepo && git status" \
    model_status "true" "git model status" \
    model_readd_unchanged "true" "git model add ds"

echo "# ratios of the medians (goal in brackets)"
echo "git add -A / model add          = $(ratio2 git_add_all model_add)   [>= 5]"
echo "model add / md5sum              = $(ratio2 model_add md5sum)"
echo "model add / cp -r && sync       = $(ratio2 model_add cp_r_sync)"
echo "model status / git status       = $(ratio2 model_status git_status)   [<= 2]"
