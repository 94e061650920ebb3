#!/usr/bin/env bash
# The end-to-end demo, run from the installed commands (git prompt, git model, git gate) in a
# throwaway repository with a bare `origin`. Every step prints the command first, like a session.
set -euo pipefail
for c in git-prompt git-model git-gate; do
    command -v "$c" >/dev/null || { echo "error: $c is not on PATH: run scripts/quickstart.sh" >&2; exit 2; }
done
SRC=$(cd "$(dirname "$0")/.." && pwd)
DEMO=$(mktemp -d "${TMPDIR:-/tmp}/mlci-demo.XXXXXX")
export GIT_CONFIG_NOSYSTEM=1 HOME="$DEMO/home"
mkdir -p "$HOME"
git config --global user.name "Demo User"
git config --global user.email "demo@example.com"
git config --global init.defaultBranch main
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then B=$'\033[1m' R=$'\033[0m'; else B="" R=""; fi
show() { printf '\n%s$' "$B"; printf ' %q' "$@"; printf '%s' "$R"; }
step() { show "$@"; echo; "$@"; }
# A new model: edit its weights (a sed expression), add, commit with the message, run the eval.
retrain() {
    sed -i "$1" models/sentiment.json
    step git model add models/sentiment.json
    step git commit -q -am "$2"
    step git gate run sentiment
}
# expect_fail: the command must fail (a refusal is part of the story).
expect_fail() {
    show "$@"; echo "   # expected to be refused"
    if "$@"; then echo "demo: '$*' should have been refused" >&2; exit 1; fi
}

cd "$DEMO"
git init -q --bare origin.git
git init -q work
cd work
git remote add origin "$DEMO/origin.git"

echo "== Prompts: versioned like code"
mkdir -p prompts
step cp "$SRC/prompts/rag_answer.prompt" prompts/
cat prompts/rag_answer.prompt
step git prompt check
step git add prompts && step git commit -q -m "Add the rag_answer prompt"
step git prompt bump --minor
sed -i 's/Use only the context below./Answer using only the context below./' prompts/rag_answer.prompt
step git prompt diff rag_answer
step git commit -q -am "Reword the rag_answer instruction"
step git prompt bump
step git prompt log rag_answer
step git prompt list
step git prompt show rag_answer@latest --render context="Paris is the capital of France." --render question="What is the capital of France?"

echo
echo "== Models: big files versioned without entering git"
mkdir -p models evals .mlci "$DEMO/store"
cat >.mlci/config.toml <<CONFIG
stages = ["dev", "staging", "canary", "production"]

[remote.local]
url = "$DEMO/store"

# What a card says of the model, and what each version records it was built from (its lineage).
[model.sentiment]
path = "models/sentiment.json.mlci"
inputs = ["evals/labelled.jsonl", "evals/score_sentiment.py"]
description = "A bag-of-words sentiment classifier"
labels = ["nlp", "demo"]
CONFIG
head -c 209715200 /dev/urandom >models/base.safetensors
step git model add models/base.safetensors
cat models/base.safetensors.mlci
step git model status
step git add .mlci models/base.safetensors.mlci models/.gitignore
step git commit -q -m "Add the 200 MB base model (pointer only)"
step git model push
du -sh "$DEMO/store" .git | sed 's/^/  /'

echo
echo "== Evals: results as git notes, a gate on every push"
cp "$SRC/tests/fixtures/demo/score_sentiment.py" "$SRC/tests/fixtures/demo/labelled.jsonl" evals/
cp "$SRC/tests/fixtures/demo/sentiment.json" models/
cp "$SRC/tests/fixtures/demo/gates.toml" .mlci/gates.toml
cat .mlci/gates.toml
step git model add models/sentiment.json
step git gate init
step git add -A
step git commit -q -m "Sentiment model and its eval"
step git gate run sentiment
step git gate check
step git push -u origin main

echo
echo "== A worse model: the gate refuses it, and the push"
retrain 's/"bias": 0.0/"bias": -1.5/' "Retune the sentiment bias"
expect_fail git gate check
expect_fail git push origin main
step git --git-dir="$DEMO/origin.git" log --oneline -1 main

echo
echo "== The fix passes"
retrain 's/"bias": -1.5/"bias": 0.0/' "Restore the bias"
step git gate check
step git push origin main
step git gate report --format markdown

echo
echo "== Promotion: a version reaches a stage only through the stage's gate"
retrain 's/"good": 1.0/"good": -1.0/' "Retrain: a new weight for 'good'"
step git model bump sentiment
step git model promote dev
echo "  staging's gate wants accuracy >= 0.85 shown over its 40 cases; this version's 0.925 cannot show it"
expect_fail git model promote staging
step git model stages
retrain 's/"good": -1.0/"good": 1.0/' "Retrain with the weight of 'good' restored"
step git model bump sentiment
step git model promote dev
step git push origin main
step git model promote staging --push
step git model stages
step git model history sentiment

echo
echo "== Release: a canary on 5 % of the traffic, judged on live metrics against production's"
# live FILE LATENCY ERROR_RATE: what monitoring exports for one deployment over an hour.
live() { printf '{"latency_p95_ms": %s, "error_rate": %s}\n' "$2" "$3" >"$DEMO/$1"; }
step git model promote canary sentiment --traffic 5
live canary.json 210 0.010
step git gate record canary-live --rev sentiment@canary --metrics "$DEMO/canary.json"
echo "  production holds no version yet: its relative rules are skipped, this first release goes through"
step git model promote production sentiment@canary
retrain 's/"good": 1.0,/"good": 1.0, "superb": 1.5,/' "Retrain: learn 'superb'"
step git model bump sentiment
step git model promote dev
step git push -q origin main
step git model promote staging
step git model promote canary sentiment --traffic 5
live canary.json 190 0.009
live production.json 210 0.010
step git gate record canary-live --rev sentiment@canary --metrics "$DEMO/canary.json"
step git gate record canary-live --rev sentiment@production --metrics "$DEMO/production.json"
step git gate check production --rev sentiment@canary
step git model promote canary sentiment@canary --traffic 25
step git model stages
step git model promote production sentiment@canary
step git model lineage sentiment@v0.2.0 sentiment@v0.3.0
step git model export --stage canary,production -o "$DEMO/deploy.json"
echo "  a serving container needs no repository: the manifest names each version's objects in the store"
(cd "$DEMO" && step git model get --manifest deploy.json sentiment@production -o serve)
step cmp "$DEMO/serve/sentiment.json" models/sentiment.json
step git model card sentiment@production

echo
echo "== Elsewhere: a fresh clone gets the notes and pulls the bytes"
step git clone -q "$DEMO/origin.git" "$DEMO/elsewhere"
cd "$DEMO/elsewhere"
step git model pull
step cmp models/base.safetensors "$DEMO/work/models/base.safetensors"
echo "  the 200 MB model matches byte for byte"
step git fetch -q origin '+refs/notes/mlci/*:refs/notes/mlci/*'
step git gate show HEAD
cd "$DEMO/work"

echo
echo "demo complete: $DEMO/work"
