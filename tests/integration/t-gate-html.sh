#!/bin/bash
# git gate report --format html (issue 16), checked in a real headless browser: a failing pull request
# (cases flipped, a worse metric, hostile case ids) and a passing one are written as pages, loaded by
# Debian's chromium (--dump-dom: the DOM holds what it should and nothing injected; console: no error, no
# Content-Security-Policy violation) and screenshotted. The screenshots and pages are kept in
# $MLCI_ARTIFACTS/gate-html (default: build/test-artifacts/gate-html) for a reviewer to look at.
. "$(dirname "$0")/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "# SKIP: chromium is not installed (apt-get install chromium; scripts/deps.sh installs it)"
    exit 125
fi
ART=${MLCI_ARTIFACTS:-${MLCI_BUILD:-$MLCI_SOURCE/build}/test-artifacts}/gate-html
mkdir -p "$ART"

# chromium_run ARGS... URL: headless chromium with its own profile in the test folder, 90 s at most;
# stdout to $TRASH/.chr-out, stderr (its log, console messages included) to $TRASH/.chr-err.
chromium_run() {
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
        --user-data-dir="$TEST_ROOT/chromium-profile" "$@" >"$TRASH/.chr-out" 2>"$TRASH/.chr-err"
}

# load_page FILE: the DOM chromium builds from the page (in $DOM), with logging on; fails the test on
# any console message (a CSP violation, an error).
load_page() {
    chromium_run --enable-logging=stderr --v=0 --dump-dom "file://$1" || fail "chromium --dump-dom $1 failed"
    DOM=$(cat "$TRASH/.chr-out")
    if grep -E ':CONSOLE|Content Security Policy|Uncaught' "$TRASH/.chr-err" >&2; then
        fail "console messages while loading $1"
    fi
    [ -n "$DOM" ] || fail "chromium returned no DOM for $1"
}

# screenshot FILE PNG: a 1200x1600 screenshot of the page.
screenshot() {
    chromium_run --hide-scrollbars --window-size=1200,1600 --screenshot="$2" "file://$1" ||
        fail "chromium --screenshot $1 failed"
    [ -s "$2" ] || fail "no screenshot $2"
}

# dom_check DOM_FILE PY_ASSERTS...: parse the DOM with Python's html.parser: E (element name → count),
# C (class → count), T (the text, tags removed), A (list of (element, attrs)); run the asserts.
dom_check() {
    local dom=$1
    shift
    python3 - "$dom" "$@" <<'PY' || fail "DOM check failed (line ${BASH_LINENO[0]})"
import sys, collections
from html.parser import HTMLParser
E, C, A, text = collections.Counter(), collections.Counter(), [], []
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        E[tag] += 1
        A.append((tag, dict(attrs)))
        for c in (dict(attrs).get("class") or "").split():
            C[c] += 1
    def handle_data(self, d):
        text.append(d)
P(convert_charrefs=True).feed(open(sys.argv[1], encoding="utf-8").read())
T = "".join(text)
for expr in sys.argv[2:]:
    try:
        ok = eval(expr)
    except Exception as e:
        ok = False
        print(f"# {expr}: {e!r}", file=sys.stderr)
    if not ok:
        print(f"# DOM assertion failed: {expr}", file=sys.stderr)
        sys.exit(1)
PY
}

# The suite: evals/cases.json (case id → 1/0) and evals/latency (ms) in, pass_rate, latency_ms, a metric
# with a hostile name and the cases out. Gate pre-push: pass_rate >= 0.6, latency may rise 20%.
html_suite() {
    mkdir -p evals .mlci
    cat >evals/qa.py <<'PY'
import json, sys
cases = json.load(open("evals/cases.json"))
lat = float(open("evals/latency").read())
out = {"pass_rate": sum(cases.values()) / len(cases), "latency_ms": lat,
       "<svg onload=alert(3)>\"lat'": lat / 10, "cases": cases}
json.dump(out, open(sys.argv[1], "w"))
PY
    cat >.mlci/gates.toml <<'TOML'
[suite.qa]
command = ["python3", "evals/qa.py", "{out}"]
inputs = ["evals/**"]
timeout = "30s"

[gate.pre-push]
suites = ["qa"]
baseline = "main"
rules = [
  { metric = "pass_rate", min = 0.6 },
  { metric = "latency_ms", max_rise = "20%" },
]
TOML
}

