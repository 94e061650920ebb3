#!/usr/bin/env bash
# One sticky comment on a pull or merge request, updated in place: the comment whose body holds the hidden
# marker <!-- mlci-gate --> is edited; when there is none, one is created. Used by ci/github/gate.sh and
# ci/gitlab/gate.sh (see there); needs curl and python3 (for JSON only).
#
#   sticky-comment.sh LIST_URL EDIT_METHOD HEADER_FILE BODY_FILE
#
# LIST_URL lists the existing comments (GET, paged with &page=N) and creates one (POST); an existing
# comment is edited with EDIT_METHOD (PATCH on GitHub, PUT on GitLab) at ITEM_URL_PREFIX/ID, where
# ITEM_URL_PREFIX is taken from the environment (STICKY_ITEM_URL). HEADER_FILE holds the authorization
# header: it is given to curl as a file, so the token never appears on a command line, in the log or in
# an error. Exit 0 when the comment is in place, 1 otherwise (with a warning line on stderr).
set -uo pipefail

list_url=$1 method=$2 header_file=$3 body_file=$4
item_url=${STICKY_ITEM_URL:?STICKY_ITEM_URL is not set}
marker='<!-- mlci-gate -->'

# api METHOD URL [DATA_FILE]: the response body in $response, the HTTP status in $status (000: no answer).
response=$(mktemp) || exit 1
api() {
    local args=(-sS -o "$response" -w '%{http_code}' -X "$1" -H @"$header_file" -H 'Accept: application/json')
    if [ -n "${3:-}" ]; then
        args+=(-H 'Content-Type: application/json' --data-binary @"$3")
    fi
    : >"$response"
    status=$(curl "${args[@]}" "$2" 2>/dev/null) || status=000
}

# The comment's JSON body: {"body": "<marker>\n…"}.
payload=$(mktemp) || exit 1
trap 'rm -f "$payload" "$response"' EXIT
python3 -c 'import json, sys
print(json.dumps({"body": sys.argv[1] + "\n" + open(sys.argv[2], encoding="utf-8", errors="replace").read()}))' \
    "$marker" "$body_file" >"$payload" || exit 1

# Find the comment holding the marker: pages of 100 until one is short.
id=""
for page in 1 2 3 4 5 6 7 8 9 10; do
    sep='?'
    case $list_url in *\?*) sep='&' ;; esac
    api GET "$list_url${sep}per_page=100&page=$page"
    if [ "$status" != 200 ]; then
        echo "warning: cannot list the comments (HTTP $status): the report is not posted" >&2
        exit 1
    fi
    read -r id count < <(python3 -c 'import json, sys
items = json.loads(sys.stdin.read() or "[]")
found = [str(c["id"]) for c in items if isinstance(c, dict) and sys.argv[1] in str(c.get("body", ""))]
print(found[0] if found else "-", len(items))' "$marker" <"$response")
    [ "$id" != "-" ] && break
    id=""
    [ "${count:-0}" -lt 100 ] && break
done

if [ -n "$id" ]; then
    api "$method" "$item_url/$id" "$payload"
    what="updated"
else
    api POST "$list_url" "$payload"
    what="created"
fi
case $status in
2??) echo "mlci: pull-request comment $what" >&2 ;;
*)
    echo "warning: the pull-request comment could not be $what (HTTP $status)" >&2
    exit 1
    ;;
esac
