#!/usr/bin/env bash
# Benchmark (issue 16): `git gate record SUITE --from promptfoo FILE` of a ~50 MB promptfoo results file
# (promptfoo 0.123.1's layout: every entry shaped like tests/fixtures/formats/promptfoo-2prompts-2providers.json's,
# 2 prompts x 2 providers x many tests), against `jq . FILE >/dev/null` (goal: at most 2x). The notes ref is
# deleted before each run, so every run records into an empty note.
# Usage: tests/bench/record-promptfoo.sh [MB]   (git-gate and jq must be on PATH)
source "$(dirname "$0")/common.sh"
command -v jq >/dev/null || { echo "bench: jq is needed (apt-get install jq)" >&2; exit 2; }
MB=${1:-50}
SRC="$(cd "$(dirname "$0")/../.." && pwd)/tests/fixtures/formats/promptfoo-2prompts-2providers.json"
repo="$BENCH_TMP/repo"
git init -q "$repo"
cd "$repo"
mkdir -p .mlci
printf '[suite.pf]\ncommand = ["true"]\nformat = "promptfoo"\n' >.mlci/gates.toml
git add -A && git commit -q -m "gates"
python3 - "$SRC" "$MB" >"$BENCH_TMP/results.json" <<'PY'
import copy, json, sys
src, mb = json.load(open(sys.argv[1])), int(sys.argv[2])
template = src["results"]["results"]
one = len(json.dumps(template[0], indent=2)) * 1.2  # an entry, indented one level deeper in the file
n_tests = max(1, int(mb * 1024 * 1024 // (one * len(template))))
out = []
for t in range(n_tests):
    for e in template:
        e = copy.deepcopy(e)
        e["testIdx"] = t
        e["testCase"]["description"] = f"ticket {t} ({e['testCase']['description']})"
        e["success"] = (t * 7 + e["promptIdx"]) % 10 != 0
        e["latencyMs"] = (t * 13) % 500
        e["id"] = f"{t:08d}-{e['promptIdx']}"
        out.append(e)
doc = copy.deepcopy(src)
doc["results"]["results"] = out
json.dump(doc, sys.stdout, indent=2)
PY
size=$(stat -c %s "$BENCH_TMP/results.json")
cases=$(jq '.results.results | length' "$BENCH_TMP/results.json")
echo "results file: $((size / 1024 / 1024)) MiB, $cases cases"
RUNS=${RUNS:-5} compare "git gate record --from promptfoo" "jq . FILE >/dev/null" \
    "sh -c 'git gate record pf --from promptfoo $BENCH_TMP/results.json >/dev/null'" \
    "sh -c 'jq . $BENCH_TMP/results.json >/dev/null'" \
    --prepare "git update-ref -d refs/notes/mlci/evals"
