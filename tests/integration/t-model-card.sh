#!/bin/bash
# Model and prompt cards (issue 17): `git model card` / `git prompt card` built from the registry's tags,
# the eval notes, the config and the version's commit. A version promoted with --force shows its reason;
# eval runs show their intervals; gate evidence is verified against the notes or marked as claimed; stage
# history shows traffic shares; lineage comes from the version tag's trailers. Hostile strings (a tag
# message, a tagger name, an eval case id, a description) stay text when GitHub renders the Markdown
# (cmark-gfm); what git does not hold is printed as unknown. Bad input exits 2 and writes nothing.
. "$(dirname "$0")/lib.sh"

if ! command -v cmark-gfm >/dev/null || ! command -v jq >/dev/null; then
    echo "# SKIP: cmark-gfm or jq is not installed (scripts/deps.sh installs both)"
    exit 125
fi

DESC='Classifier | <script>alert(1)</script> [x](javascript:alert(1)) `tick`'
CASE='q|`x`<img src=x onerror=alert(2)>'
REASON='hotfix: EU | <script>alert(3)</script> [y](javascript:alert(4))'
EVE='Eve | *bold* `x` [l](javascript:alert(5))' # git drops '<' and '>' from a name

# A repository with model clf (described in config, with labels), an eval suite with cases (one with a
# hostile id) and repeated latency values, a gate per stage but canary, and v0.1.0 bumped by mlci.
card_repo() {
    new_repo r
    mkdir -p .mlci evals models data
    cat >.mlci/config.toml <<TOML
stages = ["dev", "staging", "canary", "production"]
[model.clf]
description = "${DESC}"
labels = ["nlp", "a|b"]
TOML
    cat >evals/acc.py <<'PY'
import json, sys
fail = int(open("evals/fail.txt").read())  # how many of the 40 cases fail, the hostile one last
ids = ["c%02d" % i for i in range(39)] + ["q|`x`<img src=x onerror=alert(2)>"]
failing = ids[:fail - 1] + ids[-1:] if fail else []
cases = {k: 0 if k in failing else 1 for k in ids}
json.dump({"accuracy": sum(cases.values()) / len(cases), "latency_ms": [480.0, 455.0, 502.0],
           "cases": cases}, open(sys.argv[1], "w"))
PY
    cat >.mlci/gates.toml <<'TOML'
[suite.quality]
command = ["python3", "evals/acc.py", "{out}"]
inputs = ["evals/**", "models/**"]

[gate.dev]
suites = ["quality"]
rules = [ { metric = "accuracy", min = 0.5 } ]

[gate.staging]
suites = ["quality"]
rules = [ { metric = "accuracy", min = 0.9 } ]
TOML
    echo 0 >evals/fail.txt
    echo weights-1 >models/clf.safetensors
    echo '{"x": 1}' >data/train.jsonl
    echo 'print("train")' >train.py
    git model add models/clf.safetensors data/train.jsonl >/dev/null 2>&1 || fail "model add"
    commit_all "clf v1"
    test_tick
    git model bump clf >/dev/null 2>&1 || fail "bump v0.1.0"
}

