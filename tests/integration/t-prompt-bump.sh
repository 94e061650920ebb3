#!/usr/bin/env bash
# git prompt bump: the classifier (major/minor/patch per DESIGN.md section 3), explicit levels, bumping every
# changed prompt, pre-releases, --dry-run, -m; and every refusal (nothing changed, uncommitted changes, a
# commit that already carries a version) exiting 2 with a hint and no tag written.
. "$(dirname "$0")/lib.sh"

json_get() {
    python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" <<<"$OUT"
}

# A prompt `qa` at v0.1.0 with model, params and a section heading, ready for an edit.
setup_qa() {
    new_repo "${1:-repo}"
    mkdir -p prompts
    cat >prompts/qa.prompt <<'EOF'
+++
description = "Answer from context"
model = "gpt-4o-mini"
variables = ["context", "question"]
[params]
temperature = 0.2
+++
## Context
{{context}}

Answer the question briefly: {{question}}
EOF
    commit_all "qa"
    git prompt bump qa >/dev/null 2>&1 || fail "first bump failed"
}

# edit_qa SED-EXPRESSION: edit prompts/qa.prompt and commit.
edit_qa() {
    sed -i "$1" prompts/qa.prompt
    commit_all "edit qa"
}

# bumped LEVEL-LINE: `git prompt bump qa` prints LINE and tags it.
expect_bump() {
    local to=$1 why=$2
    run git prompt bump qa
    expect_rc 0
    expect_out "qa: v0.1.0 -> $to  $why"
    expect_out "  tagged qa@$to"
    [ "$(git cat-file -t "qa@$to" 2>/dev/null)" = tag ] || fail "qa@$to is not an annotated tag"
    expect_eq "$(git rev-parse "qa@$to^{commit}")" "$(git rev-parse HEAD)"
    expect_eq "$(git for-each-ref --format='%(contents)' "refs/tags/qa@$to" | grep '^Mlci-Bump: ')" \
        "Mlci-Bump: $why"
}

