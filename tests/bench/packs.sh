#!/usr/bin/env bash
# Benchmark (issue 18): small objects in packs against one object per request, each with its peer in the
# same run, on the project's S3 test server (Swift + s3api on 127.0.0.1, tests/integration/s3-server.sh)
# and on a folder store:
#   push / pull of N × 4 KiB files   packs  vs  aws s3 sync (S3) or cp -r (folder), and
#                                    packs  vs  the same mlci with pack = false (one object per request)
#   has-check (no-op push) of HAS_N stored objects: packs (goal <= 1 s) vs pack = false on a loose store
#   gc --remote of GC_N dead small objects: packs vs pack = false (S3: DeleteObjects, 1,000 a request), and
#                                    vs one DELETE each: the mlci of MLCI_OLD_STAGE (built before packs)
#                                    when set, else `aws s3 rm --recursive` (goal >= 50x)
#   1 × BIG_MIB file push / pull:    packs vs pack = false (a large object stays loose: unchanged)
# Times: pairtime.py (common.sh `compare`), interleaved runs, median (range), CPU. Requests: one more run
# of each command, counted by mlci itself (the "(N requests)" of its summary line) and for awscli by its
# --debug log (one "Sending http request" per request sent, retries included). On a folder store the
# files written take their place. Each timed push goes to an empty place of its own (a new prefix/folder).
#
# Environment (defaults): MLCI_STAGE (installed mlci, put first on PATH), MLCI_BUILD (build/: holds
# gen-packed-store), MLCI_OLD_STAGE, MLCI_BENCH_N=20000, MLCI_BENCH_HAS_N=200000, MLCI_BENCH_GC_N=100000,
# MLCI_BENCH_BIG_MIB=1024, MLCI_BENCH_PARTS="small has gc big", MLCI_BENCH_STORES="s3 folder",
# MLCI_BENCH_HAS_LOOSE_S3=1 (upload a loose copy of the has-check store to S3 for the pack = false peer:
# HAS_N PUTs), MLCI_BENCH_GC_PEERS="pack-false others" (only "pack-false": gc is timed against pack = false
# alone and the peer's requests are not counted apart: each load of 100,000 loose objects into the test
# server takes a quarter of an hour, and each gc of them twenty minutes), RUNS=5, WARMUP=1.
# Quick: MLCI_BENCH_N=2000 MLCI_BENCH_HAS_N=20000 MLCI_BENCH_GC_N=5000 MLCI_BENCH_BIG_MIB=64 RUNS=3 \
#        WARMUP=0 tests/bench/packs.sh
. "$(dirname "$0")/common.sh"
if [ -n "${MLCI_STAGE:-}" ]; then
    PATH="$MLCI_STAGE/bin:$PATH"
fi
SRC=$(cd "$BENCH_SCRIPTS/../.." && pwd)
GEN=${MLCI_GEN:-${MLCI_BUILD:-$SRC/build}/gen-packed-store}
N=${MLCI_BENCH_N:-20000}
HAS_N=${MLCI_BENCH_HAS_N:-200000}
GC_N=${MLCI_BENCH_GC_N:-100000}
BIG_MIB=${MLCI_BENCH_BIG_MIB:-1024}
PARTS=" ${MLCI_BENCH_PARTS:-small has gc big} "
STORES=" ${MLCI_BENCH_STORES:-s3 folder} "
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
for c in git-model python3; do
    command -v "$c" >/dev/null || { echo "skip: $c is not installed" >&2; exit 125; }
done
[ -x "$GEN" ] || { echo "skip: $GEN is not built (set MLCI_BUILD)" >&2; exit 125; }
# gc's grace period spares packs younger than a day (other clones may be pushing them): the benchmark's
# packs were uploaded a moment ago.
GC_ARGS=""
if git model gc -h 2>&1 | grep -q -- --grace; then GC_ARGS="--grace 0"; fi
# Where a clone keeps the pack indexes it read (relative to the repository's top).
PACK_INDEX_CACHE=.git/mlci/cache/packs
has_part() { [[ $PARTS == *" $1 "* ]]; }
on() { [[ $STORES == *" $1 "* ]]; }

