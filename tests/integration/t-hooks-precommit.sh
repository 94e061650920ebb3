#!/usr/bin/env bash
# pre-commit: checks on the staged content, every problem listed, nothing committed on refusal;
# installation (chaining a foreign hook, core.hooksPath, uninstall) and the fail-closed shim.
source "$(dirname "$0")/lib.sh"

# setup: a repository with mlci's hooks installed.
setup() {
    new_repo repo
    run git gate install-hooks
    expect_rc 0
}

begin_test "install-hooks installs four shims and is idempotent"
setup
for h in pre-commit pre-push post-checkout post-merge; do
    [ -x .git/hooks/$h ] || fail "$h not installed"
    grep -q "mlci hook shim" .git/hooks/$h || fail "$h is not mlci's shim"
done
cmp -s .git/hooks/pre-commit "$MLCI_STAGE/share/mlci/hooks/pre-commit" || fail "installed shim differs from share/mlci/hooks"
run git gate install-hooks
expect_rc 0
expect_out "pre-commit already installed"
end_test

begin_test "a commit with an undeclared placeholder is refused and nothing is committed"
setup
head=$(git rev-parse HEAD)
write_prompt qa 'Answer {{question}} using {{context}}' '"question"'
git add prompts/qa.prompt
run git commit -m "add qa"
expect_rc 1
expect_err "prompts/qa.prompt:5: placeholder {{context}} is not declared in variables"
expect_err 'add "context" to variables'
expect_err "nothing was committed"
expect_eq "$(git rev-parse HEAD)" "$head"
git diff --cached --quiet && fail "the staged change was lost"
end_test

begin_test "every problem is listed, across files"
setup
write_prompt a 'x {{y}}' ''
write_prompt b 'no vars' '"unused"'
printf '+++\nvariables = [\n+++\nbody\n' >prompts/c.prompt
git add prompts
run git commit -m "three bad prompts"
expect_rc 1
expect_err "prompts/a.prompt:5: placeholder {{y}}"
expect_err "prompts/b.prompt:3: variable 'unused' is declared but never used"
expect_err "prompts/c.prompt:"
expect_err "3 problems in the staged files"
end_test

begin_test "the staged content is checked, not the work tree"
setup
write_prompt ok 'Hello {{name}}' '"name"'
git add prompts/ok.prompt
write_prompt ok 'Hello {{name}} {{oops}}' '"name"' # broken in the work tree only
run git commit -m "good staged version"
expect_rc 0
end_test

begin_test "git commit -a: the hook reads the temporary index (GIT_INDEX_FILE)"
setup
write_prompt qa 'Hello {{name}}' '"name"'
git add prompts && git commit -q -m "good prompt"
write_prompt qa 'Hello {{name}} {{surname}}' '"name"'
head=$(git rev-parse HEAD)
run git commit -a -m "broken through -a"
expect_rc 1
expect_err "placeholder {{surname}} is not declared"
expect_eq "$(git rev-parse HEAD)" "$head"
end_test

begin_test "a 50 MB file staged without a pointer is refused with the fix"
setup
head -c 52428800 /dev/zero >weights.bin
git add weights.bin
run git commit -m "add weights"
expect_rc 1
expect_err "weights.bin: is 50.0 MiB, larger than hooks.max_file_size (10.0 MiB)"
expect_err "git model add -- 'weights.bin'"
git cat-file -e HEAD:weights.bin 2>/dev/null && fail "the large file was committed"
end_test

