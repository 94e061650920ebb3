#!/bin/bash
# The registry read as GTO reads it when GTO (or a person) writes the tags (issue 14). GTO's tag shapes are
# written here by hand with `git tag -a` and controlled tagger dates, so no GTO is needed at test time.
# Each case states what `gto show` prints for its tags, worked out from GTO's source (gto/base.py,
# gto/tag.py, gto/api.py; the rules are in lib/registry/replay.hpp) and checked again by gto_stages
# (promote-lib.sh); mlci's list, stages, history, resolution and promote --dry-run must agree.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/promote-lib.sh"

T0=1767225600 # 2026-01-01T00:00:00Z: the hand-written tags' dates, well before the clock

# htag TAG COMMIT SECONDS: an annotated tag dated T0 + SECONDS, as GTO writes one (no mlci trailers).
htag() {
    GIT_COMMITTER_DATE="@$(($T0 + $3)) +0000" git tag -a "$1" "$2" -m "written by hand as GTO would: $1"
}
# htag_at TAG COMMIT EPOCH: the same at an absolute time.
htag_at() {
    GIT_COMMITTER_DATE="@$3 +0000" git tag -a "$1" "$2" -m "written by hand as GTO would: $1"
}
tag_time() { git for-each-ref --format='%(taggerdate:unix)' "refs/tags/$1"; }
short() { git rev-parse --short=7 "$1"; }

# Prompt qa at three commits c1, c2, c3 (bodies "one", "two", "three"), registered by hand as v1.0.0,
# v1.1.0, v1.2.0 at T0+1, +2, +3, and a second prompt `other` with v1.0.0 on c1.
three_versions() {
    new_repo r
    write_prompt qa "one" && write_prompt other "other" && commit_all c1 && c1=$(git rev-parse HEAD)
    write_prompt qa "two" && commit_all c2 && c2=$(git rev-parse HEAD)
    write_prompt qa "three" && commit_all c3 && c3=$(git rev-parse HEAD)
    htag 'qa@v1.0.0' "$c1" 1
    htag 'qa@v1.1.0' "$c2" 2
    htag 'qa@v1.2.0' "$c3" 3
    htag 'other@v1.0.0' "$c1" 4
}

stage_of() { # NAME STAGE: the version mlci shows in STAGE (or "none")
    git prompt stages "$1" --json | python3 -c '
import json, sys
v = json.load(sys.stdin)[0]["stages"].get(sys.argv[1])
print(v["version"] if v else "none")' "$2"
}

begin_test "an assignment over a holder without unassigning it, then an unassignment of the newer holder"
three_versions
htag 'qa#dev#1' "$c2" 10 # gto assign qa v1.1.0 dev
htag 'qa#dev#2' "$c1" 20 # gto assign qa v1.0.0 dev: v1.1.0 is not unassigned, GTO's default
# GTO: dev holds v1.1.0 (assigned at +10) and v1.0.0 (at +20), both active; `gto show` prints v1.0.0.
expect_eq "$(gto_stages qa)" "dev=$(short "$c1")"
expect_eq "$(mlci_stages qa prompt)" "$(gto_stages qa)"
expect_eq "$(stage_of qa dev)" "v1.0.0"
run git prompt show qa@dev
expect_rc 0
expect_out "one"
run git prompt list
expect_rc 0
expect_out "qa     v1.2.0  v1.0.0"
run git prompt promote dev qa@v1.0.0 --dry-run
expect_rc 0
expect_out "qa v1.0.0 is already in dev"
htag 'qa#dev!#3' "$c1" 30 # gto unassign qa v1.0.0 dev
# GTO: v1.0.0's dev is inactive (unassigned last); v1.1.0's is still active: `gto show` prints v1.1.0.
expect_eq "$(gto_stages qa)" "dev=$(short "$c2")"
expect_eq "$(mlci_stages qa prompt)" "$(gto_stages qa)"
run git prompt show qa@dev
expect_rc 0
expect_out "two"
run git prompt history qa
expect_rc 0
expect_out "promoted v1.0.0 to dev"
expect_out "unassigned v1.0.0 from dev"
before=$(refs_snapshot)
run git prompt promote dev qa --dry-run
expect_rc 0
expect_out "would promote qa v1.2.0 to dev (displacing v1.1.0)"
expect_eq "$(refs_snapshot)" "$before"
# mlci's promotion unassigns the current holder and assigns the new one; GTO reads the same.
run git prompt promote dev qa
expect_rc 0
expect_out "promoted qa v1.2.0 to dev (displacing v1.1.0)"
expect_out "tags: qa#dev!#4 qa#dev#5"
expect_eq "$(git tag -l --format='%(*objectname)' 'qa#dev!#4')" "$c2"
expect_eq "$(gto_stages qa)" "dev=$(short "$c3")"
expect_eq "$(mlci_stages qa prompt)" "$(gto_stages qa)"
end_test

