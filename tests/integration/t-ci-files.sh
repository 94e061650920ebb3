#!/usr/bin/env bash
# The ready-made CI files (ci/): the shell steps of ci/github/mlci-gate.yml and ci/gitlab/mlci.gitlab-ci.yml
# run as those CI systems run them, with the environment they set, in a fresh clone: the gate's exit code,
# the markdown report in the job summary, and one sticky pull-request comment (merge-request note)
# created once and then updated in place, through a fake REST API on 127.0.0.1 that records every request.
# The token never reaches the output; strings from notes are escaped in the comment.
source "$(dirname "$0")/lib.sh"

# fake_api: start a server that keeps comments per list URL (GET lists, POST creates, PATCH/PUT edits
# /<list>/<id> or, for GitHub, /repos/R/issues/comments/<id>) and logs "METHOD PATH AUTH" lines to
# $TRASH/requests.log (AUTH: the authorization header's name, never its value). Sets API.
fake_api() {
    cat >"$TRASH/api.py" <<'PY'
import json, sys, threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlparse
log = open(sys.argv[1], "a", buffering=1)
comments = {}  # id -> (list path, body)
next_id = [100]
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def record(self):
        auth = "Authorization" if self.headers.get("Authorization") else \
               "PRIVATE-TOKEN" if self.headers.get("PRIVATE-TOKEN") else \
               "JOB-TOKEN" if self.headers.get("JOB-TOKEN") else "none"
        secret_ok = (self.headers.get("Authorization") == "Bearer s3cr3t-gh" or
                     self.headers.get("PRIVATE-TOKEN") == "s3cr3t-gl")
        log.write("%s %s %s %s\n" % (self.command, urlparse(self.path).path, auth, "good" if secret_ok else "bad"))
    def body(self):
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))["body"]
    def do_GET(self):
        self.record(); p = urlparse(self.path).path
        self.reply(200, [{"id": i, "body": b} for i, (lp, b) in sorted(comments.items()) if lp == p])
    def do_POST(self):
        self.record(); p = urlparse(self.path).path
        next_id[0] += 1; comments[next_id[0]] = (p, self.body())
        open(sys.argv[1] + ".last", "w").write(comments[next_id[0]][1])
        self.reply(201, {"id": next_id[0]})
    def edit(self):
        self.record(); i = int(urlparse(self.path).path.rsplit("/", 1)[1])
        if i not in comments: return self.reply(404, {})
        comments[i] = (comments[i][0], self.body())
        open(sys.argv[1] + ".last", "w").write(comments[i][1])
        self.reply(200, {"id": i})
    do_PATCH = edit
    do_PUT = edit
s = HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
    python3 "$TRASH/api.py" "$TRASH/requests.log" "$TRASH/port" &
    API_PID=$!
    for _ in $(seq 50); do [ -s "$TRASH/port" ] && break; sleep 0.1; done
    API="http://127.0.0.1:$(cat "$TRASH/port")"
}
stop_api() { kill "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null; }

# setup: repository 'dev' with a cases suite recorded and pushed on main, and a branch 'feature' whose
# change breaks case `q|2` (a pipe and backticks in its id); the clone 'ci' of feature, copied ci/ in.
setup() {
    new_repo dev
    mkdir -p evals .mlci
    cat >.mlci/gates.toml <<'TOML'
[suite.qa]
command = ["python3", "evals/qa.py", "{out}"]
inputs = ["evals/**"]

[gate.pre-push]
suites = ["qa"]
baseline = "origin/main"
rules = [{ metric = "pass_rate", min = 0.9 }]
TOML
    cat >evals/qa.py <<'PY'
import json, sys
cases = {k: int(v) for k, v in (l.split() for l in open("evals/cases.txt") if l.strip())}
cases["q|2 `x` <b>"] = cases.pop("q2")
json.dump({"pass_rate": sum(cases.values()) / len(cases), "cases": cases}, open(sys.argv[1], "w"))
PY
    printf 'q1 1\nq2 1\nq3 1\nq4 1\n' >evals/cases.txt
    cp -r "$MLCI_SOURCE/ci" ci
    commit_all "suite and CI files"
    git gate run >/dev/null 2>&1 || fail "gate run failed"
    git push -q --no-verify origin main 2>/dev/null || fail "push failed"
    git gate sync origin >/dev/null 2>&1 || fail "sync failed"
    git checkout -q -b feature
    printf 'q1 1\nq2 0\nq3 0\nq4 0\n' >evals/cases.txt
    commit_all "break q2, q3 and q4"
    git gate run >/dev/null 2>&1
    git push -q --no-verify origin feature 2>/dev/null
    git gate sync origin >/dev/null 2>&1
    git clone -q -b feature "$TRASH/dev-origin.git" "$TRASH/ci"
    cd "$TRASH/ci" || return
}

begin_test "GitHub: check fails, the report goes to the summary and one sticky comment, updated in place"
setup
fake_api
printf '{"pull_request": {"number": 7}}' >"$TRASH/event.json"
run env GITHUB_STEP_SUMMARY="$TRASH/summary.md" GITHUB_BASE_REF=main GITHUB_EVENT_PATH="$TRASH/event.json" \
    GITHUB_REPOSITORY=acme/app GITHUB_API_URL="$API" GITHUB_TOKEN=s3cr3t-gh ci/github/gate.sh
expect_rc 1
expect_out "gate pre-push: FAIL"
expect_err "mlci: pull-request comment created"
grep -qF 'pass\_rate' "$TRASH/summary.md" || fail "the summary lacks the report"
grep -qF 'q\|2 \`x\` \<b\>' "$TRASH/summary.md" || fail "the case id is not escaped in the summary"
expect_eq "$(cat "$TRASH/requests.log")" "GET /repos/acme/app/issues/7/comments Authorization good
POST /repos/acme/app/issues/7/comments Authorization good"
head -1 "$TRASH/requests.log.last" | grep -qx '<!-- mlci-gate -->' || fail "the comment lacks its marker"
grep -qF 'q\|2 \`x\` \<b\>' "$TRASH/requests.log.last" || fail "the case id is not escaped in the comment"
# The next run (a new push to the pull request) edits the same comment.
run env GITHUB_STEP_SUMMARY="$TRASH/summary.md" GITHUB_BASE_REF=main GITHUB_EVENT_PATH="$TRASH/event.json" \
    GITHUB_REPOSITORY=acme/app GITHUB_API_URL="$API" GITHUB_TOKEN=s3cr3t-gh ci/github/gate.sh
expect_rc 1
expect_err "mlci: pull-request comment updated"
expect_eq "$(tail -2 "$TRASH/requests.log")" "GET /repos/acme/app/issues/7/comments Authorization good
PATCH /repos/acme/app/issues/comments/101 Authorization good"
expect_eq "$(grep -c POST "$TRASH/requests.log")" "1"
grep -qF s3cr3t-gh "$TRASH/summary.md" && fail "the token reached the summary"
[[ "$OUT$ERR" == *s3cr3t-gh* ]] && fail "the token was printed"
stop_api
end_test

begin_test "GitHub: no token or no pull request: summary only, no request; a dead API does not change the verdict"
setup
fake_api
run env GITHUB_STEP_SUMMARY="$TRASH/summary.md" GITHUB_BASE_REF=main GITHUB_REPOSITORY=acme/app \
    GITHUB_API_URL="$API" GITHUB_TOKEN=s3cr3t-gh ci/github/gate.sh
expect_rc 1
grep -qF 'pass\_rate' "$TRASH/summary.md" || fail "the summary lacks the report"
[ -s "$TRASH/requests.log" ] && fail "a request without a pull request"
printf '{"pull_request": {"number": 7}}' >"$TRASH/event.json"
run env GITHUB_EVENT_PATH="$TRASH/event.json" GITHUB_REPOSITORY=acme/app GITHUB_API_URL="$API" ci/github/gate.sh
expect_rc 1
[ -s "$TRASH/requests.log" ] && fail "a request without a token"
stop_api
run env GITHUB_EVENT_PATH="$TRASH/event.json" GITHUB_REPOSITORY=acme/app GITHUB_API_URL="$API" \
    GITHUB_TOKEN=s3cr3t-gh GITHUB_BASE_REF=main ci/github/gate.sh
expect_rc 1
expect_err "warning: cannot list the comments (HTTP 000): the report is not posted"
[[ "$OUT$ERR" == *s3cr3t-gh* ]] && fail "the token was printed"
end_test

begin_test "GitHub: a passing change exits 0 and still posts the report"
setup
printf 'q1 1\nq2 1\nq3 1\nq4 1\n' >"$TRASH/dev/evals/cases.txt"
(cd "$TRASH/dev" && commit_all "fix q2" && git gate run >/dev/null 2>&1 && git push -q --no-verify origin feature 2>/dev/null &&
    git gate sync origin >/dev/null 2>&1)
git pull -q origin feature
fake_api
printf '{"pull_request": {"number": 3}}' >"$TRASH/event.json"
run env GITHUB_BASE_REF=main GITHUB_EVENT_PATH="$TRASH/event.json" GITHUB_REPOSITORY=acme/app \
    GITHUB_API_URL="$API" GITHUB_TOKEN=s3cr3t-gh ci/github/gate.sh
expect_rc 0
expect_out "gate pre-push: PASS"
expect_err "pull-request comment created"
stop_api
end_test

begin_test "GitLab: the merge-request note is created once and then updated; the report is kept"
setup
fake_api
gl_env=(CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main CI_MERGE_REQUEST_IID=12 CI_PROJECT_ID=42
    CI_API_V4_URL="$API/api/v4" GITLAB_TOKEN=s3cr3t-gl)
run env "${gl_env[@]}" ci/gitlab/gate.sh
expect_rc 1
expect_out "gate pre-push: FAIL"
grep -qF 'pass\_rate' mlci-report.md || fail "mlci-report.md lacks the report"
run env "${gl_env[@]}" ci/gitlab/gate.sh
expect_rc 1
expect_eq "$(cat "$TRASH/requests.log")" "GET /api/v4/projects/42/merge_requests/12/notes PRIVATE-TOKEN good
POST /api/v4/projects/42/merge_requests/12/notes PRIVATE-TOKEN good
GET /api/v4/projects/42/merge_requests/12/notes PRIVATE-TOKEN good
PUT /api/v4/projects/42/merge_requests/12/notes/101 PRIVATE-TOKEN good"
[[ "$OUT$ERR" == *s3cr3t-gl* ]] && fail "the token was printed"
# Only a job token: it is the one sent.
: >"$TRASH/requests.log"
run env CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main CI_MERGE_REQUEST_IID=12 CI_PROJECT_ID=42 \
    CI_API_V4_URL="$API/api/v4" CI_JOB_TOKEN=job-tok ci/gitlab/gate.sh
expect_rc 1
grep -q "^GET /api/v4/projects/42/merge_requests/12/notes JOB-TOKEN" "$TRASH/requests.log" ||
    fail "the job token was not used"
stop_api
end_test

finish
