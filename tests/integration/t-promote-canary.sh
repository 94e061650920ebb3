#!/bin/bash
# Canary releases (issue 17): `promote --traffic N` records a stage's traffic share in its assignment tag
# (Mlci-Traffic), a new share for the version a stage holds is one more assignment tag (widening), the
# recorded shares of one name stay within 100, rollback restores the share the version had, and GTO's
# reading of the tags keeps the same current version per stage after every step.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/promote-lib.sh"

# A model "clf" with v0.1.0 in canary at 10% then in production (no share), and v0.2.0 registered.
canary_repo() {
    new_repo r
    mkdir -p .mlci models
    cat >.mlci/config.toml <<'TOML'
stages = ["canary", "production"]
[remote.local]
url = "../store"
TOML
    echo weights-1 >models/clf.safetensors
    git model add models/clf.safetensors >/dev/null 2>&1 || fail "model add"
    commit_all "clf v1" && c1=$(git rev-parse HEAD)
    git model bump clf >/dev/null 2>&1 || fail "bump v0.1.0"
    git model promote canary clf@v0.1.0 --traffic 10 >/dev/null 2>&1 || fail "canary v0.1.0"
    git model promote production clf@v0.1.0 >/dev/null 2>&1 || fail "production v0.1.0"
    echo weights-2 >models/clf.safetensors
    git model add models/clf.safetensors >/dev/null 2>&1 || fail "model add 2"
    commit_all "clf v2" && c2=$(git rev-parse HEAD)
    git model bump clf >/dev/null 2>&1 || fail "bump v0.2.0"
}

# share STAGE: "VERSION TRAFFIC RECORDED" of clf in STAGE, from `stages --json`.
share() {
    git model stages clf --json | python3 -c '
import json, sys
s = json.load(sys.stdin)[0]["stages"][sys.argv[1]]
print(s["version"], s["traffic"], str(s["traffic_recorded"]).lower())' "$1"
}

# same_view: mlci's and GTO's current versions agree, and are the expected ones.
same_view() {
    expect_eq "$(mlci_stages clf)" "$1"
    expect_eq "$(gto_stages clf)" "$1"
}

begin_test "canary widened 5 -> 25 -> 100, then rolled back; GTO reads the same stages after each step"
canary_repo
s1=${c1:0:7} s2=${c2:0:7}
same_view "canary=$s1 production=$s1"
expect_eq "$(share canary)" "v0.1.0 10 true"
expect_eq "$(share production)" "v0.1.0 90 false"
run git model promote canary clf@v0.2.0 --traffic 5
expect_rc 0
expect_out "promoted clf v0.2.0 to canary at 5% (displacing v0.1.0)"
expect_eq "$(git tag --points-at "$c2" -l 'clf#canary#*' | wc -l)" "1"
expect_eq "$(git for-each-ref --format='%(contents)' "refs/tags/clf#canary#4" | grep Mlci-Traffic)" \
    "Mlci-Traffic: 5"
same_view "canary=$s2 production=$s1"
expect_eq "$(share canary)" "v0.2.0 5 true"
expect_eq "$(share production)" "v0.1.0 95 false"
run git model promote canary clf@v0.2.0 --traffic 25
expect_rc 0
expect_out "set clf v0.2.0 in canary to 25% of the traffic (5% → 25%)"
expect_out "tags: clf#canary#5"
expect_eq "$(git tag -l 'clf#canary!*' --points-at "$c2")" "" # widening unassigns nothing
same_view "canary=$s2 production=$s1"
expect_eq "$(share canary)" "v0.2.0 25 true"
before=$(refs_snapshot)
run git model promote canary clf@canary --traffic 25
expect_rc 0
expect_out "clf v0.2.0 is already in canary at 25%"
expect_eq "$(refs_snapshot)" "$before"
run git model promote canary clf@v0.2.0 --traffic 100
expect_rc 0
expect_out "(25% → 100%)"
same_view "canary=$s2 production=$s1"
expect_eq "$(share canary)" "v0.2.0 100 true"
expect_eq "$(share production)" "v0.1.0 0 false"
run git model stages clf
expect_rc 0
expect_out "TRAFFIC"
expect_out "100%"
expect_out "0% (rest)"
run git model history clf
expect_rc 0
expect_out "promoted v0.2.0 to canary at 5%"
expect_out "promoted v0.2.0 to canary at 25%"
expect_out "promoted v0.2.0 to canary at 100%"
run git model rollback canary
expect_rc 0
expect_out "rolled back clf in canary: v0.2.0 → v0.1.0 at 10%"
same_view "canary=$s1 production=$s1"
expect_eq "$(share canary)" "v0.1.0 10 true"
expect_eq "$(share production)" "v0.1.0 90 false"
run git model history clf --json
expect_rc 0
expect_eq "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[-1]["traffic"])' "$OUT")" "10"
# The widenings were one entry of the stage: a second rollback finds nothing earlier than v0.1.0.
before=$(refs_snapshot)
run git model rollback canary
expect_rc 2
expect_err "no earlier version of clf held stage 'canary'"
expect_eq "$(refs_snapshot)" "$before"
end_test

