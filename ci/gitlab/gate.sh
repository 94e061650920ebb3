#!/usr/bin/env bash
# mlci's gate in a GitLab CI job (ci/gitlab/mlci.gitlab-ci.yml runs it on merge requests): fetch the eval
# notes, `git gate check` against the merge request's target branch
# (CI_MERGE_REQUEST_TARGET_BRANCH_NAME), write `git gate report --format markdown` to mlci-report.md (kept
# as the job's artifact), and, when GITLAB_TOKEN (or a CI_JOB_TOKEN the project allows) is set, keep one
# sticky merge-request note with the report, found by its hidden marker and updated in place. The token
# goes to curl in a file, never on a command line or in the log. Exits with `git gate check`'s code.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

git fetch -q origin '+refs/notes/mlci/*:refs/notes/mlci/*' ||
    echo "warning: no eval notes fetched from origin (none pushed yet?)" >&2

base=()
target=${CI_MERGE_REQUEST_TARGET_BRANCH_NAME:-}
if [ -n "$target" ]; then
    git fetch -q origin "+refs/heads/$target:refs/remotes/origin/$target" ||
        echo "warning: cannot fetch the target branch '$target'" >&2
    base=("origin/$target")
fi

rc=0
git gate check ${base[@]:+--baseline "${base[0]}"} || rc=$?

report=${MLCI_REPORT:-mlci-report.md}
git gate report --format markdown ${base[@]:+--base "${base[0]}"} >"$report" 2>/dev/null ||
    echo "_mlci: the report could not be built; see the job log._" >"$report"

hdr=$(mktemp) || exit 2
trap 'rm -f "$hdr"' EXIT
if [ -n "${GITLAB_TOKEN:-}" ]; then
    (umask 077 && printf 'PRIVATE-TOKEN: %s\n' "$GITLAB_TOKEN" >"$hdr")
elif [ -n "${CI_JOB_TOKEN:-}" ]; then
    (umask 077 && printf 'JOB-TOKEN: %s\n' "$CI_JOB_TOKEN" >"$hdr")
fi
if [ -s "$hdr" ] && [ -n "${CI_MERGE_REQUEST_IID:-}" ] && [ -n "${CI_API_V4_URL:-}" ] &&
    [ -n "${CI_PROJECT_ID:-}" ]; then
    notes="$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
    STICKY_ITEM_URL="$notes" "$here/sticky-comment.sh" "$notes" PUT "$hdr" "$report" || true
fi
exit "$rc"
