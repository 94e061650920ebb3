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

# compare_cpu LABEL PEER_LABEL "MLCI CMD" "PEER CMD": like compare (common.sh), but also the CPU time
# (user + system) of each, which a busy shared machine disturbs far less than the wall time; the two
# commands alternate run by run, so a change of load hits both alike.
compare_cpu() {
    local label=$1 peer_label=$2 ours=$3 peer=$4
    local runs=${RUNS:-10} i
    hyperfine -N --style none --warmup 3 --runs 1 "$ours" "$peer" >/dev/null
    for i in $(seq 1 "$runs"); do
        hyperfine -N --style none --runs 1 --export-json "$BENCH_TMP/c$i.json" "$ours" "$peer" >/dev/null
    done
    python3 - "$label" "$peer_label" "$BENCH_TMP" "$runs" <<'PY'
import json, statistics, sys
label, peer, tmp, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
wall = [[], []]; cpu = [[], []]
for i in range(1, runs + 1):
    res = json.load(open(f"{tmp}/c{i}.json"))["results"]
    for k in (0, 1):
        wall[k].append(res[k]["median"])
        cpu[k].append(res[k]["user"] + res[k]["system"])
wa, wb = statistics.median(wall[0]), statistics.median(wall[1])
ca, cb = statistics.median(cpu[0]), statistics.median(cpu[1])
print(f"{label:<44} median {wa*1000:9.1f} ms   {peer:<28} {wb*1000:9.1f} ms   ratio {wa/wb:6.2f}x")
print(f"{'  same, CPU time (user + system)':<44} median {ca*1000:9.1f} ms   {peer:<28} {cb*1000:9.1f} ms   ratio {ca/cb:6.2f}x")
PY
}
echo "repository: $(git rev-list --count HEAD) commits, $(git notes --ref=mlci/evals list | wc -l) notes"
compare "git gate show" "git notes show HEAD" "git-gate show" "git notes --ref=mlci/evals show HEAD"
compare "git gate check (tip vs its own baseline)" "git notes show HEAD" "git-gate check" \
    "git notes --ref=mlci/evals show HEAD"
# A candidate one commit ahead of the baseline: main stays at the parent.
git checkout -q -b feat && git branch -q -f main HEAD~1
compare "git gate check (tip vs parent on main)" "git notes show HEAD" "git-gate check" \
    "git notes --ref=mlci/evals show HEAD"
git checkout -q -B main feat
compare_cpu "git gate log accuracy ($N commits)" "git log --notes=mlci/evals" \
    "git-gate log accuracy" "git log --notes=mlci/evals"
compare_cpu "git gate log accuracy --json" "git log --notes=mlci/evals" \
    "git-gate log accuracy --json" "git log --notes=mlci/evals"
git commit-graph write --reachable
compare_cpu "git gate log accuracy (with a commit-graph)" "git log --notes=mlci/evals" \
    "git-gate log accuracy" "git log --notes=mlci/evals"
