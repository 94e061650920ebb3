#!/usr/bin/env bash
# git model get: a version's bytes straight from the store into a folder — by stage, version and PATH@REV,
# in a normal, a bare and a shallow clone, and from a deployment manifest with no repository at all;
# refused inputs (escaping paths, bad hashes, corrupt objects, unknown stages, links and files where the
# output folder goes, existing targets) exit 2 and write nothing.
. "$(dirname "$0")/lib.sh"

# A repository "r" with a store, a model clf (v0.1.0 in production, v0.2.0 in canary) and a folder
# model tok (v0.1.0), everything pushed to the store and to origin. $1: more keys of [remote.team].
get_repo() {
    new_repo r
    mkdir -p .mlci models "$TRASH/store"
    printf 'stages = ["canary", "production"]\nrequire_order = false\n[remote.team]\nurl = "%s"\n%s' \
        "$TRASH/store" "${1:-}" >.mlci/config.toml
    echo weights-1 >models/clf.safetensors
    mkdir -p models/tok/sub && echo vocab >models/tok/vocab.txt && printf '#!/bin/sh\n' >models/tok/sub/run.sh
    chmod +x models/tok/sub/run.sh
    git model add models/clf.safetensors models/tok >/dev/null 2>&1 || fail "model add"
    commit_all "clf v1, tok v1"
    { git model bump clf && git model bump tok; } >/dev/null 2>&1 || fail "bump v0.1.0"
    test_tick
    git model promote production clf >/dev/null 2>&1 || fail "promote production"
    echo weights-2 >models/clf.safetensors
    git model add models/clf.safetensors >/dev/null 2>&1
    commit_all "clf v2"
    git model bump clf >/dev/null 2>&1 || fail "bump v0.2.0"
    test_tick
    git model promote canary clf >/dev/null 2>&1 || fail "promote canary"
    git model push --all-tags >/dev/null 2>&1 || fail "push"
    git push -q origin main --tags || fail "git push"
}

