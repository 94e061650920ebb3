#!/usr/bin/env bash
# Benchmark (issue 16): `git gate report --format html` over N commits (default 100), each with an eval
# note holding one run of C cases (default 1,000) and a few metrics, as `git gate run` writes it; the
# report draws each metric's trend over all N commits (--last N) and compares head with its parent on
# main (about 5% of the cases flip). Goal: at most 1 s. Peer: `git log -N --notes=mlci/evals`, which
# reads the same N notes.
# Usage: tests/bench/report-html.sh [N] [C]   (git-gate must be on PATH)
source "$(dirname "$0")/common.sh"
N=${1:-100}
C=${2:-1000}
repo="$BENCH_TMP/repo"
git init -q "$repo"
cd "$repo"
# One fast-import stream: N commits on main, then one notes commit with a note for each.
python3 - "$N" "$C" <<'PY' | git fast-import --quiet
import sys, time
n, c = int(sys.argv[1]), int(sys.argv[2])
t0 = 1767225600
out = sys.stdout.buffer
def data(b):
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")
gates = b'''[suite.quality]
command = ["python3", "evals/qa.py", "{out}"]
inputs = ["evals/**"]

[gate.pre-push]
suites = ["quality"]
baseline = "main"
rules = [
  { metric = "pass_rate", min = 0.5 },
  { metric = "latency_p95_ms", max_rise = "10%" },
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
    ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    rid = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t)) + "-%06x" % (i * 2654435761 % 16**6)
    # Case k passes unless (k * 7 + i) % 20 == 0: 5% fail, a different 5% on each commit.
    cases = [(k, 0.0 if (k * 7 + i) % 20 == 0 else 1.0) for k in range(c)]
    rate = sum(v for _, v in cases) / c
    lines = [f'[[run]]\nsuite = "quality"\nid = "{rid}"\nat = {ts}\nby = "bench@example.com"\n'
             f'duration_s = 12.5\nfingerprint = "xxh128:{i:032x}"\nstatus = "ok"\n'
             f'[run.metrics]\npass_rate = {rate!r}\nlatency_p95_ms = {400 + i % 37}.0\n'
             f'cost_usd = {0.0123 + i / 1e5!r}\ntokens_total = {100000 + i * 17}\n[run.cases]\n']
    lines += [f'case-{k:04d} = {v}\n' for k, v in cases]
    out.write(b"N inline :%d\n" % i)
    data("".join(lines).encode())
PY
git checkout -q main
git pack-refs --all
# The candidate: main's tip on a branch, main one commit behind (the base).
git checkout -q -b feat && git branch -q -f main HEAD~1
out=$(git-gate report --format html --last "$N")
echo "repository: $(git rev-list --count HEAD) commits, $(git notes --ref=mlci/evals list | wc -l) notes of $C cases;" \
    "page: $(printf '%s' "$out" | wc -c) bytes, $(grep -o 'class="flip"' <<<"$out" | wc -l) flipped cases," \
    "$(grep -o '<svg' <<<"$out" | wc -l) trend charts"
compare "git gate report --format html --last $N" "git log -$N --notes" \
    "git-gate report --format html --last $N" "git log -$N --notes=mlci/evals"
compare "git gate report --format html (default --last 20)" "git log -$N --notes" \
    "git-gate report --format html" "git log -$N --notes=mlci/evals"
