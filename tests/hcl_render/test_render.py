"""The HCL renderer over every synthesized stack: it renders, terraform fmt accepts it as
written, and python-hcl2 reads back the JSON's values (a decoder written here, not the
renderer's, undoes HCL's string escapes). Not provider-bound: fmt needs no provider."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest

from hcl_render.render import (
    ProviderSchema,
    RenderError,
    SchemaBlock,
    quoted_literal,
    quoted_template,
    render_document,
    render_stack,
)

SCHEMA = ProviderSchema()
TYPED_SECTIONS = ("resource", "data", "ephemeral")


@pytest.fixture(scope="module")
def stacks(synth_outdir) -> dict[str, dict[str, Any]]:
    found = {p.parent.name: json.loads(p.read_text()) for p in sorted((synth_outdir / "stacks").glob("*/cdk.tf.json"))}
    assert len(found) >= 7, sorted(found)  # three environments, four examples
    return found


@pytest.fixture(scope="module")
def rendered(synth_outdir, stacks, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hcl")
    for name in stacks:
        render_stack(synth_outdir / "stacks" / name / "cdk.tf.json", out / name, SCHEMA)
    return out


@functools.cache
def parsed(rendered: Path, stack: str) -> dict[str, list[Any]]:
    """Every top-level section of a rendered stack, as python-hcl2 reads it (lists of blocks)."""
    merged: dict[str, list[Any]] = {}
    for path in sorted((rendered / stack).glob("*.tf")):
        for section, blocks in hcl2.loads(path.read_text()).items():
            if section != "__comments__":
                merged.setdefault(section, []).extend(blocks if isinstance(blocks, list) else [blocks])
    return merged


# -- undoing HCL's syntax, independently of the renderer ----------------------------------------

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"'}


def decode_quoted(raw: str) -> str:
    """A quoted HCL template's source text as the JSON string that means the same: escapes undone in
    literal text, `${...}`/`%{...}` (and `$${`/`%%{`) kept as written."""
    assert raw[0] == raw[-1] == '"', raw
    body, out, i = raw[1:-1], [], 0
    while i < len(body):
        if body.startswith(("$${", "%%{"), i):
            out.append(body[i : i + 3])
            i += 3
        elif body.startswith(("${", "%{"), i):
            depth, j, in_string = 0, i + 2, False
            while True:
                char = body[j]
                if in_string:
                    if char == "\\":
                        j += 1
                    elif char == '"':
                        in_string = False
                elif char == '"':
                    in_string = True
                elif char == "{":
                    depth += 1
                elif char == "}":
                    if depth == 0:
                        break
                    depth -= 1
                j += 1
            out.append(body[i : j + 1])
            i = j + 1
        elif body[i] == "\\":
            code = body[i + 1]
            if code == "u":
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
            else:
                out.append(_ESCAPES[code])
                i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def spacing(text: str) -> str:
    """Whitespace inside a whole-value expression, which python-hcl2 re-spaces when it reads one back
    (`{ for ... }` -> `{for ...}`) and terraform fmt spaces differently from cdktf (`x): v` -> `x) : v`):
    the same expression either way. Literal text is compared as it is."""
    if text.startswith("${") and text.endswith("}"):
        return text.replace(") : ", "): ").replace("{ ", "{").replace(" }", "}")
    return text


def from_hcl(value: Any) -> Any:
    """python-hcl2's shapes as plain values: strings decoded, bare expressions as "${...}", blocks as lists."""
    if isinstance(value, dict):
        return {
            (decode_quoted(k) if k.startswith('"') else k): from_hcl(v)
            for k, v in value.items()
            if k not in ("__is_block__", "__comments__")
        }
    if isinstance(value, list):
        return [from_hcl(v) for v in value]
    if isinstance(value, str):
        return spacing(decode_quoted(value) if value.startswith('"') else value)
    return value