begin_test "the first version is 0.1.0 (minor, first version) with GTO-readable trailers"
(
    setup_qa
    expect_eq "$(git tag -l)" "qa@v0.1.0"
    expect_eq "$(git cat-file -t qa@v0.1.0)" "tag"
    msg=$(git for-each-ref --format='%(contents)' refs/tags/qa@v0.1.0)
    expect_eq "$(head -n1 <<<"$msg")" "Release qa v0.1.0"
    grep -qx "Mlci-Kind: prompt" <<<"$msg" || fail "no Mlci-Kind: $msg"
    grep -qx "Mlci-Path: prompts/qa.prompt" <<<"$msg" || fail "no Mlci-Path: $msg"
    grep -qx "Mlci-Object: $(git rev-parse HEAD:prompts/qa.prompt)" <<<"$msg" || fail "no Mlci-Object: $msg"
    grep -qx "Mlci-Bump: minor (first version)" <<<"$msg" || fail "no Mlci-Bump: $msg"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "wording only is a patch"
(
    setup_qa
    edit_qa 's/briefly/in one sentence/'
    expect_bump v0.1.1 "patch (wording only)"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "description only is a patch"
(
    setup_qa
    edit_qa 's/Answer from context/Answer using the context/'
    expect_bump v0.1.1 "patch (description or formatting only)"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "a variable added is minor"
(
    setup_qa
    edit_qa 's/"question"\]/"question", "tone"]/; s/briefly:/briefly in a {{tone}} tone:/'
    expect_bump v0.2.0 "minor (variables added: tone)"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "a variable removed is major; a rename is major"
(
    setup_qa
    edit_qa 's/\["context", "question"\]/["question"]/; /^{{context}}$/d'
    expect_bump v1.0.0 "major (variables removed: context)"
    exit "$_case_failed"
) || _case_failed=1
(
    setup_qa repo2
    edit_qa 's/"question"/"query"/; s/{{question}}/{{query}}/'
    expect_bump v1.0.0 "major (variables removed or renamed: question)"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "a model or params change is minor"
(
    setup_qa
    edit_qa 's/gpt-4o-mini/gpt-4o/'
    expect_bump v0.2.0 "minor (front matter changed: model)"
    exit "$_case_failed"
) || _case_failed=1
(
    setup_qa repo2
    edit_qa 's/temperature = 0.2/temperature = 0.7\nmax_tokens = 200/'
    expect_bump v0.2.0 "minor (front matter changed: params.max_tokens, params.temperature)"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "a heading added or removed is minor"
(
    setup_qa
    edit_qa 's/^Answer the question/## Rules\nAnswer the question/'
    expect_bump v0.2.0 "minor (sections added: '## Rules')"
    exit "$_case_failed"
) || _case_failed=1
(
    setup_qa repo2
    edit_qa '/^## Context$/d'
    expect_bump v0.2.0 "minor (sections removed: '## Context')"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "an explicit level wins over the classifier and says so"
(
    setup_qa
    edit_qa 's/briefly/in one sentence/'
    run git prompt bump qa --major
    expect_rc 0
    expect_out "qa: v0.1.0 -> v1.0.0  major (requested; classifier: patch (wording only))"
    expect_eq "$(git tag -l 'qa@v1*')" "qa@v1.0.0"
    edit_qa 's/"question"\]/"question", "tone"]/; s/sentence/{{tone}} sentence/'
    run git prompt bump qa --patch --json
    expect_rc 0
    expect_eq "$(json_get '[(e["name"], e["from"], e["to"], e["level"], e["classified"], e["reason"], e["tag"]) for e in d]')" \
        "[('qa', 'v1.0.0', 'v1.0.1', 'patch', 'minor', 'variables added: tone', 'qa@v1.0.1')]"
    run git prompt bump qa --major --minor
    expect_rc 2
    expect_err "error: give at most one of --major, --minor, --patch"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "bump --minor with no name tags every changed prompt, and only those, one tag each"
(
    new_repo repo
    for n in alpha beta support/gamma; do git prompt new "$n" --var x >/dev/null 2>&1; done
    commit_all "three prompts"
    run git prompt bump --minor
    expect_rc 0
    expect_eq "$(git tag -l | sort)" $'alpha@v0.1.0\nbeta@v0.1.0\nsupport/gamma@v0.1.0'
    echo "more" >>prompts/alpha.prompt
    echo "more" >>prompts/support/gamma.prompt
    commit_all "change two"
    run git prompt bump --minor
    expect_rc 0
    expect_out "alpha: v0.1.0 -> v0.2.0  minor (requested; classifier: patch (wording only))"
    expect_out "support/gamma: v0.1.0 -> v0.2.0"
    expect_not_out "beta"
    expect_eq "$(git tag -l --points-at HEAD | sort)" $'alpha@v0.2.0\nsupport/gamma@v0.2.0'
    expect_eq "$(git tag -l 'beta@*')" "beta@v0.1.0"
    expect_eq "$(git tag -l | wc -l | tr -d ' ')" "5"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "nothing changed: refused with a hint, no tag written"
(
    setup_qa
    git commit -q --allow-empty -m "unrelated"
    before=$(refs_snapshot)
    run git prompt bump qa
    expect_rc 2
    expect_err "error: qa has not changed since v0.1.0"
    expect_err "hint: edit and commit the prompt first; a version marks a change"
    run git prompt bump qa --major
    expect_rc 2
    expect_err "error: qa has not changed since v0.1.0"
    run git prompt bump
    expect_rc 2
    expect_err "error: no prompt has changed since its last version"
    expect_err "hint: edit and commit a prompt first"
    run git prompt bump --patch --dry-run
    expect_rc 2
    expect_err "error: no prompt has changed since its last version"
    expect_eq "$(refs_snapshot)" "$before"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "uncommitted, unknown or never committed prompts are refused"
(
    setup_qa
    echo "draft line" >>prompts/qa.prompt
    files=$(snapshot .)
    before=$(refs_snapshot)
    run git prompt bump qa
    expect_rc 2
    expect_err "error: prompts/qa.prompt has uncommitted changes"
    expect_err "hint: commit them first (a version tags a commit), or restore the file"
    run git prompt bump
    expect_rc 2
    expect_err "error: prompts/qa.prompt has uncommitted changes"
    git checkout -q prompts/qa.prompt
    git prompt new fresh >/dev/null 2>&1
    run git prompt bump fresh
    expect_rc 2
    expect_err "error: prompts/fresh.prompt is not committed"
    expect_err "hint: commit it first: git add prompts/fresh.prompt && git commit"
    run git prompt bump ghost
    expect_rc 2
    expect_err "error: no prompt 'ghost' (prompts/ghost.prompt does not exist)"
    run git prompt bump bad.name
    expect_rc 2
    expect_err "error: invalid prompt name 'bad.name'"
    rm prompts/qa.prompt
    run git prompt bump qa
    expect_rc 2
    expect_err "error: prompts/qa.prompt has uncommitted changes"
    expect_eq "$(refs_snapshot)" "$before"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "a bump in an empty repository is refused"
(
    git init -q empty && cd empty || exit 1
    git prompt new first >/dev/null 2>&1
    run git prompt bump first
    expect_rc 2
    expect_err "error: nothing is committed yet"
    expect_err "hint: commit the prompt first, then bump"
    expect_eq "$(git for-each-ref)" ""
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "a commit that already carries a version of the prompt is refused"
(
    setup_qa
    edit_qa 's/briefly/in one sentence/'
    git prompt bump qa >/dev/null 2>&1 || fail "bump failed"
    # Back on the commit of v0.1.0 the file differs from v0.1.1, but that commit already holds v0.1.0.
    git checkout -q HEAD~1
    before=$(refs_snapshot)
    run git prompt bump qa
    expect_rc 2
    expect_err "error: commit $(git rev-parse --short=7 HEAD) already carries qa@v0.1.0 (one version of a name per commit)"
    run git prompt bump qa --dry-run
    expect_rc 2
    expect_err "already carries qa@v0.1.0"
    expect_eq "$(refs_snapshot)" "$before"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "pre-releases: rc.1, rc.2, then the release on a new commit"
(
    setup_qa
    edit_qa 's/"question"\]/"question", "tone"]/; s/briefly:/briefly in a {{tone}} tone:/'
    run git prompt bump qa --pre rc
    expect_rc 0
    expect_out "qa: v0.1.0 -> v0.2.0-rc.1  minor (variables added: tone)"
    # The release of the same content cannot go on the same commit (GTO: one version per commit).
    before=$(refs_snapshot)
    run git prompt bump qa
    expect_rc 2
    expect_err "error: commit $(git rev-parse --short=7 HEAD) already carries qa@v0.2.0-rc.1 (one version of a name per commit)"
    expect_err "hint: a release needs a commit of its own: git commit --allow-empty -m 'Release qa', then bump"
    run git prompt bump qa --pre rc
    expect_rc 2
    expect_err "error: qa has not changed since v0.2.0-rc.1"
    expect_eq "$(refs_snapshot)" "$before"
    edit_qa 's/briefly/very briefly/'
    run git prompt bump qa --pre rc
    expect_rc 0
    expect_out "qa: v0.2.0-rc.1 -> v0.2.0-rc.2  patch (wording only)"
    # @latest is the highest release while one exists; pre-releases are still listed by log.
    run git prompt show qa@latest --meta
    expect_out "version: v0.1.0"
    # A release of the unchanged rc content needs only a new commit.
    git commit -q --allow-empty -m "release qa"
    run git prompt bump qa
    expect_rc 0
    expect_out "qa: v0.2.0-rc.2 -> v0.2.0  minor (variables added: tone, since v0.1.0)"
    expect_eq "$(git tag -l --points-at HEAD)" "qa@v0.2.0"
    run git prompt show qa@latest --meta
    expect_out "version: v0.2.0"
    run git prompt log qa --json
    expect_eq "$(json_get '[e["version"] for e in d]')" "['v0.2.0', 'v0.2.0-rc.2', 'v0.2.0-rc.1', 'v0.1.0']"
    # Released: the same content cannot be released again, even on another commit.
    git commit -q --allow-empty -m "again"
    before=$(refs_snapshot)
    run git prompt bump qa
    expect_rc 2
    expect_err "error: qa has not changed since v0.2.0"
    expect_eq "$(refs_snapshot)" "$before"
    run git prompt bump qa --pre 'r c'
    expect_rc 2
    expect_err "error: invalid pre-release id 'r c'"
    run git prompt bump qa --pre ''
    expect_rc 2
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "--dry-run prints the plan and writes nothing"
(
    setup_qa
    edit_qa 's/briefly/in one sentence/'
    before=$(refs_snapshot)
    files=$(snapshot .)
    run git prompt bump --dry-run
    expect_rc 0
    expect_out "qa: v0.1.0 -> v0.1.1  patch (wording only)"
    expect_out "(dry run: no tag written)"
    expect_not_out "tagged"
    run git prompt bump -n --json
    expect_rc 0
    expect_eq "$(json_get 'd[0]["to"], d[0]["tag"]')" "('v0.1.1', None)"
    expect_eq "$(refs_snapshot)" "$before"
    expect_eq "$(snapshot .)" "$files"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "-m MESSAGE goes into the tag and shows in git prompt log"
(
    setup_qa
    edit_qa 's/briefly/in one sentence/'
    run git prompt bump qa -m "Shorter answers for the mobile app"
    expect_rc 0
    msg=$(git for-each-ref --format='%(contents)' refs/tags/qa@v0.1.1)
    expect_eq "$(sed -n 3p <<<"$msg")" "Shorter answers for the mobile app"
    run git prompt log qa
    expect_rc 0
    line=$(grep '^v0.1.1' <<<"$OUT")
    [[ "$line" == *"patch (wording only)"*"Shorter answers for the mobile app"* ]] || fail "log line: $line"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "tags written by bump are annotated, GTO-named, with increasing tagger times"
(
    setup_qa
    for i in 1 2 3; do
        edit_qa "s/briefly/briefly $i/"
        git prompt bump qa >/dev/null 2>&1 || fail "bump $i failed"
    done
    expect_eq "$(git tag -l | sort -V | tr '\n' ' ')" "qa@v0.1.0 qa@v0.1.1 qa@v0.1.2 qa@v0.1.3 "
    prev=0
    for t in qa@v0.1.0 qa@v0.1.1 qa@v0.1.2 qa@v0.1.3; do
        expect_eq "$(git cat-file -t "$t")" "tag"
        # GTO's tag regex for a version: NAME@vSEMVER.
        [[ "$t" =~ ^[a-zA-Z0-9]([a-zA-Z0-9/_-]*[a-zA-Z0-9])?@v[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "not GTO: $t"
        ts=$(git for-each-ref --format='%(taggerdate:unix)' "refs/tags/$t")
        [ "$ts" -gt "$prev" ] || fail "tagger time of $t ($ts) not after $prev"
        prev=$ts
    done
    exit "$_case_failed"
) || _case_failed=1
end_test

finish
