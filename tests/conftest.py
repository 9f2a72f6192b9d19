"""Shared fixtures.

The provider bindings are registered lazily before any test imports them
(bindings.install()), so only the submodules the stacks use are loaded. Synthesis still
starts jsii's node process and loads the provider's assembly (a few seconds), so each
environment is synthesized once per session (`synthesized`), and module tests build
small scratch stacks in the same process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import bindings

bindings.install()
bindings.limit_jsii_node_memory()

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS_DIR = ROOT / "environments"
# Example stacks: environment files for the variants the shipped environments do not
# take. Tests synthesize them beside the environments, so the gate, the equivalence
# check and the provider tier cover them too.
EXAMPLES_DIR = ROOT / "examples"

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


class Synthesized:
    """A synthesized stack's JSON with small lookup helpers."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return self.document.get("resource", {}).get(resource_type, {})

    def data(self, data_type: str) -> dict[str, dict[str, Any]]:
        return self.document.get("data", {}).get(data_type, {})

    def by_reference(self, reference: str) -> dict[str, Any]:
        """The block a "${type.name.attr}" reference points at."""
        resource_type, name = reference.removeprefix("${").split(".")[:2]
        return self.resources(resource_type)[name]

    def data_by_reference(self, reference: str) -> dict[str, Any]:
        """The data block a "${data.type.name.attr}" reference points at."""
        _, data_type, name = reference.removeprefix("${").split(".")[:3]
        return self.data(data_type)[name]

    def reference(self, resource_type: str, name: str, attribute: str = "id") -> str:
        return f"${{{resource_type}.{name}.{attribute}}}"


@pytest.fixture(scope="session")
def environment_configs():
    from envconfig import load_environments

    return {config.name: config for config in load_environments(ENVIRONMENTS_DIR)}


@pytest.fixture(scope="session")
def example_configs():
    from envconfig import load_environments

    return {config.name: config for config in load_environments(EXAMPLES_DIR)}


@pytest.fixture(scope="session")
def stack_configs(environment_configs, example_configs):
    """Every stack the tests synthesize: the environments and the examples."""
    overlap = set(environment_configs) & set(example_configs)
    assert not overlap, f"an example may not share an environment's name: {overlap}"
    return {**environment_configs, **example_configs}


@pytest.fixture(scope="session")
def synth_outdir(tmp_path_factory, stack_configs) -> Path:
    """All environments and examples, synthesized once for the whole session."""
    from stacks import build_app

    outdir = tmp_path_factory.mktemp("cdktf.out")
    build_app(stack_configs.values(), outdir=str(outdir)).synth()
    return outdir


@pytest.fixture(scope="session")
def synthesized(synth_outdir, environment_configs) -> dict[str, Synthesized]:
    return {
        name: Synthesized(json.loads((synth_outdir / "stacks" / config.stack_name / "cdk.tf.json").read_text()))
        for name, config in environment_configs.items()
    }


@pytest.fixture(scope="session")
def synth_scratch() -> Callable[..., Synthesized]:
    """Synthesize what `build(stack)` adds to a fresh stack with an AWS provider."""
    from bindings.aws.provider import AwsProvider

    from bindings.cdk import App, TerraformStack

    def synth(build: Callable[[Any], Any], outdir: Path | None = None) -> Synthesized:
        import tempfile

        directory = outdir or Path(tempfile.mkdtemp(prefix="scratch-"))
        app = App(outdir=str(directory))
        stack = TerraformStack(app, "scratch")
        AwsProvider(stack, "aws", region="eu-west-1")
        build(stack)
        app.synth()
        return Synthesized(json.loads((directory / "stacks" / "scratch" / "cdk.tf.json").read_text()))

    return synth


# -- every stack synthesized once more in a background process ------------------------------
#
# For the equivalence check (tests/test_bindings.py: the shipped eager import, ~20 s) and the
# toolchain comparison (tests/test_toolchains.py: the other toolchain's Python). Each runs as
# one extra process per session, started as soon as collection shows a test needs it; it
# runs on the second core while the rest of the suite runs, and the test waits for it.

BACKGROUND_SYNTH_SCRIPT = """
import json, sys
import main
for directory, outdir in json.loads(sys.argv[1]):
    if main.main(["--environments-dir", directory, "--outdir", outdir]) != 0:
        sys.exit(3)
import importlib.metadata, bindings
package = sys.modules[bindings.PROVIDER_PACKAGE]
print(json.dumps({
    "toolchain": bindings.TOOLCHAIN.name,
    "cdk_version": importlib.metadata.version(bindings.CDK_PACKAGE),
    "lazy": getattr(package, "__chat_infra_lazy__", False),
    "submodules": sum(1 for m in sys.modules if m.startswith(bindings.PROVIDER_PACKAGE + ".") and m.count(".") == 1),
}))
"""
BACKGROUND_SYNTH_TIMEOUT_SECONDS = 600


