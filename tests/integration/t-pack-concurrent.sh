#!/usr/bin/env bash
# git model: two clones pushing packs to the same folder store at the same moment lose nothing (issue 18,
# DESIGN.md section 4): each pack and index is its own immutable file, so a third clone fetches every object
# of both. Three rounds on one store, each adding to the packs the earlier rounds left; both clones also push
# a few objects they share, which may then sit in two packs.
. "$(dirname "$0")/lib.sh"

# fill DIR ROUND WHO: 150 files of DIR unique to this round and clone, and 20 the two clones share.
fill() {
    mkdir -p "$1"
    local i
    for i in $(seq 1 150); do echo "round $2 from $3 row $i" >"$1/f$i.txt"; done
    for i in $(seq 1 20); do echo "round $2 shared row $i" >"$1/s$i.txt"; done
}

begin_test "two clones push packs to one store at once, three times: a third clone fetches all of both"
new_repo repo
mkdir -p .mlci "$TRASH/store"
printf '[remote.team]\nurl = "%s"\n' "$TRASH/store" >.mlci/config.toml
commit_all "store"
git push -q origin main
git clone -q "$TRASH/repo-origin.git" "$TRASH/a"
git clone -q "$TRASH/repo-origin.git" "$TRASH/b"
git -C "$TRASH/b" checkout -q -b side
for round in 1 2 3; do
    for who in a b; do
        cd "$TRASH/$who" || exit 1
        fill "$who$round" "$round" "$who"
        git model add "$who$round" >/dev/null 2>&1 || fail "model add in $who, round $round"
        commit_all "round $round"
    done
    (cd "$TRASH/a" && git model push >"$TRASH/a.log" 2>&1; echo $? >"$TRASH/a.rc") &
    pa=$!
    (cd "$TRASH/b" && git model push >"$TRASH/b.log" 2>&1; echo $? >"$TRASH/b.rc") &
    pb=$!
    wait "$pa" "$pb"
    for who in a b; do
        expect_eq "$(cat "$TRASH/$who.rc")" "0"
        grep -q "^push: [0-9]* objects" "$TRASH/$who.log" || fail "round $round, $who: $(cat "$TRASH/$who.log")"
    done
done
git -C "$TRASH/a" push -q origin main
git -C "$TRASH/b" push -q origin side
# Every index is whole and names its pack; no temporary is left in packs/.
for idx in "$TRASH/store/packs"/*.idx; do
    expect_eq "$(xxh128sum "$idx" | cut -d' ' -f1).idx" "$(basename "$idx")"
    [ -f "${idx%.idx}.pack" ] || fail "an index without its pack"
done
expect_eq "$(ls -A "$TRASH/store/packs" | grep -cv '^[0-9a-f]\{32\}\.\(idx\|pack\)$')" "0"
git clone -q "$TRASH/repo-origin.git" "$TRASH/c"
cd "$TRASH/c" || exit 1
for who in a b; do
    [ "$who" = a ] || git checkout -q side
    run git model pull
    expect_rc 0
    run git model status --remote --check
    expect_rc 0
    for round in 1 2 3; do
        diff -r "$TRASH/$who/$who$round" "$who$round" >/dev/null || fail "$who$round differs in the third clone"
    done
done
# The store lists every object of both: a push from either finds nothing to send.
for who in a b; do
    cd "$TRASH/$who" || exit 1
    run git model push
    expect_rc 0
    expect_err "push: 0 objects"
done
end_test

finish
