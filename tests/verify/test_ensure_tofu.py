"""tools/ensure_tofu.sh: how the tier gets its second engine, and why it says NOT RUN when it cannot.

Run as CI runs it, in its own process, with a private cache and mirror. No real Go build:
a stand-in `go` fails or hangs as a build can, a stand-in `tofu` answers what the script
asks of a real one. Each case checks the script's one line and the reason it records for
the tier (verify/engine.py reads it), and that the script never fails its caller.
"""

from __future__ import annotations

import stat
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from verify.engine import TOFU_BUILD_STATUS_FILE, TOFU_VERSION
from verify.provider import STANDIN_VERSION, mirrored_provider

SCRIPT = ROOT / "tools" / "ensure_tofu.sh"
TOFU_ADDRESS = "tofu.example/hashicorp/aws"  # what the stand-in tofu says its registry host is

FAKE_GO = """#!/bin/bash
case "$1 $2" in
  "env GOPROXY") echo off ;;
  "mod download")
    [ "$FAKE_GO" = refuse ] && { echo "go: module not found" >&2; exit 1; }
    if [ "$3" = -json ]; then printf '{\\n\\t"Dir": "%s",\\n\\t"Sum": "h1:x"\\n}\\n' "$FAKE_GO_SOURCE"; fi ;;
  build*)
    mkdir -p "$GOCACHE/compiled" && touch "$GOCACHE/compiled/a-package"
    [ "$FAKE_GO" = hang ] && exec sleep 60
    echo "go: compile failed: out of tea" >&2; exit 1 ;;
esac
"""

FAKE_TOFU = f"""#!/bin/bash
case "$1" in
  version) echo "OpenTofu v{TOFU_VERSION}" ;;
  providers) [ -n "$FAKE_TOFU_SILENT" ] || printf '\\nProviders required by configuration:\\n.\\n'
             [ -n "$FAKE_TOFU_SILENT" ] || echo "└── provider[{TOFU_ADDRESS}]" ;;
esac
"""


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def machine(tmp_path):
    """A private cache and mirror; PATH holds the system tools and `fake-bin`, no go, no tofu."""
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    source = tmp_path / "module-source"  # what the stand-in go says it downloaded
    source.mkdir()
    (source / "go.mod").write_text("module github.com/opentofu/opentofu\n")
    env = {
        "PATH": f"{fake_bin}:/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "CHAT_INFRA_PROVIDER_MIRROR": str(tmp_path / "mirror"),
        "FAKE_GO_SOURCE": str(source),
    }
    return tmp_path, env


def ensure(machine, **extra: str) -> subprocess.CompletedProcess:
    tmp_path, env = machine
    return subprocess.run(
        [str(SCRIPT)], env={**env, **extra}, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )


def status(machine) -> str | None:
    path = machine[0] / "cache" / "chat-infra" / "tofu" / TOFU_BUILD_STATUS_FILE
    return path.read_text().strip() if path.is_file() else None


def test_without_go_it_says_not_run_records_why_and_exits_0(machine):
    completed = ensure(machine)
    assert completed.returncode == 0, completed.stderr
    reason = "go is not on PATH; tofu is built from Go sources"
    assert completed.stdout.splitlines()[0] == f"tofu: NOT RUN: {reason}"
    assert status(machine) == reason


def test_a_failed_build_is_recorded_with_its_last_line(machine):
    executable(machine[0] / "fake-bin" / "go", FAKE_GO)
    completed = ensure(machine)
    assert completed.returncode == 0
    reason = "the tofu build failed after 0 min: exit 1: go: compile failed: out of tea"
    assert f"tofu: NOT RUN: {reason}" in completed.stdout
    assert "out of tea" in status(machine)


def test_a_module_the_proxy_refuses_is_recorded_as_such(machine):
    executable(machine[0] / "fake-bin" / "go", FAKE_GO)
    completed = ensure(machine, FAKE_GO="refuse")
    assert completed.returncode == 0
    assert "the Go module proxy does not serve the version the build asked for" in status(machine)
    assert "tofu: NOT RUN:" in completed.stdout


