#!/usr/bin/env bash
# Make sure the provider-backed tier has its second engine, OpenTofu (`tofu`), and that
# the AWS provider mirror is laid out for OpenTofu's registry host as well as Terraform's.
#
#   tools/ensure_tofu.sh        (what `make tofu` and .ci/run call, after ensure_provider.sh)
#
# 1. `tofu` on PATH, or already built in the cache: use it; a second run never rebuilds.
# 2. Else build it from its Go module source with tools/build_tofu.sh (measured below),
#    niced, bounded in time. A build stopped by the limit keeps its Go cache, and the next
#    run resumes from it.
# 3. Lay the mirror out for tofu: OpenTofu looks up hashicorp/aws under its own registry
#    host, so each provider version in Terraform's host folder gets a folder under
#    OpenTofu's host whose platform folders are symlinks to the same builds (tofu follows a
#    symlinked platform folder, not a symlinked host folder). Nothing under Terraform's host
#    folder is touched.
#
# It never fails the caller: when tofu cannot be had it says why on its first line of output
# and writes the reason to $TOFU_DIR/build-status.txt, where the tier reads it to print NOT
# RUN for tofu with that reason. Exit code: always 0.
set -uo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=../verify/provider.env
. verify/provider.env
# shellcheck source=bounded_build.sh
. tools/bounded_build.sh
TOFU_DIR="${CHAT_INFRA_TOFU_DIR:-$CACHE/tofu}"
STATUS="$TOFU_DIR/build-status.txt"
LOG="$CACHE/tofu-build.log"
# Measured on the 2-core machine (2026-12, v1.12.6): ~9 min idle; 21.7 min beside six other
# jobs (load average ~20): 16 s download, 1285 s build. The limit leaves twice that: 45 min;
# 20 in CI (CI set), where it runs alone, after the provider build.
if [ -n "${CI:-}" ]; then default_timeout=1200; else default_timeout=2700; fi
BUILD_TIMEOUT_SECONDS="${CHAT_INFRA_TOFU_BUILD_TIMEOUT:-$default_timeout}"
# CI has 90 min in all. .ci/run exports when it started (CHAT_INFRA_CI_STARTED, epoch
# seconds); after the provider build (28-44 min on an empty cache) the tofu build gets only
# what is left once `make test` is reserved its time (~33 min, plus the tofu tier and room:
# 45). When nothing is left it is NOT RUN this time; a build cut short keeps its Go cache,
# so a later run resumes and finishes it.
CI_BUDGET_SECONDS=5400
RESERVED_FOR_TESTS_SECONDS=2700
budget_left=""
if [ -n "${CHAT_INFRA_CI_STARTED:-}" ]; then
  elapsed=$(( $(date +%s) - CHAT_INFRA_CI_STARTED ))
  budget_left=$(( CI_BUDGET_SECONDS - RESERVED_FOR_TESTS_SECONDS - elapsed ))
  [ "$budget_left" -lt "$BUILD_TIMEOUT_SECONDS" ] && BUILD_TIMEOUT_SECONDS=$budget_left
fi
NEEDED_MEMORY_GB=3   # measured peak 1.8 GB RSS (the linker), with room
NEEDED_DISK_GB=4     # ~1.5 GB Go build cache + the source copy + the 115 MB binary, with room

tofu_binary="$TOFU_DIR/$TOFU_VERSION/tofu"
say() { echo "tofu: $*"; }

# The registry host tofu resolves `hashicorp/aws` to, asked of tofu itself.
registry_host() {
  local scratch host
  scratch=$(mktemp -d)
  printf 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n' > "$scratch/main.tf"
  host=$(cd "$scratch" && "$1" providers -no-color 2>/dev/null | sed -n 's|.*provider\[\([^]/]*\)/hashicorp/aws\].*|\1|p' | head -1)
  rm -rf "$scratch"
  echo "$host"
}

lay_out_mirror() {
  local tofu="$1" host source version platform linked=0
  host=$(registry_host "$tofu")
  [ -n "$host" ] || not_run "$STATUS" tofu "\`$tofu providers\` named no registry host for hashicorp/aws"
  source="$MIRROR/registry.terraform.io/hashicorp/aws"
  if [ "$host" = registry.terraform.io ] || [ ! -d "$source" ]; then
    say "mirror: nothing to lay out for $host (no provider build under $source yet)"
    return
  fi
  for version in "$source"/*/; do
    version=$(basename "$version")
    for platform in "$source/$version"/*/; do
      platform=$(basename "$platform")
      mkdir -p "$MIRROR/$host/hashicorp/aws/$version"
      ln -sfn "$source/$version/$platform" "$MIRROR/$host/hashicorp/aws/$version/$platform"
      linked=$((linked + 1))
    done
  done
  say "mirror: $linked provider build(s) laid out for $host in $MIRROR (symlinked platform folders)"
}

mkdir -p "$CACHE" "$TOFU_DIR"
if command -v tofu >/dev/null; then
  tofu=$(command -v tofu)
  say "on PATH: $tofu ($(tofu version | head -1)); nothing to build"
elif [ -x "$tofu_binary" ]; then
  tofu="$tofu_binary"
  say "OpenTofu $TOFU_VERSION already built: $tofu (no rebuild)"
else
  if [ -n "$budget_left" ] && [ "$budget_left" -lt 60 ]; then
    not_run "$STATUS" tofu "CI's $(( CI_BUDGET_SECONDS / 60 ))-min budget has no time left for the tofu build after\
 $(( elapsed / 60 )) min (the provider build); a later run builds it"
  fi
  require_build_resources "$STATUS" tofu tofu "$NEEDED_MEMORY_GB" "$NEEDED_DISK_GB"
  gocache="$CACHE/tofu-build/gocache"
  if [ -d "$gocache" ]; then
    say "resuming from the Go build cache an earlier, unfinished build kept ($(du -sh "$gocache" | cut -f1))"
  fi
  say "building OpenTofu $TOFU_VERSION from its Go module source, ~9 min idle (~22 beside other work)," \
    "limit $(( BUILD_TIMEOUT_SECONDS / 60 )) min, log $LOG"
  run_bounded "$BUILD_TIMEOUT_SECONDS" "$LOG" \
    env TOFU_VERSION="$TOFU_VERSION" WORK_DIR="$CACHE/tofu-build" INSTALL_DIR="$TOFU_DIR/$TOFU_VERSION" tools/build_tofu.sh
  if [ "$BUILD_TIMED_OUT" = 1 ]; then
    not_run "$STATUS" tofu "the tofu build did not finish within $BUILD_TIMEOUT_SECONDS s (log: $LOG)"
  fi
  if [ "$BUILD_STATUS" -ne 0 ]; then
    not_run "$STATUS" tofu "the tofu build failed after $BUILD_MINUTES min: $(build_failure_reason "$BUILD_STATUS" "$LOG") (log: $LOG)"
  fi
  [ -x "$tofu_binary" ] || not_run "$STATUS" tofu "the tofu build ended without installing $tofu_binary (log: $LOG)"
  tofu="$tofu_binary"
  say "built OpenTofu $TOFU_VERSION in $BUILD_MINUTES min: $tofu"
fi
lay_out_mirror "$tofu"
rm -f "$STATUS"
