#!/usr/bin/env bash
# git model: packs on a folder store (DESIGN.md section 4). Small objects travel in one pack and its index,
# large ones stay loose files; a fresh clone fetches both and keeps the index in its cache; pack = false
# keeps everything loose; the pack keys are checked (exit 2, file:line, nothing pushed).
. "$(dirname "$0")/lib.sh"

# pack_repo [KEYS]: a repository with a bare origin and a folder store, KEYS added to [remote.team], holding
# a folder of 200 small files and one 2 MB file, committed.
pack_repo() {
    new_repo repo
    mkdir -p "$TRASH/store" .mlci data/small
    printf '[remote.team]\nurl = "%s"\n%s' "$TRASH/store" "${1:-}" >.mlci/config.toml
    for i in $(seq 1 200); do echo "row $i" >"data/small/f$i.txt"; done
    head -c 2000000 /dev/urandom >data/big.bin
    git model add data/small data/big.bin >/dev/null 2>&1 || fail "model add"
    commit_all "data"
}

big_key() { local h; h=$(xxh128sum data/big.bin | cut -d' ' -f1); echo "xxh128/${h:0:2}/${h:2}"; }

begin_test "push: small objects in one pack, its index beside it, the large one loose; a clone gets them all"
pack_repo
run git model push
expect_rc 0
expect_err "push: 202 objects"
# Two packs: the folder's members, then its manifest (visible only once its members are).
expect_eq "$(ls "$TRASH/store/packs" | sed 's/^[0-9a-f]\{32\}//' | sort | tr '\n' ' ')" ".idx .idx .pack .pack "
[ -f "$TRASH/store/$(big_key)" ] || fail "the large object is not a loose file"
expect_eq "$(find "$TRASH/store/xxh128" -type f | wc -l)" "1"
for idx in "$TRASH/store/packs"/*.idx; do
    expect_eq "$(xxh128sum "$idx" | cut -d' ' -f1).idx" "$(basename "$idx")"
    [ -f "${idx%.idx}.pack" ] || fail "an index without its pack"
done
run git model push
expect_rc 0
expect_err "push: 0 objects"
expect_err "202 already there"
expect_eq "$(ls "$TRASH/store/packs" | wc -l)" "4"
sum=$(cat data/small/* data/big.bin | sha256sum)
git push -q origin main
cd "$TRASH" && git clone -q repo-origin.git clone && cd clone
run git model pull
expect_rc 0
expect_err "fetch: 202 objects"
expect_eq "$(cat data/small/* data/big.bin | sha256sum)" "$sum"
# The index read is kept in the cache, read-only and named by its hash.
for idx in "$TRASH/store/packs"/*.idx; do
    kept=.git/mlci/cache/packs/$(basename "$idx")
    [ -f "$kept" ] || fail "the index was not kept in the cache"
    expect_eq "$(stat -c %a "$kept")" "444"
    cmp -s "$kept" "$idx" || fail "the kept index differs from the store's"
done
run git model status --remote --check
expect_rc 0
end_test

begin_test "pack = false keeps every object a loose file; the store still reads packs others pushed"
pack_repo 'pack = false
'
run git model push
expect_rc 0
[ ! -e "$TRASH/store/packs" ] || fail "a pack was written"
expect_eq "$(find "$TRASH/store/xxh128" -type f | wc -l)" "202"
end_test

begin_test "bad pack keys: exit 2 naming file and line, nothing pushed"
pack_repo
for bad in 'pack = "yes"' 'pack_size = 1000' 'pack_threshold = "65MiB"' 'pack_gap = -1' 'repack_below = 2'; do
    printf '[remote.team]\nurl = "%s"\n%s\n' "$TRASH/store" "$bad" >.mlci/config.toml
    run git model push
    expect_rc 2
    expect_err "error: .mlci/config.toml:3: "
    [ -z "$(ls -A "$TRASH/store")" ] || fail "something was pushed with '$bad'"
done
end_test

begin_test "a tiny pack_size: several packs, each visible whole"
pack_repo 'pack_size = "1MiB"
pack_threshold = 600000
'
# Whatever order the parallel puts take, the first pack closes at its third mid-sized object (two and
# every small one stay under 1 MiB) and the fourth goes into the second.
for i in 1 2 3 4; do head -c 500000 /dev/urandom >"data/mid$i.bin"; done
git model add data/mid1.bin data/mid2.bin data/mid3.bin data/mid4.bin >/dev/null 2>&1
commit_all "mid"
run git model push
expect_rc 0
# The members fill one pack and go on in a second; the manifest comes in a third.
expect_eq "$(ls "$TRASH/store/packs"/*.idx | wc -l)" "3"
expect_eq "$(ls "$TRASH/store/packs"/*.pack | wc -l)" "3"
rm -rf .git/mlci/cache data
git checkout -q -- .
run git model pull
expect_rc 0
expect_err "fetch: 206 objects"
end_test

finish
