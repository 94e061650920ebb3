#!/usr/bin/env bash
# Benchmark (issue 2): `git prompt list` and `git prompt show NAME@latest` on a repository with
# N prompts x 5 versions (default 1,000 x 5 = 5,000 annotated tags), each against `git tag -l` on the
# same repository. Usage: tests/bench/prompt-registry.sh [N]   (git-prompt must be on PATH)
source "$(dirname "$0")/common.sh"
N=${1:-1000}
VERSIONS=5
repo="$BENCH_TMP/repo"
git init -q "$repo"
cd "$repo"
# Build the history with fast-import: VERSIONS commits, each rewriting every prompt, then one annotated
# tag per prompt and version, as `git prompt bump` writes them.
python3 - "$N" "$VERSIONS" <<'PY' | git fast-import --quiet
import sys
n, versions = int(sys.argv[1]), int(sys.argv[2])
t = 1767225600
out = sys.stdout
for v in range(versions):
    out.write(f"commit refs/heads/main\nmark :{v+1}\ncommitter bench <bench@example.com> {t+v*60} +0000\n")
    msg = f"version {v}\n"
    out.write(f"data {len(msg)}\n{msg}")
    if v:
        out.write(f"from :{v}\n")
    for i in range(n):
        body = (f'+++\ndescription = "prompt {i}"\nvariables = ["question"]\n+++\n'
                f"Revision {v} of prompt {i}.\nQuestion: {{{{question}}}}\n")
        data = body.encode()
        out.write(f"M 100644 inline prompts/p{i:04d}.prompt\ndata {len(data)}\n")
        out.flush(); sys.stdout.buffer.write(data); out.write("\n")
for v in range(versions):
    for i in range(n):
        msg = (f"Release p{i:04d} v1.{v}.0\n\nMlci-Kind: prompt\nMlci-Path: prompts/p{i:04d}.prompt\n"
               f"Mlci-Bump: minor (bench)\n")
        out.write(f"tag p{i:04d}@v1.{v}.0\nfrom :{v+1}\ntagger bench <bench@example.com> {t+v*60+1} +0000\n")
        out.write(f"data {len(msg)}\n{msg}")
PY
git checkout -q main
git pack-refs --all
echo "repository: $N prompts x $VERSIONS versions = $(git tag -l | wc -l) tags (packed refs)"
compare "git prompt list" "git tag -l" "git-prompt list" "git tag -l"
compare "git prompt show p0500@latest" "git tag -l" "git-prompt show p0500@latest" "git tag -l"
compare "git prompt list --json" "git tag -l" "git-prompt list --json" "git tag -l"