begin_test "shares over 100 are refused (exit 1, nothing written), --force does not override"
canary_repo
git model promote canary clf@v0.2.0 --traffic 30 >/dev/null 2>&1 || fail "canary 30"
before=$(refs_snapshot)
run git model promote production clf@v0.1.0 --traffic 80
expect_rc 1
expect_err "error: refusing to widen clf v0.1.0 in production at 80%: the traffic shares of clf would add up to 110% (production 80% + canary 30%)"
expect_err "hint: nothing was written"
expect_not_err "--force"
expect_eq "$(refs_snapshot)" "$before"
run git model promote production clf@v0.1.0 --traffic 80 --force --reason "try"
expect_rc 1
expect_eq "$(refs_snapshot)" "$before"
run git model promote production clf@v0.1.0 --traffic 70
expect_rc 0
expect_eq "$(share production)" "v0.1.0 70 true"
same_view "canary=${c2:0:7} production=${c1:0:7}"
# Rolling canary back to v0.1.0 would restore its 10%, fine beside 70%; narrow canary and widen
# production so that the restored 10% no longer fits.
git model promote canary clf@v0.2.0 --traffic 5 >/dev/null 2>&1 || fail "canary 5"
git model promote production clf@v0.1.0 --traffic 95 >/dev/null 2>&1 || fail "production 95"
before=$(refs_snapshot)
run git model rollback canary
expect_rc 1
expect_err "error: refusing to roll back clf in canary to v0.1.0 at 10%: the traffic shares of clf would add up to 105% (canary 10% + production 95%)"
expect_eq "$(refs_snapshot)" "$before"
end_test

begin_test "bad input: a share of 0, 101 or not a whole number, an unknown stage (exit 2, nothing written)"
canary_repo
before=$(refs_snapshot)
for bad in 0 101 5.5 05 abc -3 ""; do
    run git model promote canary clf@v0.2.0 --traffic "$bad"
    expect_rc 2
    expect_err "error: invalid --traffic '$bad': a share is a whole percent from 1 to 100"
done
run git model promote nosuch clf@v0.2.0 --traffic 5
expect_rc 2
expect_err "unknown stage 'nosuch' (stages: canary, production)"
expect_eq "$(refs_snapshot)" "$before"
end_test

begin_test "prompts: a canary share, widening and stages --json"
new_repo r
mkdir -p .mlci
printf 'stages = ["canary", "production"]\nrequire_order = false\n' >.mlci/config.toml
write_prompt triage "Triage: {{ticket}}" '"ticket"'
commit_all "triage" && p1=$(git rev-parse HEAD)
git prompt bump triage >/dev/null 2>&1 || fail "bump"
run git prompt promote canary triage --traffic 20
expect_rc 0
expect_out "promoted triage v"
expect_out "to canary at 20%"
run git prompt promote canary triage@canary --traffic 40
expect_rc 0
expect_out "(20% → 40%)"
run git prompt stages triage --json
expect_rc 0
expect_eq "$(python3 -c '
import json, sys
s = json.loads(sys.argv[1])[0]["stages"]["canary"]
print(s["traffic"], s["traffic_recorded"])' "$OUT")" "40 True"
expect_eq "$(mlci_stages triage prompt)" "$(gto_stages triage)"
git prompt promote production triage >/dev/null 2>&1 || fail "production"
run git prompt export --stage canary
expect_rc 0
expect_eq "$(jq -r '[.stage, .prompts.triage.version, .prompts.triage.traffic] | join(" ")' <<<"$OUT")" \
    "canary v0.1.0 40"
run git prompt export --stage canary,production -o bundle.json
expect_rc 0
expect_err "exported 2 prompts to bundle.json"
expect_eq "$(jq -r '[.stages.canary.prompts.triage.traffic, .stages.production.prompts.triage.traffic,
    .stages.production.prompts.triage.commit] | join(" ")' bundle.json)" "40 60 $p1"