begin_test "a counter-less assignment written after numbered ones is the newest event"
three_versions
htag 'qa#dev#1' "$c2" 10
htag 'qa#dev#2' "$c3" 20
htag 'qa#dev' "$c1" 30 # gto assign --simple true qa v1.0.0 dev
# GTO orders by tagger time, counter or not: three active holders, v1.0.0 assigned last; prints v1.0.0.
expect_eq "$(gto_stages qa)" "dev=$(short "$c1")"
expect_eq "$(mlci_stages qa prompt)" "$(gto_stages qa)"
run git prompt show qa@dev
expect_rc 0
expect_out "one"
run git prompt show 'qa#dev'
expect_rc 0
expect_out "one"
run git prompt history qa --json
expect_rc 0
expect_eq "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[-1]["tag"])' "$OUT")" "qa#dev"
run git prompt promote dev qa@v1.0.0 --dry-run
expect_rc 0
expect_out "qa v1.0.0 is already in dev"
run git prompt promote dev qa@v1.2.0 --dry-run
expect_rc 0
expect_out "would promote qa v1.2.0 to dev (displacing v1.0.0)"
# A counter-less tag dated before the numbered ones comes before them, as GTO reads it.
htag 'qa#staging' "$c1" 5
htag 'qa#staging#3' "$c2" 40
expect_eq "$(stage_of qa staging)" "v1.1.0"
expect_eq "$(mlci_stages qa prompt)" "$(gto_stages qa)"
end_test

begin_test "NAME@deprecated hides the artifact: list, stages, resolution and promotion"
three_versions
htag 'qa#dev#1' "$c2" 10
htag 'qa@deprecated#2' "$c2" 20 # gto deprecate qa
# GTO: the newest event of qa is the deprecation: qa is inactive and `gto show` leaves it out.
expect_eq "$(gto_stages qa)" "deprecated"
run git prompt list
expect_rc 0
expect_out "other"
expect_not_out "qa"
run git prompt list --all
expect_rc 0
expect_out "deprecated (qa@deprecated#2)"
run git prompt list --json
expect_rc 0
expect_not_out '"qa"'
run git prompt stages
expect_rc 0
expect_not_out "qa"
run git prompt stages qa
expect_rc 2
expect_err "error: 'qa' is deprecated (tag 'qa@deprecated#2', 2026-01-01 00:00:20 UTC)"
run git prompt stages --all
expect_rc 0
expect_out "qa (deprecated)"
before=$(refs_snapshot)
for spec in qa@dev qa@latest qa@v1.1.0 'qa#dev'; do
    run git prompt show "$spec"
    expect_rc 2
    expect_err "error: 'qa' is deprecated (tag 'qa@deprecated#2'"