# set_cases JSON LATENCY: write the suite's inputs.
set_cases() {
    printf '%s\n' "$1" >evals/cases.json
    echo "$2" >evals/latency
}

# The baseline's cases: q3 fails; hostile ids pass.
BASE_CASES='{"q1": 1, "q2": 1, "q3": 0, "q4": 1, "q5": 1, "<img src=x onerror=alert(1)>": 1,
 "<script>alert(2)</script>": 1, "a|b`tick`": 1, "quo\"te'\''s & amp;": 1, "gone<b>": 1}'
# The failing PR's: q1, q2 and three hostile ids broken, two removed, two added.
BAD_CASES='{"q1": 0, "q2": 0, "q3": 0, "q4": 1, "q5": 1, "<img src=x onerror=alert(1)>": 0,
 "<script>alert(2)</script>": 0, "a|b`tick`": 0, "new<i>": 1, "line1\nline2": 1}'

# main with three recorded commits (a trend), then the failing branch and the passing one.
build_history() {
    new_repo r && html_suite
    set_cases "$BASE_CASES" 400
    commit_all "qa suite"
    git gate run >/dev/null 2>&1 || fail "gate run 1"
    echo 410 >evals/latency && commit_all "tune 1" && git gate run >/dev/null 2>&1 || fail "gate run 2"
    echo "docs" >NOTES.md && commit_all "docs: no run here (a gap in the trend)"
    echo 405 >evals/latency && commit_all "tune 2" && git gate run >/dev/null 2>&1 || fail "gate run 3"
    # Failing PR: cases broken, removed and added, latency +50%.
    git checkout -q -b bad
    set_cases "$BAD_CASES" 610
    commit_all "break things"
    git gate run >/dev/null 2>&1 || fail "gate run on bad"
    # Passing PR: q3 fixed.
    git checkout -q main && git checkout -q -b good
    set_cases "${BASE_CASES/\"q3\": 0/\"q3\": 1}" 400
    commit_all "fix q3"
    git gate run >/dev/null 2>&1 || fail "gate run on good"
}

begin_test "a failing PR's page: verdict, flips, removed and added cases, trends, in headless chromium"
build_history
git checkout -q bad
run git gate check; expect_rc 1
before=$(git for-each-ref | sha256sum)
run git gate report --base main --format html; expect_rc 0
expect_eq "$(git for-each-ref | sha256sum)" "$before"
printf '%s' "$OUT" >"$TRASH/bad.html"
expect_out '<!DOCTYPE html>'
expect_out "Content-Security-Policy"
expect_not_out '<script'
expect_not_out '<img'
grep -Eo 'https?://[^"<> ]*' "$TRASH/bad.html" | grep -vx 'http://www.w3.org/2000/svg' &&
    fail "the page names something to load"
# The page as written (before any browser repairs it): no element or attribute that loads or runs.
dom_check "$TRASH/bad.html" \
    'E["script"] == 0 and E["img"] == 0 and E["link"] == 0 and E["iframe"] == 0 and E["object"] == 0' \
    'all(k in ("lang", "charset", "http-equiv", "content", "name", "class", "open", "colspan", "id",
     "xmlns", "viewbox", "width", "height", "role", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "d",
     "text-anchor") for _, a in A for k in a)'
