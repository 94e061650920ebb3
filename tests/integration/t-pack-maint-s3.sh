#!/usr/bin/env bash
# gc --remote and repack on an S3 store (the project's Swift + s3api test server, started once for the file):
# gc leaves fresh packs alone, then rewrites mostly dead ones (ranged reads, DeleteObjects), and a fresh clone
# still fetches everything; repack converts a store pushed loose, and a second run does nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3-server.sh"

s3_server_start "$TEST_ROOT/s3"
BUCKET=mlci-pack-maint
s3_aws s3 mb "s3://$BUCKET" >"$TEST_ROOT/mb.log" 2>&1 || s3_skip "cannot create a bucket: $(tail -1 "$TEST_ROOT/mb.log")"
export AWS_ACCESS_KEY_ID=$S3_KEY_ID AWS_SECRET_ACCESS_KEY=$S3_SECRET
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_SHARED_CREDENTIALS_FILE

# s3_config PREFIX [EXTRA LINE...]: one store [remote.s3] on s3://$BUCKET/PREFIX.
s3_config() {
    local prefix=$1 l
    shift
    mkdir -p .mlci
    printf '[remote.s3]\nurl = "s3://%s/%s"\nendpoint = "%s"\n' "$BUCKET" "$prefix" "$S3_ENDPOINT" >.mlci/config.toml
    for l in "$@"; do echo "$l" >>.mlci/config.toml; done
}
keys() { s3_aws s3 ls --recursive "s3://$BUCKET/$1/" | awk '{print $4}' | sort; }

begin_test "S3: gc leaves fresh packs, then (--grace 0) rewrites mostly dead ones; a fresh clone gets everything"
new_repo repo
s3_config gc
commit_all "config"
git checkout -q -b junk
unique_files data/keep 3 100 keep
unique_files data/junk 20 2000 junk
git model add data/keep data/junk >/dev/null 2>&1 || fail "model add"
commit_all "keep and junk"
git model push >/dev/null 2>&1 || fail "push"
git checkout -q main
rm -rf data
unique_files data/keep 3 100 keep
git model add data/keep >/dev/null 2>&1 || fail "model add keep"
commit_all "keep"
git branch -q -D junk
before=$(keys gc)
run git model gc --remote --force
expect_rc 0
expect_err "left 2 younger than the grace period"
expect_eq "$(keys gc)" "$before"
run git model gc --remote --force --grace 0
expect_rc 0
expect_err "deleted 0 packs and rewrote 2"
for k in $before; do
    keys gc | grep -qx "$k" && fail "old pack file $k still on the store"
done
expect_eq "$(keys gc | grep -c '\.idx$')" "1"
run git model verify --store
expect_rc 0
sum=$(cat data/keep/* | sha256sum)
git push -q origin main
cd "$TRASH" && git clone -q repo-origin.git clone && cd clone || exit 1
run git model pull
expect_rc 0
expect_eq "$(cat data/keep/* | sha256sum)" "$sum"
end_test

begin_test "S3: repack converts a store pushed loose; a clone fetches it; a second repack does nothing"
new_repo repo
s3_config rp 'pack = false'
unique_files data/small 25 200 small
git model add data/small >/dev/null 2>&1 || fail "model add"
commit_all "data"
git model push >/dev/null 2>&1 || fail "push"
git push -q origin main
expect_eq "$(keys rp | grep -c '^rp/xxh128/')" "26"
s3_config rp
run git model repack
expect_rc 0
expect_err "repack: packed 26 loose objects"
expect_eq "$(keys rp | grep -c '^rp/xxh128/')" "0"
expect_eq "$(keys rp | grep -c '\.idx$')" "1"
run git model repack
expect_rc 0
expect_err "repack: packed 0 loose objects"
cd "$TRASH" && git clone -q repo-origin.git clone && cd clone || exit 1
s3_config rp
run git model pull
expect_rc 0
expect_err "fetch: 26 objects"
end_test

finish
