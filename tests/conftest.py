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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import bindings

bindings.install()

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
    from cdktf import App, TerraformStack
    from cdktf_cdktf_provider_aws.provider import AwsProvider

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