done
run git prompt promote staging qa --dry-run
expect_rc 2
expect_err "error: 'qa' is deprecated"
run git prompt promote staging qa@v1.1.0 --force --reason test
expect_rc 2
expect_err "error: 'qa' is deprecated"
run git prompt rollback dev qa
expect_rc 2
expect_err "error: 'qa' is deprecated"
# Without a NAME the deprecated one is not a candidate: only `other` is promoted (here: dry run).
run git prompt promote dev --dry-run
expect_rc 0
expect_out "would promote other v1.0.0 to dev"
expect_not_out "qa"
expect_eq "$(refs_snapshot)" "$before"
run git prompt history qa
expect_rc 0
expect_out "deprecated"
# A deployment bundle leaves it out too (resolution would refuse it).
run git prompt export
expect_rc 0
expect_out '"other"'
expect_not_out '"qa"'
expect_err "warning: left out deprecated prompt qa (tag qa@deprecated#2)"
end_test

begin_test "a deprecation is undone by a later event, and not in effect when another tag shares its second"
three_versions
htag 'qa@deprecated#1' "$c1" 10
htag 'qa#dev#2' "$c2" 10 # same second: GTO's reversed stable sort puts the assignment first: active
expect_eq "$(gto_stages qa)" "dev=$(short "$c2")"
expect_eq "$(mlci_stages qa prompt)" "$(gto_stages qa)"
run git prompt show qa@dev
expect_rc 0
expect_out "two"
htag 'qa@deprecated#3' "$c1" 20
expect_eq "$(gto_stages qa)" "deprecated"
run git prompt show qa@dev
expect_rc 2
expect_err "error: 'qa' is deprecated (tag 'qa@deprecated#3'"
htag 'qa#dev#4' "$c3" 30 # an assignment after the deprecation: GTO shows qa again, dev = v1.2.0
expect_eq "$(gto_stages qa)" "dev=$(short "$c3")"
expect_eq "$(mlci_stages qa prompt)" "$(gto_stages qa)"
run git prompt list
expect_rc 0
expect_out "qa"
end_test

begin_test "git model reads the same: several holders, then a deprecation"
new_repo r
mkdir models
echo 1 >models/clf.txt && commit_all c1 && c1=$(git rev-parse HEAD)
echo 2 >models/clf.txt && commit_all c2 && c2=$(git rev-parse HEAD)
htag 'clf@v1.0.0' "$c1" 1
htag 'clf@v2.0.0' "$c2" 2
htag 'clf#production#1' "$c2" 10
htag 'clf#production#2' "$c1" 20 # gto assign clf v1.0.0 production, over v2.0.0
# GTO: production holds v2.0.0 (+10) and v1.0.0 (+20); `gto show` prints v1.0.0.
expect_eq "$(gto_stages clf)" "production=$(short "$c1")"
expect_eq "$(mlci_stages clf)" "$(gto_stages clf)"
run git model promote production clf@production --dry-run
expect_rc 0
expect_out "clf v1.0.0 is already in production"
run git model promote production clf@v2.0.0 --dry-run --force --reason "back to v2"
expect_rc 0
expect_out "would promote clf v2.0.0 to production (displacing v1.0.0) — forced"
htag 'clf@deprecated' "$c2" 30 # gto deprecate clf --simple: no counter
# GTO: deprecated, hidden.
expect_eq "$(gto_stages clf)" "deprecated"
run git model stages
expect_rc 0
expect_not_out "clf"
run git model stages --all --json
expect_rc 0
expect_eq "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0]["deprecated"])' "$OUT")" "clf@deprecated"
before=$(refs_snapshot)
run git model promote production clf@v2.0.0 --force --reason "back to v2"
expect_rc 2
expect_err "error: 'clf' is deprecated (tag 'clf@deprecated', 2026-01-01 00:00:30 UTC)"
run git model rollback production clf
expect_rc 2
expect_err "error: 'clf' is deprecated"
expect_eq "$(refs_snapshot)" "$before"
run git model history clf
expect_rc 0
expect_out "deprecated"
end_test