cleanup() {
    if [ -n "${S3_DIR:-}" ]; then s3_server_cleanup; fi
    chmod -R u+w "$BENCH_TMP" 2>/dev/null
    rm -rf "$BENCH_TMP"
}
trap cleanup EXIT
ENDPOINT=""
if on s3; then
    TEST_ROOT=$BENCH_TMP
    . "$BENCH_SCRIPTS/../integration/s3-server.sh"
    s3_server_start "$BENCH_TMP/s3"
    trap cleanup EXIT
    export AWS_ACCESS_KEY_ID=$S3_KEY_ID AWS_SECRET_ACCESS_KEY=$S3_SECRET AWS_DEFAULT_REGION=us-east-1
    export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
    ENDPOINT=$S3_ENDPOINT
    AWS="$S3_AWS --endpoint-url $S3_ENDPOINT"
    $AWS s3 mb s3://bench >/dev/null
    echo "# S3: Swift s3api at $S3_ENDPOINT, awscli $($S3_AWS --version 2>&1 | cut -d' ' -f1) (its defaults: 10 requests at once)"
fi
echo "# git model $(git model --version 2>/dev/null | head -1); $RUNS interleaved runs (+$WARMUP warm-up) per pair"
echo "# wall times on a shared, loaded machine: read the CPU times beside them"

STORES_DIR=$BENCH_TMP/stores
TRASH=$BENCH_TMP/trash
CTR=$BENCH_TMP/ctr
RESULTS=$BENCH_TMP/results
mkdir -p "$STORES_DIR" "$TRASH"
echo 0 >"$CTR"
: >"$RESULTS"

# Helper scripts the prepare steps run (pairtime runs them through /bin/sh, in the current folder):
# setrun.sh TEMPLATE RUN: point the repository's stores at RUN's places (folders created);
# fresh.sh TEMPLATE: the same for a new RUN (each timed push into an empty place);
# clean.sh PATH...: move paths aside (deleting 20,000 files just before a timed run would slow it).
cat >"$BENCH_TMP/setrun.sh" <<EOF
mkdir -p "$STORES_DIR/\$2/p" "$STORES_DIR/\$2/l" "$STORES_DIR/\$2/cp"
sed "s#@RUN@#\$2#g" "\$1" >.mlci/config.toml
EOF
cat >"$BENCH_TMP/fresh.sh" <<EOF
n=\$((\$(cat "$CTR") + 1))
echo \$n >"$CTR"
sh "$BENCH_TMP/setrun.sh" "\$1" r\$n
EOF
cat >"$BENCH_TMP/clean.sh" <<EOF
for p in "\$@"; do
    if [ -e "\$p" ]; then chmod -R u+w "\$p"; mv "\$p" "$TRASH/\$(date +%s%N)"; fi
done
true
EOF
RUN_NOW="\$(cat $CTR)"

# template NAME: the config of a repository whose stores are s3p / s3l (packs / pack = false on S3) and
# dirp / dirl (the same on folders), at the places of @RUN@.
template() {
    local t=$BENCH_TMP/tmpl-$1
    : >"$t"
    if on s3; then
        printf '[remote.s3p]\nurl = "s3://bench/@RUN@/p"\nendpoint = "%s"\n' "$ENDPOINT" >>"$t"
        printf '[remote.s3l]\nurl = "s3://bench/@RUN@/l"\nendpoint = "%s"\npack = false\n' "$ENDPOINT" >>"$t"
    fi
    printf '[remote.dirp]\nurl = "%s/@RUN@/p"\n' "$STORES_DIR" >>"$t"
    printf '[remote.dirl]\nurl = "%s/@RUN@/l"\npack = false\n' "$STORES_DIR" >>"$t"
    echo "$t"
}

# pair LABEL PEER_LABEL CMD PEER_CMD [pairtime options]: time a pair and keep its lines for the summary.
pair() {
    compare "$@" --runs "$RUNS" --warmup "$WARMUP" | tee -a "$RESULTS"
}

# mlci_requests CMD...: run a git model command once; print the requests its summary line reports.
mlci_requests() {
    local err
    err=$("$@" 2>&1 >/dev/null) || { echo "bench: failed: $* — $err" >&2; exit 1; }
    sed -n 's/.*(\([0-9]*\) requests\{0,1\})$/\1/p' <<<"$err" | tail -1
}
# aws_requests ARGS...: run awscli once; print the requests it sent.
aws_requests() {
    $AWS --debug "$@" 2>&1 >/dev/null | grep -c 'Sending http request' || true
}
# files_in DIR: the regular files below DIR (a folder store's "requests": files written or read).
files_in() { find "$1" -type f | wc -l; }
note() { echo "$*" | tee -a "$RESULTS"; }

