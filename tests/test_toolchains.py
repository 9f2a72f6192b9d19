"""Both CDK toolchains (bindings.TOOLCHAINS) synthesize the same Terraform.

The cdktf run of the suite synthesizes every environment and example under CDK Terrain too
(.venv-cdktn, in a background process: tests/conftest.py) and requires the JSON to be equal
except the leaves that name the toolchain: the CDK version in the metadata and the AWS
provider's version pin, each of which must be its own toolchain's. `make test` then runs the
non-provider tests a second time under cdktn (Makefile).
"""

from __future__ import annotations

import copy
import importlib.metadata
import json

import bindings
from tools.synth_diff import normalized

CDK_VERSION_LEAF = ("//", "metadata", "version")
PROVIDER_PIN_LEAF = ("terraform", "required_providers", "aws", "version")


def leaf(document: dict, path: tuple[str, ...]):
    for key in path:
        document = document[key]
    return document


def test_every_stack_is_the_same_terraform_under_both_toolchains(
    synth_outdir, stack_configs, other_toolchain_synthesis
):
    returncode, stdout, stderr = other_toolchain_synthesis.result()
    assert returncode == 0, stderr[-3000:]
    other = json.loads(stdout.strip().splitlines()[-1])
    this = bindings.TOOLCHAIN
    other_toolchain = bindings.TOOLCHAINS[other["toolchain"]]
    assert other_toolchain != this

    compared = []
    for config in stack_configs.values():
        this_file = synth_outdir / "stacks" / config.stack_name / "cdk.tf.json"
        other_file = other_toolchain_synthesis.stack_file(config.stack_name)
        assert normalized(this_file, False, across_toolchains=True) == normalized(
            other_file, False, across_toolchains=True
        ), f"{config.stack_name}: python tools/synth_diff.py --across-toolchains shows the difference"
        # The leaves the comparison leaves out: each names its own toolchain.
        for path, side, toolchain, cdk_version in (
            (this_file, "this", this, importlib.metadata.version(this.cdk_package)),
            (other_file, "other", other_toolchain, other["cdk_version"]),
        ):
            document = json.loads(path.read_text())
            assert leaf(document, PROVIDER_PIN_LEAF) == toolchain.aws_provider_version, (config.stack_name, side)
            assert leaf(document, CDK_VERSION_LEAF) == cdk_version, (config.stack_name, side)
        compared.append(config.stack_name)
    assert len(compared) == len(stack_configs) >= 7


def test_the_comparison_ignores_only_the_toolchain_leaves(synth_outdir, tmp_path):
    """A planted change anywhere else is a difference; the two version leaves are not."""
    original = synth_outdir / "stacks" / "chat-dev" / "cdk.tf.json"
    document = json.loads(original.read_text())

    def normalized_variant(name: str, *changes: tuple[tuple[str, ...], object]) -> list[str]:
        variant = copy.deepcopy(document)
        for path, value in changes:
            _set(variant, path, value)
        written = tmp_path / f"{name}.json"
        written.write_text(json.dumps(variant))
        return normalized(written, False, across_toolchains=True)

    expected = normalized(original, False, across_toolchains=True)
    assert normalized_variant("versions", (PROVIDER_PIN_LEAF, "9.9.9"), (CDK_VERSION_LEAF, "9.9.9")) == expected
    assert normalized_variant("source", (("terraform", "required_providers", "aws", "source"), "x/aws")) != expected
    assert normalized_variant("region", (("provider", "aws", 0, "region"), "us-west-2")) != expected
    # Within one toolchain (no --across-toolchains) the pin is compared like any other leaf.
    pinned = tmp_path / "pinned.json"
    pinned.write_text(json.dumps(_set(copy.deepcopy(document), PROVIDER_PIN_LEAF, "9.9.9")))
    assert normalized(pinned, False) != normalized(original, False)


def _set(document: dict, path: tuple, value) -> dict:
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return document