class BackgroundSynthesis:
    """`main.py` over every stack source, in another process: `python` with `environment` added."""

    def __init__(self, python: str, environment: dict[str, str]) -> None:
        self.outdir = Path(tempfile.mkdtemp(prefix="background-cdktf.out-"))
        # Nested folders that do not exist yet: main.py must create them (a user's --outdir).
        self.sources = [(str(ENVIRONMENTS_DIR), str(self.outdir / "environments" / "cdktf.out"))]
        self.sources.append((str(EXAMPLES_DIR), str(self.outdir / "examples" / "cdktf.out")))
        env = {**os.environ, **environment, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [python, "-c", BACKGROUND_SYNTH_SCRIPT, json.dumps(self.sources)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def result(self) -> tuple[int, str, str]:
        stdout, stderr = self.process.communicate(timeout=BACKGROUND_SYNTH_TIMEOUT_SECONDS)
        return self.process.returncode, stdout, stderr

    def stack_file(self, stack_name: str) -> Path:
        (found,) = [f for _, d in self.sources if (f := Path(d) / "stacks" / stack_name / "cdk.tf.json").is_file()]
        return found

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.outdir, ignore_errors=True)


# The toolchain the comparison synthesizes with, and the Python that has it (make test creates both).
OTHER_TOOLCHAIN = "cdktn"
OTHER_TOOLCHAIN_PYTHON = ROOT / ".venv-cdktn" / "bin" / "python"


def _why_no_background(fixture: str) -> str | None:
    """Why the background process a fixture stands for is not started here, or None."""
    if fixture == "eager_synthesis" and bindings.already_lazy(bindings.PROVIDER_PACKAGE):
        return f"{bindings.PROVIDER_PACKAGE} is lazy by itself: no seam whose output to compare with the eager import"
    if fixture == "other_toolchain_synthesis":
        if bindings.TOOLCHAIN.name == OTHER_TOOLCHAIN:
            return f"this run is the {OTHER_TOOLCHAIN} one: the {bindings.DEFAULT_TOOLCHAIN} run compares both"
        if not OTHER_TOOLCHAIN_PYTHON.is_file():
            return f"{OTHER_TOOLCHAIN_PYTHON.relative_to(ROOT)} is missing: make .venv-cdktn/.installed (in make test)"
    return None


def _start_background(fixture: str) -> BackgroundSynthesis:
    if fixture == "eager_synthesis":
        return BackgroundSynthesis(sys.executable, {bindings.EAGER_ENV: "1"})
    return BackgroundSynthesis(str(OTHER_TOOLCHAIN_PYTHON), {bindings.TOOLCHAIN_ENV: OTHER_TOOLCHAIN})


_BACKGROUND_KEY = pytest.StashKey[dict[str, BackgroundSynthesis]]()


def pytest_collection_finish(session):
    _start_first_deploy(session)
    wanted = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    session.config.stash[_BACKGROUND_KEY] = {
        fixture: _start_background(fixture)
        for fixture in ("eager_synthesis", "other_toolchain_synthesis")
        if fixture in wanted and _why_no_background(fixture) is None
    }


def pytest_sessionfinish(session):
    for background in session.config.stash.get(_BACKGROUND_KEY, {}).values():
        background.close()


def _background(request, fixture: str) -> BackgroundSynthesis:
    reason = _why_no_background(fixture)
    if reason:
        pytest.skip(reason)
    return request.config.stash[_BACKGROUND_KEY][fixture]


@pytest.fixture(scope="session")
def eager_synthesis(request) -> BackgroundSynthesis:
    """Every stack with the seam turned off (the shipped eager import)."""
    return _background(request, "eager_synthesis")


@pytest.fixture(scope="session")
def other_toolchain_synthesis(request) -> BackgroundSynthesis:
    """Every stack synthesized by the other toolchain (CDK Terrain, in .venv-cdktn)."""
    return _background(request, "other_toolchain_synthesis")


# -- the provider-backed tier in the test summary ----------------------------------------

TIER_KEY = pytest.StashKey[str]()
TOFU_TIER_KEY = pytest.StashKey[str]()
# OpenTofu beside Terraform: validate and the first plan of every stack, no apply. Measured on
# the 2-core machine (README.md, Provider-backed tier): the apply and re-plan are most of the
# tier's time, and terraform's run already proves the stacks apply to moto.
TOFU_APPLIES = False


def _run_tier_once(request, tmp_path_factory, key, engine_name: str, apply: bool):
    """The tier with one engine over every synthesized stack, its outcome stashed for the summary.
    Skips, with the reason (NOT RUN) in the test summary, where the engine, moto or a provider
    build is missing; that is decided before anything is synthesized."""
    from verify.engine import find_engine
    from verify.provider import choose_provider, mirror_dir
    from verify.run import DEFAULT_CHECKOV, render_results, run_tier, unavailable_reasons

    reasons = unavailable_reasons(mirror_dir(), engine_name=engine_name)
    if reasons:
        request.config.stash[key] = "NOT RUN: " + "; ".join(reasons)
        pytest.skip(f"provider-backed tier ({engine_name}) NOT RUN: " + "; ".join(reasons))
    from gate.run import find_stacks

    synth_outdir, stack_configs = request.getfixturevalue("synth_outdir"), request.getfixturevalue("stack_configs")
    stacks = find_stacks(synth_outdir / "stacks")
    assert sorted(stacks) == sorted(c.stack_name for c in stack_configs.values())
    engine = find_engine(engine_name)
    choice = choose_provider(mirror_dir(), address=engine.provider_address)
    work = tmp_path_factory.mktemp(f"verify-{engine_name}")
    run = run_tier(stacks, work, work / "plan-report", choice, DEFAULT_CHECKOV, engine, apply)
    request.config.stash[key] = (
        (f"RAN with {engine.label} against {choice.label}: {len(stacks)} stacks, " + ("passed" if run.ok else "FAILED"))
        + "\n"
        + render_results(run)
    )
    return run


@pytest.fixture(scope="session")
def tier(request, tmp_path_factory):
    """The provider-backed tier with terraform, run once per session (tests/verify judges it;
    tests/review reviews its plans)."""
    return _run_tier_once(request, tmp_path_factory, TIER_KEY, "terraform", apply=True)


@pytest.fixture(scope="session")
def tofu_tier(request, tmp_path_factory):
    """The same tier with OpenTofu: validate and plan (TOFU_APPLIES says why no apply)."""
    return _run_tier_once(request, tmp_path_factory, TOFU_TIER_KEY, "tofu", apply=TOFU_APPLIES)


# The day-one scenario (tests/verify/test_first_deploy.py): its report, or why it did not run.
# Here, beside the summary that reads it: a key defined in a test module imported under
# another name would be another key, and the summary would miss the report.
FIRST_DEPLOY_KEY = pytest.StashKey[str]()


_FIRST_DEPLOY_RUN_KEY = pytest.StashKey["FirstDeployRun"]()


def _why_no_first_deploy() -> str | None:
    from verify.provider import mirror_dir
    from verify.run import unavailable_reasons

    reasons = unavailable_reasons(mirror_dir())
    return "; ".join(reasons) if reasons else None


class FirstDeployRun:
    """Day one and day two (verify/first_deploy.py, scenarios/day_two.py) in a thread of their own, started when the
    session's tests are collected: they wait on the provider and moto, as the tier does, so
    the two run side by side instead of one after the other (README.md: Tests)."""

    def __init__(self, work: Path) -> None:
        self.result: object = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name="first-deploy")
        self._thread.start()

    def _run(self, work: Path) -> None:
        from scenarios.day_two import after_day_one
        from verify.first_deploy import DEFAULT_ENVIRONMENT, run_first_deploy
        from verify.provider import choose_provider, mirror_dir

        try:
            self.result = run_first_deploy(DEFAULT_ENVIRONMENT, work, choose_provider(mirror_dir()), then=after_day_one)
        except BaseException as error:  # re-raised in the test that asks for the result
            self.error = error

    def wait(self) -> object:
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.result