# v0.2.0 (10 of 40 cases fail: accuracy 0.75, surely above 0.5, surely below 0.9), its version tag written by hand with lineage trailers, its
# runs recorded; dev (gate passes), staging forced with a hostile reason, canary at 5 % by a hand-written
# tag from a hostile tagger that also claims a gate result the notes do not hold.
card_v2() {
    echo 10 >evals/fail.txt
    echo weights-2 >models/clf.safetensors
    git model add models/clf.safetensors >/dev/null 2>&1 && commit_all "clf v2"
    local ptr data blob
    ptr=$(sed -n 's/^hash = "\(.*\)"/\1/p' models/clf.safetensors.mlci)
    data=$(sed -n 's/^hash = "\(.*\)"/\1/p' data/train.jsonl.mlci)
    blob=$(git rev-parse HEAD:train.py)
    test_tick
    git tag -a clf@v0.2.0 -F - <<MSG || fail "hand-written version tag"
Release clf v0.2.0

Mlci-Kind: model
Mlci-Path: models/clf.safetensors.mlci
Mlci-Object: $ptr
Mlci-Input: data/train.jsonl.mlci $data
Mlci-Input: train.py git:$blob
Mlci-Prompt: triage v1.0.0
MSG
    git gate run >/dev/null 2>&1 || fail "gate run v2"
    test_tick
    git model promote dev clf@v0.2.0 >/dev/null 2>&1 || fail "promote dev"
    test_tick
    git model promote staging clf@v0.2.0 >/dev/null 2>&1 && fail "staging gate should refuse 0.75"
    git model promote staging clf@v0.2.0 --force --reason "$REASON" >/dev/null 2>&1 || fail "forced staging"
    local n c
    n=$(($(git tag -l 'clf*#*' | sed 's/.*#//' | sort -n | tail -1) + 1))
    c=$(git rev-parse 'clf@v0.2.0^{commit}')
    # mlci dates its tags by the clock: this one comes a second after them.
    GIT_COMMITTER_DATE="$(($(date +%s) + 1)) +0000" GIT_COMMITTER_NAME="$EVE" \
        GIT_COMMITTER_EMAIL="eve@example.com" git tag -a "clf#canary#$n" "$c" -F - <<MSG
Promote clf v0.2.0 to canary

Mlci-Kind: model
Mlci-Traffic: 5
Mlci-Gate: canary passed (candidate ${c:0:12})
Mlci-Gate: accuracy 0.99 min 0.9 pass
MSG
}

# gfm_card MD PY_ASSERTS...: render MD as GitHub does (cmark-gfm with its extensions), parse the HTML: E
# (element → count), A ((element, attrs) list), T (the text), TABLES (per table, the cells of each row);
# run the asserts.
gfm_card() {
    local md=$1
    shift
    cmark-gfm -e table -e autolink -e strikethrough -e tagfilter "$md" >"$md.html" || fail "cmark-gfm failed"
    python3 - "$md.html" "$@" <<'PY' || fail "rendered Markdown check failed (line ${BASH_LINENO[0]})"
import sys, collections
from html.parser import HTMLParser
E, A, text, TABLES = collections.Counter(), [], [], []
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        E[tag] += 1
        A.append((tag, dict(attrs)))
        if tag == "table":
            TABLES.append([])
        if tag == "tr":
            TABLES[-1].append(0)
        if tag in ("td", "th"):
            TABLES[-1][-1] += 1
    def handle_data(self, d):
        text.append(d)
P(convert_charrefs=True).feed(open(sys.argv[1], encoding="utf-8").read())
T = "".join(text)
for expr in sys.argv[2:]:
    if not eval(expr):
        print(f"# assertion failed: {expr}", file=sys.stderr)
        print(open(sys.argv[1]).read(), file=sys.stderr)
        sys.exit(1)
PY
}

begin_test "card of a version promoted with --force: reason, runs with intervals, gates, shares, lineage"
card_repo && card_v2
before=$(refs_snapshot)
run git model card clf
expect_rc 0
printf '%s' "$OUT" >"$TRASH/card.md"
expect_out "# Model card: clf v0.2.0"
expect_out "the version in canary (the last stage that holds one)"
expect_out "| stages now | dev (95 % of its traffic), staging (95 % of its traffic), canary (5 % of its traffic) |"
expect_out "| labels | nlp, a\\|b |"
expect_out "| pointer | models/clf.safetensors.mlci |"
expect_out "| size | 10 bytes |"
expect_out "| train.py | git\\:$(git rev-parse clf@v0.2.0:train.py) |"
expect_out "| triage | v1.0.0 |"
expect_out "| accuracy | 0.75 | [0"
expect_out "(wilson, n 40)"
expect_out "(t, n 3)"
expect_out "cases: 30 of 40 pass; failing: c00, c01, c02, c03, c04, c05, c06, c07, c08, q\\|\\\`x\\\`\\<img src=x"
expect_out "| dev | passed | verified |"
expect_out "| staging | failed | verified |"
expect_out "| canary | passed | claimed, not verified |"
expect_out "| promoted | canary | 5 % |"
expect_out "| promoted | staging | 100 % |"
expect_out "## Forced promotions"
gfm_card "$TRASH/card.md" \
    'E["script"] == 0 and E["img"] == 0 and E["code"] == 0 and E["strong"] == 0 and E["em"] == 0' \
    'all(a.get("href", "").startswith("mailto:") for t, a in A if t == "a")' \
    'not any("javascript" in a.get("href", "") for _, a in A)' \
    '[rows[0] for rows in TABLES] == [2, 2, 2, 3, 5, 6] and all(len(set(rows)) == 1 for rows in TABLES)' \
    '"Classifier | <script>alert(1)</script> [x](javascript:alert(1)) `tick`" in T' \
    '"q|`x`<img src=x onerror=alert(2)>" in T' \
    '"hotfix: EU | <script>alert(3)</script> [y](javascript:alert(4))" in T' \
    '"Eve | *bold* `x` [l](javascript:alert(5))" in T'
