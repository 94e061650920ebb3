#!/usr/bin/env bash
# pre-push: the eval gate before anything leaves, then the artifact upload, then the eval notes.
# post-checkout: artifacts materialized. Real `git push` to a bare remote, hooks installed.
source "$(dirname "$0")/lib.sh"

# gated_repo: hooks installed, a local store, a suite that scores evals/predictions.txt against
# evals/labels.txt, and a pre-push gate with an absolute and a relative rule.
gated_repo() {
    new_repo repo
    mkdir -p .mlci evals "$TRASH/store"
    cat >.mlci/config.toml <<EOF
[remote.store]
url = "$TRASH/store"
EOF
    cat >.mlci/gates.toml <<'EOF'
[suite.score]
command = ["python3", "evals/score.py", "{out}"]
inputs = ["evals/**", "prompts/**"]
timeout = "60s"

[gate.pre-push]
suites = ["score"]
baseline = "origin/main"
rules = [
  { metric = "accuracy", min = 0.5 },
  { metric = "accuracy", max_drop = "5%" },
]
EOF
    cat >evals/score.py <<'EOF'
import json, sys
# Four times over: 40 cases, enough for the gate's intervals to tell these regressions from noise.
pred = open("evals/predictions.txt").read().split() * 4
gold = open("evals/labels.txt").read().split() * 4
acc = sum(p == g for p, g in zip(pred, gold)) / len(gold)
cases = {f"case{i}": int(p == g) for i, (p, g) in enumerate(zip(pred, gold))}
json.dump({"accuracy": acc, "cases": cases}, open(sys.argv[1], "w"))
EOF
    printf 'a b a b a b a b a b\n' >evals/labels.txt
    printf 'a b a b a b a b a a\n' >evals/predictions.txt # 90 %
    git gate init >/dev/null || fail "git gate init failed"
    commit_all "gated eval"
}

begin_test "a first push with results passes the gate and pushes the eval notes"
gated_repo
run git gate run
expect_rc 0
run git push -u origin main
expect_rc 0
expect_err "pre-push gate on refs/heads/main"
expect_eq "$(git --git-dir="$TRASH/repo-origin.git" rev-parse main)" "$(git rev-parse main)"
git --git-dir="$TRASH/repo-origin.git" notes --ref=mlci/evals show main >/dev/null 2>&1 ||
    fail "eval notes not on the remote"
end_test

begin_test "a push without results is refused with the command to run"
gated_repo
run git push -u origin main
expect_rc 1
expect_err "the pre-push gate cannot decide"
expect_err "git gate run"
git --git-dir="$TRASH/repo-origin.git" rev-parse --verify -q main >/dev/null && fail "the remote got the branch"
end_test

begin_test "hooks.run_on_push runs the missing suites"
gated_repo
mkdir -p .git/mlci && printf '[hooks]\nrun_on_push = true\n' >.git/mlci/config.toml
echo "run on push" >notes.txt
commit_all "run on push"
run git push -u origin main
expect_rc 0
expect_err "running the missing suites"
end_test

begin_test "a regression beyond the gate is refused, the remote unchanged; the fix goes through"
gated_repo
git gate run >/dev/null 2>&1
git push -q -u origin main 2>/dev/null || fail "first push failed"
before=$(git --git-dir="$TRASH/repo-origin.git" rev-parse main)
printf 'a b a b a b b a b a\n' >evals/predictions.txt # 60 %: above min, but a 33 % drop
commit_all "worse predictions"
git gate run >/dev/null 2>&1
run git push origin main
expect_rc 1
expect_err "push refused: the pre-push gate failed"
expect_err "accuracy"
expect_err "max_drop 5%"
expect_eq "$(git --git-dir="$TRASH/repo-origin.git" rev-parse main)" "$before"
# --no-verify bypasses (CI's git gate check is the real gate)
git branch -q bypass
run git push --no-verify origin bypass
expect_rc 0
# the fix
printf 'a b a b a b a b a b\n' >evals/predictions.txt # 100 %
commit_all "fix predictions"
git gate run >/dev/null 2>&1
run git push origin main
expect_rc 0
expect_eq "$(git --git-dir="$TRASH/repo-origin.git" rev-parse main)" "$(git rev-parse main)"
end_test

