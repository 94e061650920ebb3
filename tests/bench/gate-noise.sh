#!/usr/bin/env bash
# Benchmark (issue 13): does `git gate check` tell a regression from noise? A simulator of nondeterministic
# suites — a fixed set of cases, each with its own pass probability (stable ones near 0 or 1, flaky ones in
# between) — records a baseline run and a candidate run per trial with `git gate record`, and judges the
# candidate with the installed `git gate check`:
#   A/A trials: the candidate is sampled from exactly the same probabilities (any fail is a false fail);
#   A/B trials: the candidate's true accuracy is 5 points lower (a fail is a detection).
# Each setting prints the false-fail and detection rates of the gate, and, on the same trials, those of the
# point comparison mlci made before samples existed (a relative drop of the point accuracy beyond the rule).
# Usage: tests/bench/gate-noise.sh [TRIALS=200]   (git-gate must be on PATH)
source "$(dirname "$0")/common.sh"
TRIALS=${1:-200}
repo="$BENCH_TMP/repo"
git init -q "$repo"
cd "$repo"
python3 - "$TRIALS" <<'PY'
import json, os, random, subprocess, sys

trials = int(sys.argv[1])

def git(*args, check=True):
    return subprocess.run(["git", *args], check=check, capture_output=True, text=True)

def setup(repeat_note):
    os.makedirs(".mlci", exist_ok=True)
    with open(".mlci/gates.toml", "w") as f:
        f.write("""[suite.sim]
command = ["false"]

[gate.pre-push]
suites = ["sim"]
baseline = "main"
rules = [{ metric = "accuracy", max_drop = "2%" }]
""")
    git("add", "-A")
    git("commit", "-q", "-m", "gates", "--allow-empty")

def probabilities(n, rng):
    # Two thirds stable (pass almost always or almost never), one third flaky (a pass probability
    # between 0.2 and 0.8): the mix the issue measured the point comparison on.
    p = []
    for i in range(n):
        if i % 3 == 0:
            p.append(rng.uniform(0.2, 0.8))
        else:
            p.append(0.97 if rng.random() < 0.85 else 0.03)
    return p

def lowered(p, drop):
    # The candidate of an A/B trial: every case's probability lowered in proportion to its room, so that
    # the mean falls by exactly `drop`.
    room = sum(min(x, 0.97) for x in p)
    return [x - drop * len(p) * min(x, 0.97) / room for x in p]

def sample(p, k, rng):
    cases = {}
    for i, x in enumerate(p):
        s = [1 if rng.random() < x else 0 for _ in range(k)]
        cases[f"q{i:04d}"] = s if k > 1 else s[0]
    acc = sum((sum(v) / k if k > 1 else v) for v in cases.values()) / len(p)
    return {"accuracy": acc, "cases": cases}

def record(commit, out):
    with open("out.json", "w") as f:
        json.dump(out, f)
    git("gate", "record", "sim", "--rev", commit, "--metrics", "out.json")

def run_setting(name, n, k, trials, seed):
    rng = random.Random(seed)
    p = probabilities(n, rng)
    q = lowered(p, 0.05)
    base = git("rev-parse", "main").stdout.strip()
    cand = git("rev-parse", "feat").stdout.strip()
    rows = {}
    for kind, truth in (("A/A", p), ("A/B", q)):
        gate = {"pass": 0, "fail": 0, "inconclusive": 0}
        point_fail = 0
        for t in range(trials):
            git("update-ref", "-d", "refs/notes/mlci/evals", check=False)
            b = sample(p, k, rng)
            c = sample(truth, k, rng)
            record(base, b)
            record(cand, c)
            r = subprocess.run(["git", "gate", "check", "pre-push", "--rev", cand, "--json"],
                               capture_output=True, text=True)
            verdict = json.loads(r.stdout)[0]["rules"][0]["verdict"]
            gate[verdict] = gate.get(verdict, 0) + 1
            if (b["accuracy"] - c["accuracy"]) / b["accuracy"] > 0.02 + 1e-9:
                point_fail += 1
        rows[kind] = (gate, point_fail)
    aa, ab = rows["A/A"], rows["A/B"]
    print(f"{name:<34} false fails {100*aa[0]['fail']/trials:5.1f}% (inconclusive {100*aa[0]['inconclusive']/trials:5.1f}%)"
          f"   detection {100*ab[0]['fail']/trials:5.1f}% (inconclusive {100*ab[0]['inconclusive']/trials:5.1f}%)"
          f"   | point comparison: false fails {100*aa[1]/trials:5.1f}%, detection {100*ab[1]/trials:5.1f}%",
          flush=True)

setup(None)
git("checkout", "-q", "-b", "feat")
git("commit", "-q", "--allow-empty", "-m", "candidate")
git("checkout", "-q", "main")
print(f"# {trials} A/A and {trials} A/B trials per setting; rule max_drop = \"2%\" on accuracy; A/B: true accuracy 5 points lower")
run_setting("400 cases x repeat 3", 400, 3, trials, 11)
run_setting("400 cases x repeat 5", 400, 5, trials, 15)
run_setting("400 cases x 1 sample", 400, 1, trials, 12)
run_setting("40 cases x 1 sample", 40, 1, trials, 13)
run_setting("40 cases x repeat 5", 40, 5, trials, 14)
PY
