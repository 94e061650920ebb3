#!/usr/bin/env bash
# Attacks through a repository's trees (issue 12, items 1, 10, 11, 13): commits crafted with
# hash-object --literally (git's clone and fetch accept them) whose pointers sit at paths git itself
# would never check out, or name files that are not theirs. Each is refused with exit 2, and nothing is
# written under .git, beside the repository, or over a tracked file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/security-lib.sh"

# evil_repo: a repository with a store, a folder artifact `hooks` (an executable post-checkout) and a
# file artifact in the store but not committed, and the pointers' texts in $HOOKS_PTR / $FILE_PTR.
evil_repo() {
    store_repo
    mkdir hooks && printf '#!/bin/sh\necho pwned >"%s/sentinel/pwned"\n' "$TRASH" >hooks/post-checkout
    chmod 755 hooks/post-checkout
    echo "pwned" >pwned.txt
    git model add hooks pwned.txt >/dev/null 2>&1 || fail "add failed"
    git model push --rev HEAD >/dev/null 2>&1
    # The objects go to the store with a commit that names them; then the pointers are crafted.
    git add hooks.mlci pwned.txt.mlci .gitignore && git commit -q -m "artifacts"
    git model push >/dev/null 2>&1 || fail "push to the store failed"
    HOOKS_PTR=$(cat hooks.mlci)
    FILE_PTR=$(cat pwned.txt.mlci)
    git rm -q --cached hooks.mlci pwned.txt.mlci .gitignore && git commit -q -m "forget them"
    rm -rf hooks hooks.mlci pwned.txt pwned.txt.mlci .gitignore
}

# publish COMMIT: push it to origin as branch evil, then clone origin as the victim and cd there.
publish() {
    git push -q origin main "$1:refs/heads/evil" || fail "push of the crafted commit failed"
    cd "$TRASH" && git clone -q repo-origin.git victim && cd victim || exit 1
}

begin_test "a pointer at .git/h.mlci naming a folder 'hooks' never writes .git/hooks (pull, checkout, fetch)"
evil_repo
h=$(blob "$HOOKS_PTR")
sub=$(raw_tree "100644 h.mlci $h")
root=$(raw_root "40000 .git $sub")
publish "$(crafted_commit "$root" "evil")"
guard_begin
for cmd in "pull --rev origin/evil" "pull --rev origin/evil --force" "checkout --rev origin/evil --force" \
    "fetch --rev origin/evil" "push --rev origin/evil"; do
    run git model $cmd
    expect_rc 2
    expect_err "holds a pointer at '.git/h.mlci', which is refused: it has a '.git' part"
