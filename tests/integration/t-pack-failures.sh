#!/usr/bin/env bash
# git model: packs gone wrong on a folder store (issue 18, DESIGN.md section 4). A pack whose index never
# arrived (a killed push) is invisible and a second push completes the store; a corrupt byte in a pack fails
# that one object's fetch (exit 2, named, nothing of it in the cache) while the others arrive; an index
# whose bytes do not hash to its name is ignored with a warning, in the store and in the cache; links,
# FIFOs and folders in packs/ are never followed, read or waited on.
. "$(dirname "$0")/lib.sh"

# fail_repo: repository `repo` with a bare origin and a folder store at $TRASH/store, 30 small files
# (f1..f30) tracked, committed, pushed to both: one pack and its index in the store.
fail_repo() {
    new_repo repo
    mkdir -p .mlci "$TRASH/store"
    printf '[remote.team]\nurl = "%s"\n' "$TRASH/store" >.mlci/config.toml
    for i in $(seq 1 30); do printf 'file %s %0200d\n' "$i" "$i" >"f$i.txt"; done
    git model add f*.txt >/dev/null 2>&1 || fail "model add"
    commit_all "files"
    git push -q origin main
    run git model push
    expect_rc 0
    expect_eq "$(ls "$TRASH/store/packs" | wc -l)" "2"
}

# fresh_clone NAME: a clone of the bare origin in $TRASH/NAME; cd into it.
fresh_clone() {
    cd "$TRASH" && git clone -q repo-origin.git "$1" && cd "$1" || exit 1
}

hash_of() { sed -n 's/^hash = "xxh128:\(.*\)"$/\1/p' "$1"; }
cached() { local h; h=$(hash_of "$1"); [ -f ".git/mlci/cache/xxh128/${h:0:2}/${h:2}" ]; }

# span_of IDX HEX: "offset size" of object HEX in the pack the index IDX lists (DESIGN.md section 4).
span_of() {
    python3 - "$1" "$2" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack(">Q", b[16:24])[0]
for i in range(n):
    e = b[48 + 32 * i: 80 + 32 * i]
    if e[:16].hex() == sys.argv[2]:
        print(*struct.unpack(">QQ", e[16:]))
PY
}

# flip FILE OFFSET: invert one byte of FILE in place.
flip() {
    chmod u+w "$1"
    python3 -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); c = f.read(1); f.seek(int(sys.argv[2]))
f.write(bytes([c[0] ^ 0xff]))' "$1" "$2"
}

