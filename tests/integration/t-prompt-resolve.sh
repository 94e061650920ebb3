#!/usr/bin/env bash
# Resolving NAME@latest, NAME@1.2.0, NAME@v1.2.0, NAME@STAGE and NAME#STAGE over GTO-compatible tags:
# semver precedence (never tag dates), pre-releases only when no release exists, lightweight and
# deregistered tags ignored, 200 versions, and invalid version strings refused with exit 2.
. "$(dirname "$0")/lib.sh"

json_get() {
    python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" <<<"$OUT"
}

# versions_repo NAME VERSION...: one commit per version of prompts/NAME.prompt (its body says
# "version X") in repository $REPO (default repo), each tagged NAME@vX (annotated) in the order given, with strictly increasing tagger dates.
# Written with one git fast-import stream: fast, and the dates are exact.
versions_repo() {
    local name=$1
    shift
    new_repo "${REPO:-repo}"
    python3 - "$name" "$@" >stream <<'EOF'
import sys
name, versions = sys.argv[1], sys.argv[2:]
t = 1767300000
out = []
for i, v in enumerate(versions):
    body = f"+++\ndescription = \"{name}\"\nvariables = []\n+++\nversion {v}\n".encode()
    msg = f"{name} {v}".encode()
    out.append(b"commit refs/heads/main\n")
    out.append(f"mark :{i + 1}\n".encode())
    out.append(f"committer C O Mitter <committer@example.com> {t + 2 * i} +0000\n".encode())
    out.append(f"data {len(msg)}\n".encode() + msg + b"\n")
    if i == 0:
        out.append(b"from refs/heads/main^0\n")
    out.append(f"M 100644 inline prompts/{name}.prompt\ndata {len(body)}\n".encode() + body + b"\n")
    tmsg = f"Release {name} v{v}\n".encode()
    out.append(f"tag {name}@v{v}\nfrom :{i + 1}\n".encode())
    out.append(f"tagger C O Mitter <committer@example.com> {t + 2 * i + 1} +0000\n".encode())
    out.append(f"data {len(tmsg)}\n".encode() + tmsg + b"\n")
sys.stdout.buffer.write(b"".join(out))
EOF
    git fast-import --quiet <stream || fail "fast-import failed"
    rm -f stream
    git reset -q --hard main
}

