"""The registry of moto patches: each names the service and the AWS behaviour it supplies,
and carries a probe that asks unpatched moto whether it now supplies that behaviour itself.

The patches (moto_extensions.py, moto_msk_docdb.py, moto_ec2_instances.py) are written
against one moto release, the pin in tools/moto-requirements.txt. Before it patches
anything the server checks that this release is the one installed: a patch applied to
another release could replace code that has moved, so another version refuses to start
with a message saying how to get back in step. When the pin is raised, the probes tell
which patches the new release makes unnecessary, as the tier reports a listed emulator
gap that no longer occurs (verify/emulator.py): `python verify/moto_extensions.py --report-supplied`
prints them, and tests/verify/test_moto_patches.py fails on each.

Standard library only: it runs in .venv-moto (beside moto) and is read by the tests in
the project's environment (which has no moto).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

MOTO_REQUIREMENTS = Path(__file__).resolve().parent.parent / "tools" / "moto-requirements.txt"
# What "moto supplies it" may look like when it does not: moto answers an API it lacks with
# NotImplementedError (500), and botocore raises a ClientError for that and for 404s.
_NOT_SUPPLIED_ERRORS = ("ClientError", "NotImplementedError", "ParamValidationError")


class MotoVersionMismatch(Exception):
    pass


@dataclass(frozen=True)
class MotoPatch:
    """One patch: the service it touches, the AWS behaviour it supplies, how to apply it,
    and a probe run on unpatched moto that is true once moto behaves so by itself
    (None where the patch is about moto's server, not an AWS behaviour; `why_no_probe` says so)."""

    service: str
    supplies: str
    install: Callable[[], None]
    probe: Callable[[], bool] | None
    why_no_probe: str = ""

    def __post_init__(self) -> None:
        if (self.probe is None) == (not self.why_no_probe):
            raise ValueError(f"{self.service}: {self.supplies}: a patch has a probe, or says why it has none")

    @property
    def key(self) -> str:
        return f"{self.service}: {self.supplies}"


class PatchRegistry:
    """The patches in the order they are installed (the order the files apply them in)."""

    def __init__(self) -> None:
        self.patches: list[MotoPatch] = []

    def patch(
        self, service: str, supplies: str, probe: Callable[[], bool] | None, why_no_probe: str = ""
    ) -> Callable[[Callable[[], None]], Callable[[], None]]:
        """Decorates a patch's install function, registering it with what it supplies."""

        def register(install: Callable[[], None]) -> Callable[[], None]:
            self.patches.append(MotoPatch(service, supplies, install, probe, why_no_probe))
            return install

        return register

    def by_service(self) -> dict[str, list[MotoPatch]]:
        grouped: dict[str, list[MotoPatch]] = {}
        for patch in self.patches:
            grouped.setdefault(patch.service, []).append(patch)
        return grouped

    def install_all(self) -> None:
        for patch in self.patches:
            patch.install()


REGISTRY = PatchRegistry()


def pinned_moto_version(requirements: Path = MOTO_REQUIREMENTS) -> str:
    """The moto release the patches are written against: the `moto==X` line of the requirements."""
    found = re.search(r"^moto==(\S+)\s*$", requirements.read_text(), re.MULTILINE)
    if not found:
        raise MotoVersionMismatch(f"{requirements}: no `moto==<version>` line; the patches need one pinned release")
    return found.group(1)


def require_moto_version(installed: str, requirements: Path = MOTO_REQUIREMENTS) -> None:
    """Raises, saying what to do, unless the installed moto is the pinned one."""
    pinned = pinned_moto_version(requirements)
    if installed != pinned:
        raise MotoVersionMismatch(
            f"moto {installed} is installed, but the patches in verify/ (moto_extensions.py, moto_msk_docdb.py, "
            f"moto_ec2_instances.py) are written against moto {pinned} ({requirements.name}). Reinstall "
            f"the pinned release (rm .venv-moto/.installed && make .venv-moto/.installed), or, to move to "
            f"{installed}, change the pin and run `python verify/moto_extensions.py --report-supplied` to see "
            "which patches it makes unnecessary."
        )


@dataclass(frozen=True)
class ProbeResult:
    patch: MotoPatch
    supplied: bool
    error: str = ""  # the probe itself broke (not an AWS-style refusal): a problem to fix


def probe_all(patches: Iterable[MotoPatch]) -> list[ProbeResult]:
    """Runs each probe on unpatched moto. An AWS-style refusal (an error response, an API
    moto lacks) means "not supplied"; any other exception is the probe's own fault and reported."""
    results = []
    for patch in patches:
        if patch.probe is None:
            continue
        try:
            results.append(ProbeResult(patch, bool(patch.probe())))
        except Exception as error:  # noqa: BLE001 - sorted into refusal or broken probe below
            if type(error).__name__ in _NOT_SUPPLIED_ERRORS:
                results.append(ProbeResult(patch, False))
            else:
                results.append(ProbeResult(patch, False, f"{type(error).__name__}: {error}"))
    return results


def report_supplied(results: list[ProbeResult]) -> list[str]:
    """One problem per patch moto now makes unnecessary, and per probe that broke."""
    problems = [
        f"stale moto patch (moto now supplies it by itself): {r.patch.key}: remove the patch"
        for r in results
        if r.supplied
    ]
    problems += [f"moto patch probe broke: {r.patch.key}: {r.error}" for r in results if r.error]
    return problems


def start(
    registry: PatchRegistry, installed_version: str, serve: Callable[[list[str]], object], argv: list[str]
) -> object:
    """The patched server's entry point (its result is the process's exit status): the
    version check, then `--report-supplied` (the probes, on unpatched moto) or every patch
    installed and moto's server started with `argv`."""
    try:
        require_moto_version(installed_version)
    except MotoVersionMismatch as error:
        print(f"moto_extensions: cannot start: {error}", file=sys.stderr)
        return 2
    if argv[:1] in (["--report-supplied"], ["--probe-patched"]):
        patched = argv[0] == "--probe-patched"
        if patched:  # the probes' own test: each must see the behaviour its patch supplies
            registry.install_all()
        results = probe_all(registry.patches)
        supplied = {id(r.patch) for r in results if r.supplied}
        for service, patches in registry.by_service().items():
            for patch in patches:
                state = "SUPPLIED BY MOTO" if id(patch) in supplied else "needed"
                print(f"{service:<24}{'not probed' if patch.probe is None else state:<18}{patch.supplies}")
        if patched:
            problems = [f"probe does not see its own patch: {r.patch.key}" for r in results if not r.supplied]
            problems += [f"moto patch probe broke: {r.patch.key}: {r.error}" for r in results if r.error]
        else:
            problems = report_supplied(results)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    registry.install_all()
    return serve(argv)


def aws_client(service: str, region: str = "eu-west-1"):
    """A boto3 client for a probe, inside `moto.mock_aws()` (moto in process, unpatched)."""
    import boto3  # only in .venv-moto, where the probes run

    return boto3.client(service, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")


def in_fresh_moto(probe: Callable[[], bool]) -> Callable[[], bool]:
    """Runs a probe against a fresh in-process moto, so no probe sees another's resources."""

    def run() -> bool:
        from moto import mock_aws

        with mock_aws():
            return probe()

    run.__name__ = probe.__name__
    return run
