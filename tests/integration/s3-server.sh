# A real S3-compatible server on 127.0.0.1 for the t-s3-*.sh tests and tests/bench/s3-*.sh: Debian's
# OpenStack Swift (single node, SAIO style) with the s3api middleware, which verifies SigV4 signatures and
# payload hashes, so signing bugs cannot hide behind a lenient server. Sourced, never run.
#
#   s3_server_start DIR   install (apt-get, once) and start it with its storage in DIR; exports
#                         S3_ENDPOINT, S3_KEY_ID, S3_SECRET and S3_AWS (the Debian awscli) and stops the
#                         server on exit. Exits 125 (CTest SKIP) with the reason when it cannot.
#   s3_server_stop / s3_server_resume   stop or restart the proxy (the tests' "server went away").

S3_PKGS="memcached swift swift-proxy swift-object swift-container swift-account python3-swift awscli"
S3_KEY_ID="test:tester"
S3_SECRET="mlci-S3-secret-4f9c"  # distinctive: the tests grep every output for it

s3_skip() {
    echo "1..0 # SKIP $*"
    exit 125
}

s3_install() {
    if command -v swift-proxy-server >/dev/null && command -v swift-ring-builder >/dev/null &&
        command -v memcached >/dev/null &&
        [ -x /usr/bin/aws ]; then
        return 0
    fi
    [ "$(id -u)" = 0 ] || s3_skip "Swift/awscli not installed and not root to apt-get install: $S3_PKGS"
    command -v apt-get >/dev/null || s3_skip "Swift/awscli not installed and no apt-get"
    export DEBIAN_FRONTEND=noninteractive
    local i
    for i in 1 2 3; do
        if apt-get update -q >"$TEST_ROOT/apt.log" 2>&1 &&
            apt-get install -y -q --no-install-recommends $S3_PKGS >>"$TEST_ROOT/apt.log" 2>&1; then
            return 0
        fi
        sleep $((i * 5))
    done
    tail -20 "$TEST_ROOT/apt.log" >&2
    s3_skip "apt-get install $S3_PKGS failed"
}

s3_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

s3_server_start() {
    local dir=$1
    s3_install
    S3_DIR=$dir
    mkdir -p "$dir/conf" "$dir/srv/sdb1" "$dir/run"
    local user p_obj p_con p_acc p_mc
    user=$(id -un)
    p_obj=$(s3_free_port)
    p_con=$(s3_free_port)
    p_acc=$(s3_free_port)
    S3_PORT=$(s3_free_port)
    p_mc=$(s3_free_port)
    [ -r /etc/swift/swift.conf ] || {
        mkdir -p /etc/swift
        printf '[swift-hash]\nswift_hash_path_suffix = mlci-test\nswift_hash_path_prefix = mlci\n' \
            >/etc/swift/swift.conf 2>/dev/null || s3_skip "cannot write /etc/swift/swift.conf"
    }
    # The three rings in one Python process (swift-ring-builder would take nine, seconds each on a
    # loaded machine).
    /usr/bin/python3 - "$dir/conf" "$p_obj" "$p_con" "$p_acc" >"$dir/ring.log" 2>&1 <<'PY' ||
import sys
from swift.common.ring import RingBuilder
conf = sys.argv[1]
for kind, port in zip(("object", "container", "account"), sys.argv[2:5]):
    b = RingBuilder(6, 1, 1)
    b.add_dev({"region": 1, "zone": 1, "ip": "127.0.0.1", "port": int(port), "device": "sdb1", "weight": 1})
    b.rebalance()
    b.get_ring().save(f"{conf}/{kind}.ring.gz")
    b.save(f"{conf}/{kind}.builder")
PY
        s3_skip "building the Swift rings failed: $(tail -1 "$dir/ring.log")"
    local kind port
    for kind in object container account; do
        case $kind in object) port=$p_obj ;; container) port=$p_con ;; account) port=$p_acc ;; esac
        cat >"$dir/conf/$kind-server.conf" <<CONF
