#!/usr/bin/env bash
# Benchmark: `git model get` of one large file from a folder store against `cp OBJECT X && sync` of the
# same object, interleaved (mlci, peer, mlci, peer…), medians and their ratio.
# get streams the object from the store, hashes it as it writes a temporary in the output folder, fsyncs
# and renames it: it must cost about what copying the bytes and making them durable costs.
# Goal (issue 17): ≤ 1.2× cp && sync. The cache is emptied first, so every byte comes from the store.
# Usage: model-get.sh [SIZE_MIB=1024] [RUNS=5]   (the files live in $BENCH_DIR or $TMPDIR)
. "$(dirname "$0")/model-common.sh"
SIZE_MIB=${1:-1024}
RUNS=${2:-5}
echo "# git model get of one ${SIZE_MIB} MiB file from a folder store, $RUNS runs each (warm page cache)"
cd "$BENCH_ROOT"
mkdir store
git init -q repo && cd repo
mkdir -p .mlci models
printf '[remote.team]\nurl = "%s"\n' "$BENCH_ROOT/store" >.mlci/config.toml
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom >models/big.bin
git model add models/big.bin >/dev/null 2>&1
git add -A && git commit -q -m big
git model bump big >/dev/null
git model push >/dev/null 2>&1
rm -rf .git/mlci/cache models/big.bin
obj=$(find "$BENCH_ROOT/store/xxh128" -type f)
sync
cat "$obj" >/dev/null

interleave "$RUNS" \
    model_get "rm -rf ../out; sync" "git model get big@latest -o ../out" \
    cp_sync "rm -f ../copy.bin; sync" "cp $obj ../copy.bin && sync"
cmp -s "$obj" ../out/big.bin || { echo "bench: the fetched file differs from the object" >&2; exit 1; }
rm -rf ../out ../copy.bin

echo "# ratios of the medians (goal in brackets)"
echo "model get / (cp && sync)        = $(ratio2 model_get cp_sync)   [<= 1.2]"
