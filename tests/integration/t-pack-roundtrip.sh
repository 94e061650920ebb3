#!/usr/bin/env bash
# git model: the pack round trip (issue 18, DESIGN.md section 4). A folder of 5,000 small files goes through
# packs to a folder store and to an S3 store (the project's Swift test server, started once for the file),
# and a fresh clone of the bare origin pulls it byte for byte; the store holds a few pack files and no loose
# object under the threshold, while a large object stays loose. pack = false writes loose objects only, and a
# store written that way (as by an mlci before packs) reads and grows fine with packs on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3-server.sh"

s3_server_start "$TEST_ROOT/s3"
BUCKET=mlci-packs
s3_aws s3 mb "s3://$BUCKET" >"$TEST_ROOT/mb.log" 2>&1 || s3_skip "cannot create a bucket: $(tail -1 "$TEST_ROOT/mb.log")"
export AWS_ACCESS_KEY_ID=$S3_KEY_ID AWS_SECRET_ACCESS_KEY=$S3_SECRET
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_SHARED_CREDENTIALS_FILE

THRESHOLD=200000 # pack_threshold in the tests' config: the large file (300,000 bytes) stays loose

# One folder of 5,000 files: 3,500 of 200 random bytes and 1,500 short rows (40 distinct), and one large
# file; made once and copied into each repository.
SRC=$TEST_ROOT/src
mkdir -p "$SRC/data/small"
(cd "$SRC/data/small" && head -c $((3500 * 200)) /dev/urandom | split -b 200 -a 4 - f &&
    for i in $(seq 1 1500); do echo "row $((i % 40))" >"r$i.txt"; done)
head -c 300000 /dev/urandom >"$SRC/data/big.bin"
[ "$(ls "$SRC/data/small" | wc -l)" = 5000 ] || echo "Bail out! the test folder does not hold 5,000 files"
# A small folder for the stores written loose (on S3, one PUT per object: 5,000 would take minutes).
mkdir -p "$TEST_ROOT/few/data/small"
cp "$SRC/data/big.bin" "$TEST_ROOT/few/data/"
cp "$SRC"/data/small/faaa? "$TEST_ROOT/few/data/small/"
# tree_sum: one hash of the content of every file under data/ but the pointers and .gitignore.
tree_sum() { find data -type f ! -name '*.mlci' ! -name .gitignore -print0 | sort -z | xargs -0 sha256sum | sha256sum; }

# pack_repo URL [KEYS...]: repository `repo` with a bare origin, [remote.team] at URL (and endpoint for
# s3://), the folder and the large file of $FROM (default $SRC) tracked and committed; $SUM their tree_sum.
pack_repo() {
    local url=$1 l
    shift
    new_repo repo
    mkdir -p .mlci "$TRASH/store"
    printf '[remote.team]\nurl = "%s"\npack_threshold = %s\n' "$url" "$THRESHOLD" >.mlci/config.toml
    case $url in s3://*) echo "endpoint = \"$S3_ENDPOINT\"" >>.mlci/config.toml ;; esac
    for l in "$@"; do echo "$l" >>.mlci/config.toml; done
    cp -r "${FROM:-$SRC}/data" .
    SUM=$(tree_sum)
    git model add data/small data/big.bin >/dev/null 2>&1 || fail "model add"
    commit_all "data"
    git push -q origin main
}

# pull_clone N: a fresh clone of the bare origin in $TRASH/clone pulls N objects; its files equal the source's.
pull_clone() {
    cd "$TRASH" && git clone -q repo-origin.git clone && cd clone || exit 1
    run git model pull
    expect_rc 0
    expect_err "fetch: $1 objects"
    expect_eq "$(tree_sum)" "$SUM"
    run git model status --remote --check
    expect_rc 0
}

big_hash() { xxh128sum "$SRC/data/big.bin" | cut -d' ' -f1; }

# s3_keys PREFIX: "size key" of every key under PREFIX/ in the bucket.
s3_keys() {
    s3_aws s3 ls --recursive "s3://$BUCKET/$1/" 2>/dev/null | awk '{print $3, $4}'
}

