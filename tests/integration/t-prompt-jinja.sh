#!/usr/bin/env bash
# Jinja/Nunjucks prompt files (template = "jinja", or [prompt] template in .mlci/config.toml): check finds
# variables behind filters and inside blocks, render fills the common subset, and everything outside it is
# refused with file:line and exit 2 — never passed on as literal template text. The pre-commit hook
# refuses a bad Jinja prompt; mustache files are unchanged (t-prompt-check.sh, t-prompt-basic.sh).
. "$(dirname "$0")/lib.sh"

json_get() {
    python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" <<<"$OUT"
}

# triage_prompt: a promptfoo-style prompt with Jinja front matter.
triage_prompt() {
    mkdir -p prompts
    cat >prompts/triage.prompt <<'EOF'
+++
description = "Route a support ticket"
template = "jinja"
variables = ["ticket", "tier", "history"]
+++
Ticket: {{ ticket | trim }}
Tier: {{ tier | default("free") | upper }}
{% if history %}
Earlier tickets:
{% for h in history %}{{ loop.index }}. {{ h }}
{% endfor %}{% endif -%}
Answer briefly.
EOF
}

begin_test "check and render of a promptfoo-style prompt: filters, default, if and for"
(
    new_repo repo
    triage_prompt
    run git prompt check
    expect_rc 0
    expect_out "1 prompt file ok"
    run git prompt show triage --render "ticket=  printer on fire  "
    expect_rc 0
    expect_eq "$OUT" "$(printf 'Ticket: printer on fire\nTier: FREE\nAnswer briefly.')"
    run git prompt show triage --render ticket=T-1 --render tier=gold --render 'history[]=lost key' \
        --render 'history[]=late {{ invoice }}'
    expect_rc 0
    # A value holding template text is never expanded.
    expect_eq "$OUT" "$(printf 'Ticket: T-1\nTier: GOLD\n\nEarlier tickets:\n1. lost key\n2. late {{ invoice }}\nAnswer briefly.')"
    # README.md's example, as written there.
    run git prompt show triage --render ticket=T-1 --render 'history[]=lost key'
    expect_rc 0
    expect_eq "$OUT" "$(printf 'Ticket: T-1\nTier: FREE\n\nEarlier tickets:\n1. lost key\nAnswer briefly.')"
    run git prompt show triage --render ticket=x --render 'history[]' --json
    expect_rc 0
    expect_eq "$(json_get 'd["rendered"], d["template"]')" "('Ticket: x\\nTier: FREE\\nAnswer briefly.\\n', 'jinja')"
    run git prompt show triage --meta
    expect_out "template: jinja"
    # A deployed application learns from the bundle how to fill the body.
    commit_all "triage"
    run git prompt bump --minor
    expect_rc 0
    run git prompt export
    expect_rc 0
    expect_eq "$(json_get 'd["prompts"]["triage"]["template"]')" "jinja"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "check: a variable behind a filter or in a block must be declared, a loop variable need not"
(
    new_repo repo
    mkdir -p prompts
    cat >prompts/qa.prompt <<'EOF'
+++
template = "jinja"
variables = ["ticket", "t", "unused"]
+++
{{ ticket | trim }}
{% for t in tickets %}{{ t }}{% endfor %}
{% if vip %}VIP{% endif %}
{# {{ commented }} #}{% raw %}{{ literal }}{% endraw %}
EOF
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/qa.prompt:3: variable 't' is declared but never used"
    expect_err "error: prompts/qa.prompt:3: variable 'unused' is declared but never used"
    expect_err "error: prompts/qa.prompt:6: variable 'tickets' is used but not declared in variables"
    expect_err "hint: add \"tickets\" to variables in the front matter"
    expect_err "error: prompts/qa.prompt:7: variable 'vip' is used but not declared in variables"
    expect_not_err "commented"
    expect_not_err "literal"
    expect_err "4 problems in 1 prompt file"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "syntax errors and constructs outside the subset: check exits 1, show and bump exit 2, nothing written"
(
    new_repo repo
    mkdir -p prompts
    printf '+++\ntemplate = "jinja"\nvariables = ["a"]\n+++\n{{ a }}\n' >prompts/p.prompt
    commit_all "p"
    check_one() { # BODY LINE MESSAGE
        printf '+++\ntemplate = "jinja"\nvariables = ["a"]\n+++\n{{ a }}\n%s\n' "$1" >prompts/p.prompt
        files=$(snapshot .)
        run git prompt check
        expect_rc 1
        expect_err "error: prompts/p.prompt:$2: $3"
        run git prompt show p --render a=1
        expect_rc 2
        expect_err "error: prompts/p.prompt:$2: $3"
        expect_not_out "{"
        commit_all "edit" >/dev/null 2>&1
        before=$(refs_snapshot)
        run git prompt bump p
        expect_rc 2
        expect_err "error: prompts/p.prompt:$2: $3"
        expect_eq "$(refs_snapshot)" "$before"
    }
    check_one '{% if a %}never closed' 6 "{% if %} is not closed"
    check_one "$(printf 'x\n{%% endif %%}')" 7 "{% endif %} without {% if %}"
    check_one '{% a' 6 "'{%' is not closed"
    check_one '{% include "other.prompt" %}' 6 "tag 'include' is not supported by mlci's Jinja subset"
    check_one '{% set x = 1 %}' 6 "tag 'set' is not supported by mlci's Jinja subset"
    check_one '{% macro m() %}{% endmacro %}' 6 "tag 'macro' is not supported by mlci's Jinja subset"
    check_one '{% extends "base" %}' 6 "tag 'extends' is not supported by mlci's Jinja subset"
    check_one '{% frob %}' 6 "unknown tag 'frob'"
    check_one '{{ a | title }}' 6 "filter 'title' is not supported by mlci's Jinja subset"
    check_one '{{ a + 1 }}' 6 "'+' in a tag is not supported by mlci's Jinja subset"
    [ -z "$(git tag -l)" ] || fail "a tag was written: $(git tag -l)"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "render refusals: missing value, list printed, text looped, attribute, unknown variable (exit 2)"
(
    new_repo repo
    mkdir -p prompts
    cat >prompts/r.prompt <<'EOF'
+++
template = "jinja"
variables = ["a", "xs", "user"]
+++
{{ a }}
{% for x in xs %}{{ x }}{% endfor %}
{{ user.name | default("anon") }}
EOF
    run git prompt show r --render 'xs[]=1'
    expect_rc 2
    expect_err "error: no value for a"
    expect_err 'hint: give each as --render a=VALUE, or a default in the template: {{ a | default("…") }}'
    run git prompt show r --render a=1 --render xs=abc
    expect_rc 2
    expect_err "error: prompts/r.prompt:6: {% for %} needs a list, and its value is not one"
    expect_err "hint: give a list as --render NAME[]=ITEM, once per item"
    run git prompt show r --render a=1 --render 'xs[]=1' --render user=ann
    expect_rc 2
    expect_err "error: prompts/r.prompt:7: '.name' reads an attribute, and values given with --render are text or lists"
    run git prompt show r --render a=1 --render 'xs[]=1'
    expect_rc 0
    expect_out "anon"
    run git prompt show r --render a=1 --render 'xs[]=1' --render mood=x
    expect_rc 2
    expect_err "error: 'mood' is not a variable of prompts/r.prompt"
    run git prompt show r --render 'a[]=1' --render 'xs[]=1'
    expect_rc 2
    expect_err "error: prompts/r.prompt:5: {{ … }} prints a list, which Jinja and Nunjucks write differently"
    run git prompt show r --render a=1 --render 'a[]=2'
    expect_rc 2
    expect_err "error: --render gives 'a' both as text and as a list"
    # Lists are Jinja's: a mustache prompt takes text.
    write_prompt m 'Hi {{who}}' '"who"'
    run git prompt show m --render 'who[]=x'
    expect_rc 2
    expect_err "error: 'who' is given as a list, and prompts/m.prompt takes text only"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "the repository default: [prompt] template = \"jinja\" in .mlci/config.toml, front matter wins"
(
    new_repo repo
    mkdir -p prompts .mlci
    # A promptfoo prompt file: no front matter, its variables are the names it reads.
    printf 'Ticket: {{ ticket | trim }}\nTier: {{ tier | default("free") }}\n' >prompts/pf.prompt
    printf '+++\ntemplate = "mustache"\nvariables = ["x"]\n+++\n{{x}} {%% keep %%}\n' >prompts/old.prompt
    # As mustache, the filters would reach the model as literal text: a warning says so.
    run git prompt check
    expect_rc 0
    expect_err "warning: prompts/pf.prompt:1: '{{ ticket |' is Jinja syntax, which a mustache prompt leaves as literal text"
    expect_err "warning: prompts/pf.prompt:2: '{{ tier |' is Jinja syntax"
    printf '[prompt]\ntemplate = "jinja"\n' >.mlci/config.toml
    run git prompt check
    expect_rc 0
    expect_out "2 prompt files ok"
    run git prompt show pf --render ' ticket= T-9 '
    expect_rc 2
    expect_err "error: ' ticket' is not a variable of prompts/pf.prompt"
    run git prompt show pf --render 'ticket= T-9 '
    expect_rc 0
    expect_eq "$OUT" "$(printf 'Ticket: T-9\nTier: free')"
    run git prompt show pf --json
    expect_eq "$(json_get 'd["variables"], d["template"]')" "(['ticket', 'tier'], 'jinja')"
    run git prompt show old --render x=1
    expect_rc 0
    expect_out "1 {% keep %}"
    printf '[prompt]\ntemplate = "nunjucks"\n' >.mlci/config.toml
    run git prompt check
    expect_rc 2
    expect_err "error: .mlci/config.toml:2: prompt.template must be \"mustache\" or \"jinja\" (got 'nunjucks')"
    printf '+++\ntemplate = "liquid"\n+++\nx\n' >prompts/old.prompt
    printf '[prompt]\ntemplate = "jinja"\n' >.mlci/config.toml
    run git prompt check
    expect_rc 1
    expect_err "error: prompts/old.prompt:2: front matter: 'template' must be \"mustache\" or \"jinja\""
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "pre-commit refuses a bad Jinja prompt and commits nothing; the fixed one passes"
(
    new_repo repo
    run git gate install-hooks
    expect_rc 0
    triage_prompt
    printf '{%% for h in history %%}{{ h }}\n' >>prompts/triage.prompt
    git add prompts/triage.prompt
    head=$(git rev-parse HEAD)
    run git commit -m "bad jinja"
    expect_rc 1
    expect_err "prompts/triage.prompt:13: {% for %} is not closed"
    expect_eq "$(git rev-parse HEAD)" "$head"
    triage_prompt
    git add prompts/triage.prompt
    run git commit -m "triage prompt"
    expect_rc 0
    [ "$(git rev-parse HEAD)" != "$head" ] || fail "the fixed prompt was not committed"
    # The repository default reaches the hook: a promptfoo file without front matter is read as Jinja.
    mkdir -p .mlci
    printf '[prompt]\ntemplate = "jinja"\n' >.mlci/config.toml
    git add .mlci/config.toml && git commit -q -m "jinja by default"
    head=$(git rev-parse HEAD)
    printf 'Hi {{ name | trim }}\n{%% if vip %%}VIP\n' >prompts/pf.prompt
    git add prompts/pf.prompt
    run git commit -m "promptfoo prompt"
    expect_rc 1
    expect_err "prompts/pf.prompt:2: {% if %} is not closed"
    expect_eq "$(git rev-parse HEAD)" "$head"
    printf 'Hi {{ name | trim }}\n{%% if vip %%}VIP{%% endif %%}\n' >prompts/pf.prompt
    git add prompts/pf.prompt
    run git commit -m "promptfoo prompt"
    expect_rc 0
    exit "$_case_failed"
) || _case_failed=1
end_test

finish
