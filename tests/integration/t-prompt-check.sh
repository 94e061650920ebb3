#!/usr/bin/env bash
# git prompt check: every problem kind of DESIGN.md section 2 named with file:line and a fix (exit 1), and
# `git prompt bump` refusing such a prompt (exit 2) without writing a tag.
. "$(dirname "$0")/lib.sh"

json_ok() {
    if ! python3 -m json.tool <<<"$OUT" >/dev/null 2>&1; then
        fail "stdout is not JSON (line ${BASH_LINENO[0]}): $OUT"
    fi
}
json_get() {
    python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" <<<"$OUT"
}

# raw_prompt NAME: stdin becomes prompts/NAME.prompt byte for byte.
raw_prompt() {
    mkdir -p "prompts/$(dirname "$1")"
    cat >"prompts/$1.prompt"
}

begin_test "undeclared placeholder: check exits 1 naming file:line, bump exits 2 and tags nothing"
(
    new_repo repo
    raw_prompt qa <<'EOF'
+++
description = "Answer"
variables = ["context"]
+++
Use only this:
{{context}}
Question: {{ question }}
EOF
    commit_all "qa prompt"
    before=$(refs_snapshot)
    files=$(snapshot .)
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/qa.prompt:7: placeholder {{question}} is not declared in variables"
    expect_err "hint: add \"question\" to variables in the front matter"
    expect_err "1 problem in 1 prompt file"
    run git prompt bump qa
    expect_rc 2
    expect_err "error: prompts/qa.prompt:7: placeholder {{question}} is not declared in variables"
    expect_err "hint: run git prompt check to see every problem"
    run git prompt bump --minor
    expect_rc 2
    expect_err "error: prompts/qa.prompt:7: placeholder {{question}} is not declared in variables"
    expect_eq "$(refs_snapshot)" "$before"
    expect_eq "$(snapshot .)" "$files"
    [ -z "$(git tag -l)" ] || fail "a tag was written: $(git tag -l)"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "a placeholder in a prompt without front matter names the fix"
(
    new_repo repo
    printf 'Hello\n\n{{name}}\n' | raw_prompt hello
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/hello.prompt:3: placeholder {{name}} is not declared in variables"
    expect_err 'hint: add front matter: +++ / variables = ["name"] / +++'
    # A body with no placeholder needs no front matter.
    printf 'Hello there\n' | raw_prompt hello
    run git prompt check
    expect_rc 0
    expect_out "1 prompt file ok"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "invalid TOML front matter names its line in the file"
(
    new_repo repo
    raw_prompt broken <<'EOF'
+++
description = "ok"
model = "gpt
variables = []
+++
Body
EOF
    commit_all "broken"
    before=$(refs_snapshot)
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/broken.prompt:3: front matter:"
    expect_err "hint: fix the TOML between the +++ lines"
    run git prompt bump broken
    expect_rc 2
    expect_err "error: prompts/broken.prompt:3: front matter:"
    expect_eq "$(refs_snapshot)" "$before"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "front matter keys with the wrong type, bad variables, unknown keys"
(
    new_repo repo
    raw_prompt types <<'EOF'
+++
description = 3
model = ["a"]
variables = "question"
[params]
temperature = 0.2
nested = { a = 1 }
+++
Body
EOF
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/types.prompt:2: front matter: 'description' must be a string"
    expect_err "error: prompts/types.prompt:3: front matter: 'model' must be a string"
    expect_err "error: prompts/types.prompt:4: front matter: 'variables' must be an array of names"
    expect_err "error: prompts/types.prompt:7: front matter: params.nested must be a number, a string or a boolean"
    expect_err "4 problems in 1 prompt file"
    raw_prompt vars <<'EOF'
+++
variables = ["ok", "1bad", "ok"]
colour = "blue"
+++
{{ok}}
EOF
    run git prompt check prompts/vars.prompt
    expect_rc 1
    expect_err "error: prompts/vars.prompt:2: front matter: every variable must be a name"
    expect_err "error: prompts/vars.prompt:2: front matter: variable 'ok' is declared twice"
    expect_err "warning: prompts/vars.prompt:3: front matter: unknown key 'colour'"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "unclosed front matter and unclosed placeholders"
(
    new_repo repo
    printf '+++\ndescription = "x"\nvariables = ["a"]\n{{a}}\n' | raw_prompt open
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/open.prompt:1: front matter opened with +++ is never closed"
    expect_err "hint: end the front matter with a line holding only +++"
    printf '+++\nvariables = ["a"]\n+++\nfirst {{a}}\nthen {{ a\n' | raw_prompt open
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/open.prompt:5: placeholder '{{a' is not closed"
    expect_err "hint: write {{a}}"
    # JSON examples in a body are not placeholders.
    printf 'Reply as {{"label": "x"}} or {{ }}.\n' | raw_prompt open
    run git prompt check
    expect_rc 0
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "a declared variable that is never used points at the variables line"
(
    new_repo repo
    raw_prompt unused <<'EOF'
+++
description = "x"

variables = ["context", "tone"]
+++
{{context}}
EOF
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/unused.prompt:4: variable 'tone' is declared but never used"
    expect_err "hint: use {{tone}} in the body or remove it from variables"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "invalid UTF-8 and a NUL byte name their line; bump refuses them"
(
    new_repo repo
    printf 'line one\nline two \xff\xfe here\n' | raw_prompt latin
    printf 'one\ntwo\nthree\0four\n' | raw_prompt nul
    commit_all "bad bytes"
    before=$(refs_snapshot)
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/latin.prompt:2: is not valid UTF-8 (byte 18)"
    expect_err "hint: save the file as UTF-8"
    expect_err "error: prompts/nul.prompt:3: contains a NUL byte"
    expect_err "2 problems in 2 prompt files"
    run git prompt bump latin
    expect_rc 2
    expect_err "error: prompts/latin.prompt:2: is not valid UTF-8"
    run git prompt bump nul
    expect_rc 2
    expect_err "error: prompts/nul.prompt:3: contains a NUL byte"
    expect_eq "$(refs_snapshot)" "$before"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "file names that break the naming rule are reported with the fix"
(
    new_repo repo
    git prompt new good >/dev/null 2>&1
    mkdir -p prompts/team
    cp prompts/good.prompt prompts/v1.2.prompt
    cp prompts/good.prompt prompts/draft-.prompt
    cp prompts/good.prompt prompts/team/_x.prompt
    cp prompts/good.prompt "prompts/with space.prompt"
    echo "not a prompt" >prompts/notes.txt
    commit_all "names"
    before=$(refs_snapshot)
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/v1.2.prompt: file name is not a valid prompt name"
    expect_err "error: prompts/draft-.prompt: file name is not a valid prompt name"
    expect_err "error: prompts/team/_x.prompt: file name is not a valid prompt name"
    expect_err "error: prompts/with space.prompt: file name is not a valid prompt name"
    expect_err "hint: rename it: letters, digits, '_', '-' and '/' folders"
    expect_err "4 problems in 5 prompt files"
    expect_not_err "notes.txt"
    run git prompt check --json
    expect_rc 1
    json_ok
    expect_eq "$(json_get 'd["checked"], len(d["problems"])')" "(5, 4)"
    expect_eq "$(json_get 'sorted(p["file"] for p in d["problems"])')" \
        "['prompts/draft-.prompt', 'prompts/team/_x.prompt', 'prompts/v1.2.prompt', 'prompts/with space.prompt']"
    expect_eq "$(json_get 'd["problems"][0]["line"]')" "0"
    # bump of every prompt refuses the bad name; nothing is tagged.
    run git prompt bump
    expect_rc 2
    expect_err "error: invalid prompt file name"
    expect_eq "$(refs_snapshot)" "$before"
    # Naming the good one still works.
    run git prompt bump good
    expect_rc 0
    expect_eq "$(git tag -l)" "good@v0.1.0"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "a symlinked prompt is refused by check (exit 1) and bump (exit 2)"
(
    new_repo repo
    git prompt new real >/dev/null 2>&1
    echo 'Outside the prompts folder' >elsewhere.txt
    ln -s ../elsewhere.txt prompts/linked.prompt
    commit_all "symlink"
    before=$(refs_snapshot)
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/linked.prompt: is not a regular file (a symbolic link?)"
    run git prompt bump linked
    expect_rc 2
    expect_err "error: prompts/linked.prompt is a symbolic link"
    expect_err "hint: prompt files must be regular files in the repository"
    run git prompt show linked
    expect_rc 2
    expect_err "error: prompts/linked.prompt is a symbolic link"
    expect_eq "$(refs_snapshot)" "$before"
    [ -L prompts/linked.prompt ] || fail "symlink touched"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "check of named paths; a missing path; --json on a clean tree"
(
    new_repo repo
    git prompt new a --var x >/dev/null 2>&1
    printf '{{y}}\n' | raw_prompt b
    run git prompt check prompts/a.prompt
    expect_rc 0
    expect_out "1 prompt file ok"
    run git prompt check prompts/missing.prompt
    expect_rc 1
    expect_err "error: prompts/missing.prompt: does not exist"
    run git prompt check --json prompts/a.prompt
    expect_rc 0
    json_ok
    expect_eq "$(json_get 'd')" "{'checked': 1, 'problems': []}"
    run git prompt check --json
    expect_rc 1
    json_ok
    expect_eq "$(json_get 'd["problems"][0]["file"], d["problems"][0]["line"]')" "('prompts/b.prompt', 1)"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "front matter larger than 1 MiB is refused before parsing"
(
    new_repo repo
    {
        echo "+++"
        python3 -c 'print("description = \"" + "x" * (1024 * 1024 + 10) + "\"")'
        echo "+++"
        echo "Body"
    } >big.tmp
    mkdir -p prompts && mv big.tmp prompts/big.prompt
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/big.prompt: is larger than 1 MiB"
    exit "$_case_failed"
) || _case_failed=1
end_test

finish