# The JSON for a catalog.
run git model card clf --format json
expect_rc 0
printf '%s' "$OUT" >"$TRASH/card.json"
j() { jq -r "$1" "$TRASH/card.json"; }
expect_eq "$(j '.kind + " " + .name + " " + .version + " " + .selected + " " + .selected_stage')" \
    "model clf v0.2.0 stage canary"
expect_eq "$(j .commit)" "$(git rev-parse 'clf@v0.2.0^{commit}')"
expect_eq "$(j .description)" "$DESC"
expect_eq "$(j '.labels | join(",")')" "nlp,a|b"
expect_eq "$(j .hash)" "$(sed -n 's/^hash = "\(.*\)"/\1/p' models/clf.safetensors.mlci)"
expect_eq "$(j .size)" "10"
expect_eq "$(j '.lineage.inputs | map(.path) | join(",")')" "data/train.jsonl.mlci,train.py"
expect_eq "$(j '.lineage.prompts[0].name + " " + .lineage.prompts[0].version')" "triage v1.0.0"
expect_eq "$(j '.evals | length')" "1"
expect_eq "$(j '.evals[0].suite + " " + .evals[0].status')" "quality ok"
expect_eq "$(j '.evals[0].metrics[] | select(.name == "accuracy") | .interval.method')" "wilson"
expect_eq "$(j '.evals[0].metrics[] | select(.name == "accuracy") | (.interval.low < 0.75 and .interval.high > 0.75)')" "true"
expect_eq "$(j '.evals[0].metrics[] | select(.name == "latency_ms") | .interval.method + " " + (.interval.n | tostring)')" "t 3"
expect_eq "$(j '.evals[0].cases.failing[9]')" "$CASE"
expect_eq "$(j '.gates | map(.gate + "=" + .result + "/" + .evidence) | join(" ")')" \
    "dev=passed/verified staging=failed/verified canary=passed/claimed"
expect_eq "$(j '.stages.current | map(.stage + "=" + (.traffic | tostring)) | join(" ")')" "dev=95 staging=95 canary=5"
expect_eq "$(j '.stages.history | map(.event + ":" + .stage) | join(" ")')" \
    "promoted:dev promoted:staging promoted:canary"
expect_eq "$(j '.stages.history[2].by.name')" "$EVE"
expect_eq "$(j '.forced | map(.stage + ": " + .reason) | join("")')" "staging: $REASON"
expect_eq "$(j '.registered.name + " " + .registered.email')" "C O Mitter committer@example.com"
expect_eq "$(refs_snapshot)" "$before"
end_test

begin_test "unknowns are printed as unknown: no notes, no lineage, no description, never in a stage"
card_repo && card_v2
mkdir -p models && echo emb >models/emb.bin
git model add models/emb.bin >/dev/null 2>&1 && commit_all "emb"
test_tick
git model bump emb >/dev/null 2>&1 || fail "bump emb"
run git model card emb
expect_rc 0
expect_out "the latest version (no stage holds one)"
expect_out "| description | unknown |"
expect_out "| labels | unknown |"
expect_out "| stages now | none |"
expect_out "unknown: the version's tag records no input (Mlci-Input) and no prompt (Mlci-Prompt)."
expect_out "unknown: no eval run is recorded at $(git rev-parse --short=7 'emb@v0.1.0^{commit}')."
expect_out "none: the version was never assigned to a stage."
run git model card emb --json
expect_rc 0
printf '%s' "$OUT" >"$TRASH/emb.json"
expect_eq "$(jq -c '[.description, .labels, .lineage, .evals, .gates, .stages.history]' "$TRASH/emb.json")" \
    '[null,null,null,[],[],[]]'