begin_test "a large blob staged from another commit is refused though the work tree file is small"
# The index entry of a blob staged from a tree (git restore --staged --source, git reset REV -- PATH)
# holds no size of the work tree file: the hook must not read it as small.
setup
head -c 12000000 /dev/zero >big.bin
git add big.bin
git commit -q --no-verify -m "large blob, committed around the hook"
git tag large
printf 'small\n' >big.bin
git commit -q --no-verify -am "small again"
head=$(git rev-parse HEAD)
git restore --staged --source=large big.bin
[ "$(git cat-file -s :big.bin)" = 12000000 ] || fail "the large blob is not staged"
run git commit -m "large blob back"
expect_rc 1
expect_err "big.bin: is 11.4 MiB, larger than hooks.max_file_size (10.0 MiB)"
expect_eq "$(git rev-parse HEAD)" "$head"
git update-index --cacheinfo "100644,$(git rev-parse large:big.bin),big.bin"
run git commit -m "large blob back, through --cacheinfo"
expect_rc 1
expect_err "big.bin: is 11.4 MiB"
expect_eq "$(git rev-parse HEAD)" "$head"
end_test

begin_test "a prompt with the same bytes as a small ordinary file is still checked"
setup
write_prompt qa 'Answer {{question}} using {{context}}' '"question"'
mkdir -p docs
cp prompts/qa.prompt docs/qa-copy.txt
git add prompts/qa.prompt docs/qa-copy.txt
run git commit -m "prompt and its copy"
expect_rc 1
expect_err "prompts/qa.prompt:5: placeholder {{context}} is not declared in variables"
end_test

begin_test "large_file_allow and max_file_size are honoured"
setup
mkdir -p .mlci docs
printf '[hooks]\nmax_file_size = "1KB"\nlarge_file_allow = ["docs/*.pdf"]\n' >.mlci/config.toml
head -c 2000 /dev/zero >docs/manual.pdf
head -c 2000 /dev/zero >data.bin
git add .mlci docs
run git commit -m "allowed"
expect_rc 0
git add data.bin
run git commit -m "not allowed"
expect_rc 1
expect_err "data.bin: is 2.0 KiB, larger than hooks.max_file_size (1000 B)"
end_test

begin_test "a staged config holding a secret is refused"
setup
mkdir -p .mlci
printf '[remote.s3]\nurl = "s3://b/p"\nsecret_access_key = "abc"\n' >.mlci/config.toml
git add .mlci/config.toml
run git commit -m "secret"
expect_rc 1
expect_err ".mlci/config.toml:3: holds a secret"
expect_not_err "abc"
end_test

begin_test "a malformed pointer is refused"
setup
mkdir -p models
printf 'version = 1\npath = "../../etc/passwd"\nhash = "xxh128:00000000000000000000000000000000"\nsize = 1\n' >models/x.bin.mlci
git add models
run git commit -m "escaping pointer"
expect_rc 1
expect_err "models/x.bin.mlci"
end_test

begin_test "a pointer whose object is not in the cache is refused; one added by git model passes"
setup
mkdir -p models
head -c 1000 /dev/urandom >models/m.bin
run git model add models/m.bin
expect_rc 0
git add models
run git commit -m "model"
expect_rc 0
cp models/m.bin.mlci "$TRASH/ptr"
sed 's/^hash = .*/hash = "xxh128:0123456789abcdef0123456789abcdef"/' "$TRASH/ptr" >models/m.bin.mlci
git add models/m.bin.mlci
run git commit -m "pointer to nothing"
expect_rc 1
expect_err "models/m.bin.mlci: names xxh128:0123456789abcdef0123456789abcdef, which is not in the cache"
end_test

begin_test "a dataset row violating its schema is refused with file:line, field and rule"
setup
mkdir -p .mlci/schemas data
cat >.mlci/schemas/qa.toml <<'T'
files = ["data/*.jsonl"]
format = "jsonl"
[field.question]
type = "string"
required = true
[field.label]
enum = ["yes", "no"]
T
git add .mlci && git commit -q -m schema
printf '{"question": "ok?", "label": "yes"}\n{"question": "bad?", "label": "maybe"}\n{"label": "no"}\n' >data/train.jsonl
git add data
head=$(git rev-parse HEAD)
run git commit -m "dataset"
expect_rc 1
expect_err "data/train.jsonl:2"
expect_err "label"
expect_err "data/train.jsonl:3"
expect_err "question"
expect_eq "$(git rev-parse HEAD)" "$head"
end_test