done
cache_before=$(snapshot .git)
run git model gc
expect_rc 2
expect_err "holds a pointer at '.git/h.mlci'"
expect_eq "$(snapshot .git)" "$cache_before"
[ ! -e .git/hooks/post-checkout ] || fail "a hook was written"
ls .git/hooks/*.sample >/dev/null 2>&1 || fail "the sample hooks are gone"
guard_end
end_test

begin_test "a pointer at ../../x/pwned.txt.mlci never writes outside the work tree"
evil_repo
f=$(blob "$FILE_PTR")
x=$(raw_tree "100644 pwned.txt.mlci $f")
up1=$(raw_tree "40000 x $x")
up2=$(raw_tree "40000 .. $up1")
root=$(raw_root "40000 .. $up2")
publish "$(crafted_commit "$root" "escape")"
guard_begin
run git model pull --rev origin/evil --force
expect_rc 2
expect_err "holds a pointer at '../../x/pwned.txt.mlci', which is refused"
[ ! -e "$TRASH/x" ] && [ ! -e "$TRASH/../x" ] || fail "a file was written outside the work tree"
guard_end
end_test

begin_test "the NTFS and HFS+ aliases of .git are refused like .git itself"
evil_repo
h=$(blob "$HOOKS_PTR")
sub=$(raw_tree "100644 h.mlci $h")
n=0
for alias in ".GIT" "git~1" ".git." ".git " $'.g\u200cit' "GIT~1"; do
    n=$((n + 1))
    root=$(raw_root "40000 $alias $sub")
    git update-ref "refs/heads/alias$n" "$(crafted_commit "$root" "alias $n")"
done
git push -q origin 'refs/heads/alias*:refs/heads/alias*' main
cd "$TRASH" && git clone -q repo-origin.git victim && cd victim
guard_begin
for i in $(seq 1 $n); do
    run git model pull --rev "origin/alias$i" --force
    expect_rc 2
    expect_err "which is refused: it has a"
done
guard_end
end_test

begin_test "a pointer that is a symbolic link in the tree is named as one, not parsed as TOML"
store_repo
ln -s /etc/passwd evil.mlci
git add evil.mlci && commit_all "a link named like a pointer"
guard_begin
run git model pull --rev HEAD
expect_rc 2
expect_err "evil.mlci: invalid pointer: not a regular file in the tree (a symbolic link or a submodule)"
expect_not_err "invalid TOML"
run git model status
expect_rc 2
expect_err "'evil.mlci' is a symbolic link, not a pointer"
guard_end
end_test

begin_test "a pointer naming a tracked file, or another pointer, is refused even with --force"
store_repo
echo "artifact bytes" >README.md.bin
git model add README.md.bin >/dev/null 2>&1
git model push --rev HEAD >/dev/null 2>&1
sed 's/^path = .*/path = "README.md"/' README.md.bin.mlci >README.md.mlci
rm -f README.md.bin README.md.bin.mlci .gitignore
git add README.md.mlci && commit_all "a pointer over README.md"
git model push >/dev/null 2>&1
readme=$(cat README.md)
guard_begin
run git model pull --force
expect_rc 2
expect_err "'README.md.mlci' names 'README.md', which git tracks (a checkout would overwrite it): refused"
expect_eq "$(cat README.md)" "$readme"
printf '%s\n' "$(sed 's/^path = .*/path = "other.mlci"/' README.md.mlci)" >a.mlci
git rm -q README.md.mlci && git add a.mlci && commit_all "a pointer over a pointer"
run git model checkout --force
expect_rc 2
expect_err "its artifact 'other.mlci' is refused: it names a pointer or mlci's own configuration"
guard_end
end_test

begin_test "names of 240 bytes travel; a name too long for its pointer is refused before anything is written"
store_repo
long=$(printf 'm%.0s' $(seq 1 240))
mkdir ds && echo "long member" >"ds/$long" && echo "short" >ds/s
run git model add ds
expect_rc 0
commit_all "long names"
git model push >/dev/null 2>&1 && git push -q origin main
cd "$TRASH" && git clone -q repo-origin.git clone && cd clone
run git model pull
expect_rc 0
expect_eq "$(cat "ds/$long")" "long member"
cd "$TRASH/repo"
toolong=$(printf 'x%.0s' $(seq 1 252))
echo a >a.bin && echo b >"$toolong"
run git model add a.bin "$toolong"
expect_rc 2
expect_err "its pointer's name (the name and '.mlci') would be longer than 255 bytes"
[ ! -e a.bin.mlci ] || fail "the other argument's pointer was written"
end_test

begin_test "a manifest whose members disagree with its pointer's nfiles and size is refused"
store_repo
mkdir ds && echo one >ds/a && echo two >ds/b
git model add ds >/dev/null 2>&1
sed -i 's/^nfiles = 2/nfiles = 1/' ds.mlci
commit_all "a pointer that undercounts"
rm -rf ds
run git model checkout
expect_rc 2
expect_err "lists 2 files of 8 bytes, its pointer says 1 files of 8 bytes: refused"
[ ! -e ds ] || fail "the folder was written"
end_test

begin_test "a symbolic link inside a tracked folder is never written through: its members stay in the tree"
store_repo
mkdir -p ds/sub "$TRASH/outside" && echo x >ds/sub/x && echo y >ds/y
git model add ds >/dev/null 2>&1
commit_all "a folder with a subfolder"
rm -rf ds && mkdir ds && ln -s "$TRASH/outside" ds/sub
run git model checkout
expect_rc 2
expect_err "'ds/sub/x' lies below 'ds/sub', a symbolic link; mlci never follows links on the way to an artifact"
[ -z "$(ls -A "$TRASH/outside")" ] || fail "a file was written through the link"
expect_eq "$(cat ds/y)" "y"
rm ds/sub
run git model checkout
expect_rc 0
expect_eq "$(cat ds/sub/x)" "x"
end_test

finish