before=$(sha256sum bundle.json)
run git prompt export --stage canary,canary -o bundle.json
expect_rc 2
expect_err "error: stage 'canary' is named twice in --stage 'canary,canary'"
run git prompt export --stage canary,bad/stage -o bundle.json
expect_rc 2
expect_err "error: invalid stage name 'bad/stage'"
expect_eq "$(sha256sum bundle.json)" "$before"
end_test

begin_test "export --stage: the deployment manifest with versions, shares, pointers and store keys"
canary_repo
git model promote canary clf@v0.2.0 --traffic 5 >/dev/null 2>&1 || fail "canary 5"
h2=$(xxh128sum models/clf.safetensors | cut -d' ' -f1)
run git model export --stage canary,production -o deploy.json
expect_rc 0
expect_err "exported 2 model stages to deploy.json"
expect_eq "$OUT" ""
expect_eq "$(jq -r '.mlci_deploy' deploy.json)" "1"
expect_eq "$(jq -r '.store.name + " " + .store.url' deploy.json)" "local file://$TRASH/store"
expect_eq "$(jq -r '.artifacts | length' deploy.json)" "2"
expect_eq "$(jq -r '.artifacts[] | select(.stage == "canary") | [.name, .kind, .version, .commit, .traffic] | join(" ")' deploy.json)" \
    "clf model v0.2.0 $c2 5"
expect_eq "$(jq -r '.artifacts[] | select(.stage == "production") | [.version, .commit, .traffic] | join(" ")' deploy.json)" \
    "v0.1.0 $c1 95"
expect_eq "$(jq -r '.artifacts[] | select(.stage == "canary") | .pointers[0] | [.pointer, .path, .hash, .size, .key] | join(" ")' deploy.json)" \
    "models/clf.safetensors.mlci models/clf.safetensors xxh128:$h2 10 xxh128/${h2:0:2}/${h2:2}"
expect_eq "$(jq -r '.artifacts[0].pointers[0] | has("url") or has("nfiles")' deploy.json)" "false"
# The same on stdout; one stage only; stages --json carries the same pointer rows.
run git model export --stage canary
expect_rc 0
expect_eq "$(jq -c '.artifacts' <<<"$OUT")" "$(jq -c '[.artifacts[] | select(.stage == "canary")]' deploy.json)"
run git model stages clf --json
expect_rc 0
expect_eq "$(jq -c '.[0].stages.canary.pointers' <<<"$OUT")" \
    "$(jq -c '[.artifacts[] | select(.stage == "canary")][0].pointers' deploy.json)"
expect_eq "$(jq -r '.[0].stages.production | [.traffic, .traffic_recorded] | join(" ")' <<<"$OUT")" "95 false"
end_test

begin_test "export: bad --stage lists and a failed write leave the old manifest as it was (exit 2)"
canary_repo
git model export --stage production -o deploy.json 2>/dev/null || fail "first export"
before=$(sha256sum deploy.json)
run git model export --stage canary,nosuch -o deploy.json
expect_rc 2
expect_err "error: unknown stage 'nosuch' in --stage 'canary,nosuch' (stages: canary, production)"
run git model export --stage canary,canary -o deploy.json
expect_rc 2
expect_err "error: stage 'canary' is named twice"
run git model export --stage , -o deploy.json
expect_rc 2
run git model export -o deploy.json
expect_rc 2
expect_eq "$(sha256sum deploy.json)" "$before"
run git model export --stage canary -o no/such/dir/deploy.json
expect_rc 2
expect_err "error: "
expect_eq "$(find . -name '*.mlci-tmp.*' -o -name no | wc -l)" "0" # nothing half-written
end_test

begin_test "export with an S3 default store: each pointer's s3:// URL and the store's settings"
canary_repo
cat >.mlci/config.toml <<'TOML'
stages = ["canary", "production"]
[remote.s3]
url = "s3://models-bucket/team/"
endpoint = "http://127.0.0.1:9000"
region = "eu-west-1"
path_style = true
TOML
h1=$(git show "$c1:models/clf.safetensors.mlci" | sed -n 's/^hash = "xxh128:\(.*\)"/\1/p')
run git model export --stage production
expect_rc 0
expect_eq "$(jq -r '.store | [.name, .url, .endpoint, .region, .path_style] | join(" ")' <<<"$OUT")" \
    "s3 s3://models-bucket/team/ http://127.0.0.1:9000 eu-west-1 true"
expect_eq "$(jq -r '.artifacts[0].pointers[0].url' <<<"$OUT")" \
    "s3://models-bucket/team/xxh128/${h1:0:2}/${h1:2}"
end_test

finish
