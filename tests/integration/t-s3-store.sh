#!/usr/bin/env bash
# git model on an S3 store, against a real S3-compatible server that verifies SigV4 signatures and payload
# hashes (OpenStack Swift with s3api, started by s3-server.sh on 127.0.0.1, once for the whole file):
# round trips (multipart, thousands of objects, listings over 1,000 keys), awscli reading and writing the
# same keys, credentials (order, refusal, never printed), dead stores, a server killed during a push,
# a corrupt object on the server, and gc on both sides.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3-server.sh"

s3_server_start "$TEST_ROOT/s3"
BUCKET=mlci-test
s3_aws s3 mb "s3://$BUCKET" >"$TEST_ROOT/mb.log" 2>&1 || s3_skip "cannot create a bucket: $(tail -1 "$TEST_ROOT/mb.log")"
export AWS_ACCESS_KEY_ID=$S3_KEY_ID AWS_SECRET_ACCESS_KEY=$S3_SECRET
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_SHARED_CREDENTIALS_FILE

# s3_config PREFIX [EXTRA LINE...]: .mlci/config.toml with one store [remote.s3] on s3://$BUCKET/PREFIX.
s3_config() {
    local prefix=$1
    shift
    mkdir -p .mlci
    printf '[remote.s3]\nurl = "s3://%s/%s"\nendpoint = "%s"\n' "$BUCKET" "$prefix" "$S3_ENDPOINT" >.mlci/config.toml
    local l
    for l in "$@"; do echo "$l" >>.mlci/config.toml; done
}
# obj_key PREFIX POINTER: the object's key on the store (DESIGN.md section 4: PREFIX/xxh128/ab/<30 hex>).
obj_key() {
    local h
    h=$(sed -n 's/^hash = "xxh128:\(.*\)"$/\1/p' "$2")
    echo "$1/xxh128/${h:0:2}/${h:2}"
}
obj_hash() { sed -n 's/^hash = "\(.*\)"$/\1/p' "$1"; }
cache_count() { cache_files .git/mlci/cache | wc -l; }
# srun CMD...: run, then check that neither output holds the secret.
srun() {
    run "$@"
    if grep -qF -- "$S3_SECRET" <<<"$OUT$ERR"; then
        fail "the secret was printed by: $* (line ${BASH_LINENO[0]})"
    fi
}

begin_test "round trip: a 200 MB object (multipart) and 2,000 small ones; listings over 1,000 keys"
new_repo a
s3_config rt
mkdir -p models data/small
head -c 200000000 /dev/urandom >models/big.bin
(cd data/small && head -c $((2000 * 4096)) /dev/urandom | split -b 4096 -a 4 - f)
srun git model add models/big.bin data/small
expect_rc 0
commit_all "track a model and a folder"
srun git model push --json
expect_rc 0
expect_out '"objects": 2002'
expect_out '"failed": 0'
# Everything there now: the no-op push learns it from one listing of 2,002 keys (three pages).
srun git model push
expect_rc 0
expect_err "push: 0 objects (0 B)"
expect_err "2002 already there"
git clone -q "$TRASH/a" "$TRASH/b"
cd "$TRASH/b" || exit 1
srun git model pull
expect_rc 0
expect_err "fetch: 2002 objects"
cmp -s models/big.bin ../a/models/big.bin || fail "big.bin differs after the round trip"
diff -r data/small ../a/data/small >/dev/null || fail "the folder differs after the round trip"
srun git model status --remote --check --json
expect_rc 0
expect_out '"ok": true'
end_test

begin_test "awscli reads what mlci wrote at DESIGN.md's keys; mlci pulls what awscli wrote"
cd "$TEST_ROOT/t1/a" || exit 1
s3_aws s3 cp "s3://$BUCKET/$(obj_key rt models/big.bin.mlci)" - 2>/dev/null | cmp -s - models/big.bin ||
    fail "awscli did not read big.bin byte for byte at $(obj_key rt models/big.bin.mlci)"
new_repo c
s3_config awsput
head -c 3000000 /dev/urandom >m.bin
echo "weights v1" >n.txt
srun git model add m.bin n.txt
commit_all "track"
mkdir -p "$TRASH/up"
for f in m.bin n.txt; do
    k=$(obj_key up $f.mlci)
    mkdir -p "$TRASH/$(dirname "$k")"
    cp $f "$TRASH/$k"
    cp $f "$TRASH/$f.orig"
done
s3_aws s3 sync "$TRASH/up" "s3://$BUCKET/awsput" >/dev/null 2>&1 || fail "aws s3 sync failed"
rm -rf .git/mlci m.bin n.txt
srun git model pull
expect_rc 0
cmp -s m.bin "$TRASH/m.bin.orig" || fail "m.bin put by awscli did not come back"
cmp -s n.txt "$TRASH/n.txt.orig" || fail "n.txt put by awscli did not come back"
end_test

