#!/bin/bash
# A registry written by GTO (its tag kinds and messages, made here with plain `git tag -a`) read by mlci,
# and promotions written by mlci on top of it read back the way GTO reads them (events by tagger time).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/promote-lib.sh"

gto_tag() { # NAME-OF-TAG COMMIT MESSAGE: an annotated tag one tick after the previous one, as GTO writes
    test_tick
    git tag -a "$1" "$2" -m "$3"
}

gto_repo() {
    new_repo r
    mkdir models
    echo 1 >models/clf.txt && commit_all "c1" && c1=$(git rev-parse HEAD)
    echo 2 >models/clf.txt && commit_all "c2" && c2=$(git rev-parse HEAD)
    echo 3 >models/clf.txt && commit_all "c3" && c3=$(git rev-parse HEAD)
    gto_tag 'clf@v1.0.0' "$c1" "Registering artifact clf version v1.0.0"
    gto_tag 'clf#production' "$c1" "Assigning stage production to artifact clf version v1.0.0"
    gto_tag 'clf@v1.1.0' "$c2" "Registering artifact clf version v1.1.0"
    gto_tag 'clf#dev#1' "$c1" "Assigning stage dev to artifact clf version v1.0.0"
    gto_tag 'clf#dev#2' "$c2" "Assigning stage dev to artifact clf version v1.1.0"
    gto_tag 'clf#staging#3' "$c2" "Assigning stage staging to artifact clf version v1.1.0"
    gto_tag 'clf#staging!#4' "$c2" "Unassigning stage staging to artifact clf version v1.1.0"
    gto_tag 'clf@v1.2.0' "$c3" "Registering artifact clf version v1.2.0"
    gto_tag 'clf@v1.2.0!#5' "$c3" "Deregistering artifact clf version v1.2.0"
    git tag 'clf@v9.0.0' "$c3" # lightweight: GTO ignores it, and so do we
    gto_tag 'models=other@v0.1.0' "$c1" "Registering artifact models:other version v0.1.0"
    gto_tag 'models=other@deprecated#1' "$c1" "Deprecating artifact models:other"
}

begin_test "GTO's tags read: legacy stage tag, unassignment, deregistered version, lightweight and deprecated"
gto_repo
run git model stages clf --json
expect_rc 0
python3 -c '
import json, sys
d = json.loads(sys.argv[1])[0]["stages"]
assert d["dev"]["version"] == "v1.1.0", d
assert d["staging"] is None, d
assert d["production"]["version"] == "v1.0.0", d' "$OUT" || fail "stages: $OUT"
expect_eq "$(mlci_stages clf)" "$(gto_stages clf)"
run git model history clf
expect_rc 0
expect_out "promoted v1.0.0 to production"
expect_out "unassigned v1.1.0 from staging"
expect_out "deregistered v1.2.0"
expect_not_out "v9.0.0"
run git model history models:other
expect_rc 0
expect_out "deprecated"
run git prompt stages
expect_rc 0
expect_not_out "clf"
run git prompt promote dev clf
expect_rc 2
expect_err "'clf' is not a prompt"
end_test

begin_test "mlci promotes on top of GTO's tags: counters continue, GTO reads the same stages"
gto_repo
before=$(refs_snapshot)
run git model promote staging clf@v1.2.0
expect_rc 2
expect_err "'clf' has no version v1.2.0"
expect_eq "$(refs_snapshot)" "$before"
run git model promote staging clf
expect_rc 0
expect_out "promoted clf v1.1.0 to staging"
expect_eq "$(git tag -l 'clf#staging#*' --sort=refname | tail -1)" "clf#staging#6"
run git model promote production clf
expect_rc 0
expect_out "promoted clf v1.1.0 to production (displacing v1.0.0)"
expect_eq "$(git tag -l --format='%(*objectname)' 'clf#production!#7')" "$c1"
expect_eq "$(git tag -l --format='%(*objectname)' 'clf#production#8')" "$c2"
expect_eq "$(mlci_stages clf)" "$(gto_stages clf)"
run git model rollback production
expect_rc 0
expect_out "rolled back clf in production: v1.1.0 → v1.0.0"
expect_eq "$(mlci_stages clf)" "$(gto_stages clf)"
end_test

finish
