#!/usr/bin/env bash
# Benchmark (issue 19): `git model status` of a small folder, where start-up weighs most, against `git
# status` of the same files committed to plain git. Both sides run alike: `sh -c 'cd REPO && exec CMD'`,
# interleaved (pairtime.py). Goal: at most 2x at 1,000 files. model-many-files.sh measures 20,000.
# Usage: tests/bench/model-status.sh [NFILES=1000] [FILE_BYTES=4096]   (git-model must be on PATH)
source "$(dirname "$0")/common.sh"
NFILES=${1:-1000}
BYTES=${2:-4096}
cd "$BENCH_TMP"
git init -q repo && git -C repo commit -q --allow-empty -m init
python3 "$BENCH_SCRIPTS/small-files.py" repo/ds "$NFILES" "$BYTES"
git init -q gitrepo && cp -r repo/ds gitrepo/ds
git -C gitrepo add -A && git -C gitrepo commit -q -m files
(cd repo && git model add ds >/dev/null && git add ds.mlci .gitignore && git commit -q -m pointers)
sleep 2                                          # past the racy-clean window of both stat caches
(cd repo && git model status >/dev/null)         # re-records entries that were racy right after the add
git -C gitrepo status >/dev/null
echo "# $NFILES files of $BYTES bytes in 100 folders"
compare "git model status" "git status" "sh -c 'cd $BENCH_TMP/repo && exec git-model status'" \
    "sh -c 'cd $BENCH_TMP/gitrepo && exec git status'"