begin_test "wrong secret: exit 2 naming the key id, never the secret; nothing enters the cache"
git clone -q "$TEST_ROOT/t1/a" w && cd w || exit 1
srun env AWS_SECRET_ACCESS_KEY=Wr0ng-secret-81ad git model pull
expect_rc 2
expect_err "key id 'test:tester'"
expect_err "SignatureDoesNotMatch"
expect_err "hint:"
expect_not_err "Wr0ng-secret-81ad"
expect_eq "$(cache_count)" 0
[ -e models/big.bin ] && fail "a file was checked out with a refused secret"
srun env AWS_SECRET_ACCESS_KEY=Wr0ng-secret-81ad git model push --json
expect_rc 2
expect_not_out "Wr0ng-secret-81ad"
expect_not_err "Wr0ng-secret-81ad"
end_test

begin_test "credentials: git config, then ~/.aws/credentials; none is exit 2; a committed secret is refused"
git clone -q "$TEST_ROOT/t1/a" cr && cd cr || exit 1
srun env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY git model push
expect_rc 2
expect_err "no credentials for store 's3'"
expect_err "git config mlci.remote.s3.access-key-id"
git config mlci.remote.s3.access-key-id "$S3_KEY_ID"
git config mlci.remote.s3.secret-access-key "$S3_SECRET"
srun env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY git model status --remote --json models/big.bin
expect_rc 0
expect_out '"store": "ok"'
git config --unset mlci.remote.s3.access-key-id
git config --unset mlci.remote.s3.secret-access-key
mkdir -p "$HOME/.aws"
printf '[default]\naws_access_key_id = nobody\naws_secret_access_key = nothing\n[ci]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
    "$S3_KEY_ID" "$S3_SECRET" >"$HOME/.aws/credentials"
srun env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_PROFILE=ci git model status --remote --json models/big.bin
expect_rc 0
expect_out '"store": "ok"'
srun env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY git model status --remote models/big.bin
expect_rc 2
expect_err "key id 'nobody'"
expect_err "$HOME/.aws/credentials [default]"
rm -rf "$HOME/.aws"
echo 'secret_access_key = "abc123"' >>.mlci/config.toml
srun git model push
expect_rc 2
expect_err "holds a secret"
expect_err "git config mlci.remote.NAME.secret-access-key"
end_test

begin_test "dead stores: connection refused, unknown host, missing bucket, bad settings: exit 2, clear"
new_repo d
port=$(s3_free_port)
mkdir -p .mlci
cat >.mlci/config.toml <<EOF
[remote.refused]
url = "s3://$BUCKET/x"
endpoint = "http://127.0.0.1:$port"
[remote.nohost]
url = "s3://$BUCKET/x"
endpoint = "http://no-such-host.invalid:9000"
[remote.nobucket]
url = "s3://no-such-bucket-mlci/x"
endpoint = "$S3_ENDPOINT"
[remote.tiny]
url = "s3://$BUCKET/x"
endpoint = "$S3_ENDPOINT"
part_size = "1MiB"
[remote.ftp]
url = "s3://$BUCKET/x"
endpoint = "ftp://127.0.0.1"
EOF
echo x >f.txt
git model add f.txt >/dev/null 2>&1
commit_all "track"
srun git model push refused
expect_rc 2
expect_err "connection refused by 'http://127.0.0.1:$port'"
srun git model fetch nohost --json
expect_rc 2
expect_err "unknown host"
srun git model push nobucket
expect_rc 2
expect_err "bucket 'no-such-bucket-mlci' does not exist"
srun git model push tiny
expect_rc 2
expect_err "part_size 1.0 MiB is out of range"
srun git model push ftp
expect_rc 2
expect_err "must start with http:// or https://"
end_test

begin_test "server stopped during a push: non-zero exit; a re-run completes; nothing partial visible"
new_repo s
s3_config stop 'part_size = "5MiB"'
ln "$TEST_ROOT/t1/a/models/big.bin" big.bin 2>/dev/null || cp "$TEST_ROOT/t1/a/models/big.bin" big.bin
git model add big.bin >/dev/null 2>&1
commit_all "track"
git model push -j 1 >"$TRASH/push.out" 2>"$TRASH/push.err" &
pid=$!
sleep 1.5
kill -0 $pid 2>/dev/null || fail "the push ended before the server was stopped: the test proves nothing"
s3_server_stop
wait $pid
rc=$?
[ $rc -ne 0 ] || fail "the push succeeded although the server stopped"
grep -q "store 's3'" "$TRASH/push.err" || fail "the failed push did not name the store: $(cat "$TRASH/push.err")"
grep -qF -- "$S3_SECRET" "$TRASH/push.out" "$TRASH/push.err" && fail "the secret was printed"
s3_server_resume
n=$(s3_aws s3 ls --recursive "s3://$BUCKET/stop/" 2>/dev/null | wc -l)
expect_eq "$n" 0
srun git model push
expect_rc 0
expect_err "push: 1 object"
srun git model verify --store --json
expect_rc 0
expect_out '"checked": 1'
expect_out '"corrupt": []'
end_test