begin_test "folder store: 5,000 files travel in a few packs, the large file loose; a fresh clone gets them all"
pack_repo "$TRASH/store"
run git model push
expect_rc 0
objects=$(sed -n 's/^push: \([0-9]*\) objects.*/\1/p' <<<"$ERR")
[ "${objects:-0}" -gt 3000 ] || fail "push sent ${objects:-no} objects: $ERR"
npacks=$(ls "$TRASH/store/packs" | wc -l)
[ "$npacks" -ge 2 ] && [ "$npacks" -le 6 ] || fail "packs/ holds $npacks files"
expect_eq "$(ls "$TRASH/store/packs"/*.idx | wc -l)" "$(ls "$TRASH/store/packs"/*.pack | wc -l)"
h=$(big_hash)
[ -f "$TRASH/store/xxh128/${h:0:2}/${h:2}" ] || fail "the large object is not loose"
[ -z "$(find "$TRASH/store/xxh128" -type f -size -${THRESHOLD}c)" ] || fail "a small object was stored loose"
loose=$(find "$TRASH/store/xxh128" -type f | wc -l)
[ "$loose" -le 2 ] || fail "$loose loose objects"
# Every object pushed is in the store: packed + loose.
packed=0
for idx in "$TRASH/store/packs"/*.idx; do
    packed=$((packed + $(od -An -tu1 -j16 -N8 "$idx" | awk '{n = 0; for (i = 1; i <= NF; i++) n = n * 256 + $i; print n}')))
done
expect_eq "$((packed + loose))" "$objects"
pull_clone "$objects"
[ -z "$(find .git/mlci/cache -name '*.pack')" ] || fail "a pack entered the cache"
end_test

begin_test "S3 store: the same round trip, a few keys under packs/, no small object loose"
pack_repo "s3://$BUCKET/rt"
run git model push
expect_rc 0
objects=$(sed -n 's/^push: \([0-9]*\) objects.*/\1/p' <<<"$ERR")
[ "${objects:-0}" -gt 3000 ] || fail "push sent ${objects:-no} objects: $ERR"
keys=$(s3_keys rt)
npacks=$(grep -c ' rt/packs/' <<<"$keys")
[ "$npacks" -ge 2 ] && [ "$npacks" -le 6 ] || fail "packs/ holds $npacks keys: $keys"
expect_eq "$(grep -c ' rt/packs/[0-9a-f]\{32\}\.idx$' <<<"$keys")" "$(grep -c ' rt/packs/[0-9a-f]\{32\}\.pack$' <<<"$keys")"
h=$(big_hash)
grep -q "^300000 rt/xxh128/${h:0:2}/${h:2}$" <<<"$keys" || fail "the large object is not loose: $keys"
[ -z "$(awk -v t=$THRESHOLD '$2 ~ /\/xxh128\// && $1 < t' <<<"$keys")" ] || fail "a small object was stored loose"
run git model push
expect_rc 0
expect_err "push: 0 objects"
expect_eq "$(s3_keys rt | wc -l)" "$(wc -l <<<"$keys")"
pull_clone "$objects"
end_test

begin_test "S3 store, pack = false: loose objects only, one key each; a clone pulls them"
FROM=$TEST_ROOT/few pack_repo "s3://$BUCKET/loose" "pack = false"
run git model push
expect_rc 0
objects=$(sed -n 's/^push: \([0-9]*\) objects.*/\1/p' <<<"$ERR")
keys=$(s3_keys loose)
[ -z "$(grep ' loose/packs/' <<<"$keys")" ] || fail "a pack was written with pack = false"
[ "${objects:-0}" -gt 20 ] || fail "push sent ${objects:-no} objects: $ERR"
expect_eq "$(grep -c ' loose/xxh128/' <<<"$keys")" "$objects"
pull_clone "$objects"
end_test

begin_test "a store written loose (pack = false, as before packs) reads and grows fine with packs on"
FROM=$TEST_ROOT/few pack_repo "$TRASH/store" "pack = false"
run git model push
expect_rc 0
[ ! -e "$TRASH/store/packs" ] || fail "a pack was written with pack = false"
objects=$(sed -n 's/^push: \([0-9]*\) objects.*/\1/p' <<<"$ERR")
expect_eq "$(find "$TRASH/store/xxh128" -type f | wc -l)" "$objects"
# The clone has packs on (the default): it reads the loose store, then pushes the new rows and the folder's
# new manifest as one pack.
pull_clone "$objects"
sed -i '/^pack = false$/d' .mlci/config.toml
for i in $(seq 1 50); do echo "new $i" >"data/small/new$i.txt"; done
git model add data/small >/dev/null 2>&1 || fail "model add"
commit_all "more rows"
run git model push
expect_rc 0
expect_err "push: 51 objects"
expect_eq "$(ls "$TRASH/store/packs"/*.idx | wc -l)" "2" # the rows, then the manifest that lists them
expect_eq "$(find "$TRASH/store/xxh128" -type f | wc -l)" "$objects"
git push -q origin HEAD:main
SUM=$(tree_sum)
cd "$TRASH" && git clone -q repo-origin.git clone2 && cd clone2 || exit 1
run git model pull
expect_rc 0
expect_err "fetch: $((objects + 50)) objects"
expect_eq "$(tree_sum)" "$SUM"
end_test

finish
