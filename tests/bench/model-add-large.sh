#!/usr/bin/env bash
# Benchmark: `git model add` of one large file against its peers, in the same run:
#   cat FILE, xxhsum -H2 FILE, cp FILE X && sync, git-lfs's `git add` (if installed).
# Goals (issue 4): default mode ≤ 1.2× cp && sync; hardlink mode ≤ 1.3× cat; ≥ 7× faster than git-lfs.
# Usage: model-add-large.sh [SIZE_MIB=2048] [RUNS=5]   (the file lives in $BENCH_DIR or $TMPDIR)
. "$(dirname "$0")/model-common.sh"
SIZE_MIB=${1:-2048}
RUNS=${2:-5}
echo "# git model add of one ${SIZE_MIB} MiB file, $RUNS runs each (warm page cache)"
cd "$BENCH_ROOT"
git init -q repo && cd repo && git commit -q --allow-empty -m init
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom >big.bin
sync
cat big.bin >/dev/null

# Interleaved rounds: the machine's load changes; each round times every command once. The readers
# (cat, xxhsum, hardlink mode) and the writers (cp, default mode) are interleaved in two groups: in one
# group, the hardlink add ran right after a writer's 2 GiB copy was deleted and synced, and its runs
# spread over 0.33-0.48 s (cat's over 0.21-0.38 s); grouped, 0.28-0.29 s (cat 0.21-0.27 s).
interleave "$RUNS" \
    cat "true" "cat big.bin >/dev/null" \
    xxhsum "true" "xxhsum -H2 big.bin >/dev/null" \
    model_add_hardlink "rm -rf .git/mlci big.bin.mlci .gitignore; chmod 644 big.bin; mkdir -p .mlci; printf '[cache]\nlink = \"hardlink\"\n' >.mlci/config.toml; sync" \
    "git model add big.bin"
# git-lfs's `git add` runs in the same rounds as the other writers (a repository of its own, the same
# file hardlinked into it), so a change of load hits it and mlci alike.
LFS=()
if command -v git-lfs >/dev/null; then
    (cd "$BENCH_ROOT" && git init -q lfs && cd lfs && git lfs install --local >/dev/null &&
        git lfs track '*.bin' >/dev/null && git add .gitattributes && git commit -q -m lfs &&
        ln ../repo/big.bin big.bin)
    LFS=(git_lfs_add "cd $BENCH_ROOT/lfs && { git rm -q --cached -f big.bin 2>/dev/null; rm -rf .git/lfs/objects; sync; }"
        "cd $BENCH_ROOT/lfs && git add big.bin")
fi
interleave "$RUNS" \
    cp_sync "rm -f ../copy.bin; sync" "cp big.bin ../copy.bin && sync" \
    model_add "rm -rf .git/mlci big.bin.mlci .gitignore .mlci ../copy.bin; chmod 644 big.bin; sync" \
    "git model add big.bin" "${LFS[@]}"
rm -f ../copy.bin
rm -rf .git/mlci .mlci big.bin.mlci
chmod 644 big.bin
git model add big.bin >/dev/null 2>&1
sleep 1.2 # let the entry leave the racy second (see git-model(1), STAT CACHE)
bench model_readd_unchanged "$RUNS" "true" "git model add big.bin >/dev/null 2>&1"

echo "# ratios of the medians (goal in brackets)"
echo "model add / (cp && sync)        = $(ratio2 model_add cp_sync)   [<= 1.2]"
echo "model add (hardlink) / cat      = $(ratio2 model_add_hardlink cat)   [<= 1.3]"
echo "model add (hardlink) / xxhsum   = $(ratio2 model_add_hardlink xxhsum)"
if [ ${#LFS[@]} -gt 0 ]; then
    echo "git-lfs git add / model add     = $(ratio2 git_lfs_add model_add)   [>= 7]"
else
    echo "git-lfs not installed: its comparison skipped"
fi