begin_test "a pack without its index (a killed push) is invisible; pushing again completes the store"
fail_repo
rm "$TRASH/store"/packs/*.idx
fresh_clone clone
run git model fetch
expect_rc 2
expect_err "$(hash_of f7.txt.mlci) is not on store 'team'"
[ -z "$(find .git/mlci/cache/xxh128 -type f 2>/dev/null)" ] || fail "an object entered the cache"
run git model status --remote --check
expect_rc 1
expect_out "missing, not in cache, not on store  f7.txt"
cd "$TRASH/repo" || exit 1
run git model push
expect_rc 0
expect_err "push: 30 objects"
cd "$TRASH/clone" || exit 1
run git model pull
expect_rc 0
expect_err "fetch: 30 objects"
for i in $(seq 1 30); do cmp -s "f$i.txt" "../repo/f$i.txt" || fail "f$i.txt differs"; done
run git model status --remote --check
expect_rc 0
end_test

begin_test "a corrupt byte in a pack: that object's fetch fails (exit 2, named), nothing of it cached, the rest arrive"
fail_repo
idx=$(ls "$TRASH/store"/packs/*.idx)
pack=${idx%.idx}.pack
h=$(hash_of f13.txt.mlci)
read -r off size < <(span_of "$idx" "$h")
[ -n "${size:-}" ] || fail "f13.txt is not in the pack"
flip "$pack" $((off + size / 2))
fresh_clone clone
run git model fetch
expect_rc 2
expect_err "xxh128:$h"
expect_err "is corrupt"
expect_not_err "xxh128:$(hash_of f12.txt.mlci)"
cached f13.txt.mlci && fail "the corrupt object entered the cache"
for i in $(seq 1 30); do
    [ "$i" = 13 ] || cached "f$i.txt.mlci" || fail "f$i.txt did not arrive"
done
# Nothing half-written stays behind: 29 objects, the manifest-free listing's one index, no temporary.
expect_eq "$(find .git/mlci/cache/xxh128 -type f | wc -l)" "29"
[ -z "$(find .git/mlci/cache -type f -name '*tmp*')" ] || fail "a temporary stayed in the cache"
end_test

begin_test "an index whose bytes do not hash to its name is ignored with a warning; a corrupt kept copy is fetched again"
fail_repo
idx=$(ls "$TRASH/store"/packs/*.idx)
id=$(basename "$idx" .idx)
fresh_clone clone
run git model fetch
expect_rc 0
kept=.git/mlci/cache/packs/$id.idx
[ -f "$kept" ] || fail "the index was not kept in the cache"
# The copy in the cache rots: it is not trusted, the store's is read again and replaces it.
flip "$kept" 60
rm -rf .git/mlci/cache/xxh128
run git model fetch
expect_rc 0
cmp -s "$kept" "$idx" || fail "the kept index was not replaced by the store's"
# The store's own index rots (an entry's bytes change, its name stays): ignored, its objects are missing.
flip "$idx" 60
rm -rf .git/mlci/cache
run git model fetch
expect_rc 2
expect_err "warning: store 'team' ($TRASH/store): pack index $id does not match its name (corrupt): ignored"
expect_err "is not on store 'team'"
[ -z "$(find .git/mlci/cache -type f -path '*xxh128*' 2>/dev/null)" ] || fail "an object entered the cache"
[ ! -e "$kept" ] || fail "the corrupt index was kept"
end_test

begin_test "hostile files in packs/: links, a FIFO, a folder are never followed, read or waited on"
fail_repo
idx=$(ls "$TRASH/store"/packs/*.idx)
id=$(basename "$idx" .idx)
# The real index moves out of the store, a link to it in its place: never followed, so the pack is invisible.
mkdir "$TRASH/outside"
chmod u+w "$TRASH/store/packs"
mv "$idx" "$TRASH/outside/$id.idx"
ln -s "$TRASH/outside/$id.idx" "$idx"
# A link named as if /etc/passwd were an index, a FIFO and a folder with index names.
ln -s /etc/passwd "$TRASH/store/packs/$(xxh128sum /etc/passwd | cut -d' ' -f1).idx"
mkfifo "$TRASH/store/packs/$(printf '%032d' 1).idx"
mkdir "$TRASH/store/packs/$(printf '%032d' 2).idx"
fresh_clone clone
run timeout 60 git model fetch
expect_rc 2
expect_err "$(hash_of f1.txt.mlci) is not on store 'team'"
[ -z "$(find .git/mlci/cache -type f -path '*xxh128*' 2>/dev/null)" ] || fail "an object entered the cache"
[ -z "$(ls .git/mlci/cache/packs 2>/dev/null)" ] || fail "an index was kept from outside the store"
# The index back as a file, its pack replaced by a FIFO: refused, no hang.
rm "$idx"
cp "$TRASH/outside/$id.idx" "$idx"
mv "$TRASH/store/packs/$id.pack" "$TRASH/outside/$id.pack"
mkfifo "$TRASH/store/packs/$id.pack"
run timeout 60 git model fetch
expect_rc 2
expect_err "packs/$id.pack"
expect_err "not a regular file"
[ -z "$(find .git/mlci/cache -type f -path '*xxh128*' 2>/dev/null)" ] || fail "an object entered the cache"
# The pack a link to the real one outside: refused as a link.
rm "$TRASH/store/packs/$id.pack"
ln -s "$TRASH/outside/$id.pack" "$TRASH/store/packs/$id.pack"
run timeout 60 git model fetch
expect_rc 2
expect_err "symbolic link"
[ -z "$(find .git/mlci/cache -type f -path '*xxh128*' 2>/dev/null)" ] || fail "an object entered the cache"
# packs/ itself a link to a folder holding the real pack and index: refused, nothing read through it.
mkdir "$TRASH/elsewhere"
cp "$TRASH/outside/$id.pack" "$TRASH/outside/$id.idx" "$TRASH/elsewhere/"
mv "$TRASH/store/packs" "$TRASH/store-packs-old"
ln -s "$TRASH/elsewhere" "$TRASH/store/packs"
run timeout 60 git model fetch
expect_rc 2
expect_err "symbolic link"
[ -z "$(find .git/mlci/cache -type f -path '*xxh128*' 2>/dev/null)" ] || fail "an object entered the cache"
# Put right, everything arrives.
rm "$TRASH/store/packs" && mkdir "$TRASH/store/packs"
cp "$TRASH/outside/$id.pack" "$TRASH/outside/$id.idx" "$TRASH/store/packs/"
run timeout 60 git model pull
expect_rc 0
for i in $(seq 1 30); do cmp -s "f$i.txt" "../repo/f$i.txt" || fail "f$i.txt differs"; done
end_test

finish