begin_test "a schema pattern against a 50,000-character staged value: no crash, checked in full"
# std::regex overflowed the stack on (a|b)* here and killed the hook (issue 12, item 12); RE2 matches
# in linear time, also in mlci-hook, which links it statically.
setup
mkdir -p .mlci/schemas data
printf 'files = ["data/*.jsonl"]\nformat = "jsonl"\n[field.v]\npattern = "(a|b)*"\n' >.mlci/schemas/s.toml
git add .mlci && git commit -q -m schema
python3 -c 'import json; print(json.dumps({"v": "a" * 50000})); print(json.dumps({"v": "ab" * 50001}))' >data/long.jsonl
git add data
run git commit -m "long values"
expect_rc 0
python3 -c 'import json; print(json.dumps({"v": "a" * 50000 + "c"}))' >data/bad.jsonl
git add data
head=$(git rev-parse HEAD)
run git commit -m "a bad long value"
expect_rc 1
expect_err "data/bad.jsonl:1"
expect_err "pattern: 'aaaa"
expect_err "does not match /(a|b)*/"
expect_eq "$(git rev-parse HEAD)" "$head"
end_test

begin_test "the size guard reads index versions 2, 3 and 4 alike"
setup
for v in 2 3 4; do
    git update-index --index-version $v
    mkdir -p "d$v/sub"
    head -c 11000000 /dev/zero >"d$v/sub/big.bin"
    echo small >"d$v/sub/small.txt"
    git add "d$v"
    run git commit -m "index v$v"
    expect_rc 1
    expect_err "d$v/sub/big.bin: is 10.5 MiB"
    expect_not_err "small.txt"
    git rm -q --cached "d$v/sub/big.bin"
    run git commit -m "index v$v, small only"
    expect_rc 0
done
end_test

begin_test "the same verdicts however the repository is laid out (read directly, or by git where not)"
# mlci-hook reads the index and HEAD's trees itself (packed, loose, linked worktrees) and asks git for
# layouts it does not read (split index, alternates): both must refuse the bad prompt and pass the good.
check_layout() {
    local what=$1
    write_prompt "l$what" 'Answer {{question}} {{undeclared}}' '"question"'
    git add prompts
    run git commit -m "bad prompt ($what)"
    expect_rc 1
    expect_err "prompts/l$what.prompt:5: placeholder {{undeclared}} is not declared"
    write_prompt "l$what" 'Answer {{question}}' '"question"'
    git add prompts
    run git commit -m "good prompt ($what)"
    expect_rc 0
    git log -1 --format=%s | grep -q "good prompt ($what)" || fail "the good commit ($what) is missing"
}
setup
mkdir -p deep/er && echo a >deep/er/a.txt && git add deep && git commit -q -m deep
git gc -q --aggressive                            # HEAD's trees and blobs packed, as deltas
check_layout packed
git worktree add -q -b side "$TRASH/wt"           # a linked worktree: .git is a file
cd "$TRASH/wt" && check_layout worktree
cd "$TRASH/repo"
git update-index --split-index                    # git reads it
check_layout split
git update-index --no-split-index
git clone -q --shared "$TRASH/repo" "$TRASH/shared" # alternates: git reads it
cd "$TRASH/shared" && git gate install-hooks >/dev/null && check_layout shared
end_test

begin_test "mlci-hook, which every hook runs first, does not load libgit2"
if command -v ldd >/dev/null; then
    ldd "$(command -v mlci-hook)" | grep -q libgit2 && fail "mlci-hook links libgit2"
fi
end_test

begin_test "linked statically, the commands load libc alone: no libgit2, OpenSSL, GSSAPI or libstdc++"
# CMakeLists.txt links libgit2 statically where Debian ships its archives (MLCI_GIT_STATIC); a build
# without them (or a sanitizer build) links it dynamically, and has nothing to check here.
if command -v ldd >/dev/null && grep -q 'MLCI_GIT_STATIC=1' "$MLCI_BUILD/compile_commands.json" 2>/dev/null; then
    for tool in git-prompt git-model git-gate; do
        libs=$(ldd "$(command -v $tool)" | awk '{print $1}')
        for lib in libgit2 libssh2 libcrypto libmbed libgssapi libkrb5 libstdc++ libtomlplusplus; do
            if printf '%s\n' "$libs" | grep -q "^$lib"; then
                fail "$tool loads $lib: $(printf '%s ' $libs)"
            fi
        done
    done
