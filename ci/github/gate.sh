#!/usr/bin/env bash
# mlci's gate in a GitHub Actions job (ci/github/mlci-gate.yml runs it after a checkout with full history
# and mlci installed): fetch the eval notes, `git gate check` against the pull request's base branch
# (GITHUB_BASE_REF; a push checks against the gate's own baseline), append `git gate report --format
# markdown` to the job summary (GITHUB_STEP_SUMMARY), and, on a pull request with GITHUB_TOKEN set, keep
# one sticky comment with the report, found by its hidden marker and updated in place. The report escapes
# every string from notes (Markdown and HTML), and the token goes to curl in a file, never on a command
# line or in the log. Exits with `git gate check`'s code: 0 pass, 1 fail, 2 cannot decide.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

git fetch -q origin '+refs/notes/mlci/*:refs/notes/mlci/*' ||
    echo "warning: no eval notes fetched from origin (none pushed yet?)" >&2

base=()
if [ -n "${GITHUB_BASE_REF:-}" ]; then
    git fetch -q origin "+refs/heads/$GITHUB_BASE_REF:refs/remotes/origin/$GITHUB_BASE_REF" ||
        echo "warning: cannot fetch the base branch '$GITHUB_BASE_REF'" >&2
    base=("origin/$GITHUB_BASE_REF")
fi

rc=0
git gate check ${base[@]:+--baseline "${base[0]}"} || rc=$?

report=$(mktemp) || exit 2
hdr=$(mktemp) || exit 2
trap 'rm -f "$report" "$hdr"' EXIT
git gate report --format markdown ${base[@]:+--base "${base[0]}"} >"$report" 2>/dev/null ||
    echo "_mlci: the report could not be built; see the job log._" >"$report"

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    cat "$report" >>"$GITHUB_STEP_SUMMARY"
fi

# The pull request's number, from the event payload GitHub writes.
pr=""
if [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ]; then
    pr=$(python3 -c 'import json, sys
n = (json.load(open(sys.argv[1])).get("pull_request") or {}).get("number")
print(n if isinstance(n, int) else "")' "$GITHUB_EVENT_PATH" 2>/dev/null)
fi
if [ -n "$pr" ] && [ -n "${GITHUB_TOKEN:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ]; then
    api=${GITHUB_API_URL:-https://api.github.com}
    (umask 077 && printf 'Authorization: Bearer %s\n' "$GITHUB_TOKEN" >"$hdr")
    STICKY_ITEM_URL="$api/repos/$GITHUB_REPOSITORY/issues/comments" \
        "$here/sticky-comment.sh" "$api/repos/$GITHUB_REPOSITORY/issues/$pr/comments" PATCH "$hdr" "$report" ||
        true # a comment that could not be posted does not change the verdict
fi
exit "$rc"
