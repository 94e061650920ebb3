#!/usr/bin/env bash
# Install the Debian packages mlci builds and tests with. Idempotent; uses sudo when not root.
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
PKGS=(build-essential cmake ninja-build pkg-config git python3 man-db xxhash
      libgit2-dev libtomlplusplus-dev libcli11-dev libxxhash-dev zlib1g-dev doctest-dev libcurl4-openssl-dev
      libre2-dev libboost-dev nlohmann-json3-dev libpugixml-dev
      python3-pytest jq chromium fonts-liberation cmark-gfm hyperfine) # tests only: pytest and jq (formats), the HTML report in a headless browser, the Markdown one as GitHub renders it, hyperfine (t-bench-cleanup runs a benchmark)
# npm installs the pinned promptfoo of tests/integration/t-promptfoo.sh; NodeSource's nodejs carries its
# own npm (and conflicts with Debian's npm package), so Debian's is installed only when there is none.
command -v npm >/dev/null || PKGS+=(nodejs npm)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
