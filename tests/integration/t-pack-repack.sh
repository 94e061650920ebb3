#!/usr/bin/env bash
# git model repack (DESIGN.md section 4): a store mlci wrote loose (pushed with pack = false) keeps working
# once packs are on, repack moves its small objects into packs (large ones stay loose), a fresh clone still
# fetches everything, a second repack does nothing; a corrupt loose object is reported and left; pack = false
# refuses.
. "$(dirname "$0")/lib.sh"

# loose_store: a folder of 30 small files and one 2 MB file, pushed to a folder store with pack = false.
loose_store() {
    new_repo repo
    mkdir -p "$TRASH/store" .mlci data/small
    printf '[remote.team]\nurl = "%s"\npack = false\n' "$TRASH/store" >.mlci/config.toml
    for i in $(seq 1 30); do echo "row $i" >"data/small/f$i.txt"; done
    head -c 2000000 /dev/urandom >data/big.bin
    git model add data/small data/big.bin >/dev/null 2>&1 || fail "model add"
    commit_all "data"
    git model push >/dev/null 2>&1 || fail "push"
    git push -q origin main
    [ ! -e "$TRASH/store/packs" ] || fail "pack = false wrote a pack"
}
packs_on() { printf '[remote.team]\nurl = "%s"\n' "$TRASH/store" >.mlci/config.toml; }
loose_count() { find "$TRASH/store/xxh128" -type f | wc -l; }

begin_test "a loose store keeps working with packs on; repack converts it; a clone fetches it; again is a no-op"
loose_store
packs_on
run git model push
expect_rc 0
expect_err "32 already there"
run git model repack --dry-run
expect_rc 0
expect_err "repack: would pack 31 loose objects"
expect_eq "$(loose_count)" "32"
[ ! -e "$TRASH/store/packs" ] || fail "--dry-run wrote a pack"
run git model repack
expect_rc 0
expect_err "repack: packed 31 loose objects"
expect_err "into 1 pack; deleted 31 loose copies"
expect_eq "$(loose_count)" "1"
expect_eq "$(ls "$TRASH/store/packs"/*.idx | wc -l)" "1"
run git model verify --store
expect_rc 0
expect_err "verify: 32 objects"
sum=$(cat data/small/* data/big.bin | sha256sum)
cd "$TRASH" && git clone -q repo-origin.git clone && cd clone || exit 1
run git model pull
expect_rc 0
expect_err "fetch: 32 objects"
expect_eq "$(cat data/small/* data/big.bin | sha256sum)" "$sum"
cd "$TRASH/repo" || exit 1
before=$(snapshot "$TRASH/store")
run git model repack --json
expect_rc 0
expect_out '"loose_small": 0'
expect_eq "$(snapshot "$TRASH/store")" "$before"
end_test

begin_test "repack: a corrupt loose object is reported (exit 2) and left; the others are packed"
loose_store
packs_on
h=$(xxh128sum data/small/f7.txt | cut -d' ' -f1)
f="$TRASH/store/xxh128/${h:0:2}/${h:2}"
chmod u+w "$f" && echo "tampered" >"$f"
run git model repack
expect_rc 2
expect_err "error: object xxh128:$h on store 'team' ($TRASH/store) is corrupt (its bytes do not match its name): left as it is, not packed"
expect_err "repack: packed 30 loose objects"
[ -f "$f" ] || fail "the corrupt loose object was deleted"
expect_eq "$(loose_count)" "2"
end_test

begin_test "repack with pack = false refuses (exit 2) and changes nothing"
loose_store
before=$(snapshot "$TRASH/store")
run git model repack
expect_rc 2
expect_err "is configured with pack = false"
expect_err "hint: set pack = true"
expect_eq "$(snapshot "$TRASH/store")" "$before"
run git model repack --store nosuch-store-name -j 0
expect_rc 2
expect_eq "$(snapshot "$TRASH/store")" "$before"
end_test

finish