begin_test "artifacts are uploaded after the gate; a fresh clone gets notes and pulls the bytes"
gated_repo
git gate run >/dev/null 2>&1
git push -q -u origin main 2>/dev/null || fail "first push failed"
mkdir -p models
head -c 300000 /dev/urandom >models/clf.bin
git model add models/clf.bin >/dev/null 2>&1 || fail "git model add failed"
commit_all "add the model"
run git push origin main
expect_rc 0
expect_err "artifacts on"
[ -n "$(find "$TRASH/store" -type f)" ] || fail "nothing uploaded to the store"
cd "$TRASH"
git clone -q repo-origin.git clone
cd clone
git fetch -q origin '+refs/notes/mlci/*:refs/notes/mlci/*'
run git notes --ref=mlci/evals show HEAD~1
expect_rc 0
expect_out "accuracy"
run git model pull
expect_rc 0
cmp -s models/clf.bin "$TRASH/repo/models/clf.bin" || fail "pulled bytes differ"
end_test

begin_test "a refused push uploads nothing"
gated_repo
git gate run >/dev/null 2>&1
git push -q -u origin main 2>/dev/null || fail "first push failed"
stored=$(find "$TRASH/store" -type f | sort) # the first run's details object, uploaded by the passing push
mkdir -p models
head -c 1000 /dev/urandom >models/m.bin
git model add models/m.bin >/dev/null 2>&1
printf 'b b b b b b b b b b\n' >evals/predictions.txt
commit_all "model and a regression"
git gate run >/dev/null 2>&1
run git push origin main
expect_rc 1
[ "$(find "$TRASH/store" -type f | sort)" = "$stored" ] || fail "a refused push uploaded artifacts"
end_test

begin_test "a gated change is caught in packed history and past a merge, as git log would list it"
# mlci-hook walks the pushed first-parent chain itself (packed or loose); a merge of the remote's side
# is handed to git. Either way the gated change must be seen.
gated_repo
git gate run >/dev/null 2>&1
git push -q -u origin main 2>/dev/null || fail "first push failed"
printf 'a b a b a b a b a b\n' >evals/predictions.txt
commit_all "better predictions"
echo "docs" >README.md
commit_all "docs on top"
git gc -q --aggressive
run git push origin main
expect_rc 1
expect_err "the pre-push gate cannot decide"
git checkout -q -b other origin/main
echo "x" >other.txt
commit_all "other side"
git push -q origin other:main --no-verify 2>/dev/null || fail "setup push failed"
git checkout -q main
git fetch -q origin
git merge -q --no-edit origin/main
run git push origin main
expect_rc 1
expect_err "the pre-push gate cannot decide"
git gate run >/dev/null 2>&1
run git push origin main
expect_rc 0
expect_eq "$(git --git-dir="$TRASH/repo-origin.git" rev-parse main)" "$(git rev-parse main)"
end_test

begin_test "pushing tags, deleting a branch and commits touching nothing gated pass at once"
gated_repo
git gate run >/dev/null 2>&1
git push -q -u origin main 2>/dev/null || fail "first push failed"
echo "docs" >README.md
commit_all "docs only"
run git push origin main
expect_rc 0
expect_not_err "pre-push gate"
git tag -a v1 -m v1
run git push origin v1
expect_rc 0
git push -q origin main:refs/heads/tmp 2>/dev/null
run git push origin --delete tmp
expect_rc 0
end_test

begin_test "branch names with quotes and \$(…) reach no shell"
gated_repo
git gate run >/dev/null 2>&1
branch='we"ird-$(mkdir${IFS}PWNED)-`id`-name'
git checkout -q -b "$branch"
run git push origin "$branch"
expect_rc 0
[ -e PWNED ] && fail "a branch name was run by a shell"
end_test

begin_test "post-checkout materializes artifacts and keeps a modified file"
gated_repo
mkdir -p models
echo "version one" >models/m.txt
git model add models/m.txt >/dev/null 2>&1
commit_all "v1"
echo "version two" >models/m.txt
git model add models/m.txt >/dev/null 2>&1
commit_all "v2"
run git checkout -q HEAD~1
expect_rc 0
expect_eq "$(cat models/m.txt)" "version one"
git checkout -q main
expect_eq "$(cat models/m.txt)" "version two"
echo "local edit" >models/m.txt
run git checkout -q HEAD~1
expect_rc 0
expect_err "models/m.txt"
expect_eq "$(cat models/m.txt)" "local edit"
end_test

finish