[DEFAULT]
devices = $dir/srv
mount_check = false
bind_ip = 127.0.0.1
bind_port = $port
workers = 1
user = $user
swift_dir = $dir/conf
log_name = $kind-server
log_facility = LOG_LOCAL0
log_level = WARNING
[pipeline:main]
pipeline = $kind-server
[app:$kind-server]
use = egg:swift#$kind
CONF
    done
    cat >"$dir/conf/proxy-server.conf" <<CONF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $S3_PORT
workers = 2
user = $user
swift_dir = $dir/conf
log_level = WARNING
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = $S3_SECRET .admin
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
allow_no_owner = true
s3_acl = false
max_upload_part_num = 10000
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$p_mc
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
CONF
    S3_PIDS=()
    memcached -l 127.0.0.1 -p "$p_mc" -U 0 -u "$user" -m 64 >"$dir/memcached.log" 2>&1 &
    S3_PIDS+=($!)
    for kind in object container account; do
        swift-$kind-server "$dir/conf/$kind-server.conf" -v >"$dir/$kind.log" 2>&1 &
        S3_PIDS+=($!)
    done
    trap s3_server_cleanup EXIT
    # A signal (a CTest timeout, ^C) ends the script through exit, so the EXIT trap stops the servers.
    trap 'exit 143' TERM
    trap 'exit 130' INT
    s3_server_resume
    export S3_ENDPOINT="http://127.0.0.1:$S3_PORT" S3_KEY_ID S3_SECRET S3_AWS=/usr/bin/aws
}

s3_server_resume() {
    swift-proxy-server "$S3_DIR/conf/proxy-server.conf" -v >>"$S3_DIR/proxy.log" 2>&1 &
    S3_PROXY_PID=$!
    local i
    for i in $(seq 1 100); do
        if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$S3_PORT/healthcheck', timeout=1)" 2>/dev/null; then
            return 0
        fi
        kill -0 "$S3_PROXY_PID" 2>/dev/null || break
        sleep 0.2
    done
    tail -20 "$S3_DIR/proxy.log" >&2
    s3_skip "the Swift proxy did not start on 127.0.0.1:$S3_PORT"
}

# s3_kill_tree PID: SIGKILL a server and its worker processes, and reap it. Swift's servers call setsid, so
# a server's session holds every worker it ever forked (even one respawned while we kill); memcached does
# not, so its children are found by parent pid too.
s3_kill_tree() {
    local kids
    kids=$(ps -o pid= --ppid "$1" 2>/dev/null) || true
    pkill -KILL -s "$1" 2>/dev/null || true
    # shellcheck disable=SC2086
    kill -KILL "$1" $kids 2>/dev/null || true
    # `wait` returns 137 for a killed child: not a failure of the clean-up, which must go on to the end
    # under a benchmark's `set -e` too.
    wait "$1" 2>/dev/null || true
}

s3_server_stop() {
    [ -n "${S3_PROXY_PID:-}" ] || return 0
    # SIGKILL to the proxy and its workers: a server that dies in the middle of requests. SIGTERM is a
    # graceful stop in which the workers may still finish an upload in flight (then a push "during the
    # stop" completes, and a test of the failure proves nothing).
    s3_kill_tree "$S3_PROXY_PID"
    S3_PROXY_PID=""
    return 0
}

s3_server_cleanup() {
    s3_server_stop
    local p
    for p in "${S3_PIDS[@]}"; do s3_kill_tree "$p"; done
    S3_PIDS=()
    return 0
}

# awscli against the server, with the test's credentials and no user config.
s3_aws() {
    AWS_ACCESS_KEY_ID=$S3_KEY_ID AWS_SECRET_ACCESS_KEY=$S3_SECRET AWS_DEFAULT_REGION=us-east-1 \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
        "$S3_AWS" --endpoint-url "$S3_ENDPOINT" "$@"
}
