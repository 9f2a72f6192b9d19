#!/usr/bin/env bash
# Build OpenTofu's CLI (`tofu`) from its Go module source, for the provider-backed tier's
# second engine on machines that can reach only the Go module proxy.
#
#   TOFU_VERSION=1.12.6 INSTALL_DIR=<dir> tools/build_tofu.sh
#
# `make tofu` and .ci/run call it through tools/ensure_tofu.sh, which picks the version
# from verify/provider.env, bounds the time and records why a build failed.
#
# Why not `go install github.com/opentofu/opentofu/cmd/tofu@vX`: OpenTofu's go.mod carries a
# `replace` line (its fork of hcl/v2), and go install refuses a module with one. Built
# instead inside a writable copy of the module source, where that go.mod is the main module
# and its replace applies; -mod=mod lets go record the sums the copy's go.sum lacks.
set -euo pipefail

TOFU_VERSION="${TOFU_VERSION:?TOFU_VERSION is required, e.g. 1.12.6}"
WORK_DIR="${WORK_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chat-infra/tofu-build}"
INSTALL_DIR="${INSTALL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chat-infra/tofu/$TOFU_VERSION}"
MODULE=github.com/opentofu/opentofu
command -v go >/dev/null || { echo "error: go is not on PATH" >&2; exit 2; }
# The proxy is Go's own setting (GOPROXY, or `go env`); go gets the whole list as it is.
GOPROXY="$(go env GOPROXY)"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY
# A private build cache, removed only once the binary is installed: a build that is killed
# (the time limit on a busy machine) keeps it, and the next run resumes from the packages
# already compiled.
export GOCACHE="$WORK_DIR/gocache"

if [ -x "$INSTALL_DIR/tofu" ]; then
  echo "tofu $TOFU_VERSION already built: $INSTALL_DIR/tofu"
  exit 0
fi
mkdir -p "$WORK_DIR"
echo "downloading $MODULE@v$TOFU_VERSION..."
start=$(date +%s)
if ! module_json=$(go mod download -json "$MODULE@v$TOFU_VERSION"); then
  echo "error: the Go module proxy does not serve $MODULE@v$TOFU_VERSION" >&2
  exit 3
fi
module_dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$module_json")
[ -d "$module_dir" ] || { echo "error: go mod download named no source directory: $module_json" >&2; exit 3; }

# The module cache is read-only; go needs to write go.sum in the main module.
source_dir="$WORK_DIR/src-$TOFU_VERSION"
if [ ! -f "$source_dir/go.mod" ]; then
  rm -rf "$source_dir"
  cp -R "$module_dir" "$source_dir.partial"
  chmod -R u+w "$source_dir.partial"
  mv "$source_dir.partial" "$source_dir"
fi
cd "$source_dir"
nice -n 10 go mod download
echo "  $(( $(date +%s) - start )) s"

echo "building (21 min on 2 cores beside other work; 1.8 GB peak, the linker)..."
start=$(date +%s)
# dev=no: report the release version, not "<version>-dev" (version/version.go).
nice -n 10 go build -trimpath -ldflags "-s -w -X $MODULE/version.dev=no" -o "$WORK_DIR/tofu" ./cmd/tofu
echo "  $(( $(date +%s) - start )) s"

mkdir -p "$INSTALL_DIR"
install -m 0755 "$WORK_DIR/tofu" "$INSTALL_DIR/tofu"
cd "$WORK_DIR"  # out of the source copy, removed next
rm -f "$WORK_DIR/tofu"
rm -rf "$GOCACHE" "$source_dir"
echo "installed: $INSTALL_DIR/tofu ($("$INSTALL_DIR/tofu" version 2>/dev/null | head -1))"
