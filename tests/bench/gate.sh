#!/usr/bin/env bash
# Benchmark (issue 5): `git gate` on a repository of N commits (default 20,000), each with an eval note
# on refs/notes/mlci/evals as `git gate run` writes it.
#  1. `git gate show` and `git gate check` of the tip, against `git notes --ref=mlci/evals show HEAD`
#     (goal: at most 3x);
#  2. `git gate log accuracy` over the whole history, against `git log --notes=mlci/evals`
#     (goal: faster than git log), as fast-import leaves the repository and again with a commit-graph
#     (as `git gc` leaves one: libgit2 and git then walk by it).
# Usage: tests/bench/gate.sh [N]   (git-gate must be on PATH)
source "$(dirname "$0")/common.sh"
N=${1:-20000}
repo="$BENCH_TMP/repo"
git init -q "$repo"
cd "$repo"
# One fast-import stream: N commits on main (each changes evals/data.txt; the first also adds the
# gates), then one notes commit holding a note for every commit. fast-import picks the notes fan-out.
python3 - "$N" <<'PY' | git fast-import --quiet
import sys
n = int(sys.argv[1])
t0 = 1767225600
out = sys.stdout.buffer
def data(b):
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")
gates = b'''[suite.quality]
command = ["python3", "evals/acc.py", "{out}"]
inputs = ["evals/**"]

[gate.pre-push]
suites = ["quality"]
baseline = "main"
rules = [
  { metric = "accuracy", min = 0.5, max_drop = "5%" },
  { metric = "latency_ms", max = 500 },
]
'''
for i in range(1, n + 1):
    out.write(b"commit refs/heads/main\nmark :%d\n" % i)
    out.write(b"author bench <bench@example.com> %d +0000\n" % (t0 + i * 60))
    out.write(b"committer bench <bench@example.com> %d +0000\n" % (t0 + i * 60))
    data(b"change %d\n" % i)
    if i > 1:
        out.write(b"from :%d\n" % (i - 1))
    if i == 1:
        out.write(b"M 100644 inline .mlci/gates.toml\n")
        data(gates)
    out.write(b"M 100644 inline evals/data.txt\n")
    data(b"sample %d\n" % i)
out.write(b"commit refs/notes/mlci/evals\n")
out.write(b"committer bench <bench@example.com> %d +0000\n" % (t0 + (n + 1) * 60))
data(b"git gate: bench notes\n")
for i in range(1, n + 1):
    t = t0 + i * 60 + 30
    ts = __import__("time").strftime("%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime(t))
    rid = __import__("time").strftime("%Y%m%dT%H%M%SZ", __import__("time").gmtime(t)) + "-%06x" % (i * 2654435761 % 16**6)
    acc = 0.80 + (i % 97) / 1000
    note = (f'[[run]]\nsuite = "quality"\nid = "{rid}"\nat = {ts}\nby = "bench@example.com"\n'
            f'duration_s = {1 + i % 7}.25\nfingerprint = "xxh128:{i:032x}"\nstatus = "ok"\n'
            f'[run.metrics]\naccuracy = {acc!r}\nf1 = {acc - 0.03!r}\nlatency_ms = {100 + i % 50}.0\n'
            f'[run.cases]\ncase-1 = 1.0\ncase-2 = 1.0\ncase-3 = {float(i % 2)}\ncase-4 = 0.0\n')
    out.write(b"N inline :%d\n" % i)
    data(note.encode())
PY
git checkout -q main
git pack-refs --all

echo "repository: $(git rev-list --count HEAD) commits, $(git notes --ref=mlci/evals list | wc -l) notes"
compare "git gate show" "git notes show HEAD" "git-gate show" "git notes --ref=mlci/evals show HEAD"
compare "git gate check (tip vs its own baseline)" "git notes show HEAD" "git-gate check" \
    "git notes --ref=mlci/evals show HEAD"
# A candidate one commit ahead of the baseline: main stays at the parent.
git checkout -q -b feat && git branch -q -f main HEAD~1
compare "git gate check (tip vs parent on main)" "git notes show HEAD" "git-gate check" \
    "git notes --ref=mlci/evals show HEAD"
git checkout -q -B main feat
compare "git gate log accuracy ($N commits)" "git log --notes=mlci/evals" \
    "git-gate log accuracy" "git log --notes=mlci/evals"
compare "git gate log accuracy --json" "git log --notes=mlci/evals" \
    "git-gate log accuracy --json" "git log --notes=mlci/evals"
git commit-graph write --reachable
compare "git gate log accuracy (with a commit-graph)" "git log --notes=mlci/evals" \
    "git-gate log accuracy" "git log --notes=mlci/evals"
