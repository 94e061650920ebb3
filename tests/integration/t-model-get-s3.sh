#!/usr/bin/env bash
# git model get from an S3 store (a real S3-compatible server, s3-server.sh): in a repository, and from a
# deployment manifest whose store is s3:// with its endpoint and path style, with no repository at all;
# a corrupt object on the server or missing credentials: exit 2, nothing written, the secret never printed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3-server.sh"

s3_server_start "$TEST_ROOT/s3"
BUCKET=mlci-get
s3_aws s3 mb "s3://$BUCKET" >"$TEST_ROOT/mb.log" 2>&1 || s3_skip "cannot create a bucket: $(tail -1 "$TEST_ROOT/mb.log")"
export AWS_ACCESS_KEY_ID=$S3_KEY_ID AWS_SECRET_ACCESS_KEY=$S3_SECRET
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_SHARED_CREDENTIALS_FILE

# srun CMD...: run, then check that neither output holds the secret.
srun() {
    run "$@"
    if grep -qF -- "$S3_SECRET" <<<"$OUT$ERR"; then
        fail "the secret was printed by: $* (line ${BASH_LINENO[0]})"
    fi
}
hash_of() { echo "xxh128:$(echo "$1" | xxh128sum | cut -d' ' -f1)"; }
key_of() { local h=${1#xxh128:}; echo "xxh128/${h:0:2}/${h:2}"; }

# A repository whose model clf v0.1.0 is on s3://$BUCKET/PREFIX; $2: more keys of [remote.s3].
s3_repo() {
    new_repo r
    mkdir -p .mlci models
    printf '[remote.s3]\nurl = "s3://%s/%s"\nendpoint = "%s"\n%s' "$BUCKET" "$1" "$S3_ENDPOINT" "${2:-}" \
        >.mlci/config.toml
    echo weights-1 >models/clf.safetensors
    git model add models/clf.safetensors >/dev/null 2>&1 || fail "model add"
    commit_all "clf"
    git model bump clf >/dev/null 2>&1 || fail "bump"
    srun git model push
    expect_rc 0
}

# s3_manifest FILE PREFIX HASH SIZE: a deployment manifest of clf@production on s3://$BUCKET/PREFIX.
s3_manifest() {
    cat >"$1" <<JSON
{ "mlci_deploy": 1,
  "store": { "name": "s3", "url": "s3://$BUCKET/$2", "endpoint": "$S3_ENDPOINT", "path_style": true },
  "artifacts": [ { "name": "clf", "kind": "model", "stage": "production", "version": "v0.1.0",
                   "commit": "$(git -C "$TRASH/r" rev-parse HEAD)", "traffic": 100,
                   "pointers": [ { "pointer": "models/clf.safetensors.mlci", "path": "models/clf.safetensors",
                                   "hash": "$3", "size": $4, "key": "$(key_of "$3")",
                                   "url": "s3://$BUCKET/$2/$(key_of "$3")" } ] } ] }
JSON
}

begin_test "in a repository: the object streams from the S3 store"
s3_repo get1
rm -rf .git/mlci/cache
srun git model get clf@v0.1.0 -o out
expect_rc 0
expect_eq "$(cat out/clf.safetensors)" "weights-1"
expect_out "(from the store)"
expect_err "from store 's3' (s3://$BUCKET/get1)"
end_test

begin_test "from a manifest whose store is s3://, with no repository"
s3_repo get2
mkdir "$TRASH/empty" && cd "$TRASH/empty"
s3_manifest deploy.json get2 "$(hash_of weights-1)" 10
GIT_CEILING_DIRECTORIES=$TRASH srun git model get --manifest deploy.json clf@production -o srv
expect_rc 0
expect_eq "$(cat srv/clf.safetensors)" "weights-1"
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
    GIT_CEILING_DIRECTORIES=$TRASH srun git model get --manifest deploy.json clf -o srv2
    expect_rc 2
    expect_err "no credentials for store 's3'"
    [ -e srv2 ] && fail "srv2 was created"
    [ "$_case_failed" = 0 ]) || fail "without credentials"
end_test

begin_test "a corrupt object on the server: exit 2, nothing written"
s3_repo get3 'pack = false
' # a loose object to corrupt
echo weights-X >"$TRASH/evil"
s3_aws s3 cp "$TRASH/evil" "s3://$BUCKET/get3/$(key_of "$(hash_of weights-1)")" >/dev/null 2>&1 || fail "aws s3 cp"
mkdir "$TRASH/empty" && cd "$TRASH/empty"
s3_manifest deploy.json get3 "$(hash_of weights-1)" 10
GIT_CEILING_DIRECTORIES=$TRASH srun git model get --manifest deploy.json clf -o srv
expect_rc 2
expect_err "is corrupt (10 bytes that hash to $(hash_of weights-X)): nothing was written"
[ -e srv ] && fail "srv was created"
expect_eq "$(ls -A)" "deploy.json"
end_test

finish