fi
end_test

begin_test "--no-verify bypasses the hook"
setup
write_prompt qa 'Answer {{question}}' ''
git add prompts
run git commit --no-verify -m "bypass"
expect_rc 0
end_test

begin_test "nothing relevant staged: the hook passes"
setup
echo "notes" >NOTES.txt
git add NOTES.txt
run git commit -m "docs"
expect_rc 0
expect_eq "$ERR" ""
end_test

begin_test "an existing foreign pre-commit hook is kept, chained, and restored by uninstall"
new_repo repo
printf '#!/bin/sh\necho "foreign hook ran with $# args" >&2\nexit 0\n' >.git/hooks/pre-commit
chmod +x .git/hooks/pre-commit
cp .git/hooks/pre-commit "$TRASH/foreign"
run git gate install-hooks
expect_rc 0
expect_out "pre-commit.mlci-chained"
echo a >a.txt && git add a.txt
run git commit -m "a"
expect_rc 0
expect_err "foreign hook ran"
# ours refuses first: the foreign hook does not run
write_prompt qa 'Hi {{x}}' ''
git add prompts
run git commit -m "bad"
expect_rc 1
expect_not_err "foreign hook ran"
git reset -q
run git gate uninstall-hooks
expect_rc 0
cmp -s .git/hooks/pre-commit "$TRASH/foreign" || fail "foreign hook not restored"
[ -e .git/hooks/pre-push ] && fail "pre-push shim left behind"
end_test

begin_test "a foreign hook that refuses still refuses after ours passed"
new_repo repo
printf '#!/bin/sh\necho "foreign says no" >&2\nexit 3\n' >.git/hooks/pre-commit
chmod +x .git/hooks/pre-commit
git gate install-hooks >/dev/null
echo a >a.txt && git add a.txt
run git commit -m "a"
expect_rc 1
expect_err "foreign says no"
end_test

begin_test "core.hooksPath is respected"
new_repo repo
git config core.hooksPath .githooks
run git gate install-hooks
expect_rc 0
[ -x .githooks/pre-commit ] || fail "not installed in core.hooksPath"
[ -e .git/hooks/pre-commit ] && fail "installed in .git/hooks despite core.hooksPath"
write_prompt qa 'Hi {{x}}' ''
git add prompts
run git commit -m "bad"
expect_rc 1
expect_err "placeholder {{x}}"
end_test

begin_test "the shim fails closed when mlci-hook is not on PATH"
setup
echo a >a.txt && git add a.txt
head=$(git rev-parse HEAD)
gitdir=$(dirname "$(command -v git)")
run env PATH="$gitdir:/usr/bin:/bin" git commit -m "no mlci"
if command -v mlci-hook | grep -q "^/usr/bin\|^/bin"; then
    echo "# skipped: mlci-hook is installed system-wide" >&2
else
    expect_rc 1
    expect_err "mlci-hook is not on PATH"
    expect_eq "$(git rev-parse HEAD)" "$head"
fi
end_test

begin_test "file names with quotes, \$(…) and newlines reach no shell"
setup
name=$'we\'ird $(touch PWNED) "x"\nname.txt'
printf 'x' >"$name"
git add -- "$name"
run git commit -m "odd name"
expect_rc 0
[ -e PWNED ] && fail "a file name was run by a shell"
mkdir -p prompts
cp /dev/null "prompts/\$(touch PWNED2).prompt"
git add prompts
run git commit -m "odd prompt name"
expect_rc 1
expect_err "file name is not a valid prompt name"
[ -e PWNED2 ] && fail "a prompt file name was run by a shell"
end_test

finish