# --- push / pull of N small files -------------------------------------------------------------------------
bench_small() {
    echo "## push / pull of $N × 4 KiB files"
    cd "$BENCH_TMP" && git init -q small && cd small && mkdir -p .mlci ds
    local t fresh clean
    t=$(template small)
    fresh="sh $BENCH_TMP/fresh.sh $t"
    # A pull as into a fresh clone: no cache, no files and no stat cache (.git/mlci/state). Left in
    # place, the stat cache would keep N entries per earlier run, which every later run loads and writes.
    clean="sh $BENCH_TMP/clean.sh .git/mlci/cache .git/mlci/state ds down"
    sh "$BENCH_TMP/setrun.sh" "$t" pull-small
    (cd ds && head -c $((N * 4096)) /dev/urandom | split -b 4096 -a 6 - f)
    git model add ds >/dev/null 2>&1 && git add -A && git commit -q -m small
    cp -r ds "$BENCH_TMP/ds.copy"
    if on s3; then
        $fresh
        note "requests of a push to S3: packs $(mlci_requests git model push s3p)," \
            "pack = false $(mlci_requests git model push s3l)," \
            "aws s3 sync $(aws_requests s3 sync ds "s3://bench/r$(cat "$CTR")/aws/")"
        pair "push $N×4KiB S3, packs" "aws s3 sync" "sh -c 'git model push s3p'" \
            "sh -c '$AWS s3 sync ds s3://bench/r$RUN_NOW/aws/ --only-show-errors'" --prepare "$fresh"
        pair "push $N×4KiB S3, packs" "pack = false" "git model push s3p" "git model push s3l" --prepare "$fresh"
    fi
    if on folder; then
        $fresh
        git model push dirp >/dev/null 2>&1 && git model push dirl >/dev/null 2>&1
        note "files written by a push to a folder: packs $(files_in "$STORES_DIR/r$(cat "$CTR")/p")," \
            "pack = false $(files_in "$STORES_DIR/r$(cat "$CTR")/l")"
        pair "push $N×4KiB folder, packs" "cp -r" "sh -c 'git model push dirp'" \
            "sh -c 'cp -r ds $STORES_DIR/r$RUN_NOW/cp/'" --prepare "$fresh"
        pair "push $N×4KiB folder, packs" "pack = false" "git model push dirp" "git model push dirl" \
            --prepare "$fresh"
    fi
    sh "$BENCH_TMP/setrun.sh" "$t" pull-small
    local s
    for s in $(remotes); do git model push "$s" >/dev/null 2>&1; done
    if on s3; then
        $AWS s3 sync ds s3://bench/pull-small/aws/ --only-show-errors
        local rp rl
        $clean && rp=$(mlci_requests git model pull s3p)
        $clean && rl=$(mlci_requests git model pull s3l)
        $clean
        note "requests of a pull from S3: packs $rp, pack = false $rl," \
            "aws s3 sync $(aws_requests s3 sync s3://bench/pull-small/aws/ down)"
        pair "pull $N×4KiB S3, packs" "aws s3 sync" "git model pull s3p" \
            "$AWS s3 sync s3://bench/pull-small/aws/ down --only-show-errors" --prepare "$clean"
        pair "pull $N×4KiB S3, packs" "pack = false" "git model pull s3p" "git model pull s3l" --prepare "$clean"
    fi
    if on folder; then
        pair "pull $N×4KiB folder, packs" "cp -r" "git model pull dirp" "cp -r $BENCH_TMP/ds.copy down" \
            --prepare "$clean"
        pair "pull $N×4KiB folder, packs" "pack = false" "git model pull dirp" "git model pull dirl" \
            --prepare "$clean"
    fi
    $clean && git model pull "$(remotes | head -1)" >/dev/null 2>&1
    diff -r ds "$BENCH_TMP/ds.copy" >/dev/null || { echo "bench: pull gave different files" >&2; exit 1; }
}

# remotes: the stores of the template, packs first.
remotes() {
    if on s3; then printf '%s\n' s3p s3l; fi
    printf '%s\n' dirp dirl
}

