#!/bin/bash
# The real promptfoo (npm, pinned) wired to git gate with zero lines of glue (issue 16, must show): the
# suite is promptfoo's own command line, `format = "promptfoo"` reads its -o file, and an offline provider
# (a JavaScript file promptfoo loads) answers. A prompt edit breaking 3 cases is refused at `git push` with
# the flipped cases and their outputs; the fix passes; a deleted failing case is refused as removed; two
# providers add rows (no renamed metrics), and gates select their cases by prompt label.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/npm-tools.sh"
npm_tools_promptfoo

# The offline provider: answers the prompt in lower case; a prompt asking for "(brief)" answers its first
# 40 characters only. The provider's label is its name, so two providers are two files.
write_provider() {
    cat >"$1" <<'JS'
class Echo {
  constructor(options) { this.options = options || {}; }
  id() { return 'echo'; }
  async callApi(prompt) {
    let out = prompt.toLowerCase();
    if (out.includes('(brief)')) out = out.slice(0, 40);
    return { output: out, tokenUsage: { total: prompt.length, prompt: prompt.length, completion: 0 },
             cost: 0.000001 * prompt.length };
  }
}
module.exports = Echo;
JS
}

# write_config PROVIDER...: promptfooconfig.yaml with the two prompts, the providers and 10 tests. Tests
# t08..t10 name their keyword late in the ticket: a brief answer loses it.
write_config() {
    {
        echo "description: support"
        echo "prompts:"
        echo "  - id: file://prompts/triage.j2"
        echo "    label: triage"
        echo "  - id: file://prompts/summarize.j2"
        echo "    label: summarize"
        echo "providers:"
        local p
        for p in "$@"; do
            echo "  - id: file://$p.js"
            echo "    label: $p"
        done
        echo "tests:"
        local i
        for i in 01 02 03 04 05 06 07; do
            echo "  - description: t$i"
            echo "    vars: { ticket: \"refund $i please\" }"
            echo "    assert: [{ type: contains, value: refund }]"
        done
        for i in 08 09 10; do
            echo "  - description: t$i"
            echo "    vars: { ticket: \"my order number $i arrived broken, refund\" }"
            echo "    assert: [{ type: contains, value: refund }]"
        done
    } >promptfooconfig.yaml
}

setup() {
    new_repo support
    mkdir -p prompts .mlci
    echo 'Triage this ticket: {{ ticket }}' >prompts/triage.j2
    echo 'Summarize: {{ ticket | trim }}' >prompts/summarize.j2
    write_provider echo-a.js
    write_config echo-a
    cat >.mlci/gates.toml <<'TOML'
[suite.support]
command = ["promptfoo", "eval", "-c", "promptfooconfig.yaml", "-o", "{out}", "--no-cache", "--no-write",
           "--no-progress-bar"]
format = "promptfoo"
out = "results.json"
ok_exit_codes = [0, 100]
inputs = ["prompts/**", "promptfooconfig.yaml", "*.js"]
timeout = "5m"

[gate.pre-push]
suites = ["support"]
baseline = "origin/main"
on_inconclusive = "fail"
rules = [ { metric = "pass_rate", max_drop = "0" } ]
TOML
    commit_all "promptfoo suite"
    git gate init >/dev/null 2>&1 || fail "git gate init failed"
    run git gate run; expect_rc 0
    git push -q -u origin main 2>/dev/null || fail "first push failed"
}

remote_main() {
    git --git-dir="$TRASH/support-origin.git" rev-parse main
}

begin_test "promptfoo's results recorded by format = promptfoo: cases, labels, standard metrics"
setup
run git gate show --json
expect_out '"pass_rate"'
expect_out '"latency_p50_ms"'
expect_out '"cost_usd"'
expect_out '"tokens_total"'
run git gate show
expect_out "20/20 pass"
end_test

begin_test "a prompt edit breaking 3 cases is refused at push, naming them with their outputs; the fix passes"
setup
before=$(remote_main)
echo 'Triage this ticket (brief): {{ ticket }}' >prompts/triage.j2
commit_all "triage: ask for brief answers"
run git gate run; expect_rc 0
run git push origin main; expect_rc 1
expect_err "push refused: the pre-push gate failed"
expect_err "t08"
expect_err "t09"
expect_err "t10"
expect_err "triage this ticket (brief): my order n" # the candidate's truncated output
expect_eq "$(remote_main)" "$before"
echo 'Triage this ticket, briefly: {{ ticket }}' >prompts/triage.j2
commit_all "triage: brief without truncation"
run git gate run; expect_rc 0
run git push origin main; expect_rc 0
expect_eq "$(remote_main)" "$(git rev-parse HEAD)"
end_test

begin_test "deleting a failing case instead of fixing it is refused as removed"
setup
before=$(remote_main)
echo 'Triage this ticket (brief): {{ ticket }}' >prompts/triage.j2
sed -i '/description: t10/,+2d' promptfooconfig.yaml
commit_all "triage brief; drop t10"
run git gate run; expect_rc 0
run git push origin main; expect_rc 1
expect_err "removed"
expect_err "t10"
expect_eq "$(remote_main)" "$before"
end_test

begin_test "two providers add rows, and gates select their prompt's cases by label"
setup
write_provider echo-b.js
write_config echo-a echo-b
commit_all "second provider"
run git gate run; expect_rc 0
run git gate show
expect_out "40/40 pass"
run git gate check pre-push; expect_rc 0 # the 20 cases of echo-b are added; none is renamed or removed
expect_out "cases added"
expect_not_out "removed"
run git gate report
expect_out "provider=echo-b"
cat >>.mlci/gates.toml <<'TOML'

[gate.triage]
suites = ["support"]
select = { prompt = "triage" }
rules = [ { metric = "pass_rate", min = 1.0 } ]

[gate.summarize]
suites = ["support"]
select = { prompt = "summarize" }
rules = [ { metric = "pass_rate", min = 1.0 } ]
TOML
echo 'Triage this ticket (brief): {{ ticket }}' >prompts/triage.j2
commit_all "triage brief; a gate per prompt"
run git gate run; expect_rc 0
run git gate check summarize; expect_rc 0
expect_out "20 of 40 cases selected by prompt=summarize"
run git gate check triage; expect_rc 1
expect_out "pass_rate{prompt=triage}"
expect_out "70.0%"
end_test

finish