begin_test "pre-release ordering: 1.0.0-rc.1 < 1.0.0, whatever the dates"
(
    # The release is tagged first, the rc later: @latest still picks the release.
    versions_repo p 1.0.0 1.0.0-rc.1 1.0.0-rc.2 0.9.0
    for spec in p@latest p; do
        run git prompt show "p@latest"
        expect_rc 0
        expect_eq "$OUT" "version 1.0.0"
    done
    run git prompt list --json
    expect_eq "$(json_get 'd[0]["latest"]')" "v1.0.0"
    run git prompt log p --json
    expect_eq "$(json_get '[e["version"] for e in d]')" "['v1.0.0', 'v1.0.0-rc.2', 'v1.0.0-rc.1', 'v0.9.0']"
    run git prompt show p@1.0.0-rc.2
    expect_rc 0
    expect_eq "$OUT" "version 1.0.0-rc.2"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "@latest prefers a release over a higher pre-release; only pre-releases: the highest one"
(
    versions_repo p 1.0.0 2.0.0-rc.1 1.1.0 2.0.0-beta.3
    run git prompt show p@latest
    expect_rc 0
    expect_eq "$OUT" "version 1.1.0"
    run git prompt diff p 2.0.0-beta.3 2.0.0-rc.1
    expect_rc 0
    expect_out "+version 2.0.0-rc.1"
    exit "$_case_failed"
) || _case_failed=1
(
    REPO=repo2 versions_repo q 1.0.0-rc.1 1.0.0-alpha.10 1.0.0-alpha.9 1.0.0-rc.10 1.0.0-rc.2
    run git prompt show q@latest
    expect_rc 0
    expect_eq "$OUT" "version 1.0.0-rc.10"
    run git prompt list
    expect_out "v1.0.0-rc.10"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "200 versions created in shuffled order: @latest is the highest by semver, not by date"
(
    # 1.0.0 … 1.19.9 (200 versions) plus a higher pre-release, shuffled; the newest tag by date is 1.9.9
    # (the highest in string order) and the oldest is 1.19.9 (the highest by precedence).
    mapfile -t vs < <(python3 -c '
import random
vs = [f"1.{m}.{p}" for m in range(20) for p in range(10)] + ["1.20.0-rc.1"]
random.Random(7).shuffle(vs)
vs.remove("1.19.9"); vs.remove("1.9.9")
print("\n".join(["1.19.9"] + vs + ["1.9.9"]))')
    expect_eq "${#vs[@]}" "201"
    versions_repo big "${vs[@]}"
    expect_eq "$(git tag -l | wc -l | tr -d ' ')" "201"
    start=$(date +%s%N)
    run git prompt show big@latest
    end=$(date +%s%N)
    expect_rc 0
    expect_eq "$OUT" "version 1.19.9"
    echo "# show big@latest over 201 tags: $(((end - start) / 1000000)) ms"
    run git prompt show big@latest --meta
    expect_out "commit: $(git rev-parse 'big@v1.19.9^{commit}')"
    run git prompt show big@v1.10.0
    expect_eq "$OUT" "version 1.10.0"
    run git prompt list --json
    expect_rc 0
    expect_eq "$(json_get 'd[0]["latest"]')" "v1.19.9"
    run git prompt log big --json
    expect_rc 0
    expect_eq "$(json_get 'len(d), d[0]["version"], d[1]["version"], d[-1]["version"]')" \
        "(201, 'v1.20.0-rc.1', 'v1.19.9', 'v1.0.0')"
    # The next bump moves on from the highest version, pre-releases included.
    echo "edited" >>prompts/big.prompt
    commit_all "edit"
    run git prompt bump big --dry-run
    expect_rc 0
    expect_out "big: v1.20.0-rc.1 -> v1.20.0"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "NAME@1.2.0 and NAME@v1.2.0 both resolve; an unknown version exits 2"
(
    versions_repo p 1.0.0 1.2.0 1.10.0
    for spec in p@1.2.0 p@v1.2.0 p@1.2.0+build.7; do
        run git prompt show "$spec"
        expect_rc 0
        expect_eq "$OUT" "version 1.2.0"
    done
    run git prompt show p@1.3.0
    expect_rc 2
    expect_err "error: 'p' has no version v1.3.0"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "invalid version strings exit 2 with the reason, and change nothing"
(
    versions_repo p 1.0.0 1.2.0
    before=$(refs_snapshot)
    files=$(snapshot .)
    check_bad() { # SPEC REASON
        run git prompt show "$1"
        expect_rc 2
        expect_err "error: invalid version in '$1': $2"
        expect_err "hint: write NAME@1.2.0, NAME@latest or NAME@STAGE"
        expect_eq "$(grep -c '^error:' <<<"$ERR")" "1"
    }
    check_bad 'p@1.2' "'1.2' is not a semantic version: expected MAJOR.MINOR.PATCH"
    check_bad 'p@v01.2.3' "'v01.2.3' is not a semantic version: major version '01' has a leading zero"
    check_bad 'p@1.2.3-' "'1.2.3-' is not a semantic version: pre-release identifier '' is empty"
    check_bad 'p@1.2.3.4' "'1.2.3.4' is not a semantic version: expected MAJOR.MINOR.PATCH"
    check_bad 'p@1.2.3-rc.01' "'1.2.3-rc.01' is not a semantic version: numeric pre-release identifier '01'"
    check_bad 'p@' "'' is not a semantic version: empty"
    check_bad 'p@v1' "'v1' is not a semantic version: expected MAJOR.MINOR.PATCH"
    check_bad 'p@2' "'2' is not a semantic version: expected MAJOR.MINOR.PATCH"
    # The same specs through diff.
    run git prompt diff p 1.2
    expect_rc 2
    expect_err "error: invalid version in 'p@1.2'"
    # Names that cannot be prompt names.
    run git prompt show 'p.x@1.2.0'
    expect_rc 2
    expect_err "error: invalid name 'p.x'"
    run git prompt show '@1.2.0'
    expect_rc 2
    expect_err "error: invalid name ''"
    expect_eq "$(refs_snapshot)" "$before"
    expect_eq "$(snapshot .)" "$files"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "lightweight tags are ignored, as GTO ignores them"
(
    versions_repo p 1.0.0 1.1.0
    git tag 'p@v9.0.0' HEAD~1
    git tag 'p#production#7' HEAD
    run git prompt show p@latest
    expect_eq "$OUT" "version 1.1.0"
    run git prompt show p@9.0.0
    expect_rc 2
    expect_err "error: 'p' has no version v9.0.0"
    run git prompt show p@production
    expect_rc 2
    expect_err "error: 'p' has no version in stage 'production'"
    run git prompt log p --json
    expect_eq "$(json_get '[e["version"] for e in d]')" "['v1.1.0', 'v1.0.0']"
    # A lightweight-only name is not registered at all.
    git prompt new only_light >/dev/null 2>&1
    commit_all "only_light"
    git tag 'only_light@v1.0.0'
    run git prompt show only_light@latest
    expect_rc 2
    expect_err "error: 'only_light' has no registered version"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "stages: NAME@STAGE and NAME#STAGE follow the counters; unassigned and deregistered tags count"
(
    versions_repo p 1.0.0 1.1.0 1.2.0
    c0=$(git rev-parse 'p@v1.0.0^{commit}')
    c1=$(git rev-parse 'p@v1.1.0^{commit}')
    c2=$(git rev-parse 'p@v1.2.0^{commit}')
    # GTO's event chain: 1.0.0 to staging, then 1.1.0 displaces it, then production gets 1.0.0.
    git tag -a 'p#staging#1' -m "Promote p v1.0.0 to staging" "$c0"
    git tag -a 'p#staging!#2' -m "Unassign" "$c0"
    git tag -a 'p#staging#3' -m "Promote p v1.1.0 to staging" "$c1"
    git tag -a 'p#production#4' -m "Promote p v1.0.0 to production" "$c0"
    for spec in p@staging 'p#staging'; do
        run git prompt show "$spec"
        expect_rc 0
        expect_eq "$OUT" "version 1.1.0"
    done
    run git prompt show p@production
    expect_eq "$OUT" "version 1.0.0"
    run git prompt diff p production staging
    expect_rc 0
    expect_out "+version 1.1.0"
    run git prompt diff p '#production' '#staging'
    expect_rc 0
    expect_out "-version 1.0.0"
    # Unassigned from staging: no current version.
    git tag -a 'p#staging!#5' -m "Unassign" "$c1"
    run git prompt show p@staging
    expect_rc 2
    expect_err "error: 'p' has no version in stage 'staging'"
    # A counter-less legacy GTO tag still assigns.
    git tag -a 'p#dev' -m "legacy" "$c2"
    run git prompt show 'p#dev'
    expect_eq "$OUT" "version 1.2.0"
    # A deregistered version is not @latest any more.
    git tag -a 'p@v1.2.0!#6' -m "Deregister" "$c2"
    run git prompt show p@latest
    expect_eq "$OUT" "version 1.1.0"
    run git prompt show p@1.2.0
    expect_rc 2
    expect_err "error: 'p' has no version v1.2.0"
    # Other GTO tag kinds are read without harm.
    git tag -a 'p@deprecated#7' -m "deprecated" "$c2"
    git tag -a 'p@created' -m "created" "$c0"
    run git prompt list --json
    expect_rc 0
    expect_eq "$(json_get 'd[0]["latest"], d[0]["stages"]')" "('v1.1.0', {'production': 'v1.0.0'})"
    run git prompt show 'p#Bad stage'
    expect_rc 2
    expect_err "error: invalid stage name 'Bad stage'"
    exit "$_case_failed"
) || _case_failed=1
end_test

begin_test "tags from bump are annotated and named by GTO's grammar; folders keep their slash"
(
    new_repo repo
    git prompt new support/triage --var t >/dev/null 2>&1
    git prompt new rag_answer >/dev/null 2>&1
    commit_all "two"
    git prompt bump --major >/dev/null 2>&1 || fail "bump failed"
    expect_eq "$(git tag -l | sort | tr '\n' ' ')" "rag_answer@v1.0.0 support/triage@v1.0.0 "
    gto='^[a-zA-Z0-9]([a-zA-Z0-9/_-]*[a-zA-Z0-9])?@v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$'
    for t in $(git tag -l); do
        expect_eq "$(git cat-file -t "refs/tags/$t")" "tag"
        [[ "$t" =~ $gto ]] || fail "$t does not match GTO's tag grammar"
        git check-ref-format "refs/tags/$t" || fail "$t is not a valid ref name"
        expect_eq "$(git rev-parse "$t^{commit}")" "$(git rev-parse HEAD)"
    done
    run git prompt show support/triage@v1.0.0 --meta
    expect_rc 0
    expect_out "version: v1.0.0"
    exit "$_case_failed"
) || _case_failed=1
end_test

finish
