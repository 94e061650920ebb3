#!/usr/bin/env bash
# Benchmark (issue 6): the hooks' cost.
#  1. pre-commit and pre-push with nothing relevant changed, run as git runs them (the installed
#     shim), against `git rev-parse HEAD` (goal: at most 3x).
#  2. `git commit` of 100 prompt files plus a 100,000-line JSONL dataset with a schema, with the hooks
#     installed, against the same commit without hooks.
# Usage: tests/bench/hooks.sh   (git-gate must be on PATH)
source "$(dirname "$0")/common.sh"
repo="$BENCH_TMP/repo"
git init -q --bare "$BENCH_TMP/origin.git"
git init -q "$repo"
cd "$repo"
git remote add origin "$BENCH_TMP/origin.git"
mkdir -p src .mlci
for i in $(seq 1 200); do echo "int f$i() { return $i; }" >"src/f$i.c"; done
printf '[suite.q]\ncommand = ["true"]\ninputs = ["prompts/**"]\n[gate.pre-push]\nsuites = ["q"]\n' >.mlci/gates.toml
git add -A && git commit -q -m base
git gate install-hooks >/dev/null
git push -q origin main 2>/dev/null
echo "// more" >>src/f1.c && git add src/f1.c   # staged, but nothing mlci checks beyond its size
git commit -q -m "code change" --no-verify
printf 'refs/heads/main %s refs/heads/main %s\n' "$(git rev-parse HEAD)" "$(git rev-parse HEAD~1)" >"$BENCH_TMP/push-lines"
echo "// staged" >>src/f2.c && git add src/f2.c
echo "== no-op hooks (nothing relevant staged / pushed)"
# git gives pre-commit the index in GIT_INDEX_FILE; `env` sets it the same way here, and runs the peer
# too, so both sides pay the same wrapper.
compare "pre-commit hook (code file staged)" "git rev-parse HEAD" "env GIT_INDEX_FILE=.git/index .git/hooks/pre-commit" \
    "env GIT_INDEX_FILE=.git/index git rev-parse HEAD"
compare "pre-push hook (code commit pushed)" "git rev-parse HEAD" \
    "sh -c 'exec .git/hooks/pre-push origin $BENCH_TMP/origin.git <$BENCH_TMP/push-lines'" \
    "sh -c 'exec git rev-parse HEAD <$BENCH_TMP/push-lines'"
git reset -q

echo "== pre-commit on 100 prompts + a 100,000-line JSONL dataset"
mkdir -p prompts data .mlci/schemas
cat >.mlci/schemas/qa.toml <<'T'
files = ["data/*.jsonl"]
format = "jsonl"
[field.question]
type = "string"
required = true
min_length = 3
[field.label]
enum = ["yes", "no"]
[field.score]
type = "number"
min = 0
max = 1
T
git add .mlci && git commit -q -m schema --no-verify
for i in $(seq -w 1 100); do
    printf '+++\ndescription = "p%s"\nvariables = ["question", "context"]\n+++\nContext: {{context}}\nQuestion: {{question}}\n' "$i" >"prompts/p$i.prompt"
done
python3 -c '
import json
with open("data/train.jsonl", "w") as f:
    for i in range(100000):
        f.write(json.dumps({"question": f"question number {i}?", "label": "yes" if i % 2 else "no", "score": (i % 100) / 100}) + "\n")
'
git add prompts data
tree_before=$(git write-tree)
# Each run commits the same staged content on the same parent, then undoes it, so runs are alike.
commit_cmd() { echo "sh -c 'git commit -q -m bench $1 && git reset -q --soft HEAD~1'"; }
compare "git commit with mlci hooks" "git commit --no-verify" "$(commit_cmd "")" "$(commit_cmd --no-verify)"
[ "$(git write-tree)" = "$tree_before" ] || echo "bench: the index changed during the benchmark" >&2