def _start_first_deploy(session) -> None:
    wanted = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    if "first_deploy" in wanted and _why_no_first_deploy() is None:
        work = session.config._tmp_path_factory.mktemp("first-deploy")
        session.config.stash[_FIRST_DEPLOY_RUN_KEY] = FirstDeployRun(work)


@pytest.fixture(scope="session")
def first_deploy(request):
    """verify/first_deploy.py against moto, once per session (started at collection, in its own
    thread); skipped with the reason (and NOT RUN in the summary) where terraform, moto or a
    provider build is missing."""
    from verify.first_deploy import render

    reason = _why_no_first_deploy()
    if reason:
        request.config.stash[FIRST_DEPLOY_KEY] = "NOT RUN: " + reason
        pytest.skip("first deploy NOT RUN: " + reason)
    result = request.config.stash[_FIRST_DEPLOY_RUN_KEY].wait()
    request.config.stash[FIRST_DEPLOY_KEY] = render(result)
    return result


def pytest_terminal_summary(terminalreporter, config):
    """Say what the provider-backed tier did: which provider build validated the stacks."""
    outcome = config.stash.get(TIER_KEY, None)
    if outcome is None:
        outcome = "NOT RUN: no provider-marked test was selected"
    terminalreporter.section("provider-backed tier (terraform validate / plan / apply to moto / re-plan)")
    for line in outcome.splitlines():
        terminalreporter.write_line(line)
    steps = "validate / plan / apply to moto / re-plan" if TOFU_APPLIES else "validate / plan"
    tofu_outcome = config.stash.get(TOFU_TIER_KEY, "NOT RUN: no tofu-tier test was selected")
    terminalreporter.section(f"provider-backed tier, OpenTofu ({steps})")
    for line in tofu_outcome.splitlines():
        terminalreporter.write_line(line)
    first_deploy = config.stash.get(FIRST_DEPLOY_KEY, "NOT RUN: no first-deploy test was selected")
    terminalreporter.section(
        "day one and day two: bootstrap state, first deploy, lock, second runner, release, shifts, restore"
    )
    for line in first_deploy.splitlines():
        terminalreporter.write_line(line)
