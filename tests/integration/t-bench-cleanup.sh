#!/bin/bash
# Benchmarks stop what they start, also when they fail or are stopped (issue 19): tests/bench/s3.sh
# starts memcached and five Swift servers and writes gigabytes; a failing step or a SIGTERM must leave no
# process and no folder behind. Every process the bench starts inherits a mark in its environment, so
# the check finds them wherever they went (Swift's servers detach into sessions of their own).
. "$(dirname "$0")/lib.sh"

BENCH="$MLCI_SOURCE/tests/bench/s3.sh"
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP reading other processes' environments needs root"; exit 125; }

# survivors MARK: pids of live processes whose environment holds MLCI_BENCH_MARK=MARK.
survivors() {
    local f pid
    for f in /proc/[0-9]*/environ; do
        pid=${f#/proc/}
        pid=${pid%/environ}
        [ "$pid" = "$$" ] && continue
        if { tr '\0' '\n' <"$f"; } 2>/dev/null | grep -qx "MLCI_BENCH_MARK=$1"; then
            echo "$pid"
        fi
    done
}

# wait_gone MARK: the survivors, after up to 5 s for processes that are already dying.
wait_gone() {
    local i left
    for i in $(seq 1 50); do
        left=$(survivors "$1")
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    echo "$left"
}

begin_test "a bench whose step fails stops its servers and removes its folder"
mkdir -p bin bdir
# A git-model that is found first (the bench puts $MLCI_STAGE/bin first on PATH) but fails: the bench's
# first timed step fails.
printf '#!/bin/sh\necho "git-model: failing on purpose" >&2\nexit 3\n' >bin/git-model
chmod +x bin/git-model
mark="fail-$$-$RANDOM"
MLCI_BENCH_MARK=$mark BENCH_DIR="$TRASH/bdir" MLCI_STAGE="$TRASH" \
    bash "$BENCH" 1 10 1 >"$TRASH/out" 2>"$TRASH/err"
rc=$?
grep -q '^1\.\.0 # SKIP' "$TRASH/out" && { echo "1..0 # SKIP $(cat "$TRASH/out")"; exit 125; }
[ $rc -ne 0 ] || fail "the bench succeeded with a failing git-model"
grep -q 'Swift s3api' "$TRASH/out" || fail "the servers never started: the test proves nothing ($(tail -3 "$TRASH/err"))"
left=$(wait_gone "$mark")
[ -z "$left" ] || fail "processes survived the failed bench: $(ps -o pid,args -p "$(echo $left | tr ' ' ,)")"
[ -z "$(ls -A bdir)" ] || fail "the bench left its folder behind: $(ls bdir)"
end_test

begin_test "a bench stopped by SIGTERM stops its servers and removes its folder"
mkdir -p bdir
mark="term-$$-$RANDOM"
MLCI_BENCH_MARK=$mark BENCH_DIR="$TRASH/bdir" bash "$BENCH" 8 20 3 >"$TRASH/out" 2>"$TRASH/err" &
pid=$!
# Stopped as soon as its servers answer (the bench prints their address then).
for i in $(seq 1 1200); do
    grep -q 'Swift s3api' "$TRASH/out" 2>/dev/null && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
grep -q 'Swift s3api' "$TRASH/out" || fail "the bench never started its servers: $(tail -3 "$TRASH/err")"
[ -n "$(survivors "$mark")" ] || fail "no marked process while the bench runs: the check proves nothing"
kill -TERM $pid
wait $pid
left=$(wait_gone "$mark")
[ -z "$left" ] || fail "processes survived SIGTERM: $(ps -o pid,args -p "$(echo $left | tr ' ' ,)")"
[ -z "$(ls -A bdir)" ] || fail "the bench left its folder behind after SIGTERM: $(ls bdir)"
end_test

finish
