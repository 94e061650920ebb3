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
echo "demo complete: $DEMO/work"
