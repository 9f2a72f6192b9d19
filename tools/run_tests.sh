#!/usr/bin/env bash
# make test's pytest runs, two at a time: the provider-backed tests (the terraform and
# OpenTofu tiers, the first deploy, the HCL plan comparison; `-m provider`) in the
# background, and beside them the rest of the suite on cdktf, then again on cdktn.
#
# Why two at once: the provider-backed tests spend much of their time waiting (the AWS
# provider's waiters sleep between reads, even against moto), while the rest synthesizes
# stacks and is CPU-bound; run one after the other they took ~45 minutes on the 2-core CI
# machine, side by side the wall time is about the longer of the two. Each run is its own
# pytest session with its own temporary folder and its own summary (the tiers' RAN / NOT
# RUN sections print with the provider-backed log). Every exit code is checked: the script
# fails when any run failed, and says which.
set -uo pipefail
cd "$(dirname "$0")/.."

VENV_PYTHON="${VENV_PYTHON:-.venv/bin/python}"
CDKTN_PYTHON="${CDKTN_PYTHON:-.venv-cdktn/bin/python}"
work=$(mktemp -d -t chat-infra-tests.XXXXXX)
provider_pid=""
cleanup() {
  # An interrupted make test must not leave the background session (terraform, moto) running.
  [ -n "$provider_pid" ] && kill -- "-$provider_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Its own process group (setsid), so that the cleanup reaches terraform and moto too.
setsid "$VENV_PYTHON" -m pytest -m provider --basetemp "$work/provider-tmp" >"$work/provider.log" 2>&1 &
provider_pid=$!

failed=()
"$VENV_PYTHON" -m pytest -m "not provider" --basetemp "$work/local-tmp" || failed+=("pytest -m 'not provider' (cdktf)")
CHAT_INFRA_CDK=cdktn "$CDKTN_PYTHON" -m pytest -m "not provider" --basetemp "$work/cdktn-tmp" ||
  failed+=("pytest -m 'not provider' (CHAT_INFRA_CDK=cdktn)")

echo "== waiting for the provider-backed tests (pytest -m provider), started beside the runs above =="
wait "$provider_pid"
provider_rc=$?
provider_pid=""
cat "$work/provider.log"
# 5: no test selected (pytest's own code) would mean the marker selects nothing: a failure too.
[ "$provider_rc" = 0 ] || failed+=("pytest -m provider (exit $provider_rc)")

if ((${#failed[@]})); then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "all test runs passed: pytest -m provider, pytest -m 'not provider' on cdktf and on cdktn"
