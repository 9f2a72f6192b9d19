#!/usr/bin/env bash
# Build hashicorp/terraform-provider-aws from the Go module proxy into a Terraform
# filesystem mirror, for the provider-backed tier (make verify) on machines that cannot
# reach the Terraform registry. Users with registry access never need this.
#
#   PROVIDER_VERSION=<label> PROVIDER_PSEUDO=<go pseudo-version of its commit> tools/build_provider.sh
#
# `make provider` and .ci/run call it through tools/ensure_provider.sh, which picks the
# version from verify/provider.env, bounds the time and records why a build failed.
#
# Why a pseudo-version: the provider's tags are v6.x but its module path has no /v6, so
# the proxy refuses `@v6.25.0`; a commit must be named as v1.60.1-0.<time>-<hash>.
# Why a wrapper module: the provider's go.mod may carry replace/exclude/godebug lines,
# which `go install module@version` refuses and which only apply in the main module.
#
# Measured on the 2-core, 24 GiB CI machine kind (a June 2026 commit): dependency
# download 54 s; build 28 min idle (63 min beside other work), peak 9.2 GB RSS (the
# linker), 8 GB Go build cache (removed once installed, kept for a retry otherwise);
# binary 905 MB.
#
# Known limit (2026-11): the Go proxy reachable here lists only v1.60.0 and
# v1.60.1-0.20260602190131-5f2286d6d836 for this module and answers 403 for any other
# pseudo-version or commit, so the v6.25.0 commit cannot be fetched on these machines.
set -euo pipefail

PROVIDER_VERSION="${PROVIDER_VERSION:-6.25.0}"
PROVIDER_PSEUDO="${PROVIDER_PSEUDO:-}"
MIRROR_DIR="${MIRROR_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chat-infra/terraform-plugins}"
WORK_DIR="${WORK_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chat-infra/provider-build}"
MODULE=github.com/hashicorp/terraform-provider-aws
command -v go >/dev/null || { echo "error: go is not on PATH" >&2; exit 2; }
# The proxy is Go's own setting (GOPROXY, or `go env`): a list such as "<url>,direct".
# The URL is needed for the .mod download below; go itself gets the whole list.
GOPROXY="$(go env GOPROXY)"
proxy_url=$(tr ',|' '\n\n' <<<"$GOPROXY" | grep -E '^https?://' | head -1 || true)
if [ -z "$proxy_url" ]; then
  echo "error: no Go module proxy URL in GOPROXY ($GOPROXY); the build fetches from a proxy" >&2
  exit 2
fi

target="$MIRROR_DIR/registry.terraform.io/hashicorp/aws/$PROVIDER_VERSION/linux_amd64/terraform-provider-aws_v${PROVIDER_VERSION}_x5"
if [ -x "$target" ]; then
  echo "provider $PROVIDER_VERSION already in the mirror: $target"
  exit 0
fi
if [ -z "$PROVIDER_PSEUDO" ]; then
  echo "error: PROVIDER_PSEUDO is required: the Go pseudo-version of the v$PROVIDER_VERSION release commit" >&2
  echo "       (v1.60.1-0.<commit time>-<12-char hash>; the tag itself cannot be used, see this script's header)" >&2
  exit 2
fi

wrapper="$WORK_DIR/wrapper-$PROVIDER_VERSION"
mkdir -p "$wrapper" "$WORK_DIR/logs"
if ! curl -fsS "$proxy_url/$MODULE/@v/$PROVIDER_PSEUDO.mod" -o "$wrapper/provider.go.mod"; then
  echo "error: the Go proxy ($proxy_url) does not serve $MODULE@$PROVIDER_PSEUDO" >&2
  echo "       versions it lists: $(curl -fsS "$proxy_url/$MODULE/@v/list" | tr '\n' ' ')" >&2
  exit 3
fi

go_line=$(awk '$1 == "go" { print $2; exit }' "$wrapper/provider.go.mod")
{
  echo "module local/terraform-provider-aws-build"
  echo
  echo "go $go_line"
  grep -E '^godebug' "$wrapper/provider.go.mod" || true
  echo
  echo "require $MODULE $PROVIDER_PSEUDO"
  # replace/exclude, single-line and block forms
  awk '/^(replace|exclude)[ \t]*\($/ { block = 1 } block { print } block && /^\)/ { block = 0; next }
       !block && /^(replace|exclude)[ \t]/ { print }' "$wrapper/provider.go.mod"
} > "$wrapper/go.mod"
rm -f "$wrapper/go.sum"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY
# A private build cache: the provider leaves ~8 GB in it. It is removed only once the
# binary is installed; a build that is killed or fails (a time limit on a busy machine)
# keeps it, so the next run resumes from the packages already compiled instead of zero.
export GOCACHE="$WORK_DIR/gocache"

cd "$wrapper"
echo "downloading $MODULE@$PROVIDER_PSEUDO and its dependencies..."
start=$(date +%s)
nice -n 10 go list -deps "$MODULE" > "$WORK_DIR/logs/packages.txt"
echo "  $(( $(date +%s) - start )) s"

ldflags="-s -w"
version_dir=$(go list -f '{{.Dir}}' "$MODULE/version" 2>/dev/null || true)
if [ -n "$version_dir" ] && grep -q ProviderVersion "$version_dir"/*.go; then
  ldflags="$ldflags -X $MODULE/version.ProviderVersion=$PROVIDER_VERSION"
fi

echo "building (about 30 minutes and 9 GB of memory on 2 cores)..."
start=$(date +%s)
nice -n 10 go build -trimpath -ldflags "$ldflags" -o "$WORK_DIR/terraform-provider-aws" "$MODULE"
echo "  $(( $(date +%s) - start )) s"

mkdir -p "$(dirname "$target")"
install -m 0755 "$WORK_DIR/terraform-provider-aws" "$target"
rm -f "$WORK_DIR/terraform-provider-aws"
rm -rf "$GOCACHE"
echo "installed: $target"
