#!/usr/bin/env bash
# Attacks through a committed .mlci/config.toml (issue 12, items 4, 5 and 9): the keys that write outside
# the repository or run code are the user's own choice (.git/mlci/config.toml, ~/.config/mlci/config.toml),
# never a clone's; configured paths pass the path rules.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/security-lib.sh"

# gated_clone: a repository whose committed config asks for run_on_push and auto_pull and a cache in the
# sentinel folder, whose suite would leave a mark in the sentinel folder, cloned fresh with hooks.
gated_clone() {
    store_repo
    mkdir -p evals "$TRASH/sentinel"
    cat >>.mlci/config.toml <<EOF
[cache]
dir = "$TRASH/sentinel/cache"
[hooks]
run_on_push = true
auto_pull = true
EOF
    cat >.mlci/gates.toml <<EOF
[suite.s]
command = ["sh", "-c", "echo ran >$TRASH/sentinel/suite-ran; echo '{\"accuracy\": 1}' >\"\$1\"", "sh", "{out}"]
inputs = ["evals/**"]
[gate.pre-push]
suites = ["s"]
rules = [{ metric = "accuracy", min = 0.5 }]
EOF
    echo data >evals/x
    head -c 5000 /dev/urandom >m.bin
    git model add m.bin >/dev/null 2>&1
    commit_all "a config a clone should not obey"
    git model push >/dev/null 2>&1
    git push -q origin main
    cd "$TRASH" && git clone -q repo-origin.git victim && cd victim || exit 1
    git gate install-hooks >/dev/null 2>&1 || fail "install-hooks failed"
}

begin_test "a committed run_on_push does not make git push run the repository's suite"
gated_clone
guard_begin
echo more >evals/y && commit_all "change"
run git push origin main
expect_rc 1
expect_err "'hooks.run_on_push' is ignored in a file of the work tree"
expect_err "the pre-push gate cannot decide"
[ ! -e "$TRASH/sentinel/suite-ran" ] || fail "the suite ran"
guard_end
# The user's own choice still works.
mkdir -p .git/mlci && printf '[hooks]\nrun_on_push = true\n' >.git/mlci/config.toml
run git push origin main
expect_rc 0
[ -e "$TRASH/sentinel/suite-ran" ] || fail "the user's run_on_push did not run the suite"
end_test

begin_test "a committed auto_pull does not make git checkout fetch; a committed cache.dir writes nowhere"
gated_clone
guard_begin
git checkout -q -b side 2>/dev/null
run git checkout main
expect_rc 0
expect_err "'hooks.auto_pull' is ignored in a file of the work tree"
[ ! -e m.bin ] || fail "auto_pull fetched from a clone's setting"
run git model pull
expect_rc 0
expect_err "'cache.dir' is ignored in a file of the work tree"
[ -n "$(cache_files .git/mlci/cache)" ] || fail "the objects are not in the clone's own cache"
[ ! -e "$TRASH/sentinel/cache" ] || fail "a committed cache.dir got writes"
run git model gc --force
expect_rc 0
guard_end
end_test

begin_test "core.prompts_dir must be a folder of the work tree: .git/hooks and ../x are refused"
new_repo
mkdir -p .mlci
guard_begin
for dir in ".git/hooks" "../x" ".GIT/hooks" "a/../../x" "/tmp/x"; do
    printf '[core]\nprompts_dir = "%s"\n' "$dir" >.mlci/config.toml
    run git prompt new post-checkout
    expect_rc 2
    expect_err "core.prompts_dir '$dir' is refused"
done
[ ! -e .git/hooks/post-checkout.prompt ] || fail "a prompt was written into .git/hooks"
[ ! -e "$TRASH/x" ] || fail "a prompt was written outside the repository"
guard_end
end_test

begin_test "a prompts folder that is a link in the clone is never written through"
new_repo
mkdir -p .mlci && printf '[core]\nprompts_dir = "p"\n' >.mlci/config.toml
ln -s .git/hooks p
git add -A && commit_all "p is a link"
guard_begin
run git prompt new post-checkout
expect_rc 2
expect_err "lies below 'p', which is a symbolic link or not a folder; mlci never writes through links"
guard_end
end_test

finish
