# Helpers for the attack tests (t-security-*.sh): crafted git objects, and the proof that nothing was
# written where it must not be. Sourced after lib.sh, never run.

# raw_tree ENTRY...: write a tree object made by hand, bypassing git's checks (as hash-object
# --literally does: git's clone and fetch accept such trees unless transfer.fsckObjects is on).
# Each ENTRY is "MODE NAME OBJECT" (OBJECT a hex id); prints the tree's id.
raw_tree() {
    python3 - "$@" <<'PY' | git hash-object -t tree --literally -w --stdin
import sys
entries = []
for e in sys.argv[1:]:
    mode, rest = e.split(" ", 1)
    name, oid = rest.rsplit(" ", 1)
    entries.append((mode, name.encode("utf-8", "surrogateescape"), bytes.fromhex(oid)))
# git's order: bytewise, a tree's name compared as if it ended with '/'
entries.sort(key=lambda e: e[1] + (b"/" if e[0] == "40000" else b""))
sys.stdout.buffer.write(b"".join(m.encode() + b" " + n + b"\0" + o for m, n, o in entries))
PY
}

# blob TEXT: write a blob, print its id.
blob() { printf '%s' "$1" | git hash-object -w --stdin; }

# head_entries: HEAD's root tree as raw_tree ENTRY arguments, one per line.
head_entries() {
    git ls-tree HEAD | while read -r mode type oid name; do
        [ "$type" = tree ] && mode=40000
        printf '%s %s %s\n' "$mode" "$name" "$oid"
    done
}

# raw_root ENTRY...: HEAD's root tree with these entries added (raw_tree's form); prints its id.
raw_root() {
    local entries=()
    while read -r e; do entries+=("$e"); done < <(head_entries)
    raw_tree "${entries[@]}" "$@"
}

# crafted_commit TREE MESSAGE: a commit of TREE on top of HEAD, not checked out; prints its id.
crafted_commit() {
    test_tick
    git commit-tree "$1" -p HEAD -m "$2"
}

# guard_begin: remember the state of .git/hooks and of a sentinel folder outside the work tree.
# guard_end: fail when either changed, or a file appeared beside the repository.
guard_begin() {
    SENTINEL="$TRASH/sentinel"
    mkdir -p "$SENTINEL" && echo "keep" >"$SENTINEL/keep.txt"
    _hooks_before=$(snapshot "$(git rev-parse --git-path hooks)")
    _sentinel_before=$(snapshot "$SENTINEL")
    _trash_before=$(cd "$TRASH" && ls -A | sort | tr '\n' ' ')
}
guard_end() {
    expect_eq "$(snapshot "$(git rev-parse --git-path hooks)")" "$_hooks_before"
    expect_eq "$(snapshot "$SENTINEL")" "$_sentinel_before"
    expect_eq "$(cd "$TRASH" && ls -A | sort | tr '\n' ' ')" "$_trash_before"
    [ -z "$(find "$(git rev-parse --git-dir)" -name 'pwned*' 2>/dev/null)" ] || fail "a file went into .git"
}

# store_repo [NAME]: a repository whose committed config names a folder store beside it ($STORE_KEYS: more
# keys of [remote.team]).
store_repo() {
    new_repo "${1:-repo}"
    mkdir -p "$TRASH/store" .mlci
    printf '[remote.team]\nurl = "%s"\n%s' "$TRASH/store" "${STORE_KEYS:-}" >.mlci/config.toml
    git add .mlci && git commit -q -m "store"
}

# store_object ROOT HASH: the path of object HASH (32 hex digits) in a store or cache folder.
store_object() {
    echo "$1/xxh128/${2:0:2}/${2:2}"
}
