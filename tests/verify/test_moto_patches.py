"""The registry of moto patches (verify/moto_patches.py): a patch moto now supplies by itself
is reported, a probe that breaks is reported, and the server refuses a moto release other
than the pinned one, saying why, before it patches anything."""

from __future__ import annotations

import subprocess
import textwrap
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.conftest import ROOT
from verify import emulator
from verify.emulator import MOTO_PYTHON, EmulatorCannotStart, moto_server
from verify.moto_patches import (
    MotoPatch,
    MotoVersionMismatch,
    PatchRegistry,
    pinned_moto_version,
    probe_all,
    report_supplied,
    require_moto_version,
    start,
)

needs_moto = pytest.mark.skipif(
    not MOTO_PYTHON.exists(), reason=f"moto is not installed ({MOTO_PYTHON} missing; `make test` installs .venv-moto)"
)


class ClientError(Exception):
    """Named as botocore's: how an AWS-style refusal reaches a probe."""


def _refused() -> bool:
    raise ClientError("An error occurred (500) when calling the TagResource operation: not implemented")


def _broken() -> bool:
    raise KeyError("auth")


def _registry(**probes) -> PatchRegistry:
    registry = PatchRegistry()
    for name, probe in probes.items():
        registry.patch("sqs", name, probe)(lambda: None)
    return registry


def test_a_patch_moto_now_supplies_is_reported_and_the_others_are_not():
    registry = _registry(planted_supplied=lambda: True, needed=lambda: False, refused=_refused)
    problems = report_supplied(probe_all(registry.patches))
    assert problems == ["stale moto patch (moto now supplies it by itself): sqs: planted_supplied: remove the patch"]


def test_a_probe_that_breaks_is_reported_not_taken_as_needed():
    (problem,) = report_supplied(probe_all(_registry(broken=_broken).patches))
    assert problem == "moto patch probe broke: sqs: broken: KeyError: 'auth'"


def test_a_patch_without_a_probe_must_say_why():
    with pytest.raises(ValueError, match="a patch has a probe, or says why it has none"):
        MotoPatch("server", "one request at a time", lambda: None, probe=None)
    unprobed = MotoPatch("server", "one request at a time", lambda: None, probe=None, why_no_probe="moto's server")
    assert probe_all([unprobed]) == []


def test_the_pin_is_read_from_the_moto_requirements():
    assert pinned_moto_version() == "5.2.5"
    require_moto_version("5.2.5")


def test_another_moto_version_is_refused_with_what_to_do(tmp_path):
    with pytest.raises(MotoVersionMismatch) as raised:
        require_moto_version("5.3.0")
    message = str(raised.value)
    assert "moto 5.3.0 is installed" in message and "written against moto 5.2.5" in message
    assert "moto-requirements.txt" in message and "--report-supplied" in message
    unpinned = tmp_path / "requirements.txt"
    unpinned.write_text("moto>=5\n")
    with pytest.raises(MotoVersionMismatch, match="no `moto==<version>` line"):
        require_moto_version("5.2.5", unpinned)


def test_the_server_entry_refuses_another_version_before_patching_anything(capsys):
    installed, served = [], []
    registry = PatchRegistry()
    registry.patch("sqs", "planted", lambda: False)(lambda: installed.append("sqs"))
    assert start(registry, "9.9.9", served.append, ["-p", "1"]) == 2
    assert installed == [] and served == []
    assert "cannot start: moto 9.9.9 is installed" in capsys.readouterr().err
    start(registry, "5.2.5", served.append, ["-p", "1"])
    assert installed == ["sqs"] and served == [["-p", "1"]]


@needs_moto
def test_a_wrong_moto_version_stops_the_emulator_with_the_reason(tmp_path, monkeypatch):
    planted = tmp_path / "moto_wrong_version.py"
    planted.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(ROOT / "verify")!r})
            import moto_patches
            sys.exit(moto_patches.start(moto_patches.PatchRegistry(), "9.9.9", print, sys.argv[1:]))
            """
        )
    )
    monkeypatch.setattr(emulator, "MOTO_EXTENSIONS", planted)
    with pytest.raises(EmulatorCannotStart) as raised:
        with moto_server("123456789012", tmp_path / "moto.log"):
            pass
    assert "exited with status 2" in str(raised.value)
    assert "moto 9.9.9 is installed, but the patches in verify/" in str(raised.value)


def _run_extensions(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(MOTO_PYTHON), str(emulator.MOTO_EXTENSIONS), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
    )


@needs_moto
def test_no_patch_is_one_the_pinned_moto_supplies_by_itself():
    completed = _run_extensions("--report-supplied")
    assert completed.returncode == 0, completed.stderr
    assert "SUPPLIED BY MOTO" not in completed.stdout
    services = {line.split()[0] for line in completed.stdout.splitlines()}
    assert {"elasticache", "rds", "kafka", "docdb", "ec2", "apigatewayv2", "server"} <= services


@needs_moto
def test_every_probe_sees_the_behaviour_its_own_patch_supplies():
    # Without this a probe that can never succeed would call every patch needed for ever.
    completed = _run_extensions("--probe-patched")
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert not [line for line in lines if " needed " in line], completed.stdout
    assert sum("SUPPLIED BY MOTO" in line for line in lines) == len(lines) - 2  # but the 2 server patches


def _create_role(endpoint: str, name: str, invocation: str, attempt: int) -> tuple[int, bytes]:
    """CreateRole as the Go SDK sends it: every attempt of one call carries the same invocation
    id and counts itself (moto checks no signature, the Authorization header names the service)."""
    policy = '{"Version":"2012-10-17","Statement":[]}'
    form = urllib.parse.urlencode(
        {"Action": "CreateRole", "Version": "2010-05-08", "RoleName": name, "AssumeRolePolicyDocument": policy}
    )
    request = urllib.request.Request(
        endpoint,
        data=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, "
            "SignedHeaders=host, Signature=0",
            "amz-sdk-invocation-id": invocation,
            "amz-sdk-request": f"attempt={attempt}; max=3",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


@needs_moto
def test_a_retried_call_gets_its_first_answer_and_a_new_call_with_the_same_name_is_refused(tmp_path):
    with moto_server("123456789012", tmp_path / "moto.log") as endpoint:
        first = _create_role(endpoint, "retried", "call-1", attempt=1)
        retry = _create_role(endpoint, "retried", "call-1", attempt=2)
        # The same call sent afresh is a new create, which AWS refuses as moto does.
        again = _create_role(endpoint, "retried", "call-2", attempt=1)
        # A first attempt that reuses an id (no SDK does) is run, not answered from memory.
        reused = _create_role(endpoint, "retried", "call-1", attempt=1)
    assert first[0] == 200 and b"<RoleName>retried</RoleName>" in first[1]
    assert retry == first
    assert again[0] == 409 and b"EntityAlreadyExists" in again[1]
    assert reused[0] == 409
    assert "retry of invocation call-1 answered with its first attempt's 200" in (tmp_path / "moto.log").read_text()
