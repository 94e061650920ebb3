#!/usr/bin/env bash
# git prompt: the round trip new → commit → bump → list/show/log/diff/export, names with folders, and
# every --json output parsing as JSON. Bad input to these commands exits 2 and leaves the repo as it was.
. "$(dirname "$0")/lib.sh"

json_ok() { # the last run's stdout is valid JSON
    if ! python3 -m json.tool <<<"$OUT" >/dev/null 2>&1; then
        fail "stdout is not JSON (line ${BASH_LINENO[0]}): $OUT"
    fi
}
# jq-like field access without jq: python3 evaluates an expression over the parsed stdout as `d`.
json_get() {
    python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" <<<"$OUT"
}

# A repository with support/triage at v0.1.0 (first version) and v0.2.0 (a variable added).
setup_triage() {
    new_repo repo
    git prompt new support/triage -d "Route a ticket" --var ticket >/dev/null 2>&1 || fail "new failed"
    commit_all "add triage prompt"
    git prompt bump support/triage -m "first cut" >/dev/null 2>&1 || fail "first bump failed"
    write_prompt support/triage $'Ticket: {{ticket}}\nCustomer tier: {{tier}}' '"ticket", "tier"'
    commit_all "triage knows the tier"
    git prompt bump support/triage >/dev/null 2>&1 || fail "second bump failed"
}