# --- has-check ---------------------------------------------------------------------------------------------
bench_has() {
    echo "## has-check: a no-op push of $HAS_N stored objects"
    cd "$BENCH_TMP" && git init -q has && cd has && mkdir -p .mlci
    local t folders=$((HAS_N / 10000))
    [ "$folders" -ge 1 ] || folders=1
    t=$(template has)
    sh "$BENCH_TMP/setrun.sh" "$t" has
    "$GEN" "$STORES_DIR/has/p" . --objects "$HAS_N" --folders "$folders" >/dev/null
    "$GEN" "$STORES_DIR/has/l" . --objects "$HAS_N" --folders "$folders" --loose >/dev/null
    git add -A && git commit -q -m has
    local idx="sh $BENCH_TMP/clean.sh $PACK_INDEX_CACHE"
    if on s3; then
        $AWS s3 cp --recursive --only-show-errors "$STORES_DIR/has/p/packs" s3://bench/has/p/packs/
        $idx
        local cold warm
        cold=$(mlci_requests git model push s3p)
        warm=$(mlci_requests git model push s3p)
        git model push s3p 2>&1 | grep -q "push: 0 objects" || { echo "bench: the has-check pushed" >&2; exit 1; }
        if [ "${MLCI_BENCH_HAS_LOOSE_S3:-1}" = 1 ]; then
            $AWS s3 cp --recursive --only-show-errors "$STORES_DIR/has/l/xxh128" s3://bench/has/l/xxh128/
            note "requests of a no-op push on S3: packs $warm (indexes not yet kept: $cold)," \
                "pack = false $(mlci_requests git model push s3l)"
            pair "no-op push of $HAS_N S3, packs" "pack = false" "git model push s3p" "git model push s3l"
        else
            note "requests of a no-op push on S3: packs $warm (indexes not yet kept: $cold)"
        fi
        pair "no-op push of $HAS_N S3, indexes not kept" "indexes kept" "git model push s3p" \
            "git model push s3p" --prepare "$idx" --prepare-peer true
    fi
    if on folder; then
        pair "no-op push of $HAS_N folder, packs" "pack = false" "git model push dirp" "git model push dirl"
    fi
}

# gc_left STORE: after timed gc runs, say whether they deleted every dead object (a gc that leaves them
# measures no deletion).
gc_left() {
    local left
    left=$(git model gc --remote "$1" --dry-run $GC_ARGS 2>&1 | sed -n 's/^gc: would remove \([0-9]*\) objects.*/\1/p')
    if [ "$left" != 0 ]; then
        note "WARNING: gc --remote $1 left $left dead objects: its time above is not that of deleting them"
    fi
}