# hash_of TEXT: the xxh128 id of TEXT plus a newline, as `echo TEXT` writes it.
hash_of() { echo "xxh128:$(echo "$1" | xxh128sum | cut -d' ' -f1)"; }
# key_of ID: the store-relative key of an object id.
key_of() { local h=${1#xxh128:}; echo "xxh128/${h:0:2}/${h:2}"; }

# write_manifest FILE STORE_URL POINTER PATH HASH SIZE [STAGE]: a deployment manifest (lib/release/deploy.hpp)
# with one model row clf@STAGE.
write_manifest() {
    cat >"$1" <<EOF
{ "mlci_deploy": 1,
  "store": { "name": "team", "url": "$2" },
  "artifacts": [ { "name": "clf", "kind": "model", "stage": "${7:-production}", "version": "v0.1.0",
                   "commit": "$(printf 'a%.0s' {1..40})", "traffic": 100,
                   "pointers": [ { "pointer": "$3", "path": "$4", "hash": "$5", "size": $6,
                                   "key": "$(key_of "$5")" } ] } ] }
EOF
}

begin_test "by stage, version, latest and PATH@REV in a normal clone"
get_repo
run git model get clf@production -o out
expect_rc 0
expect_eq "$(cat out/clf.safetensors)" "weights-1"
expect_out "out/clf.safetensors  $(hash_of weights-1)  10 B  (from the cache)"
expect_err "get: clf v0.1.0 (production, commit "
rm -rf .git/mlci/cache
run git model get clf@canary -o out2 --json
expect_rc 0
expect_eq "$(cat out2/clf.safetensors)" "weights-2"
expect_out '"from": "store"'
expect_out '"stage": "canary"'
expect_out '"version": "v0.2.0"'
run git model get clf@v0.1.0 -o v1
expect_rc 0
expect_eq "$(cat v1/clf.safetensors)" "weights-1"
run git model get clf@latest -o latest
expect_eq "$(cat latest/clf.safetensors)" "weights-2"
run git model get models/clf.safetensors@HEAD~1 -o p1
expect_rc 0
expect_eq "$(cat p1/clf.safetensors)" "weights-1"
expect_err "get: 'HEAD~1' (commit "
run git model get models/clf.safetensors.mlci@main -o p2
expect_eq "$(cat p2/clf.safetensors)" "weights-2"
run git model get models@clf@v0.1.0 -o all
expect_rc 0
expect_eq "$(cat all/clf.safetensors)" "weights-1"
expect_eq "$(cat all/tok/vocab.txt)" "vocab"
expect_eq "$(cat models/clf.safetensors)" "weights-2"
ls -a out out2 v1 p1 p2 all | grep -q mlci-tmp && fail "a temporary was left"
end_test

begin_test "a folder artifact lands whole, executable bits kept"
get_repo
rm -rf .git/mlci/cache
run git model get tok@v0.1.0 -o srv
expect_rc 0
expect_eq "$(cat srv/tok/vocab.txt)" "vocab"
[ -x srv/tok/sub/run.sh ] || fail "run.sh lost its executable bit"
[ -x srv/tok/vocab.txt ] && fail "vocab.txt became executable"
expect_out "srv/tok/  "
expect_out " in 2 files  (from the store)"
end_test

begin_test "bare and shallow clones: no work tree needed"
get_repo
cd "$TRASH" && git clone -q --bare r-origin.git bare.git && cd bare.git
run git model get clf@production -o "$TRASH/from-bare"
expect_rc 0
expect_eq "$(cat "$TRASH/from-bare/clf.safetensors")" "weights-1"
run git model get models/clf.safetensors@main -o "$TRASH/from-bare2"
expect_eq "$(cat "$TRASH/from-bare2/clf.safetensors")" "weights-2"
[ -e mlci/cache ] && fail "the bare clone got a cache"
cd "$TRASH" && git clone -q --depth 1 "file://$TRASH/r-origin.git" shallow && cd shallow
git fetch -q --depth 1 origin 'refs/tags/*:refs/tags/*' || fail "fetch tags"
[ "$(git rev-parse --is-shallow-repository)" = true ] || fail "not shallow"
run git model get clf@production -o "$TRASH/from-shallow"
expect_rc 0
expect_eq "$(cat "$TRASH/from-shallow/clf.safetensors")" "weights-1"
run git model get clf@canary -o "$TRASH/from-shallow2" --store "$TRASH/store"
expect_rc 0
expect_eq "$(cat "$TRASH/from-shallow2/clf.safetensors")" "weights-2"
expect_err "from store '$TRASH/store'"
end_test

begin_test "from a manifest, with no repository at all"
get_repo
h=$(hash_of weights-1)
mkdir "$TRASH/empty" && cd "$TRASH/empty"
write_manifest deploy.json "file://$TRASH/store" models/clf.safetensors.mlci models/clf.safetensors "$h" 10
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest deploy.json clf@production -o srv
expect_rc 0
expect_eq "$(cat srv/clf.safetensors)" "weights-1"
expect_err "from store 'team' ($TRASH/store)"
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest deploy.json clf -o srv2 --json
expect_rc 0
expect_out '"commit": "aaaaaaa'
expect_eq "$(cat srv2/clf.safetensors)" "weights-1"
GIT_CEILING_DIRECTORIES=$TRASH run git model get clf@production
expect_rc 2
expect_err "not a git repository"
expect_err "hint: outside a repository, fetch from a deployment manifest: git model get --manifest FILE"
expect_eq "$(ls)" "deploy.json
srv
srv2"
end_test

begin_test "from the manifest git model export writes: each stage's version, with no repository"
get_repo
git model export --stage canary,production -o "$TRASH/deploy.json" >/dev/null 2>&1 || fail "export"
mkdir "$TRASH/serve" && cd "$TRASH/serve"
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest "$TRASH/deploy.json" clf@production -o prod
expect_rc 0
expect_eq "$(cat prod/clf.safetensors)" "weights-1"
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest "$TRASH/deploy.json" clf@canary -o can
expect_rc 0
expect_eq "$(cat can/clf.safetensors)" "weights-2"
# Two rows of clf: a NAME alone is ambiguous there.
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest "$TRASH/deploy.json" clf -o any
expect_rc 2
[ ! -e any ] || fail "an ambiguous get wrote something"
end_test

begin_test "an existing target: refused without --force, replaced with it"
get_repo
mkdir srv && echo mine >srv/clf.safetensors
run git model get clf@production -o srv
expect_rc 2
expect_err "error: 'srv/clf.safetensors' already exists: refused, nothing was written"
expect_err "hint: remove it, or pass --force to replace it"
expect_eq "$(cat srv/clf.safetensors)" "mine"
run git model get clf@production -o srv --force
expect_rc 0
expect_eq "$(cat srv/clf.safetensors)" "weights-1"
expect_eq "$(ls -A srv)" "clf.safetensors"
end_test

begin_test "bad input: unknown stage, version or name, a bad PATH@REV (exit 2, nothing written)"
get_repo
run git model get clf@staging -o out
expect_rc 2
expect_err "error: 'clf' has no version in stage 'staging'"
run git model get clf@v9.9.9 -o out
expect_rc 2
expect_err "error: 'clf' has no version v9.9.9"
run git model get nosuch@production -o out
expect_rc 2
expect_err "error: 'nosuch' is not a registered model, and 'production' is not a revision of this repository"
run git model get models/none.bin@HEAD -o out
expect_rc 2
expect_err "error: no artifact at 'models/none.bin' in 'HEAD'"
run git model get ../x@HEAD -o out
expect_rc 2
expect_err "error: invalid path '../x'"
[ -e out ] && fail "the output folder was created"
end_test

begin_test "a corrupt store object: exit 2, nothing written, no temporary"
get_repo 'pack = false
' # loose objects: get's copy fast path
rm -rf .git/mlci/cache
obj="$TRASH/store/$(key_of "$(hash_of weights-1)")"
chmod u+w "$obj" && echo weights-X >"$obj"
mkdir keep && echo k >keep/other
run git model get clf@production -o keep
expect_rc 2
expect_err "error: 'keep/clf.safetensors': $(hash_of weights-1) on store 'team'"
expect_err "is corrupt (10 bytes that hash to $(hash_of weights-X)): nothing was written"
expect_err "hint: repair the store"
expect_eq "$(ls -A keep)" "other"
run git model get clf@production -o new/deep
expect_rc 2
[ -e new ] && fail "the created output folder was left behind"
echo short >"$obj"
run git model get clf@production -o keep
expect_rc 2
expect_err "is not 10 bytes long"
expect_eq "$(ls -A keep)" "other"
end_test

begin_test "a corrupt packed object: exit 2, nothing written; a pack without its index is not read"
get_repo
rm -rf .git/mlci/cache
[ -e "$TRASH/store/$(key_of "$(hash_of weights-1)")" ] && fail "a small object was stored loose"
idx=$(grep -l weights-1 "$TRASH"/store/packs/*.pack | head -1)
[ -n "$idx" ] || fail "no pack holds weights-1"
pack=$idx
chmod u+w "$pack" && sed -i 's/weights-1/weights-X/' "$pack"
mkdir keep && echo k >keep/other
run git model get clf@production -o keep
expect_rc 2
expect_err "error: 'keep/clf.safetensors': $(hash_of weights-1) on store 'team'"
expect_err "is corrupt (10 bytes that hash to $(hash_of weights-X)): nothing was written"
expect_eq "$(ls -A keep)" "other"
# Its index gone, the pack is invisible: the object is not on the store.
rm "${pack%.pack}.idx"
run git model get clf@production -o keep
expect_rc 2
expect_err "$(hash_of weights-1) is not on store 'team'"
expect_eq "$(ls -A keep)" "other"
end_test

begin_test "a corrupt cache object: quarantined, fetched from the store instead"
get_repo
obj=$(find .git/mlci/cache/xxh128 -type f | while read -r f; do
    [ "$(cat "$f" 2>/dev/null)" = weights-1 ] && echo "$f"; done)
chmod u+w "$obj" && echo weights-X >"$obj"
run git model get clf@production -o srv
expect_rc 0
expect_eq "$(cat srv/clf.safetensors)" "weights-1"
expect_err "warning: cache object $(hash_of weights-1) is corrupt"
[ -n "$(ls .git/mlci/quarantine)" ] || fail "nothing in the quarantine"
end_test

begin_test "output folder: a symbolic link or a file is refused, a link below it never followed"
get_repo
mkdir real && ln -s real link
run git model get clf@production -o link
expect_rc 2
expect_err "error: output folder 'link' is a symbolic link: refused"
expect_eq "$(ls -A real)" ""
echo x >file
run git model get clf@production -o file
expect_rc 2
expect_err "error: output folder 'file' exists and is not a folder: refused"
expect_eq "$(cat file)" "x"
mkdir -p srv && ln -s ../real srv/models
run git model get .@HEAD -o srv --force
expect_rc 2
expect_err "error: 'srv/models' is a symbolic link or not a folder: refused"
expect_eq "$(ls -A real)" ""
expect_eq "$(ls -A srv)" "models"
ln -s ../real srv/tok
run git model get tok@v0.1.0 -o srv --force
expect_rc 0
[ -L srv/tok ] && fail "the link was kept"
expect_eq "$(cat srv/tok/vocab.txt)" "vocab"
expect_eq "$(ls -A real)" ""
end_test

begin_test "bad manifests: an escaping path, a bad hash, a prompt row (exit 2, nothing written)"
get_repo
h=$(hash_of weights-1)
mkdir "$TRASH/empty" && cd "$TRASH/empty"
for path in ../x /etc/x .git/x models/.GIT/x; do
    write_manifest bad.json "file://$TRASH/store" models/clf.safetensors.mlci "$path" "$h" 10
    GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest bad.json clf -o srv
    expect_rc 2
    expect_err "error: bad.json: artifacts[0].pointers[0]: 'path'"
done
write_manifest bad.json "file://$TRASH/store" models/clf.safetensors.mlci other/clf.safetensors "$h" 10
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest bad.json clf -o srv
expect_rc 2
expect_err "is not in the folder of its pointer"
write_manifest bad.json "file://$TRASH/store" models/clf.safetensors.mlci models/clf.safetensors "xxh128:ABC" 10
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest bad.json clf -o srv
expect_rc 2
expect_err "'hash' is not xxh128: and 32 lowercase hex digits"
write_manifest bad.json "file://$TRASH/store" models/clf.safetensors.mlci models/clf.safetensors "$h" 11
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest bad.json clf -o srv
expect_rc 2
expect_err "is not 11 bytes long"
write_manifest bad.json "../store" models/clf.safetensors.mlci models/clf.safetensors "$h" 10
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest bad.json clf -o srv
expect_rc 2
expect_err "must be file:///absolute/path or s3://bucket/prefix"
write_manifest bad.json "file://$TRASH/store" models/clf.safetensors.mlci models/clf.safetensors "$h" 10
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest bad.json clf@canary -o srv
expect_rc 2
expect_err "error: bad.json has no row for 'clf@canary' ('clf' is in production)"
cat >bad.json <<'EOF'
{ "mlci_deploy": 1, "artifacts": [ { "name": "clf", "kind": "prompt", "stage": "production", "version": "v0.1.0",
  "commit": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "traffic": 100 } ] }
EOF
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest bad.json clf -o srv
expect_rc 2
expect_err "error: bad.json: clf@production is a prompt: nothing to fetch"
echo '{ "mlci_deploy": 1, "artifacts": [ }' >bad.json
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest bad.json clf -o srv
expect_rc 2
GIT_CEILING_DIRECTORIES=$TRASH run git model get --manifest missing.json clf -o srv
expect_rc 2
expect_err "missing.json"
expect_eq "$(ls -A)" "bad.json"
end_test

finish