begin_test "tags written in the same second as mlci's: GTO's tie rules"
three_versions
run git prompt promote dev qa@v1.0.0
expect_rc 0
run git prompt promote dev qa@v1.1.0
expect_rc 0
expect_out "tags: qa#dev!#2 qa#dev#3"
t_un=$(tag_time 'qa#dev!#2')
t_as=$(tag_time 'qa#dev#3')
# mlci gives the tags of one NAME distinct seconds by waiting, never by dating ahead.
[ "$t_as" -gt "$t_un" ] || fail "assignment at $t_as is not after the unassignment at $t_un"
# GTO assigns v1.2.0 in the very second of mlci's assignment of v1.1.0, without unassigning it. Both are
# active and assigned at the same second: GTO's tie goes to the version registered first, v1.1.0.
htag_at 'qa#dev#4' "$c3" "$t_as"
expect_eq "$(gto_stages qa)" "dev=$(short "$c2")"
expect_eq "$(mlci_stages qa prompt)" "$(gto_stages qa)"
run git prompt show qa@dev
expect_rc 0
expect_out "two"
run git prompt promote dev qa@v1.2.0 --dry-run
expect_rc 0
expect_out "would promote qa v1.2.0 to dev (displacing v1.1.0)"
# GTO unassigns v1.1.0 in that same second: an unassignment ties with the assignment of the same version
# and stage and wins, so v1.1.0's dev is inactive and v1.2.0 (assigned in that second) is current.
htag_at 'qa#dev!#5' "$c2" "$t_as"
expect_eq "$(gto_stages qa)" "dev=$(short "$c3")"
expect_eq "$(mlci_stages qa prompt)" "$(gto_stages qa)"
run git prompt show qa@dev
expect_rc 0
expect_out "three"
run git prompt promote dev qa@v1.2.0 --dry-run
expect_rc 0
expect_out "qa v1.2.0 is already in dev"
end_test

begin_test "no tag mlci writes is dated after the moment it was written"
three_versions
run git prompt promote dev qa@v1.0.0
expect_rc 0
run git prompt promote dev qa@v1.1.0 # an unassignment and an assignment
expect_rc 0
done_at=$(date +%s)
write_prompt qa "four" && commit_all c4
run git prompt bump qa --minor
expect_rc 0
bumped_at=$(date +%s)
for tag in 'qa#dev#1' 'qa#dev!#2' 'qa#dev#3'; do
    t=$(tag_time "$tag")
    [ -n "$t" ] && [ "$t" -le "$done_at" ] || fail "$tag is dated $t, after the promotion finished at $done_at"
done
t=$(tag_time 'qa@v1.3.0')
[ -n "$t" ] && [ "$t" -le "$bumped_at" ] || fail "qa@v1.3.0 is dated $t, after the bump finished at $bumped_at"
[ "$t" -gt "$(tag_time 'qa#dev#3')" ] || fail "qa@v1.3.0 is not after qa#dev#3"
end_test

begin_test "a tag of NAME dated a little ahead: mlci waits for the clock; far ahead: refused, nothing written"
three_versions
ahead=$(($(date +%s) + 2))
htag_at 'qa#dev#1' "$c1" "$ahead" # dated ahead, as mlci before issue 14 could write one
run git prompt promote dev qa@v1.1.0
expect_rc 0
done_at=$(date +%s)
t_un=$(tag_time 'qa#dev!#2')
t_as=$(tag_time 'qa#dev#3')
[ "$t_un" -gt "$ahead" ] || fail "the unassignment ($t_un) is not after the tag dated $ahead"
[ "$t_as" -gt "$t_un" ] && [ "$t_as" -le "$done_at" ] || fail "assignment at $t_as (finished $done_at)"
expect_eq "$(mlci_stages qa prompt)" "$(gto_stages qa)"
far=$(($(date +%s) + 3600))
htag_at 'qa#staging#4' "$c2" "$far"
before=$(refs_snapshot)
run git prompt promote dev qa@v1.2.0
expect_rc 2
expect_err "ahead of this machine's clock"
expect_err "hint: mlci dates a tag by the clock and never ahead of it"
expect_eq "$(refs_snapshot)" "$before"
end_test

finish
