#!/usr/bin/env bash
# Benchmark: git model push / pull on an S3 store against awscli on the same server, in the same run
# (OpenStack Swift + s3api on 127.0.0.1, started by tests/integration/s3-server.sh):
#   1 × SIZE_MIB file:      git model push  vs  aws s3 cp FILE s3://…   (upload)
#                           git model fetch / pull  vs  aws s3 cp s3://… FILE (and && sync FILE: git model
#                           fsyncs what it accepts into the cache)   (download)
#   NFILES × 4 KiB folder:  git model push  vs  aws s3 sync DIR s3://…  (into an empty prefix each run)
#                           git model pull  vs  aws s3 sync s3://… DIR
#   no-op (all there):      git model push  vs  aws s3 sync DIR s3://…
# Goals (issue 7): at least awscli's throughput on both, the no-op far faster.
# Usage: s3.sh [SIZE_MIB=1024] [NFILES=2000] [RUNS=3]
. "$(dirname "$0")/model-common.sh"
SIZE_MIB=${1:-1024}
NFILES=${2:-2000}
RUNS=${3:-3}
TEST_ROOT=$BENCH_ROOT
. "$(dirname "$0")/../integration/s3-server.sh"
trap 's3_server_cleanup; chmod -R u+w "$BENCH_ROOT" 2>/dev/null; rm -rf "$BENCH_ROOT"' EXIT
s3_server_start "$BENCH_ROOT/s3"
trap 's3_server_cleanup; chmod -R u+w "$BENCH_ROOT" 2>/dev/null; rm -rf "$BENCH_ROOT"' EXIT
export AWS_ACCESS_KEY_ID=$S3_KEY_ID AWS_SECRET_ACCESS_KEY=$S3_SECRET AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
AWS="$S3_AWS --endpoint-url $S3_ENDPOINT"
$AWS s3 mb s3://bench >/dev/null
echo "# S3 store on Swift s3api at $S3_ENDPOINT; $RUNS runs each, interleaved; awscli $($S3_AWS --version 2>&1 | cut -d' ' -f1)"
echo "# git model: default jobs (8) and part size (16 MiB); awscli: its defaults (10 requests, 8 MiB parts)"

# Each timed upload goes to a prefix of its own, so no run finds the previous run's objects.
echo 0 >"$BENCH_ROOT/ctr"
NEXT='n=$(($(cat '"$BENCH_ROOT"'/ctr) + 1)); echo $n >'"$BENCH_ROOT"'/ctr'
CUR='$(cat '"$BENCH_ROOT"'/ctr)'

cd "$BENCH_ROOT"
git init -q big && cd big && mkdir -p .mlci
printf '[remote.s3]\nurl = "s3://bench/big"\nendpoint = "%s"\n' "$S3_ENDPOINT" >.mlci/config.toml
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom >big.bin
git model add big.bin >/dev/null 2>&1 && git add -A && git commit -q -m big
cp big.bin "$BENCH_ROOT/big.copy"
$AWS s3 cp "$BENCH_ROOT/big.copy" s3://bench/awsbig/big.bin >/dev/null # what aws s3 cp downloads
echo "## 1 × $SIZE_MIB MiB"
interleave "$RUNS" \
    push_big "$NEXT; sed -i \"s#s3://bench/[^\\\"]*#s3://bench/big$CUR#\" .mlci/config.toml" "git model push" \
    aws_cp_up "$NEXT" "$AWS s3 cp $BENCH_ROOT/big.copy s3://bench/awsbig$CUR/big.bin" \
    fetch_big "rm -rf .git/mlci/cache" "git model fetch" \
    pull_big "rm -rf .git/mlci/cache big.bin" "git model pull" \
    aws_cp_down "rm -f $BENCH_ROOT/big.down" "$AWS s3 cp s3://bench/awsbig/big.bin $BENCH_ROOT/big.down" \
    aws_cp_down_sync "rm -f $BENCH_ROOT/big.down" \
    "$AWS s3 cp s3://bench/awsbig/big.bin $BENCH_ROOT/big.down && sync $BENCH_ROOT/big.down"
cmp -s big.bin "$BENCH_ROOT/big.copy" || { echo "pull gave different bytes" >&2; exit 1; }
rm -f "$BENCH_ROOT/big.down" "$BENCH_ROOT/big.copy"

cd "$BENCH_ROOT"
git init -q small && cd small && mkdir -p .mlci ds
printf '[remote.s3]\nurl = "s3://bench/small"\nendpoint = "%s"\n' "$S3_ENDPOINT" >.mlci/config.toml
(cd ds && head -c $((NFILES * 4096)) /dev/urandom | split -b 4096 -a 5 - f)
git model add ds >/dev/null 2>&1 && git add -A && git commit -q -m small
cp -r ds "$BENCH_ROOT/ds.copy"
$AWS s3 sync "$BENCH_ROOT/ds.copy" s3://bench/awssmall/ >/dev/null # what aws s3 sync downloads
echo "## $NFILES × 4 KiB"
interleave "$RUNS" \
    push_small "$NEXT; sed -i \"s#s3://bench/[^\\\"]*#s3://bench/small$CUR#\" .mlci/config.toml" "git model push" \
    aws_sync_up "$NEXT" "$AWS s3 sync $BENCH_ROOT/ds.copy s3://bench/awssmall$CUR/" \
    pull_small "rm -rf .git/mlci/cache ds" "git model pull" \
    aws_sync_down "rm -rf $BENCH_ROOT/ds.down" "$AWS s3 sync s3://bench/awssmall/ $BENCH_ROOT/ds.down"
diff -r ds "$BENCH_ROOT/ds.copy" >/dev/null || { echo "pull gave different files" >&2; exit 1; }
echo "## no-op: everything already on the store"
interleave "$RUNS" \
    noop_push "true" "git model push" \
    noop_aws_sync "true" "$AWS s3 sync $BENCH_ROOT/ds.copy s3://bench/awssmall/"

echo "# ratios (git model / awscli; below 1 is faster)"
echo "push 1 × $SIZE_MIB MiB  / aws s3 cp      = $(ratio "$MEDIAN_push_big" "$MEDIAN_aws_cp_up")   [<= 1]"
echo "fetch 1 × $SIZE_MIB MiB / aws s3 cp      = $(ratio "$MEDIAN_fetch_big" "$MEDIAN_aws_cp_down")   [<= 1]"
echo "fetch 1 × $SIZE_MIB MiB / aws s3 cp+sync = $(ratio "$MEDIAN_fetch_big" "$MEDIAN_aws_cp_down_sync")   (git model fsyncs every object it accepts)"
echo "pull 1 × $SIZE_MIB MiB  / aws s3 cp      = $(ratio "$MEDIAN_pull_big" "$MEDIAN_aws_cp_down")   (pull also checks the file out)"
echo "push $NFILES × 4 KiB   / aws s3 sync    = $(ratio "$MEDIAN_push_small" "$MEDIAN_aws_sync_up")   [<= 1]"
echo "pull $NFILES × 4 KiB   / aws s3 sync    = $(ratio "$MEDIAN_pull_small" "$MEDIAN_aws_sync_down")   [<= 1]"
echo "no-op push            / aws s3 sync    = $(ratio "$MEDIAN_noop_push" "$MEDIAN_noop_aws_sync")   [far below 1]"