load_page "$TRASH/bad.html"
printf '%s' "$DOM" >"$TRASH/bad.dom"
dom_check "$TRASH/bad.dom" \
    'E["script"] == 0 and E["img"] == 0 and E["iframe"] == 0 and E["a"] == 0 and E["link"] == 0' \
    'C["badge"] >= 1 and "FAIL" in T' \
    'C["flip"] == 5 and C["broken"] == 5 and C["fixed"] == 0' \
    'all(i in T for i in ["q1", "q2", "<img src=x onerror=alert(1)>", "<script>alert(2)</script>", "a|b`tick`"])' \
    '"gone<b>" in T and "new<i>" in T and E["b"] == 0 and E["i"] == 0' \
    '"quo\"te'\''s & amp;" in T and "line1\\nline2" in T and "line1\nline2" not in T' \
    'C["trend"] == 5 and E["svg"] == 5 and C["suite"] == 1' \
    '"<svg onload=alert(3)>\"lat'\''" in T' \
    'C["mark"] == 5 and C["base"] == 5 and C["head"] == 5' \
    'all("onload" not in a and "onerror" not in a for _, a in A)' \
    '"2 cases removed from suite" in T and "latency_ms" in T'
screenshot "$TRASH/bad.html" "$TRASH/bad.png"
cp "$TRASH/bad.html" "$ART/failing-pr.html" && cp "$TRASH/bad.png" "$ART/failing-pr.png"
end_test

begin_test "a passing PR's page: PASS, the fixed case, no console error"
build_history
git checkout -q good
run git gate check; expect_rc 0
run git gate report --base main --format html; expect_rc 0
printf '%s' "$OUT" >"$TRASH/good.html"
load_page "$TRASH/good.html"
printf '%s' "$DOM" >"$TRASH/good.dom"
dom_check "$TRASH/good.dom" \
    'E["script"] == 0 and E["img"] == 0' \
    '"PASS" in T and "FAIL" not in T' \
    'C["flip"] == 1 and C["fixed"] == 1 and C["broken"] == 0 and "q3" in T' \
    'C["trend"] == 5'
screenshot "$TRASH/good.html" "$TRASH/good.png"
cp "$TRASH/good.html" "$ART/passing-pr.html" && cp "$TRASH/good.png" "$ART/passing-pr.png"
end_test

begin_test "the screenshots are real pages: PNG 1200x1600, far more than a blank page"
[ -s "$ART/failing-pr.png" ] && [ -s "$ART/passing-pr.png" ] || fail "screenshots missing in $ART"
printf '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>\n' >"$TRASH/blank.html"
screenshot "$TRASH/blank.html" "$TRASH/blank.png"
python3 - "$TRASH/blank.png" "$ART/failing-pr.png" "$ART/passing-pr.png" <<'PY' || fail "screenshots too small"
import struct, sys, os
blank = os.path.getsize(sys.argv[1])
for f in sys.argv[2:]:
    data = open(f, "rb").read(32)
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f
    w, h = struct.unpack(">II", data[16:24])
    assert (w, h) == (1200, 1600), (f, w, h)
    size = os.path.getsize(f)
    assert size > 4 * blank and size > 30000, (f, size, blank)
    print(f"# {os.path.basename(f)}: {size} bytes (blank page: {blank})")
PY
end_test

begin_test "the console check sees a CSP violation (the check itself can fail)"
new_repo r
# A page of ours with something injected after rendering: the CSP blocks it and chromium says so.
cat >"$TRASH/evil.html" <<'HTML'
<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
</head><body><p>x</p><script>document.title = "ran"</script></body></html>
HTML
chromium_run --enable-logging=stderr --v=0 --dump-dom "file://$TRASH/evil.html"
grep -q ':CONSOLE' "$TRASH/.chr-err" || fail "chromium logged no CSP violation for an inline script"
grep -q '<title>ran</title>' "$TRASH/.chr-out" && fail "the inline script ran despite the CSP"
end_test

begin_test "--format html with a bad --base: exit 2, no page"
new_repo r && html_suite && set_cases '{"q1": 1}' 100 && commit_all "suite"
run git gate report --base nope --format html; expect_rc 2
expect_err "error: unknown revision 'nope'"
expect_eq "$OUT" ""
run git gate report --format htm; expect_rc 2
expect_err "htm"
end_test

finish