# An older version asked for by number: v0.1.0 of clf has runs from no suite (never run) either.
run git model card clf@0.1.0 --format json
expect_rc 0
expect_eq "$(jq -r '.version + " " + .selected + " " + (.evals | length | tostring)' <<<"$OUT")" \
    "v0.1.0 requested 0"
end_test

begin_test "unreadable facts: a malformed note or pointer is warned about and shown as unknown"
card_repo
c=$(git rev-parse 'clf@v0.1.0^{commit}')
git notes --ref=mlci/evals add -m 'this is [[ not toml' "$c"
mkdir -p models && printf 'version = 1\nhash = "nonsense"\n' >models/bad.bin.mlci
commit_all "a broken pointer"
test_tick
git tag -a bad@v0.1.0 -m "Release bad v0.1.0"
before=$(refs_snapshot)
run git model card clf@v0.1.0
expect_rc 0
expect_err "warning: "
expect_err "${c:0:7}"
expect_out "unknown: the eval note of ${c:0:7} cannot be read."
run git model card clf@v0.1.0 --json
expect_rc 0
expect_eq "$(jq -c .evals <<<"$OUT")" "null"
run git model card bad
expect_rc 0
expect_err "warning: "
expect_err "hash and size of bad@v0.1.0 unknown"
expect_out "| hash | unknown |"
expect_out "| size | unknown |"
expect_eq "$(refs_snapshot)" "$before"
expect_eq "$(git notes --ref=mlci/evals show "$c")" "this is [[ not toml"
end_test

begin_test "prompt card: blob id and size, front matter description, stage"
new_repo r
write_prompt triage 'Sort {{ticket}} by urgency.' '"ticket"'
commit_all "triage"
test_tick
git prompt bump triage >/dev/null 2>&1 || fail "prompt bump"
test_tick
git prompt promote dev triage >/dev/null 2>&1 || fail "prompt promote dev"
run git prompt card triage --json
expect_rc 0
printf '%s' "$OUT" >"$TRASH/p.json"
expect_eq "$(jq -r '.kind + " " + .name + " " + .version + " " + .selected_stage' "$TRASH/p.json")" \
    "prompt triage v0.1.0 dev"
expect_eq "$(jq -r .hash "$TRASH/p.json")" "git:$(git rev-parse triage@v0.1.0:prompts/triage.prompt)"
expect_eq "$(jq -r .size "$TRASH/p.json")" "$(git cat-file -s triage@v0.1.0:prompts/triage.prompt)"
expect_eq "$(jq -r .description "$TRASH/p.json")" "test prompt triage"
expect_eq "$(jq -r .path "$TRASH/p.json")" "prompts/triage.prompt"
run git prompt card triage
expect_rc 0
expect_out "# Prompt card: triage v0.1.0"
expect_out "| file | prompts/triage.prompt |"
end_test

begin_test "bad input: unknown name or version, bad --format, the other kind (exit 2, nothing written)"
card_repo
before=$(refs_snapshot)
run git model card nosuch
expect_rc 2
expect_err "error: 'nosuch' has no registered version"
expect_eq "$OUT" ""
run git model card clf@9.9.9
expect_rc 2
expect_err "error: 'clf' has no version v9.9.9"
run git model card clf@production
expect_rc 2
expect_err "error: 'clf' has no version in stage 'production'"
run git model card clf --format html
expect_rc 2
expect_err "error: unknown card format 'html'"
expect_err "hint: use --format markdown or --format json"
expect_eq "$OUT" ""
run git prompt card clf
expect_rc 2
expect_err "error: 'clf' is not a prompt"
run git model card
expect_rc 2
expect_eq "$(refs_snapshot)" "$before"
end_test

finish