begin_test "new scaffolds a prompt that passes check, in a folder"
(
    new_repo repo
    run git prompt new support/triage -d "Route a ticket" --var ticket --var history
    expect_rc 0
    expect_out "created prompts/support/triage.prompt"
    [ -f prompts/support/triage.prompt ] || fail "file not created"
    grep -qF 'description = "Route a ticket"' prompts/support/triage.prompt || fail "description missing"
    grep -qF 'variables = ["ticket", "history"]' prompts/support/triage.prompt || fail "variables missing"
    grep -qF '{{ticket}}' prompts/support/triage.prompt || fail "placeholder missing"
    run git prompt check
    expect_rc 0
    expect_out "1 prompt file ok"
    # Without variables the body has no placeholder, and the file is still valid.
    run git prompt new plain
    expect_rc 0
    run git prompt check
    expect_rc 0
    expect_out "2 prompt files ok"
    ls prompts/*.mlci-tmp.* prompts/support/*.mlci-tmp.* >/dev/null 2>&1 && fail "temporary left behind"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "new refuses a bad name, a bad variable and an existing file"
(
    new_repo repo
    git prompt new keep >/dev/null 2>&1
    echo "hand edited" >>prompts/keep.prompt
    before=$(snapshot .)
    for bad in v1.2 draft- -x /abs a//b a/ _x "a b" "a@b" "a#b" "a/-b"; do
        run git prompt new -- "$bad"
        expect_rc 2
        expect_err "error: invalid prompt name '$bad'"
        expect_err "hint: names use letters"
    done
    run git prompt new ok --var 1x
    expect_rc 2
    expect_err "error: invalid variable name '1x'"
    run git prompt new ok --var "a}}{{b"
    expect_rc 2
    expect_err "error: invalid variable name"
    run git prompt new keep
    expect_rc 2
    expect_err "error: prompts/keep.prompt already exists"
    expect_eq "$(snapshot .)" "$before"
    grep -qx "hand edited" prompts/keep.prompt || fail "existing prompt overwritten"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "list: unversioned, versioned, changed since, deleted; --json"
(
    new_repo repo
    run git prompt list
    expect_rc 0
    expect_err "no prompts yet"
    git prompt new support/triage --var ticket >/dev/null 2>&1
    git prompt new rag_answer --var context --var question >/dev/null 2>&1
    run git prompt list
    expect_rc 0
    expect_out "NAME"
    expect_out "LATEST"
    expect_out "new, not versioned"
    commit_all "prompts"
    run git prompt bump
    expect_rc 0
    run git prompt list
    expect_rc 0
    line=$(grep '^support/triage' <<<"$OUT")
    [[ "$line" == *v0.1.0* ]] || fail "triage row lacks v0.1.0: $line"
    expect_not_out "not versioned"
    expect_not_out "changed since"
    echo "More words." >>prompts/rag_answer.prompt
    run git prompt list
    line=$(grep '^rag_answer' <<<"$OUT")
    [[ "$line" == *"changed since v0.1.0"* ]] || fail "rag_answer not marked changed: $line"
    line=$(grep '^support/triage' <<<"$OUT")
    [[ "$line" != *changed* ]] || fail "triage marked changed: $line"
    rm prompts/support/triage.prompt
    run git prompt list
    line=$(grep '^support/triage' <<<"$OUT")
    [[ "$line" == *"deleted in work tree"* ]] || fail "deleted prompt not marked: $line"
    run git prompt list --json
    expect_rc 0
    json_ok
    expect_eq "$(json_get '[e["name"] for e in d]')" "['rag_answer', 'support/triage']"
    expect_eq "$(json_get 'd[0]["latest"], d[0]["changed"], d[0]["in_worktree"]')" "('v0.1.0', True, True)"
    expect_eq "$(json_get 'd[1]["in_worktree"], d[1]["path"]')" "(False, 'prompts/support/triage.prompt')"
    expect_eq "$(json_get 'd[1]["commit"]')" "$(git rev-parse HEAD)"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "list shows the stage versions of a prompt"
(
    new_repo repo
    git prompt new greet >/dev/null 2>&1
    commit_all "greet"
    git prompt bump greet >/dev/null 2>&1
    # A stage tag as GTO writes it (mlci's promote is another command; list only reads).
    git tag -a 'greet#staging#2' -m "Promote greet v0.1.0 to staging" HEAD
    run git prompt list
    expect_rc 0
    expect_out "staging"
    line=$(grep '^greet' <<<"$OUT")
    [[ "$line" =~ greet\ +v0\.1\.0\ +-\ +v0\.1\.0\ +- ]] || fail "stage columns wrong: $line"
    run git prompt list --json
    json_ok
    expect_eq "$(json_get 'd[0]["stages"]')" "{'staging': 'v0.1.0'}"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "show: work tree, @latest, @vX, @X, --meta, --json"
(
    setup_triage
    echo "Be brief." >>prompts/support/triage.prompt
    run git prompt show support/triage
    expect_rc 0
    expect_out "Customer tier: {{tier}}"
    expect_out "Be brief."
    for spec in support/triage@latest support/triage@v0.2.0 support/triage@0.2.0; do
        run git prompt show "$spec"
        expect_rc 0
        expect_out "Customer tier: {{tier}}"
        expect_not_out "Be brief."
        expect_not_out "+++"
    done
    run git prompt show support/triage@0.1.0
    expect_rc 0
    expect_out "ticket: {{ticket}}"
    expect_not_out "tier"
    run git prompt show support/triage@latest --meta
    expect_rc 0
    expect_out "name: support/triage"
    expect_out "version: v0.2.0"
    expect_out "commit: $(git rev-parse HEAD)"
    expect_out "path: prompts/support/triage.prompt"
    expect_out "variables: ticket, tier"
    run git prompt show support/triage --meta
    expect_out "version: (work tree)"
    run git prompt show support/triage@0.1.0 --json
    expect_rc 0
    json_ok
    expect_eq "$(json_get 'd["name"], d["version"], d["variables"]')" "('support/triage', 'v0.1.0', ['ticket'])"
    expect_eq "$(json_get 'd["commit"]')" "$(git rev-parse HEAD~1)"
    expect_eq "$(json_get 'd["description"]')" "Route a ticket"
    expect_eq "$(json_get 'd["params"]')" "{'temperature': 0.2}"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "show --render fills placeholders; missing or unknown variables exit 2"
(
    setup_triage
    run git prompt show support/triage@latest --render ticket=T-42 --render "tier=gold {{ticket}}"
    expect_rc 0
    expect_out "Ticket: T-42"
    # A value holding a placeholder is not expanded again.
    expect_out "Customer tier: gold {{ticket}}"
    run git prompt show support/triage@latest --render ticket=T-42 --json
    expect_rc 2
    expect_err "error: no value for tier"
    expect_err "hint: give each as --render tier=VALUE"
    run git prompt show support/triage@latest --render ticket=a --render tier=b --render mood=c
    expect_rc 2
    expect_err "error: 'mood' is not a variable of prompts/support/triage.prompt"
    expect_err "hint: its variables: ticket, tier"
    run git prompt show support/triage@latest --render novalue
    expect_rc 2
    expect_err "error: --render takes VAR=VALUE"
    run git prompt show support/triage@latest --render ticket=x --render tier=y --json
    expect_rc 0
    json_ok
    expect_eq "$(json_get 'repr(d["rendered"])')" "'Ticket: x\\nCustomer tier: y\\n'"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "show of an unknown prompt, version or stage exits 2"
(
    setup_triage
    before=$(refs_snapshot)
    run git prompt show nope
    expect_rc 2
    expect_err "error: no prompt 'nope' in the work tree (prompts/nope.prompt)"
    expect_err "hint: for a registered version write nope@latest"
    run git prompt show nope@latest
    expect_rc 2
    expect_err "error: 'nope' has no registered version"
    run git prompt show support/triage@9.9.9
    expect_rc 2
    expect_err "error: 'support/triage' has no version v9.9.9"
    run git prompt show support/triage@production
    expect_rc 2
    expect_err "error: 'support/triage' has no version in stage 'production'"
    run git prompt show 'bad..name'
    expect_rc 2
    expect_err "error: invalid prompt name 'bad..name'"
    expect_eq "$(refs_snapshot)" "$before"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "log: newest first with date, tagger, bump class, reason and message; --json"
(
    setup_triage
    run git prompt log support/triage
    expect_rc 0
    first=$(head -n1 <<<"$OUT")
    [[ "$first" == v0.2.0* ]] || fail "newest version not first: $first"
    expect_out "minor (variables added: tier)"
    expect_out "minor (first version)"
    expect_out "first cut"
    expect_out "C O Mitter"
    run git prompt log support/triage --json
    expect_rc 0
    json_ok
    expect_eq "$(json_get '[e["version"] for e in d]')" "['v0.2.0', 'v0.1.0']"
    expect_eq "$(json_get 'd[0]["tag"], d[0]["bump"], d[0]["message"]')" \
        "('support/triage@v0.2.0', 'minor (variables added: tier)', None)"
    expect_eq "$(json_get 'd[1]["message"], d[1]["author"], d[1]["email"]')" \
        "('first cut', 'C O Mitter', 'committer@example.com')"
    expect_eq "$(json_get 'd[1]["commit"]')" "$(git rev-parse HEAD~1)"
    run git prompt log nope
    expect_rc 2
    expect_err "error: 'nope' has no registered version"
    expect_err "hint: create one with: git prompt bump nope"
    run git prompt log 'x.y'
    expect_rc 2
    expect_err "error: invalid prompt name 'x.y'"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "diff: latest against the work tree, and between two versions"
(
    setup_triage
    run git prompt diff support/triage
    expect_rc 0
    expect_eq "$OUT" ""
    echo "Answer in French." >>prompts/support/triage.prompt
    run git prompt diff support/triage
    expect_rc 0
    expect_out "--- a/support/triage@v0.2.0"
    expect_out "+++ b/support/triage (work tree)"
    expect_out "+Answer in French."
    run git prompt diff support/triage 0.1.0 v0.2.0
    expect_rc 0
    expect_out "--- a/support/triage@v0.1.0"
    expect_out "+++ b/support/triage@v0.2.0"
    expect_out '-variables = ["ticket"]'
    expect_out '+variables = ["ticket", "tier"]'
    expect_out "+Customer tier: {{tier}}"
    expect_not_out "French"
    run git prompt diff support/triage 0.1.0
    expect_rc 0
    expect_out "+Answer in French."
    run git prompt diff support/triage 0.1.0 0.2.0 latest
    expect_rc 2
    expect_err "error: diff takes at most two versions"
    run git prompt diff support/triage 1.2
    expect_rc 2
    expect_err "error: invalid version in 'support/triage@1.2'"
    run git prompt diff nope
    expect_rc 2
    expect_err "error: 'nope' has no registered version"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "export: a JSON bundle of the latest versions, to stdout or a file"
(
    setup_triage
    git prompt new unversioned >/dev/null 2>&1
    echo "uncommitted words" >>prompts/support/triage.prompt
    run git prompt export
    expect_rc 0
    json_ok
    expect_eq "$(json_get 'd["format"], d["stage"], sorted(d["prompts"])')" \
        "('mlci-prompts/1', None, ['support/triage'])"
    expect_eq "$(json_get 'd["prompts"]["support/triage"]["version"]')" "v0.2.0"
    expect_eq "$(json_get 'd["prompts"]["support/triage"]["commit"]')" "$(git rev-parse HEAD)"
    expect_eq "$(json_get 'repr(d["prompts"]["support/triage"]["body"])')" \
        "'Ticket: {{ticket}}\\nCustomer tier: {{tier}}\\n'"
    expect_eq "$(json_get 'd["prompts"]["support/triage"]["variables"]')" "['ticket', 'tier']"
    run git prompt export -o bundle.json
    expect_rc 0
    expect_err "exported 1 prompt to bundle.json"
    python3 -m json.tool bundle.json >/dev/null || fail "bundle.json is not JSON"
    ls ./*.mlci-tmp.* >/dev/null 2>&1 && fail "temporary left behind"
    # By stage: only prompts with a version in that stage.
    git tag -a 'support/triage#staging#3' -m "Promote" HEAD~1
    run git prompt export --stage staging
    expect_rc 0
    json_ok
    expect_eq "$(json_get 'd["stage"], d["prompts"]["support/triage"]["version"]')" "('staging', 'v0.1.0')"
    run git prompt export --stage production
    expect_rc 0
    expect_err "warning: no prompt has a version in stage 'production'"
    expect_eq "$(json_get 'd["prompts"]')" "{}"
    run git prompt export --stage nightly
    expect_rc 0
    expect_err "warning: stage 'nightly' is not listed in stages of .mlci/config.toml"
    run git prompt export --stage "bad/stage"
    expect_rc 2
    expect_err "error: invalid stage name 'bad/stage'"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "export and show --json give params their TOML types: numbers, booleans, strings"
(
    new_repo repo
    mkdir -p prompts
    cat >prompts/typed.prompt <<'P'
+++
[params]
temperature = 0.25
max_tokens = 200
stop = "END \"here\""
stream = true
+++
Hi
P
    commit_all "typed" && git prompt bump typed >/dev/null 2>&1 || fail "bump"
    run git prompt export
    expect_rc 0
    json_ok
    expect_eq "$(json_get 'd["prompts"]["typed"]["params"]')" \
        "{'max_tokens': 200, 'stop': 'END \"here\"', 'stream': True, 'temperature': 0.25}"
    run git prompt show typed@latest --json
    expect_rc 0
    expect_eq "$(json_get 'type(d["params"]["max_tokens"]).__name__, type(d["params"]["temperature"]).__name__')" \
        "('int', 'float')"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "export -o into a missing folder exits 2 and writes nothing"
(
    setup_triage
    before=$(snapshot .)
    run git prompt export -o no/such/dir/bundle.json
    expect_rc 2
    expect_err "error:"
    [ -e no ] && fail "folder created"
    expect_eq "$(snapshot .)" "$before"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "commands outside a repository and with bad usage exit 2"
(
    mkdir outside && cd outside || exit 1
    export GIT_CEILING_DIRECTORIES=$TRASH
    run git prompt list
    expect_rc 2
    expect_err "error:"
    run git prompt
    expect_rc 2
    expect_err "error:"
    run git prompt frobnicate
    expect_rc 2
    expect_err "error:"
    run git prompt show
    expect_rc 2
    expect_err "error:"
    run git-prompt --help
    expect_rc 0
    for sub in new list show log diff check bump export; do
        expect_out "  $sub "
    done
    exit "$_case_failed"
) || _case_failed=1
end_test

finish
