#!/usr/bin/env bash
# Scale (issue 18): a folder store of SCALE_N small objects (default 1,000,000; 64–256 bytes each) in packs,
# written by tests/tools/gen-packed-store as pushes would leave it: one pack per folder of live objects
# (SCALE_N / FOLDERS members each, plus its manifest) and SCALE_DEAD dead objects in packs of their own.
# The repository has a folder pointer per folder; the first commit (tag `subset`) holds one of them.
# Timed, with the peak memory of each (/usr/bin/time's maximum resident set size):
#   git model push                   a no-op: the has-check of every object (goal: <= 200 MB), with the
#                                    pack indexes not yet kept in the cache and kept
#   git model fetch --rev subset     1 % of the objects (one folder) into an empty cache
#   git model verify --store         every pack's checksum and every object's hash
#   git model gc --remote --dry-run  what a gc would delete, then once --force (dead packs deleted)
# Environment (defaults): MLCI_STAGE, MLCI_BUILD (build/), MLCI_SCALE_N=1000000, MLCI_SCALE_FOLDERS=100,
# MLCI_SCALE_DEAD=SCALE_N/10, RUNS=3. Quick: MLCI_SCALE_N=100000 RUNS=1 tests/bench/packs-scale.sh
. "$(dirname "$0")/common.sh"
if [ -n "${MLCI_STAGE:-}" ]; then
    PATH="$MLCI_STAGE/bin:$PATH"
fi
SRC=$(cd "$BENCH_SCRIPTS/../.." && pwd)
GEN=${MLCI_GEN:-${MLCI_BUILD:-$SRC/build}/gen-packed-store}
SCALE_N=${MLCI_SCALE_N:-1000000}
FOLDERS=${MLCI_SCALE_FOLDERS:-100}
DEAD=${MLCI_SCALE_DEAD:-$((SCALE_N / 10))}
RUNS=${RUNS:-3}
for c in git-model python3 /usr/bin/time; do
    command -v "$c" >/dev/null || { echo "skip: $c is not installed" >&2; exit 125; }
done
[ -x "$GEN" ] || { echo "skip: $GEN is not built (set MLCI_BUILD)" >&2; exit 125; }
trap 'chmod -R u+w "$BENCH_TMP" 2>/dev/null; rm -rf "$BENCH_TMP"' EXIT
TRASH=$BENCH_TMP/trash
mkdir -p "$TRASH"

cd "$BENCH_TMP"
git init -q repo && cd repo && mkdir -p .mlci
printf '[remote.store]\nurl = "%s"\n' "$BENCH_TMP/store" >.mlci/config.toml
start=$(date +%s.%N)
"$GEN" "$BENCH_TMP/store" . --objects "$SCALE_N" --folders "$FOLDERS" --dead "$DEAD"
echo "# generated in $(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$(date +%s.%N)") s:" \
    "$(find "$BENCH_TMP/store/packs" -name '*.pack' | wc -l) packs, $(du -sh "$BENCH_TMP/store" | cut -f1)"
git add .mlci data/part-0000.mlci && git commit -q -m "one folder" && git tag subset
git add -A && git commit -q -m "every folder"
# The cache as the generator left it (the folders' manifests, no pack index yet): each fetch starts from it.
cp -a "$(git rev-parse --git-common-dir)/mlci/cache" "$BENCH_TMP/cache.seed"
CACHE=$(git rev-parse --git-common-dir)/mlci/cache
PACK_INDEX_CACHE=$CACHE/packs

# timed NAME PREPARE CMD...: RUNS runs of CMD (PREPARE untimed before each); prints the median wall time
# (range), the median CPU time and the largest peak memory; the last run's stderr is kept in $BENCH_TMP/NAME.err.
timed() {
    local name=$1 prep=$2
    shift 2
    local i
    : >"$BENCH_TMP/$name.t"
    for ((i = 0; i < RUNS; i++)); do
        sh -c "$prep" >/dev/null 2>&1
        /usr/bin/time -o "$BENCH_TMP/.t" -f '%e %U %S %M' "$@" >/dev/null 2>"$BENCH_TMP/$name.err" ||
            { echo "bench: failed: $*" >&2; cat "$BENCH_TMP/$name.err" >&2; exit 1; }
        tail -n1 "$BENCH_TMP/.t" >>"$BENCH_TMP/$name.t"
    done
    python3 - "$name" "$*" "$BENCH_TMP/$name.t" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[3]) if l.strip()]
wall = [r[0] for r in rows]
cpu = [r[1] + r[2] for r in rows]
rss = max(r[3] for r in rows) / 1024
print(f"{sys.argv[1]:<26} wall {statistics.median(wall):7.2f} s ({min(wall):.2f}-{max(wall):.2f})  "
      f"cpu {statistics.median(cpu):7.2f} s  peak {rss:6.1f} MB   ({sys.argv[2]}; {len(rows)} runs)")
PY
    grep -E '^(push|fetch|verify|gc):' "$BENCH_TMP/$name.err" | tail -n1 | sed 's/^/    /'
}

idx_clean="rm -rf '$PACK_INDEX_CACHE'"
fresh_cache="chmod -R u+w '$CACHE'; mv '$CACHE' '$TRASH/'\$(date +%s%N); cp -a '$BENCH_TMP/cache.seed' '$CACHE'"
echo "## $SCALE_N live objects in $FOLDERS folders, $DEAD dead; folder store"
timed has_check_cold "$idx_clean" git model push
timed has_check "true" git model push
grep -q "push: 0 objects" "$BENCH_TMP/has_check.err" || { echo "bench: the no-op push pushed" >&2; exit 1; }
timed fetch_1pct "$fresh_cache" git model fetch --rev subset
timed verify_store "true" git model verify --store
timed gc_dry_run "true" git model gc --remote --dry-run
RUNS=1 timed gc_force "true" git model gc --remote --force
echo "# after gc: $(find "$BENCH_TMP/store/packs" -name '*.pack' | wc -l) packs"
