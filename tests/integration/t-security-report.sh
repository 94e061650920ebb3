#!/bin/bash
# The Markdown report as GitHub renders it (issue 16): case ids and metric names from a teammate's notes
# holding `|`, `<img src=x onerror=…>`, backticks, newlines, links, mentions and emphasis are rendered by
# cmark-gfm (GitHub's Markdown, with its table, autolink, strikethrough and tagfilter extensions) and the
# HTML it makes is parsed: every table row keeps its six cells, no element comes from a note (no image,
# script, link, heading, code span or emphasis), each list item is one case, and each string shows as
# the text it was. One exception, asserted so that it is seen: cmark-gfm's e-mail autolinks ignore
# backslash escapes, so "mail@evil.example" still renders as a mailto: link.
. "$(dirname "$0")/lib.sh"

if ! command -v cmark-gfm >/dev/null; then
    echo "# SKIP: cmark-gfm is not installed (apt-get install cmark-gfm; scripts/deps.sh installs it)"
    exit 125
fi

# gfm_check MD PY_ASSERTS...: render MD with cmark-gfm as GitHub does, parse the HTML: E (element →
# count), A (list of (element, attrs)), T (the text), LI (the text of each list item), ROWS (cells per
# table row); run the asserts.
gfm_check() {
    local md=$1
    shift
    cmark-gfm -e table -e autolink -e strikethrough -e tagfilter "$md" >"$md.html" || fail "cmark-gfm failed"
    python3 - "$md.html" "$@" <<'PY' || fail "rendered Markdown check failed (line ${BASH_LINENO[0]})"
import sys, collections
from html.parser import HTMLParser
E, A, text, LI, ROWS = collections.Counter(), [], [], [], []
class P(HTMLParser):
    li = None
    def handle_starttag(self, tag, attrs):
        E[tag] += 1
        A.append((tag, dict(attrs)))
        if tag == "li":
            self.li = []
        if tag == "tr":
            ROWS.append(0)
        if tag in ("td", "th"):
            ROWS[-1] += 1
    def handle_endtag(self, tag):
        if tag == "li":
            LI.append("".join(self.li))
            self.li = None
    def handle_data(self, d):
        text.append(d)
        if self.li is not None:
            self.li.append(d)
P(convert_charrefs=True).feed(open(sys.argv[1], encoding="utf-8").read())
T = "".join(text)
for expr in sys.argv[2:]:
    if not eval(expr):
        print(f"# assertion failed: {expr}", file=sys.stderr)
        print(open(sys.argv[1]).read(), file=sys.stderr)
        sys.exit(1)
PY
}

# Cases and metrics named by the attack; on the candidate every hostile case flips to fail.
hostile_suite() {
    mkdir -p evals .mlci
    cat >evals/qa.py <<'PY'
import json, sys
ids = ["<img src=x onerror=alert(1)>", "a|b|c", "`code` and ```fence", "l1\n\n# Heading\n\n| x | y |",
       "https://evil.example/x", "www.evil.example", "@octocat ping", "mail@evil.example",
       "[click](javascript:alert(1))", "*bold* _it_ ~~gone~~", "<script>alert(2)</script>"]
v = int(open("evals/v").read())
cases = {i: v for i in ids}
cases["ok"] = 1
out = {"<img src=x onerror=alert(3)>": 1.0, "lat|ency`ms`": 2.0, "https://evil.example/m": 3.0,
       "pass_rate": sum(cases.values()) / len(cases), "cases": cases}
json.dump(out, open(sys.argv[1], "w"))
PY
    cat >.mlci/gates.toml <<'TOML'
[suite.qa]
command = ["python3", "evals/qa.py", "{out}"]
inputs = ["evals/**"]

[gate.pre-push]
suites = ["qa"]
baseline = "main"
rules = [ { metric = "pass_rate", min = 0.0 } ]
TOML
    echo 1 >evals/v
    commit_all "qa"
    git gate run >/dev/null 2>&1 || fail "gate run on main"
    git checkout -q -b feat
    echo 0 >evals/v
    commit_all "break the hostile cases"
    git gate run >/dev/null 2>&1 || fail "gate run on feat"
}

begin_test "markdown report with hostile case ids and metric names, rendered as GitHub does"
new_repo r && hostile_suite
run git gate report --base main --format markdown; expect_rc 0
printf '%s' "$OUT" >"$TRASH/report.md"
gfm_check "$TRASH/report.md" \
    'E["img"] == 0 and E["script"] == 0 and E["h1"] == 0' \
    '[a.get("href") for t, a in A if t == "a"] == ["mailto:mail@evil.example"]' \
    'E["strong"] == 0 and E["em"] == 0 and E["del"] == 0' \
    'E["code"] == 2' \
    'E["h2"] == 1 and E["h3"] == 4' \
    'E["table"] == 2 and len(ROWS) == 9 and all(n == 5 for n in ROWS[:7]) and all(n == 3 for n in ROWS[7:])' \
    'len(LI) == 12 and LI[0] == "1 other file: evals/v" and all(li.startswith("❌ broken: qa / ") for li in LI[1:])' \
    '"<img src=x onerror=alert(1)>" in T and "<script>alert(2)</script>" in T and "a|b|c" in T' \
    '"`code` and ```fence" in T and "l1\\n\\n# Heading\\n\\n| x | y |" in T' \
    '"https://evil.example/x" in T and "www.evil.example" in T and "@octocat ping" in T' \
    '"[click](javascript:alert(1))" in T and "*bold* _it_ ~~gone~~" in T and "mail@evil.example" in T' \
    '"<img src=x onerror=alert(3)>" in T and "lat|ency`ms`" in T and "https://evil.example/m" in T' \
    'not any("src" in a for _, a in A)'
end_test

begin_test "the check can fail: the same ids unescaped render as elements"
new_repo r
printf '%s\n' '| a | b |' '|---|---|' '| x|y | <img src=x onerror=alert(1)> |' '' '- `code` https://evil.example' >"$TRASH/raw.md"
cmark-gfm -e table -e autolink -e tagfilter "$TRASH/raw.md" >"$TRASH/raw.html"
grep -q '<td>x</td>' "$TRASH/raw.html" || fail "an unescaped | did not split the cell"
grep -q '<code>code</code>' "$TRASH/raw.html" || fail "unescaped backticks made no code span"
grep -q '<a href="https://evil.example">' "$TRASH/raw.html" || fail "an unescaped URL made no link"
end_test

finish