def from_json(value: Any, block: SchemaBlock | None = None) -> Any:
    """The JSON's values in the same shapes: blocks (by the schema) as lists of bodies, no `//`."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "//":
                continue
            if block is not None and key in block.block_types:
                inner = SCHEMA.block(block.block_types[key][1])
                items = item if isinstance(item, list) else [item]
                if items:  # no blocks at all is written as nothing
                    out[key] = [from_json(i, inner) for i in items]
            else:
                out[key] = from_json(item)
        return out
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, str):
        return spacing(value)
    return value


def typed_body_from_json(values: dict[str, Any], schema: SchemaBlock) -> dict[str, Any]:
    body = from_json({k: v for k, v in values.items() if k not in ("depends_on", "provider", "lifecycle")}, schema)
    if "provider" in values:
        body["provider"] = "${" + values["provider"] + "}"
    if "depends_on" in values:
        body["depends_on"] = ["${" + ref + "}" for ref in values["depends_on"]]
    if "lifecycle" in values:
        lifecycle = dict(values["lifecycle"])
        conditions = {k: lifecycle.pop(k) for k in ("precondition", "postcondition") if k in lifecycle}
        body["lifecycle"] = [from_json(lifecycle) | {k: from_json(v) for k, v in conditions.items()}]
    return body


def typed_blocks(hcl: dict[str, list[Any]], section: str) -> dict[tuple[str, str], Any]:
    found = {}
    for item in hcl.get(section, []):
        for type_name, named in item.items():
            for name, body in named.items():
                found[(decode_quoted(type_name), decode_quoted(name))] = body
    return found


# -- every stack --------------------------------------------------------------------------------


def test_every_environment_and_example_renders(stacks, rendered):
    for name, document in stacks.items():
        text = "\n".join(p.read_text() for p in sorted((rendered / name).glob("*.tf")))
        declared = sum(len(blocks) for blocks in document["resource"].values())
        assert text.count('\nresource "') == declared, name
        assert "cdktf" not in (rendered / name / "terraform.tf").read_text().split("\n", 2)[2]


@pytest.mark.skipif(not shutil.which("terraform"), reason="terraform is not on PATH: fmt -check NOT RUN")
def test_terraform_fmt_accepts_every_rendered_file_as_written(rendered, tmp_path):
    config = tmp_path / "terraformrc"
    config.write_text("")  # the machine's TF_CLI_CONFIG_FILE names a missing file (a warning per command)
    completed = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-list=true", str(rendered)],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CLI_CONFIG_FILE": str(config)},
    )
    assert completed.returncode == 0 and not completed.stdout.strip(), completed.stdout + completed.stderr
    assert len(list(rendered.glob("*/*.tf"))) >= 7 * 5


def test_every_block_reads_back_as_the_json_values(stacks, rendered):
    for name, document in stacks.items():
        hcl = parsed(rendered, name)
        for section in TYPED_SECTIONS:
            blocks = typed_blocks(hcl, section)
            expected = {(t, n): v for t, named in document.get(section, {}).items() for n, v in named.items()}
            assert sorted(blocks) == sorted(expected), f"{name} {section}"
            for (type_name, block_name), values in expected.items():
                schema = SCHEMA.of_type(section, type_name)
                got = from_hcl(blocks[(type_name, block_name)])
                for lifecycle in got.get("lifecycle", []):
                    # python-hcl2 gives `tags` as "tags" but `a[0].b` as "${a[0].b}": both bare references
                    if "ignore_changes" in lifecycle:
                        lifecycle["ignore_changes"] = [
                            r.removeprefix("${").removesuffix("}") for r in lifecycle["ignore_changes"]
                        ]
                assert got == typed_body_from_json(values, schema), f"{name}: {section}.{type_name}.{block_name}"
        providers = [from_hcl(p['"aws"']) for p in hcl["provider"]]
        assert providers == [from_json(p, SCHEMA.provider_config()) for p in document["provider"]["aws"]], name
        outputs = {decode_quoted(k): from_hcl(v) for o in hcl["output"] for k, v in o.items()}
        assert outputs == {k: from_json(v) for k, v in document["output"].items()}, name
        local_values = {k: from_hcl(v) for b in hcl.get("locals", []) for k, v in b.items() if not k.startswith("__")}
        assert local_values == from_json(document.get("locals", {})), name
        (terraform,) = from_hcl(hcl["terraform"])
        (backend_type,) = document["terraform"]["backend"]
        assert terraform["backend"] == [{backend_type: document["terraform"]["backend"][backend_type]}], name
        assert terraform["required_providers"] == [document["terraform"]["required_providers"]], name


# -- the cases cdktf's own HCL gets wrong --------------------------------------------------------


def resource_text(rendered: Path, stack: str, type_name: str, contains: str = "") -> str:
    text = (rendered / stack / "main.tf").read_text()
    for chunk in text.split("\n\nresource ")[1:]:
        if chunk.startswith(f'"{type_name}"') and contains in chunk:
            return chunk
    raise AssertionError(f"no {type_name} in {stack}")


def one_block(rendered: Path, stack: str, type_name: str) -> tuple[str, dict[str, Any]]:
    blocks = typed_blocks(parsed(rendered, stack), "resource")
    name, body = next((n, b) for (t, n), b in blocks.items() if t == type_name)
    return name, body


def test_container_definitions_stay_a_json_string_with_live_references(stacks, rendered):
    name, body = one_block(rendered, "chat-dev", "aws_ecs_task_definition")
    value = decode_quoted(body["container_definitions"])
    assert value == stacks["chat-dev"]["resource"]["aws_ecs_task_definition"][name]["container_definitions"]
    assert '"image": "${aws_ecr_repository.' in value
    assert '\\"image\\": \\"${aws_ecr_repository.' in body["container_definitions"]  # quotes escaped, ${ not


def test_dashboard_body_and_redrive_policy_are_escaped_strings(stacks, rendered):
    for type_name, key in (("aws_cloudwatch_dashboard", "dashboard_body"), ("aws_sqs_queue", "redrive_policy")):
        document = stacks["chat-dev"]["resource"][type_name]
        blocks = typed_blocks(parsed(rendered, "chat-dev"), "resource")
        checked = 0
        for name, values in document.items():
            if key in values:
                assert decode_quoted(blocks[(type_name, name)][key]) == values[key]
                assert "${" in values[key]
                checked += 1
        assert checked, type_name


def test_waf_statements_are_nested_blocks(rendered, stacks):
    chunk = resource_text(rendered, "chat-prod", "aws_wafv2_web_acl")
    assert "\n    statement {\n" in chunk and "statement =" not in chunk
    name, body = one_block(rendered, "chat-prod", "aws_wafv2_web_acl")
    statement = body["rule"][0]["statement"]
    assert isinstance(statement, list) and statement[0]["__is_block__"]
    nested = [r for r in body["rule"] if "rate_based_statement" in r["statement"][0]]
    assert nested, "a rate-based rule with a scope-down statement"
    scope_down = nested[0]["statement"][0]["rate_based_statement"][0]["scope_down_statement"][0]
    assert scope_down["__is_block__"]


def test_default_security_group_keeps_its_empty_ingress(rendered):
    chunk = resource_text(rendered, "chat-dev", "aws_default_security_group")
    assert "  ingress = []\n" in chunk and "  egress  = []\n" in chunk
    _, body = one_block(rendered, "chat-dev", "aws_default_security_group")
    assert body["ingress"] == [] and body["egress"] == []


def test_lifecycle_and_depends_on_hold_references_not_strings(rendered):
    chunk = resource_text(rendered, "chat-dev", "aws_ecs_service")
    assert "    ignore_changes = [\n      desired_count,\n    ]\n" in chunk
    chunk = resource_text(rendered, "chat-dev", "aws_nat_gateway")
    assert "  depends_on = [\n    aws_internet_gateway.network_internet_gateway_" in chunk
    chunk = resource_text(rendered, "chat-msk-documentdb", "aws_msk_cluster")
    assert "broker_node_group_info[0].storage_info[0].ebs_storage_info[0].volume_size,\n" in chunk


def test_provider_aliases_are_references(rendered):
    providers = (rendered / "chat-dev" / "providers.tf").read_text()
    assert '  alias  = "us_east_1"\n' in providers and providers.count('provider "aws" {') == 2
    chunk = resource_text(rendered, "chat-dev", "aws_acm_certificate", "cloudfront")
    assert re.search(r"\n  provider += aws\.us_east_1\n", chunk), chunk[:400]


def test_template_escapes_pass_through(rendered, stacks):
    script = stacks["chat-redis-cluster"]["locals"]
    (name,) = script
    text = (rendered / "chat-redis-cluster" / "locals.tf").read_text()
    assert "$${REDIS_CLUSTER_ENV:-/etc/redis-cluster/node.env}" in text  # literal ${ stays escaped, as in JSON
    (block,) = parsed(rendered, "chat-redis-cluster")["locals"]
    assert decode_quoted(block[name]) == script[name]


# -- strings, and what the renderer refuses --------------------------------------------------------


@pytest.mark.parametrize(
    ("json_string", "hcl"),
    [
        ('say "hi"\n', r'"say \"hi\"\n"'),
        ("C:\\path\t", r'"C:\\path\t"'),
        ("$${literal} and %%{literal}", '"$${literal} and %%{literal}"'),
        ('${lookup(m, "k")}-x', '"${lookup(m, "k")}-x"'),
        ("%{ if x }a%{ endif }", '"%{ if x }a%{ endif }"'),
        ("bell\x07", r'"bell\u0007"'),
    ],
)
def test_quoted_template_escapes_only_literal_text(json_string, hcl):
    assert quoted_template(json_string) == hcl
    assert decode_quoted(hcl) == json_string


def test_strings_terraform_reads_literally_escape_templates():
    assert quoted_literal("${not_a_reference} %{x}") == '"$${not_a_reference} %%{x}"'


def minimal(resource: dict[str, Any]) -> dict[str, Any]:
    return {"resource": {"aws_vpc": {"this": {"cidr_block": "10.0.0.0/16", **resource}}}}


def test_a_key_the_schema_does_not_know_fails_with_its_name():
    with pytest.raises(RenderError, match=r"resource\.aws_vpc\.this: key 'cidr_blocks_typo' is neither"):
        render_document(minimal({"cidr_blocks_typo": "x"}), SCHEMA)


def test_a_type_the_schema_does_not_know_fails_with_its_name():
    document = {"resource": {"aws_not_a_type": {"this": {}}}}
    with pytest.raises(RenderError, match="resource type 'aws_not_a_type' is not in the provider schema"):
        render_document(document, SCHEMA)


def test_a_block_given_as_an_expression_and_unknown_sections_fail():
    with pytest.raises(RenderError, match="dynamic blocks are not rendered"):
        render_document({"resource": {"aws_db_instance": {"db": {"timeouts": "${var.t}"}}}}, SCHEMA)
    with pytest.raises(RenderError, match="top-level section"):
        render_document({"moved": [{"from": "a.b", "to": "c.d"}]}, SCHEMA)


def test_the_command_reports_a_stack_it_cannot_render_and_exits_1(tmp_path, capsys):
    from hcl_render.__main__ import main

    good, bad = tmp_path / "stacks" / "chat-good", tmp_path / "stacks" / "chat-bad"
    good.mkdir(parents=True)
    bad.mkdir()
    (good / "cdk.tf.json").write_text(json.dumps(minimal({})))
    (bad / "cdk.tf.json").write_text(json.dumps(minimal({"enable_dns_hostname": True})))
    assert main(["--stacks-dir", str(tmp_path / "stacks"), "--out-dir", str(tmp_path / "hcl")]) == 1
    err = capsys.readouterr().err
    assert "FAILED" in err and "chat-bad" in err and "'enable_dns_hostname' is neither" in err
    assert (tmp_path / "hcl" / "chat-good" / "main.tf").read_text().count('resource "aws_vpc" "this"') == 1
    assert not (tmp_path / "hcl" / "chat-bad").exists()
