"""Normalized diff of two synthesis outputs: what a refactor changed in the JSON Terraform reads.

    python tools/synth_diff.py BEFORE_DIR AFTER_DIR [--allow-dedup] [--across-toolchains]

Each directory holds ``stacks/<stack>/cdk.tf.json`` (``main.py --outdir DIR``). Keys are sorted
and the cdktf metadata leaves that name the toolchain version are dropped, so the diff shows only
what Terraform would see. With ``--allow-dedup`` several identical data sources of one type
(e.g. fifteen ``aws_caller_identity`` lookups) count as one: every reference to any of them is
rewritten to a single canonical name before comparing, so removing the duplicates is not a
difference but any other change is. With ``--across-toolchains`` (BEFORE from cdktf, AFTER from
cdktn, or the reverse) the AWS provider's version constraint is dropped too: each toolchain pins
the hashicorp/aws its bindings were generated from (bindings.TOOLCHAINS), so that leaf differs by
design; tests/test_toolchains.py checks it against the toolchain instead.
Exit 0: equal; 1: different (the diff is printed); 2: bad input.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path
from typing import Any

# Leaves that change with the toolchain (cdktf vs cdktn version) rather than with the stack.
VERSION_LEAVES = (("//", "metadata", "version"),)
# The provider pin: the same within a toolchain, different between toolchains.
PROVIDER_PIN_LEAF = ("terraform", "required_providers", "aws", "version")
# Lookups whose duplicates a refactor may fold into one. The caller's account is the same through
# every provider alias, so for it the provider does not make two lookups different.
LOOKUP_TYPES = {"aws_caller_identity": {"//", "provider"}, "aws_partition": {"//"}, "aws_region": {"//"}}


def _drop_leaves(document: dict[str, Any], paths: tuple[tuple[str, ...], ...]) -> None:
    for path in paths:
        node: Any = document
        for key in path[:-1]:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(path[-1], None)


def _dedup_data_sources(document: dict[str, Any]) -> dict[str, Any]:
    """Rename identical data sources of one type to one canonical name, references included."""
    renames: dict[str, str] = {}
    data = document.get("data", {})
    for data_type, blocks in data.items():
        if data_type not in LOOKUP_TYPES:
            continue
        by_body: dict[str, str] = {}
        for name, body in sorted(blocks.items()):
            key = json.dumps({k: v for k, v in body.items() if k not in LOOKUP_TYPES[data_type]}, sort_keys=True)
            canonical = by_body.setdefault(key, name)
            if canonical != name:
                renames[f"data.{data_type}.{name}"] = f"data.{data_type}.{canonical}"
    rewritten = document
    if renames:
        longest_first = sorted(renames, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(old) + r"(?=[.\s}\]])" for old in longest_first))
        rewritten = json.loads(pattern.sub(lambda match: renames[match.group(0)], json.dumps(document)))
    for old in renames:
        _, data_type, name = old.split(".", 2)
        rewritten["data"][data_type].pop(name, None)
    # Canonical names differ between before and after (which duplicate survived): name them by type.
    for data_type, blocks in rewritten.get("data", {}).items():
        if data_type in LOOKUP_TYPES and len(blocks) == 1:
            (name,) = blocks
            text = json.dumps(rewritten).replace(f"data.{data_type}.{name}", f"data.{data_type}.ONE")
            rewritten = json.loads(text)
            body = {k: v for k, v in rewritten["data"][data_type][name].items() if k not in LOOKUP_TYPES[data_type]}
            rewritten["data"][data_type] = {"ONE": body}
    return rewritten


def normalized(path: Path, allow_dedup: bool, across_toolchains: bool = False) -> list[str]:
    document = json.loads(path.read_text())
    _drop_leaves(document, VERSION_LEAVES + ((PROVIDER_PIN_LEAF,) if across_toolchains else ()))
    if allow_dedup:
        document = _dedup_data_sources(document)
    return json.dumps(document, indent=1, sort_keys=True).splitlines()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--allow-dedup", action="store_true")
    parser.add_argument("--across-toolchains", action="store_true", help="ignore the AWS provider's version pin")
    args = parser.parse_args(argv)
    stacks = {}
    for side in (args.before, args.after):
        found = {p.parent.name for p in side.glob("stacks/*/cdk.tf.json")}
        if not found:
            print(f"error: {side}: no stacks/<stack>/cdk.tf.json here", file=sys.stderr)
            return 2
        stacks[side] = found
    different = 0
    for stack in sorted(stacks[args.before] | stacks[args.after]):
        if stack not in stacks[args.before] or stack not in stacks[args.after]:
            print(f"{stack}: only in {'after' if stack in stacks[args.after] else 'before'}")
            different += 1
            continue
        before, after = (
            normalized(side / "stacks" / stack / "cdk.tf.json", args.allow_dedup, args.across_toolchains)
            for side in (args.before, args.after)
        )
        diff = list(difflib.unified_diff(before, after, f"before/{stack}", f"after/{stack}", lineterm="", n=2))
        print(f"{stack}: {'equal' if not diff else f'{len(diff)} diff lines'}")
        if diff:
            different += 1
            print("\n".join(diff[:400]))
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
