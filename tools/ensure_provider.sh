#!/usr/bin/env bash
# Make sure the provider-backed tier has an AWS provider build in the cache.
#
#   tools/ensure_provider.sh        (what `make provider` and .ci/run call)
#
# 1. The pinned version (verify/provider.env) already in the mirror: use it.
# 2. Else the stand-in already in the mirror: use it; a second run never rebuilds.
# 3. Else build the stand-in with tools/build_provider.sh (measured on the 2-core CI
#    machine kind: 28 min idle, 44-63 min beside other work, ~9.2 GB peak, ~10 GB disk
#    while building), in the background of nothing: CI waits for it. A build stopped by
#    the time limit keeps its Go cache, and the next run resumes from it.
#
# It never fails the caller: when the build cannot run (no Go, the proxy refuses, not
# enough memory or disk, killed, over the time limit) it says why on its first line of
# output and writes the same reason to $MIRROR/build-status.txt, where the tier reads it
# to print NOT RUN with that reason in the test summary. Exit code: always 0.
set -uo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=../verify/provider.env
. verify/provider.env
# shellcheck source=bounded_build.sh
. tools/bounded_build.sh
STATUS="$MIRROR/build-status.txt"
LOG="$CACHE/provider-build.log"
# Measured on 2 cores: 28 min idle, 44 min beside light work, 63 min beside heavy work.
# Outside CI the limit is 80 min, room for a loaded machine. In CI (CI set) it is 60 min:
# CI's whole run has 90, and its build runs first, alone (28-44 min). A build cut off by
# the limit keeps its Go cache (tools/build_provider.sh), so the next run resumes.
if [ -n "${CI:-}" ]; then default_timeout=3600; else default_timeout=4800; fi
BUILD_TIMEOUT_SECONDS="${CHAT_INFRA_PROVIDER_BUILD_TIMEOUT:-$default_timeout}"
NEEDED_MEMORY_GB=10   # the linker peaks at 9.2 GB
NEEDED_DISK_GB=12     # 8 GB Go build cache + 2 GB modules + the 0.9 GB binary, with room

binary() { echo "$MIRROR/registry.terraform.io/hashicorp/aws/$1/linux_amd64/terraform-provider-aws_v$1_x5"; }

not_run_build() { not_run "$STATUS" "provider build" "$1"; }

mkdir -p "$CACHE"
if [ -n "${CHAT_INFRA_USE_REGISTRY:-}" ]; then
  echo "provider: hashicorp/aws $PINNED_PROVIDER_VERSION from the Terraform registry (CHAT_INFRA_USE_REGISTRY=1); nothing to build"
  exit 0
fi
for version in "$PINNED_PROVIDER_VERSION" "$STANDIN_PROVIDER_VERSION"; do
  if [ -x "$(binary "$version")" ]; then
    rm -f "$STATUS"
    echo "provider: hashicorp/aws $version already built in $MIRROR (no rebuild)"
    exit 0
  fi
done

require_build_resources "$STATUS" "provider build" "the stand-in provider" "$NEEDED_MEMORY_GB" "$NEEDED_DISK_GB"

gocache="$CACHE/provider-build/gocache"
if [ -d "$gocache" ]; then
  echo "provider: resuming from the Go build cache an earlier, unfinished build kept ($(du -sh "$gocache" | cut -f1))"
fi
echo "provider: no build in $MIRROR; building the stand-in hashicorp/aws $STANDIN_PROVIDER_VERSION" \
  "(Go commit $STANDIN_PROVIDER_PSEUDO), ~30-45 min, limit $(( BUILD_TIMEOUT_SECONDS / 60 )) min, log $LOG"
run_bounded "$BUILD_TIMEOUT_SECONDS" "$LOG" \
  env PROVIDER_VERSION="$STANDIN_PROVIDER_VERSION" PROVIDER_PSEUDO="$STANDIN_PROVIDER_PSEUDO" MIRROR_DIR="$MIRROR" \
  tools/build_provider.sh

if [ "$BUILD_TIMED_OUT" = 1 ]; then
  not_run_build "the provider build did not finish within $(( BUILD_TIMEOUT_SECONDS / 60 )) minutes (log: $LOG)"
fi
if [ "$BUILD_STATUS" -ne 0 ]; then
  not_run_build "the provider build failed after $BUILD_MINUTES min: $(build_failure_reason "$BUILD_STATUS" "$LOG") (log: $LOG)"
fi
if [ ! -x "$(binary "$STANDIN_PROVIDER_VERSION")" ]; then
  not_run_build "the provider build ended without installing $(binary "$STANDIN_PROVIDER_VERSION") (log: $LOG)"
fi
rm -f "$STATUS"
echo "provider: built hashicorp/aws $STANDIN_PROVIDER_VERSION in $BUILD_MINUTES min: $(binary "$STANDIN_PROVIDER_VERSION")"
