"""Provider-bound checks of the HCL renderer: the checked-in schema is what the provider build
says, and terraform plans the same changes from the HCL as from the JSON (against moto).
Skipped, with the reason, where terraform, moto or a provider build is missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hcl_render.render import ProviderSchema, render_document
from hcl_render.schema import current_trimmed_schema, load_schema, used_types
from verify.emulator import endpoint_override, moto_server, provider_aliases, seed_lookups
from verify.provider import choose_provider, mirror_dir, missing_provider_reason
from verify.run import pinned_account, tier_terraform_env, unavailable_reasons

# The stacks planned from both forms: dev (WAF, dashboards, task definitions, aliases) and the
# Redis Cluster example (locals, an ephemeral resource, `$${` escapes in its scripts). Another
# list with CHAT_INFRA_HCL_PLAN_STACKS="<stack> ..."; each stack costs ~1 min per form.
PLANNED_STACKS = tuple(os.environ.get("CHAT_INFRA_HCL_PLAN_STACKS", "chat-dev chat-redis-cluster").split())
PLAN_TIMEOUT_SECONDS = 900


def stack_documents(synth_outdir: Path) -> dict[str, dict[str, Any]]:
    return {p.parent.name: json.loads(p.read_text()) for p in sorted((synth_outdir / "stacks").glob("*/cdk.tf.json"))}


@pytest.mark.provider
def test_checked_in_schema_is_what_the_provider_build_says(synth_outdir):
    if not shutil.which("terraform"):
        pytest.skip("schema check NOT RUN: terraform is not on PATH")
    if choose_provider(mirror_dir()) is None:
        pytest.skip("schema check NOT RUN: " + missing_provider_reason(mirror_dir()))
    types = used_types(stack_documents(synth_outdir).values())
    checked_in = load_schema()
    current = current_trimmed_schema(types)
    assert checked_in == current, (
        f"hcl_render/provider-schema.json (hashicorp/aws {checked_in.get('provider_version')}) differs from "
        f"hashicorp/aws {current['provider_version']} for the types the stacks use: regenerate it with "
        "`python -m hcl_render.schema` after `make synth` and the examples' synthesis"
    )


def _terraform(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    completed = subprocess.run(
        ["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=PLAN_TIMEOUT_SECONDS
    )
    assert completed.returncode == 0, f"terraform {args[0]} in {cwd}:\n{(completed.stderr or completed.stdout)[-4000:]}"
    return completed.stdout


def planned_changes(plan: dict[str, Any]) -> dict[str, Any]:
    """What a plan would do: per resource address its actions and planned values, and the outputs."""
    return {
        "resources": {
            c["address"]: {
                "actions": c["change"]["actions"],
                "after": c["change"].get("after"),
                "after_unknown": c["change"].get("after_unknown"),
                "after_sensitive": c["change"].get("after_sensitive"),
            }
            for c in plan.get("resource_changes", [])
        },
        "outputs": {name: change.get("after") for name, change in plan.get("output_changes", {}).items()},
    }


@pytest.fixture(scope="module")
def plans(synth_outdir, tmp_path_factory) -> dict[str, dict[str, dict[str, Any]]]:
    """Per stack, the plan from the JSON form and from the rendered HCL (separate folders, one moto)."""
    reasons = unavailable_reasons(mirror_dir())
    if reasons:
        pytest.skip("HCL plan comparison NOT RUN: " + "; ".join(reasons))
    choice = choose_provider(mirror_dir())
    assert choice is not None
    documents = stack_documents(synth_outdir)
    schema = ProviderSchema()
    work = tmp_path_factory.mktemp("hcl-plan")
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for name in PLANNED_STACKS:
        document = documents[name]
        # As the tier does: only the work copy's version pin changes when the build is the stand-in.
        document["terraform"]["required_providers"]["aws"]["version"] = choice.version
        folders = {"json": (work / name / "json").resolve(), "hcl": (work / name / "hcl").resolve()}
        for folder in folders.values():
            folder.mkdir(parents=True)
        (folders["json"] / "cdk.tf.json").write_text(json.dumps(document, indent=2))
        for file_name, text in render_document(document, schema, name).items():
            (folders["hcl"] / file_name).write_text(text)
        with moto_server(pinned_account(document) or "123456789012", work / name / "moto.log") as endpoint:
            seed_lookups(document, endpoint)
            override = json.dumps(endpoint_override(endpoint, provider_aliases(document)), indent=2)
            found[name] = {}
            for form, folder in folders.items():
                (folder / "verify_override.tf.json").write_text(override)
                env = tier_terraform_env(choice, folder)
                _terraform(["init", "-input=false", "-no-color"], folder, env)
                _terraform(["plan", "-input=false", "-lock=false", "-no-color", "-out=plan.bin"], folder, env)
                found[name][form] = json.loads(_terraform(["show", "-json", "plan.bin"], folder, env))
    return found


@pytest.mark.provider
@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_the_hcl_plans_exactly_what_the_json_plans(plans, stack, synth_outdir):
    from_json, from_hcl = (planned_changes(plans[stack][form]) for form in ("json", "hcl"))
    declared = sum(len(b) for b in stack_documents(synth_outdir)[stack]["resource"].values())
    creates = [a for a, c in from_json["resources"].items() if c["actions"] == ["create"]]
    assert len(creates) == declared  # the comparison is over the whole stack, not an empty plan
    assert sorted(from_hcl["resources"]) == sorted(from_json["resources"])
    differing = [a for a in from_json["resources"] if from_json["resources"][a] != from_hcl["resources"][a]]
    assert differing == [], f"{len(differing)} resources plan differently from the HCL: {differing[:10]}"
    assert from_hcl["outputs"] == from_json["outputs"]
