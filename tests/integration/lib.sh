# Shared helpers for the integration tests (t-*.sh). Sourced, never run.
#
# Each test file is one topic; it calls begin_test/end_test around each case and prints TAP.
# The tests drive the *installed* commands: $MLCI_STAGE/bin (set by CTest after `cmake --install`),
# or the commands already on PATH when MLCI_STAGE is unset. Every test runs with its own HOME and a
# fixed git identity and dates, isolated from the machine's git config (GIT_CONFIG_NOSYSTEM).
# On failure the trash folder is kept and its path printed.

set -u
set -o pipefail

: "${MLCI_SOURCE:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
if [ -n "${MLCI_STAGE:-}" ]; then
    PATH="$MLCI_STAGE/bin:$PATH"
    export MANPATH="$MLCI_STAGE/share/man:${MANPATH:-}"
fi
export PATH

for cmd in git-prompt git-model git-gate; do
    command -v "$cmd" >/dev/null || { echo "Bail out! $cmd is not on PATH (build and install first)"; exit 1; }
done

TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/mlci-test.XXXXXX")
export HOME="$TEST_ROOT/home"
mkdir -p "$HOME"
export GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL="author@example.com"
export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL="committer@example.com"
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
export NO_COLOR=1 LC_ALL=C.UTF-8 TZ=UTC
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
git config --global init.defaultBranch main
git config --global user.name "C O Mitter"
git config --global user.email "committer@example.com"
git config --global advice.detachedHead false

_tests=0
_failed=0
_current=""
_tick=0

# test_tick: advance the fixed git dates by 60 s (reproducible ids, distinct times).
test_tick() {
    _tick=$((_tick + 60))
    local t=$((1767225600 + _tick))
    export GIT_AUTHOR_DATE="@$t +0000" GIT_COMMITTER_DATE="@$t +0000"
}

begin_test() {
    _current="$1"
    _tests=$((_tests + 1))
    _case_failed=0
    TRASH="$TEST_ROOT/t$_tests"
    mkdir -p "$TRASH"
    cd "$TRASH" || exit 1
    exec 3>"$TRASH/.log"
}

fail() {
    echo "# FAIL [$_current] $*" >&2
    _case_failed=1
}

end_test() {
    if [ "$_case_failed" = 0 ]; then
        echo "ok $_tests - $_current"
    else
        echo "not ok $_tests - $_current"
        echo "# kept: $TRASH" >&2
        _failed=$((_failed + 1))
    fi
    cd "$TEST_ROOT" || exit 1
}

finish() {
    echo "1..$_tests"
    local passed=$((_tests - _failed))
    echo "$passed passed, $_failed failed"
    if [ "$_failed" = 0 ]; then
        rm -rf "$TEST_ROOT"
        exit 0
    fi
    exit 1
}

# run CMD...: run a command, keep its stdout/stderr/exit code in $OUT, $ERR, $RC (never fails the test).
run() {
    OUT=$("$@" 2>"$TEST_ROOT/.stderr")
    RC=$?
    ERR=$(cat "$TEST_ROOT/.stderr")
    { echo "\$ $*"; echo "$OUT"; echo "$ERR"; echo "[exit $RC]"; } >&3 2>/dev/null || true
    return 0
}

# expect_rc N: the last `run` exited N.
expect_rc() {
    if [ "$RC" != "$1" ]; then
        fail "expected exit $1, got $RC (line ${BASH_LINENO[0]})"
        echo "# stdout: $OUT" >&2
        echo "# stderr: $ERR" >&2
    fi
}

# expect_out TEXT / expect_err TEXT: the last run's stdout/stderr contains TEXT (fixed string).
expect_out() {
    if ! grep -qF -- "$1" <<<"$OUT"; then
        fail "stdout lacks '$1' (line ${BASH_LINENO[0]})"
        echo "# stdout: $OUT" >&2
        echo "# stderr: $ERR" >&2
    fi
}
expect_err() {
    if ! grep -qF -- "$1" <<<"$ERR"; then
        fail "stderr lacks '$1' (line ${BASH_LINENO[0]})"
        echo "# stderr: $ERR" >&2
    fi
}
expect_not_out() {
    if grep -qF -- "$1" <<<"$OUT"; then
        fail "stdout has '$1' (line ${BASH_LINENO[0]})"
    fi
}
expect_not_err() {
    if grep -qF -- "$1" <<<"$ERR"; then
        fail "stderr has '$1' (line ${BASH_LINENO[0]})"
    fi
}

# expect_eq A B: two strings are equal.
expect_eq() {
    if [ "$1" != "$2" ]; then
        fail "expected '$2', got '$1' (line ${BASH_LINENO[0]})"
    fi
}

# new_repo NAME: a fresh repository with one commit, and a bare `origin` beside it; cd into it.
new_repo() {
    local name=${1:-repo}
    git init -q --bare "$TRASH/$name-origin.git"
    git init -q "$TRASH/$name"
    cd "$TRASH/$name" || exit 1
    git remote add origin "$TRASH/$name-origin.git"
    echo "# $name" >README.md
    git add README.md
    git commit -q -m "initial commit"
}

# commit_all MSG: stage everything and commit with the next fixed date.
commit_all() {
    test_tick
    git add -A && git commit -q -m "$1"
}

# write_prompt NAME BODY [VARS]: write prompts/NAME.prompt with front matter declaring VARS (a TOML array body).
write_prompt() {
    local name=$1 body=$2 vars=${3:-}
    mkdir -p "prompts/$(dirname "$name")"
    {
        echo "+++"
        echo "description = \"test prompt $name\""
        echo "variables = [$vars]"
        echo "+++"
        printf '%s\n' "$body"
    } >"prompts/$name.prompt"
}

# snapshot DIR: a fingerprint of a folder's content (to prove nothing changed). A cache's lock file and its
# registry of work trees (mlci/cache/lock, mlci/cache/worktrees/) are bookkeeping that any command using
# the cache may create, not content: left out.
snapshot() {
    (cd "$1" && find . -path ./.git/index -prune -o -path '*mlci/cache/worktrees' -prune -o \
        -type f ! -path '*mlci/cache/lock' ! -path './lock' -print0 | sort -z | xargs -0 sha256sum 2>/dev/null) |
        sha256sum | cut -d' ' -f1
}
# unique_files DIR N SIZE TAG: N files of SIZE bytes, each unique (TAG and its number first).
unique_files() {
    mkdir -p "$1"
    local i
    for i in $(seq 1 "$2"); do
        { printf '%s-%04d:' "$4" "$i"; head -c "$3" /dev/zero | tr '\0' x; } >"$1/f$i"
    done
}
# cache_files DIR: the files of a cache folder but its lock and registry (objects, temporaries, strays).
cache_files() {
    find "$1" -path "$1/worktrees" -prune -o -type f ! -path "$1/lock" -print 2>/dev/null
}
# refs_snapshot: every ref and its target (to prove a refused command left the registry untouched).
refs_snapshot() {
    git for-each-ref --format='%(refname) %(objectname)' | sha256sum | cut -d' ' -f1
}
