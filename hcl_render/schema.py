"""The AWS provider's schema, trimmed to the types the stacks use: what the renderer reads.

`python -m hcl_render.schema` regenerates hcl_render/provider-schema.json from the
provider build the provider-backed tier uses (verify/provider.py: the pinned build, else
the stand-in; the same CLI configuration, so the machine's own 5.100.0 build is never
picked up): `terraform init` of a configuration that needs only hashicorp/aws, then
`terraform providers schema -json`, trimmed to the resource, data source and ephemeral
types named by the stacks in the given folders (default: cdktf.out/stacks and
cdktf.out/examples/stacks, so run `make synth` and the examples' synthesis first).

Trimming keeps, per block, only what decides how a key is written: its attribute names
and its nested block types (with their nesting mode), recursively; types, flags and
descriptions are dropped, and a large block that repeats is kept once (`shared_blocks`).
tests/hcl_render checks the copy against the current build (provider-marked).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).with_name("provider-schema.json")
PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"
DEFAULT_STACK_DIRS = (Path("cdktf.out/stacks"), Path("cdktf.out/examples/stacks"))
# The stack sections whose types have a provider schema, and where the schema keeps them.
SECTIONS = {"resource": "resource_schemas", "data": "data_source_schemas", "ephemeral": "ephemeral_resource_schemas"}


class SchemaCannotBeRead(Exception):
    pass


def used_types(documents: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """Per section (resource, data, ephemeral), the types the synthesized stacks declare."""
    found: dict[str, set[str]] = {section: set() for section in SECTIONS}
    for document in documents:
        for section in SECTIONS:
            found[section].update(document.get(section, {}))
    return {section: sorted(types) for section, types in found.items()}


def trim_block(block: dict[str, Any]) -> dict[str, Any]:
    """A block as the renderer reads it: attribute names, and nested block types with their nesting mode."""
    trimmed: dict[str, Any] = {"attributes": sorted(block.get("attributes", {}))}
    block_types = {
        name: {"nesting_mode": nested["nesting_mode"], "block": trim_block(nested.get("block", {}))}
        for name, nested in sorted(block.get("block_types", {}).items())
    }
    if block_types:
        trimmed["block_types"] = block_types
    return trimmed


class _SharedBlocks:
    """Large blocks that occur more than once (a WAF rule's statement repeats itself, nested
    several levels deep: 0.9 MB untrimmed) are kept once, under the path where they first
    occur, and referenced as {"$ref": path}."""

    def __init__(self) -> None:
        self.by_text: dict[str, str] = {}
        self.blocks: dict[str, dict[str, Any]] = {}

    def intern(self, block: dict[str, Any], path: str, share: bool = True) -> dict[str, Any]:
        if "block_types" in block:
            block = {
                **block,
                "block_types": {
                    name: {**nested, "block": self.intern(nested["block"], f"{path}.{name}")}
                    for name, nested in block["block_types"].items()
                },
            }
        text = json.dumps(block, sort_keys=True)
        if not share or len(text) < SHARED_BLOCK_MIN_CHARS:
            return block
        if text not in self.by_text:
            self.by_text[text] = path
            self.blocks[path] = block
        return {"$ref": self.by_text[text]}


SHARED_BLOCK_MIN_CHARS = 300


def trim(full: dict[str, Any], types: dict[str, list[str]], version: str) -> dict[str, Any]:
    """The trimmed copy: the provider's own configuration block and the used types only."""
    provider = full["provider_schemas"][PROVIDER_ADDRESS]
    shared = _SharedBlocks()
    trimmed: dict[str, Any] = {
        "provider": PROVIDER_ADDRESS,
        "provider_version": version,
        "provider_config": trim_block(provider["provider"]["block"]),
    }
    for section, key in SECTIONS.items():
        known = provider.get(key, {})
        missing = [t for t in types.get(section, []) if t not in known]
        if missing:
            raise SchemaCannotBeRead(f"hashicorp/aws {version} has no {section} type(s) {missing}")
        trimmed[key] = {
            t: shared.intern(trim_block(known[t]["block"]), f"{section}.{t}", share=False)
            for t in types.get(section, [])
        }
    trimmed["shared_blocks"] = shared.blocks
    return trimmed


def read_full_schema(work_dir: Path) -> tuple[dict[str, Any], str]:
    """`terraform providers schema -json` of the tier's provider build, and that build's version."""
    from verify.provider import choose_provider, cli_config, mirror_dir, missing_provider_reason

    choice = choose_provider(mirror_dir())
    if choice is None:
        raise SchemaCannotBeRead(missing_provider_reason(mirror_dir()))
    work_dir = work_dir.resolve()
    config = {"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": choice.version}}}}
    (work_dir / "main.tf.json").write_text(json.dumps(config))
    env = {
        **os.environ,
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        "TF_CLI_CONFIG_FILE": str(cli_config(choice, work_dir)),
    }
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    for args in (["init", "-input=false", "-no-color", "-backend=false"], ["providers", "schema", "-json"]):
        completed = subprocess.run(["terraform", *args], cwd=work_dir, env=env, capture_output=True, text=True)
        if completed.returncode != 0:
            raise SchemaCannotBeRead(
                f"terraform {' '.join(args)} failed:\n{(completed.stderr or completed.stdout)[-3000:]}"
            )
    return json.loads(completed.stdout), choice.version


def current_trimmed_schema(types: dict[str, list[str]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="provider-schema-") as work:
        full, version = read_full_schema(Path(work))
    return trim(full, types, version)


def stack_documents(stack_dirs: Iterable[Path]) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for d in stack_dirs for p in sorted(Path(d).glob("*/cdk.tf.json"))]


def write_schema(schema: dict[str, Any], path: Path = SCHEMA_FILE) -> None:
    path.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")


def load_schema(path: Path = SCHEMA_FILE) -> dict[str, Any]:
    return json.loads(path.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="regenerate the trimmed provider schema the HCL renderer reads")
    parser.add_argument("--stacks-dir", type=Path, action="append", help="repeatable; default: environments, examples")
    parser.add_argument("--out", type=Path, default=SCHEMA_FILE)
    args = parser.parse_args(argv)
    documents = stack_documents(args.stacks_dir or DEFAULT_STACK_DIRS)
    if not documents:
        print("schema: no synthesized stacks; run `make synth` (and the examples' synthesis) first", file=sys.stderr)
        return 2
    try:
        schema = current_trimmed_schema(used_types(documents))
    except SchemaCannotBeRead as error:
        print(f"schema: NOT WRITTEN: {error}", file=sys.stderr)
        return 2
    write_schema(schema, args.out)
    counts = ", ".join(f"{len(schema[key])} {section}" for section, key in SECTIONS.items())
    print(f"schema: hashicorp/aws {schema['provider_version']}: {counts} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
