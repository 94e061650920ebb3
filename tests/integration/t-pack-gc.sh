#!/usr/bin/env bash
# git model gc --remote and verify --store on packs (DESIGN.md section 4): a dead pack is deleted, a mostly
# dead one rewritten with its live objects and nothing a ref reaches is lost (a fresh clone fetches it all);
# the grace period protects fresh packs; --dry-run deletes nothing; a corrupt object stops the rewrite of its
# pack; verify --store names a flipped byte by object and pack.
. "$(dirname "$0")/lib.sh"

age_packs() { touch -d '2 days ago' "$TRASH/store/packs"/*; }

# mixed_store: main holds data/keep (3 small files); branch junk held data/keep and data/junk (20 larger
# files) in one push, then was deleted; branch gone held data/gone alone. Every pack is two days old.
mixed_store() {
    new_repo repo
    mkdir -p "$TRASH/store" .mlci
    printf '[remote.team]\nurl = "%s"\n' "$TRASH/store" >.mlci/config.toml
    commit_all "config"
    git checkout -q -b junk
    unique_files data/keep 3 100 keep
    unique_files data/junk 20 2000 junk
    git model add data/keep data/junk >/dev/null 2>&1 || fail "model add"
    commit_all "keep and junk"
    git model push >/dev/null 2>&1 || fail "push junk"
    git checkout -q main
    git checkout -q -b gone
    unique_files data/gone 5 300 gone
    git model add data/gone >/dev/null 2>&1 || fail "model add gone"
    commit_all "gone"
    git model push >/dev/null 2>&1 || fail "push gone"
    git checkout -q main
    rm -rf data
    unique_files data/keep 3 100 keep
    git model add data/keep >/dev/null 2>&1 || fail "model add keep"
    commit_all "keep"
    git model push >/dev/null 2>&1 || fail "push keep"
    git branch -q -D junk gone
    age_packs
}

begin_test "gc --dry-run says which packs it would delete and rewrite, and changes nothing"
mixed_store
before=$(snapshot "$TRASH/store")
run git model gc --remote --dry-run
expect_rc 0
expect_err "would delete 2 packs and rewrite 2"
expect_out "would delete pack "
expect_out "would rewrite pack "
expect_out "would remove xxh128:"
expect_eq "$(snapshot "$TRASH/store")" "$before"
end_test

begin_test "gc deletes dead packs and rewrites mostly dead ones; a fresh clone still gets everything"
mixed_store
packs_before=$(ls "$TRASH/store/packs" | sort)
run git model gc --remote --force
expect_rc 0
expect_err "deleted 2 packs and rewrote 2"
expect_out "wrote pack "
# None of the old packs is left; the new one is whole and listed.
for f in $packs_before; do
    [ ! -e "$TRASH/store/packs/$f" ] || fail "old pack file $f still there"
done
expect_eq "$(ls "$TRASH/store/packs"/*.idx | wc -l)" "1"
run git model verify --store
expect_rc 0
expect_err "0 corrupt (1 pack read, 0 damaged)"
sum=$(cat data/keep/* | sha256sum)
git push -q origin main
cd "$TRASH" && git clone -q repo-origin.git clone && cd clone || exit 1
run git model pull
expect_rc 0
expect_eq "$(cat data/keep/* | sha256sum)" "$sum"
# A second gc has nothing left to do.
cd "$TRASH/repo" || exit 1
run git model gc --remote --force
expect_rc 0
expect_err "removed 0 objects"
expect_err "deleted 0 packs and rewrote 0, left 1 younger than the grace period"
end_test

begin_test "--grace: fresh packs are left alone; --grace 0 takes them; a bad duration is refused"
mixed_store
touch "$TRASH/store/packs"/*
before=$(snapshot "$TRASH/store")
for bad in 1w 1.5h d 2; do
    run git model gc --remote --force --grace "$bad"
    expect_rc 2
    expect_err "error: invalid --grace '$bad'"
done
run git model gc --grace 1d
expect_rc 2
expect_err "error: --grace applies to gc --remote"
expect_eq "$(snapshot "$TRASH/store")" "$before"
run git model gc --remote --force
expect_rc 0
expect_err "left 4 younger than the grace period"
expect_eq "$(ls "$TRASH/store/packs" | wc -l)" "8"
run git model gc --remote --force --grace 0
expect_rc 0
expect_err "deleted 2 packs and rewrote 2"
# A pack file without its index (a killed push) goes only once older than the grace period.
cp "$TRASH/store/packs/$(ls "$TRASH/store/packs" | grep pack$ | head -1)" "$TRASH/store/packs/$(printf 'f%.0s' $(seq 32)).pack"
run git model gc --remote --force
expect_rc 0
[ -e "$TRASH/store/packs/$(printf 'f%.0s' $(seq 32)).pack" ] || fail "a fresh stray pack file was deleted"
run git model gc --remote --force --grace 30s
expect_rc 0
[ -e "$TRASH/store/packs/$(printf 'f%.0s' $(seq 32)).pack" ] || fail "a fresh stray pack file was deleted"
touch -d '1 hour ago' "$TRASH/store/packs/$(printf 'f%.0s' $(seq 32)).pack"
run git model gc --remote --force --grace 30m
expect_rc 0
[ ! -e "$TRASH/store/packs/$(printf 'f%.0s' $(seq 32)).pack" ] || fail "an old stray pack file was kept"
end_test

# flip_in_pack TEXT: flip the first byte of TEXT in the pack file holding it; prints that pack's id.
flip_in_pack() {
    local f off
    f=$(grep -l -- "$1" "$TRASH/store/packs"/*.pack | head -1)
    off=$(grep -boa -- "$1" "$f" | head -1 | cut -d: -f1)
    printf 'K' | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
    basename "$f" .pack
}

begin_test "a corrupt live object stops the rewrite of its pack and is reported; verify --store names it"
mixed_store
id=$(flip_in_pack "keep-0002:")
age_packs
hash=$(xxh128sum data/keep/f2 | cut -d' ' -f1)
run git model verify --store
expect_rc 1
expect_err "error: object xxh128:$hash in pack $id on store 'team' ($TRASH/store) is corrupt (its bytes do not match its name)"
expect_err "error: pack $id on store 'team' ($TRASH/store) does not match the checksum its index holds: it is corrupt"
expect_err "hint: push good copies from a clone that has them: git model push"
run git model gc --remote --force
expect_rc 2
expect_err "error: object xxh128:$hash in pack $id on store 'team' ($TRASH/store) is corrupt: not copied, pack $id kept"
[ -f "$TRASH/store/packs/$id.pack" ] && [ -f "$TRASH/store/packs/$id.idx" ] || fail "the pack with a corrupt object was deleted"
# The dead packs went all the same, and the good live objects are still there.
expect_err "deleted 2 packs and rewrote 1"
rm -rf .git/mlci/cache data
git checkout -q -- .
run git model pull
expect_rc 2
expect_err "is corrupt"
end_test

finish
