# Shared by the benchmarks: hyperfine wrappers that print medians and ratios against a named peer.
# Benchmarks are not tests: they never fail on a timing, they print numbers.
set -euo pipefail
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mlci-bench.XXXXXX")
trap 'rm -rf "$BENCH_TMP"' EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME="$BENCH_TMP/home" NO_COLOR=1
mkdir -p "$HOME"
git config --global user.name bench && git config --global user.email bench@example.com
git config --global init.defaultBranch main

# median_of JSON: median seconds of hyperfine's first result in an --export-json file.
median_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"; }

# compare LABEL PEER_LABEL "MLCI CMD" "PEER CMD" [hyperfine args...]: time both, print medians and the ratio.
compare() {
    local label=$1 peer_label=$2 ours=$3 peer=$4
    shift 4
    hyperfine -N --style none --warmup 3 --runs "${RUNS:-15}" "$@" --export-json "$BENCH_TMP/a.json" "$ours" >/dev/null
    hyperfine -N --style none --warmup 3 --runs "${RUNS:-15}" "$@" --export-json "$BENCH_TMP/b.json" "$peer" >/dev/null
    python3 - "$label" "$peer_label" "$BENCH_TMP/a.json" "$BENCH_TMP/b.json" <<'PY'
import json, sys
label, peer, a, b = sys.argv[1:5]
ma = json.load(open(a))["results"][0]["median"]
mb = json.load(open(b))["results"][0]["median"]
print(f"{label:<44} median {ma*1000:9.1f} ms   {peer:<28} {mb*1000:9.1f} ms   ratio {ma/mb:6.2f}x")
PY
}