def test_a_build_over_the_limit_is_stopped_and_a_retry_resumes_from_its_go_cache(machine):
    executable(machine[0] / "fake-bin" / "go", FAKE_GO)
    completed = ensure(machine, FAKE_GO="hang", CHAT_INFRA_TOFU_BUILD_TIMEOUT="2")
    assert completed.returncode == 0
    assert "did not finish within 2 s" in completed.stdout and "did not finish within 2 s" in status(machine)
    gocache = machine[0] / "cache" / "chat-infra" / "tofu-build" / "gocache"
    assert (gocache / "compiled" / "a-package").is_file()  # kept for the next run
    retry = ensure(machine)
    assert "resuming from the Go build cache an earlier, unfinished build kept" in retry.stdout


def test_in_ci_the_build_gets_only_the_time_the_provider_build_left(machine):
    executable(machine[0] / "fake-bin" / "go", FAKE_GO)
    fifty_minutes_ago = str(int(time.time()) - 50 * 60)
    completed = ensure(machine, CHAT_INFRA_CI_STARTED=fifty_minutes_ago, FAKE_GO="hang")
    assert completed.returncode == 0
    reason = "CI's 90-min budget has no time left for the tofu build after 50 min (the provider build)"
    assert reason in completed.stdout.splitlines()[0] and reason in status(machine)
    # 43.5 min in: 90 - 45 reserved for the tests - 43.5 leaves 90 s, under the configured 45 min
    earlier = str(int(time.time()) - 43 * 60 - 30)
    started = ensure(machine, CHAT_INFRA_CI_STARTED=earlier)
    assert "limit 1 min" in started.stdout and "out of tea" in status(machine)


def test_tofu_on_path_is_used_and_the_mirror_is_laid_out_for_its_registry_host(machine):
    tmp_path = machine[0]
    executable(tmp_path / "fake-bin" / "tofu", FAKE_TOFU)
    mirror = tmp_path / "mirror"
    terraform_build = executable(mirrored_provider(mirror, STANDIN_VERSION), "the stand-in build")
    for _ in range(2):  # the second run finds everything in place and changes nothing
        completed = ensure(machine)
        assert completed.returncode == 0, completed.stderr
        assert "tofu: on PATH" in completed.stdout and "nothing to build" in completed.stdout
        assert f"1 provider build(s) laid out for {TOFU_ADDRESS.split('/')[0]}" in completed.stdout
    platform = mirrored_provider(mirror, STANDIN_VERSION, TOFU_ADDRESS).parent
    assert platform.is_symlink() and platform.resolve() == terraform_build.parent.resolve()
    assert not platform.parent.is_symlink()  # tofu does not follow a symlinked host or version folder
    assert terraform_build.read_text() == "the stand-in build" and not terraform_build.parent.is_symlink()
    assert status(machine) is None


def test_a_tofu_that_names_no_registry_host_is_not_run(machine):
    executable(machine[0] / "fake-bin" / "tofu", FAKE_TOFU)
    completed = ensure(machine, FAKE_TOFU_SILENT="1")
    assert completed.returncode == 0
    assert "tofu: NOT RUN:" in completed.stdout and "named no registry host for hashicorp/aws" in status(machine)


def test_the_provider_script_reports_through_the_same_helpers(machine):
    """tools/ensure_provider.sh shares tools/bounded_build.sh: its NOT RUN line and status file."""
    tmp_path, env = machine
    completed = subprocess.run(
        [str(ROOT / "tools" / "ensure_provider.sh")], env=env, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    reason = "go is not on PATH; the stand-in provider is built from Go sources"
    assert completed.stdout.splitlines()[0] == f"provider build: NOT RUN: {reason}"
    assert (tmp_path / "mirror" / "build-status.txt").read_text().strip() == reason