begin_test "a corrupt object on the server: pull refuses it (exit 2), the cache stays clean"
new_repo k
s3_config corrupt 'pack = false' # a loose object to corrupt
echo "good bytes" >a.txt
echo "other bytes" >b.txt
git model add a.txt b.txt >/dev/null 2>&1
commit_all "track"
srun git model push
expect_rc 0
echo "evil bytes" >"$TRASH/evil"
s3_aws s3 cp "$TRASH/evil" "s3://$BUCKET/$(obj_key corrupt a.txt.mlci)" >/dev/null 2>&1 || fail "aws s3 cp failed"
before=$(snapshot .git/mlci/cache)
srun git model fetch
expect_rc 0
expect_eq "$(snapshot .git/mlci/cache)" "$before"
git clone -q "$TRASH/k" "$TRASH/k2" && cd "$TRASH/k2" || exit 1
srun git model pull
expect_rc 2
expect_err "$(obj_hash a.txt.mlci) from store 's3' (s3://$BUCKET/corrupt) is corrupt"
[ -e a.txt ] && fail "the corrupt object was checked out"
cmp -s b.txt ../k/b.txt || fail "the intact object was not pulled"
expect_eq "$(cache_count)" 1
[ -e ".git/mlci/cache/xxh128/$(obj_hash a.txt.mlci | cut -c8-9)/$(obj_hash a.txt.mlci | cut -c10-)" ] &&
    fail "the corrupt object entered the cache"
srun git model verify --store --json
expect_rc 1
expect_out "$(obj_hash a.txt.mlci)"
end_test

begin_test "gc --force never deletes remote objects; gc --remote keeps every ref's history"
new_repo g
s3_config gc 'pack = false' # loose objects: gc of packs is gc_packs'
echo keep >keep.txt
git model add keep.txt >/dev/null 2>&1
commit_all "keep"
git checkout -q -b side
echo side >side.txt
git model add side.txt >/dev/null 2>&1
commit_all "side"
git checkout -q main
echo old >keep.txt
git model add keep.txt >/dev/null 2>&1
commit_all "keep v2"
srun git model push --all-branches
expect_rc 0
expect_err "push: 3 objects"
echo tmp >tmp.txt
git model add tmp.txt >/dev/null 2>&1
commit_all "tmp"
srun git model push
expect_rc 0
expect_err "push: 1 object"
tmp=$(obj_hash tmp.txt.mlci)
git reset -q --hard HEAD~1
rm -f tmp.txt
git reflog expire --expire=now --all
srun git model gc --force
expect_rc 0
srun git model verify --store --json
expect_out '"checked": 4'
srun git model gc --remote s3
expect_rc 2
expect_err "say --dry-run"
srun git model gc --remote --dry-run --json
expect_rc 0
expect_out "$tmp"
expect_out '"kept": 3'
srun git model verify --store --json
expect_out '"checked": 4'
srun git model gc --remote s3 --force
expect_rc 0
expect_out "removed $tmp"
srun git model verify --store --json
expect_rc 0
expect_out '"checked": 3'
git checkout -q side
git model checkout >/dev/null 2>&1
srun git model status --remote --check
expect_rc 0
end_test

begin_test "gc --remote works on a folder store too (and removes a killed push's old temporaries)"
new_repo l
mkdir -p "$TRASH/store" .mlci
printf '[remote.dir]\nurl = "%s"\npack = false\n' "$TRASH/store" >.mlci/config.toml
echo keep >keep.txt
git model add keep.txt >/dev/null 2>&1
commit_all "keep"
echo gone >gone.txt
git model add gone.txt >/dev/null 2>&1
commit_all "gone"
srun git model push
expect_rc 0
gone=$(obj_hash gone.txt.mlci)
git reset -q --hard HEAD~1
rm -f gone.txt
git reflog expire --expire=now --all
stale="$TRASH/store/xxh128/aa/$(printf '%030d' 0).mlci-tmp.dead"
mkdir -p "$(dirname "$stale")" && echo half >"$stale" && touch -d '2 hours ago' "$stale"
srun git model gc --remote --dry-run
expect_rc 0
expect_out "would remove $gone"
expect_err "would abort 1 unfinished upload"
[ -e "$stale" ] || fail "--dry-run removed a temporary"
srun git model gc --remote dir --force --json
expect_rc 0
expect_out "$gone"
expect_out '"kept": 1'
[ -e "$stale" ] && fail "the stale temporary is still there"
[ -e "$TRASH/store/xxh128/$(obj_hash keep.txt.mlci | cut -c8-9)/$(obj_hash keep.txt.mlci | cut -c10-)" ] ||
    fail "gc --remote deleted a kept object"
end_test

finish