# --- gc --remote of dead objects ---------------------------------------------------------------------------
bench_gc() {
    echo "## gc --remote of $GC_N dead 4 KiB objects (10 live ones kept)"
    cd "$BENCH_TMP" && git init -q gc && cd gc && mkdir -p .mlci
    local t src=$BENCH_TMP/gc-src
    t=$(template gc)
    sh "$BENCH_TMP/setrun.sh" "$t" gc
    local gen=(--objects 10 --folders 1 --dead "$GC_N" --min-size 4096 --max-size 4096)
    "$GEN" "$src/p" . "${gen[@]}" --pack-objects 65536 >/dev/null
    "$GEN" "$src/l" . "${gen[@]}" --loose >/dev/null
    git add -A && git commit -q -m gc
    local old=${MLCI_OLD_STAGE:-}
    if [ -n "$old" ]; then
        git clone -q . ../gc-old
        : >../gc-old/.mlci/config.toml
        if on s3; then
            printf '[remote.s3o]\nurl = "s3://bench/gc/o"\nendpoint = "%s"\n' "$ENDPOINT" >>../gc-old/.mlci/config.toml
        fi
        printf '[remote.diro]\nurl = "%s/gc/o"\n' "$STORES_DIR" >>../gc-old/.mlci/config.toml
    fi
    local gc="git model gc --remote" oldgc="sh -c 'cd ../gc-old && $old/bin/git-model gc --remote"
    if on s3; then
        local up="$AWS s3 cp --recursive --only-show-errors"
        local rp="$up $src/p/packs s3://bench/gc/p/packs/" rl="$up $src/l/xxh128 s3://bench/gc/l/xxh128/"
        local ro="$up $src/l/xxh128 s3://bench/gc/o/xxh128/"
        local line
        local others=false
        [[ ${MLCI_BENCH_GC_PEERS:-pack-false others} == *others* ]] && others=true
        line="requests of gc --remote on S3: packs $($rp && mlci_requests $gc s3p --force $GC_ARGS)"
        $others && line+=", pack = false $($rl && mlci_requests $gc s3l --force)"
        if $others && [ -n "$old" ]; then
            line+=", mlci before packs $($ro && cd ../gc-old && mlci_requests "$old/bin/git-model" gc --remote s3o --force)"
        fi
        note "$line"
        pair "gc $GC_N dead S3, packs" "pack = false" "$gc s3p --force $GC_ARGS" "$gc s3l --force" \
            --prepare "$rp" --prepare-peer "$rl"
        gc_left s3p
        if ! $others; then
            :
        elif [ -n "$old" ]; then
            pair "gc $GC_N dead S3, packs" "mlci before packs" "$gc s3p --force $GC_ARGS" \
                "$oldgc s3o --force'" --prepare "$rp" --prepare-peer "$ro"
        else
            pair "gc $GC_N dead S3, packs" "aws s3 rm --recursive" "$gc s3p --force $GC_ARGS" \
                "$AWS s3 rm --recursive --only-show-errors s3://bench/gc/l/xxh128/" --prepare "$rp" --prepare-peer "$rl"
        fi
    fi
    if on folder; then
        local d=$STORES_DIR/gc
        local fp="sh $BENCH_TMP/clean.sh $d/p && cp -a $src/p $d/p"
        local fl="sh $BENCH_TMP/clean.sh $d/l && cp -a $src/l $d/l"
        local fo="sh $BENCH_TMP/clean.sh $d/o && cp -a $src/l $d/o"
        pair "gc $GC_N dead folder, packs" "pack = false" "$gc dirp --force $GC_ARGS" "$gc dirl --force" \
            --prepare "$fp" --prepare-peer "$fl"
        gc_left dirp
        if [ -n "$old" ]; then
            pair "gc $GC_N dead folder, packs" "mlci before packs" "$gc dirp --force $GC_ARGS" \
                "$oldgc diro --force'" --prepare "$fp" --prepare-peer "$fo"
        fi
    fi
}

# --- one large file ----------------------------------------------------------------------------------------
bench_big() {
    echo "## 1 × $BIG_MIB MiB file"
    cd "$BENCH_TMP" && git init -q big && cd big && mkdir -p .mlci
    local t fresh clean s
    t=$(template big)
    fresh="sh $BENCH_TMP/fresh.sh $t"
    clean="sh $BENCH_TMP/clean.sh .git/mlci/cache .git/mlci/state big.bin"
    sh "$BENCH_TMP/setrun.sh" "$t" pull-big
    head -c "$((BIG_MIB * 1024 * 1024))" /dev/urandom >big.bin
    cp big.bin "$BENCH_TMP/big.copy"
    git model add big.bin >/dev/null 2>&1 && git add -A && git commit -q -m big
    if on s3; then
        pair "push 1×${BIG_MIB}MiB S3, packs" "pack = false" "git model push s3p" "git model push s3l" --prepare "$fresh"
    fi
    if on folder; then
        pair "push 1×${BIG_MIB}MiB folder, packs" "pack = false" "git model push dirp" "git model push dirl" \
            --prepare "$fresh"
    fi
    sh "$BENCH_TMP/setrun.sh" "$t" pull-big
    for s in $(remotes); do git model push "$s" >/dev/null 2>&1; done
    if on s3; then
        pair "pull 1×${BIG_MIB}MiB S3, packs" "pack = false" "git model pull s3p" "git model pull s3l" --prepare "$clean"
    fi
    if on folder; then
        pair "pull 1×${BIG_MIB}MiB folder, packs" "pack = false" "git model pull dirp" "git model pull dirl" \
            --prepare "$clean"
    fi
    $clean && git model pull "$(remotes | head -1)" >/dev/null 2>&1
    cmp -s big.bin "$BENCH_TMP/big.copy" || { echo "bench: pull gave different bytes" >&2; exit 1; }
}

has_part small && bench_small
has_part has && bench_has
has_part gc && bench_gc
has_part big && bench_big
echo
echo "# summary"
cat "$RESULTS"
