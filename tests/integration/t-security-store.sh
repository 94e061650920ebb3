#!/usr/bin/env bash
# Attacks through a store's contents (issue 12, items 2 and 13): a committed folder store holding links
# and FIFOs in place of objects, and objects larger than their pointers. Every read is bounded by the
# pointer's size and refused at once; nothing is followed out of the store; nothing hangs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/security-lib.sh"
# The objects stay loose files, which the tests replace (an object in a pack is a range of the pack,
# read with its length from the index).
STORE_KEYS='pack = false
'

# victim_of_store: a repository committing a 1000-byte artifact whose object in the store is replaced by
# what the caller plants, cloned fresh; cd into the clone. $OBJ is the object's path in the store.
victim_of_store() {
    store_repo
    head -c 1000 /dev/urandom >m.bin
    git model add m.bin >/dev/null 2>&1 && commit_all "m"
    git model push >/dev/null 2>&1 && git push -q origin main
    OBJ=$(store_object "$TRASH/store" "$(xxh128sum m.bin | cut -d' ' -f1)")
    rm -f "$OBJ"
    cd "$TRASH" && git clone -q repo-origin.git victim && cd victim || exit 1
}

# used_kib DIR: disk use of a folder, in KiB.
used_kib() { du -sk "$1" 2>/dev/null | cut -f1; }

begin_test "a good store verifies whole: every object read to its end and matched"
store_repo
head -c 3000000 /dev/urandom >m.bin && mkdir ds && echo a >ds/a && echo b >ds/b
git model add m.bin ds >/dev/null 2>&1 && commit_all "m"
git model push >/dev/null 2>&1
run git model verify --store team --json
expect_rc 0
expect_out '"checked": 4'
expect_out '"corrupt": []'
end_test

begin_test "a store object that is a link to /dev/zero is refused before a byte is copied"
victim_of_store
ln -s /dev/zero "$OBJ"
guard_begin
run timeout 60 git model pull
expect_rc 2
expect_err "is a symbolic link (or lies below one): refused, mlci never follows links in a store"
[ "$(used_kib .git)" -lt 2000 ] || fail "pull wrote $(used_kib .git) KiB under .git"
[ ! -e m.bin ] || fail "a workspace file was written"
run timeout 60 git model verify --store team
expect_rc 1
expect_err "is a symbolic link"
guard_end
end_test

begin_test "with hooks and auto_pull, a plain git checkout does not write without end either"
victim_of_store
ln -s /dev/zero "$OBJ"
git gate install-hooks >/dev/null 2>&1 || fail "install-hooks failed"
mkdir -p .git/mlci && printf '[hooks]\nauto_pull = true\n' >.git/mlci/config.toml # the user's own choice
git checkout -q -b other
run timeout 60 git checkout main
expect_rc 0
expect_err "is a symbolic link"
[ "$(used_kib .git)" -lt 2000 ] || fail "checkout wrote $(used_kib .git) KiB under .git"
end_test

begin_test "a FIFO in place of an object does not hang pull or verify --store; a FIFO in the cache neither"
victim_of_store
mkfifo "$OBJ"
guard_begin
run timeout 60 git model pull
expect_rc 2
expect_err "is not a regular file (a FIFO, device or folder): refused"
run timeout 60 git model verify --store team
expect_rc 1
expect_err "is not a regular file"
# The cache: the object's place taken by a FIFO.
cd "$TRASH/repo"
cobj=$(store_object .git/mlci/cache "$(xxh128sum m.bin | cut -d' ' -f1)")
chmod u+w "$(dirname "$cobj")" && rm -f "$cobj" && mkfifo "$cobj"
run timeout 60 git model verify
expect_rc 1
expect_err "is not a regular file: refused"
expect_err "moved to"
cd "$TRASH/victim"
guard_end
end_test

begin_test "an object larger than its pointer (3 GiB behind 1000 bytes) is refused before it is copied"
victim_of_store
truncate -s 3G "$OBJ"
guard_begin
start=$(date +%s)
run timeout 60 git model pull
expect_rc 2
expect_err "is not 1000 bytes long (3221225472 or more): it is corrupt, refused before it was copied"
[ $(($(date +%s) - start)) -lt 20 ] || fail "the refusal took $(($(date +%s) - start)) s"
[ "$(used_kib .git)" -lt 2000 ] || fail "pull wrote $(used_kib .git) KiB under .git"
guard_end
end_test

begin_test "a store object linked to a file outside the store: the error names no hash of that file"
victim_of_store
echo "a secret of the user's" >"$TRASH/secret.txt"
ln -s "$TRASH/secret.txt" "$OBJ"
secret_hash=$(xxh128sum "$TRASH/secret.txt" | cut -d' ' -f1)
run git model pull
expect_rc 2
expect_not_err "$secret_hash"
run git model verify --store team
expect_rc 1
expect_not_err "$secret_hash"
end_test

begin_test "a fan-out folder of the store that is a link is never followed, written or cleaned through"
store_repo
echo x >x.bin && git model add x.bin >/dev/null 2>&1 && commit_all "x"
hex=$(xxh128sum x.bin | cut -d' ' -f1)
mkdir -p "$TRASH/store/xxh128" "$TRASH/sentinel"
ln -s "$TRASH/sentinel" "$TRASH/store/xxh128/${hex:0:2}"
guard_begin
run git model push
expect_rc 2
expect_err "is a symbolic link or not a folder: refused, mlci never follows links in a store"
run git model gc --remote team --force
expect_rc 0
guard_end
end_test

finish
