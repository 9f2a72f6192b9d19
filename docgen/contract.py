"""docs/application-contract.md: what the stack gives each service, read from synthesized stacks.

For each service (api, realtime, worker): every environment variable and secret the stack
sets in its container definition, what it means, and which choice of the environment file
sets it. Nothing here is a hand-written list of variables:

- the names and values come from the container definitions of stacks synthesized by the
  real CLI (`main.py`) from scratch environment files: a base file with every variant at its
  default, and one file per variant value (each `Literal` choice of EnvironmentConfig:
  cache_backend, messaging, document_store, ingress) and per switch in `SWITCHES`;
- "set when" compares each variant's stack with the stack it varies (the base, or the
  variant it requires, e.g. the API Gateway ingress needs the DynamoDB store): a variable
  it adds is set "with" that choice, one it removes is set "except with" it;
- the meaning is the sentence the code gave with the variable (`FargateService.add_environment(
  ..., meaning=...)`), which the stack writes under its JSON's `"//".application_contract`;
- a secret's source is read from its `valueFrom` reference (the secret resource's name),
  never its value.

The generator itself imports no cdktf: synthesis runs in a child process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from docgen.tables import prose

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONTRACT_PATH = PROJECT_ROOT / "docs" / "application-contract.md"
CONTRACT_KEY = "application_contract"  # modules/compute/containers.py (not imported: it is cdktf-free, but keep
# the generator independent of module code it documents); tests/docgen checks they agree.
REGENERATE_COMMAND = "python -m docgen (or make docs)"
SYNTH_TIMEOUT_SECONDS = 900

# The scratch environments: literal account and zones keep every name in the JSON literal.
ACCOUNT_ID = "123456789012"
REGION = "eu-west-1"
ZONE = "contract.example.com"
BASE_NAME = "contract"
BASE_FILE = f"""
region     = "{REGION}"
account_id = "{ACCOUNT_ID}"

network {{
  vpc_cidr            = "10.0.0.0/16"
  az_count            = 3
  availability_zones  = ["{REGION}a", "{REGION}b", "{REGION}c"]
  nat_mode            = "single"
  interface_endpoints = false
}}

dns {{
  zone_name           = "{ZONE}"
  api_host_names      = ["api.{ZONE}", "ws.{ZONE}"]
  frontend_host_names = ["app.{ZONE}"]
}}
"""

# What a variant value needs besides its key, and the variant it is compared with (the
# one it requires). A new value that needs more fails synthesis here, with the reason.
VARIANT_REQUIREMENTS: dict[tuple[str, str], tuple[str, tuple[str, str] | None]] = {
    ("ingress", "api_gateway"): (
        f'document_store = "dynamodb"\nwebsocket_api {{\n  host_name = "ws.{ZONE}"\n}}',
        ("document_store", "dynamodb"),
    ),
}

# Switches inside a block that change what the services are given (block, key, HCL value).
SWITCHES: tuple[tuple[str, str, str], ...] = (
    ("database", "replica", "true"),
    ("compute", "tracing_enabled", "false"),
)


class ContractError(Exception):
    """The scratch stacks could not be synthesized or read."""


@dataclass(frozen=True)
class Variant:
    """One scratch environment: the base with `settings`, compared with `against` (None: the base)."""

    label: str  # as a file writes it, e.g. 'cache_backend = "redis_cluster"'
    file_name: str
    settings: str
    against: str | None = None


@dataclass(frozen=True)
class Entry:
    service: str
    variable: str
    kind: str  # "environment" or "secret"
    meaning: str | None
    value: str  # as shown: a literal with placeholders, or where the value comes from
    in_base: bool  # set with every variant at its default
    added_by: tuple[str, ...]  # variant labels that add it
    removed_by: tuple[str, ...]  # variant labels that take it away

    @property
    def set_when(self) -> str:
        return _set_when(self.in_base, self.added_by, self.removed_by)

    def expected_in(self, config: Any) -> bool:
        """Whether an environment's config gets this variable, by the contract."""
        if any(choice_holds(label, config) for label in self.removed_by):
            return False
        return self.in_base or any(choice_holds(label, config) for label in self.added_by)


def choice_holds(label: str, config: Any) -> bool:
    """Whether a variant label ('ingress = "api_gateway"', 'database.replica = true') holds for a config."""
    path, value = label.split(" = ", 1)
    current = config
    for part in path.split("."):
        current = getattr(current, part)
    return current == json.loads(value)


def variants() -> list[Variant]:
    """Every scratch environment: each non-default value of each top-level Literal choice of
    EnvironmentConfig (its requirements added), then each switch of SWITCHES."""
    from envconfig.schema import EnvironmentConfig

    found: list[Variant] = []
    labels: dict[tuple[str, str], str] = {}
    choices = [
        (name, field)
        for name, field in EnvironmentConfig.model_fields.items()
        if get_origin(field.annotation) is Literal
    ]
    for name, field in choices:
        for value in get_args(field.annotation):
            if value == field.default:
                continue
            label = f'{name} = "{value}"'
            labels[(name, value)] = label
            extra, requires = VARIANT_REQUIREMENTS.get((name, value), ("", None))
            found.append(
                Variant(
                    label=label,
                    file_name=f"v{len(found) + 1}",
                    settings=f"{label}\n{extra}".strip(),
                    against=None if requires is None else f'{requires[0]} = "{requires[1]}"',
                )
            )
    for block, key, value in SWITCHES:
        found.append(
            Variant(
                label=f"{block}.{key} = {value}",
                file_name=f"v{len(found) + 1}",
                settings=f"{block} {{\n  {key} = {value}\n}}",
            )
        )
    known = {variant.label for variant in found}
    missing = [variant.against for variant in found if variant.against is not None and variant.against not in known]
    if missing:
        raise ContractError(f"expected the variants the others require to exist, got none for {missing}")
    return found


def synthesize(variant_list: Sequence[Variant], workdir: Path) -> dict[str, dict[str, Any]]:
    """The stack JSON of the base ("") and of every variant (by label), synthesized by main.py."""
    environments = workdir / "environments"
    environments.mkdir(parents=True, exist_ok=True)
    files = {"": BASE_NAME, **{variant.label: variant.file_name for variant in variant_list}}
    settings = {"": "", **{variant.label: variant.settings for variant in variant_list}}
    for label, name in files.items():
        text = f'name = "{name}"\n{BASE_FILE}\n{settings[label]}\n'
        (environments / f"{name}.hcl").write_text(text, encoding="utf-8")
    outdir = workdir / "cdktf.out"
    env = {
        **os.environ,
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    }
    command = [sys.executable, str(PROJECT_ROOT / "main.py"), "--environments-dir", str(environments)]
    try:
        run = subprocess.run(
            [*command, "--outdir", str(outdir)],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=SYNTH_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise ContractError(f"synthesis of the scratch environments took over {SYNTH_TIMEOUT_SECONDS} s") from None
    if run.returncode != 0:
        tail = "\n".join((run.stdout + run.stderr).strip().splitlines()[-15:])
        raise ContractError(f"synthesis of the scratch environments failed (exit {run.returncode}):\n{tail}")
    documents = {}
    for label, name in files.items():
        path = outdir / "stacks" / f"chat-{name}" / "cdk.tf.json"
        if not path.is_file():
            raise ContractError(f"expected {path} from main.py, got none")
        documents[label] = json.loads(path.read_text(encoding="utf-8"))
    return documents


# -- reading a stack -------------------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    """A variable as one stack gives it to a service."""

    kind: str
    raw: str  # the value, or a secret's valueFrom


def service_variables(document: Mapping[str, Any]) -> dict[str, dict[str, Given]]:
    """Each service's variables (container name -> variable -> Given), from its task definitions.

    Only the application's services, which record their contract in the stack: a task the
    platform runs itself (the database admin task's psql) is nobody's application."""
    services: dict[str, dict[str, Given]] = {}
    recorded = meanings(document)
    for task in document.get("resource", {}).get("aws_ecs_task_definition", {}).values():
        definitions = json.loads(task["container_definitions"])
        container = definitions[0]  # the service's own container; the collector sidecar comes after it
        if container["name"] not in recorded:
            continue
        variables = services.setdefault(container["name"], {})
        for item in container.get("environment", []):
            variables[item["name"]] = Given("environment", item["value"])
        for item in container.get("secrets", []):
            variables[item["name"]] = Given("secret", item["valueFrom"])
    return services


def meanings(document: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    return document.get("//", {}).get(CONTRACT_KEY, {})


_REFERENCE_RE = re.compile(r"\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([^}]+)\}")


def _placeholders(text: str, stack_name: str) -> str:
    return text.replace(stack_name, "chat-<env>").replace(ACCOUNT_ID, "<account>").replace(REGION, "<region>")


def shown_value(given: Given, document: Mapping[str, Any], stack_name: str) -> str:
    """How the contract shows a value: a literal with placeholders, or what Terraform fills in."""
    resources = document.get("resource", {})
    if given.kind == "secret":
        match = _REFERENCE_RE.search(given.raw)
        if match is None:
            return "Secrets Manager: `" + _placeholders(given.raw, stack_name) + "`"
        resource_type, name, _ = match.groups()
        secret_name = resources.get(resource_type, {}).get(name, {}).get("name")
        key = given.raw[match.end() :].strip(":")
        where = f"Secrets Manager secret `{_placeholders(secret_name, stack_name)}`" if secret_name else resource_type
        return where + (f", JSON key `{key}`" if key else "") + " (injected by ECS at start)"
    if "${" not in given.raw:
        return "`" + _placeholders(given.raw, stack_name) + "`"
    parts = sorted({f"`{rtype}` {attribute}" for rtype, _, attribute in _REFERENCE_RE.findall(given.raw)})
    return "at apply: " + ", ".join(parts)


# -- the contract ----------------------------------------------------------------------------


def contract_entries(variant_list: Sequence[Variant], documents: Mapping[str, Mapping[str, Any]]) -> list[Entry]:
    """One entry per service and variable, in the order services and variables first appear."""
    stacks = {label: service_variables(document) for label, document in documents.items()}
    order: dict[str, dict[str, None]] = {}
    for label in ["", *(variant.label for variant in variant_list)]:
        for service, variables in stacks[label].items():
            order.setdefault(service, {}).update(dict.fromkeys(sorted(variables)))
    entries = []
    for service, variables in order.items():
        for variable in variables:
            added = [
                v.label
                for v in variant_list
                if variable in stacks[v.label].get(service, {})
                and variable not in stacks[v.against or ""].get(service, {})
            ]
            removed = [
                v.label
                for v in variant_list
                if variable not in stacks[v.label].get(service, {})
                and variable in stacks[v.against or ""].get(service, {})
            ]
            where = "" if variable in stacks[""].get(service, {}) else added[0]
            document = documents[where]
            stack_name = _stack_name(document)
            given = stacks[where][service][variable]
            meaning = meanings(document).get(service, {}).get(variable)
            entries.append(
                Entry(
                    service=service,
                    variable=variable,
                    kind=given.kind,
                    meaning=meaning,
                    value=shown_value(given, document, stack_name),
                    in_base=variable in stacks[""].get(service, {}),
                    added_by=tuple(added),
                    removed_by=tuple(removed),
                )
            )
    return entries


def _stack_name(document: Mapping[str, Any]) -> str:
    tags = document["provider"]["aws"][0]["default_tags"][0]["tags"]
    return f"chat-{tags['environment']}"


def _set_when(in_base: bool, added: Sequence[str], removed: Sequence[str]) -> str:
    with_ = " or ".join(f"`{label}`" for label in added)
    except_ = " or ".join(f"`{label}`" for label in removed)
    if in_base:
        return "always" if not removed else f"always, except with {except_}"
    return f"with {with_}" + (f", except with {except_}" if removed else "")


def render(variant_list: Sequence[Variant], entries: Sequence[Entry]) -> str:
    lines = [
        "# Application contract",
        "",
        "<!-- GENERATED by `python -m docgen` (make docs) from synthesized stacks: do not edit. "
        "tests/docgen/test_application_contract.py fails when this file is out of date. -->",
        "",
        "What the stack gives each service's container: every environment variable and secret,",
        "what it means, and which choice of the environment file sets it. Applications are written",
        "against this page; a variable not listed here is not set by the stack.",
        "",
        "How it is made (docgen/contract.py): `main.py` synthesizes a base environment (every",
        "variant at its default) and one environment per variant below; each service's variables",
        "are read from its ECS container definition, and a variant's are compared with the stack",
        "it varies. Meanings are written once, where the stack sets the variable",
        "(`add_environment(..., meaning=...)`); a secret is named with where ECS reads it from,",
        "never its value. Values show `chat-<env>`, `<account>` and `<region>` for the",
        'environment\'s own; "at apply" means Terraform fills the value in from that resource.',
        "",
        "Variants compared with the base:",
        "",
    ]
    for variant in variant_list:
        against = f" (compared with `{variant.against}`, which it requires)" if variant.against else ""
        lines.append(f"- `{variant.label}`{against}")
    for service in dict.fromkeys(entry.service for entry in entries):
        lines += [
            "",
            f"## {service}",
            "",
            "| variable | kind | set when | value | meaning |",
            "|---|---|---|---|---|",
        ]
        for entry in (e for e in entries if e.service == service):
            cells = [f"`{entry.variable}`", entry.kind, entry.set_when, entry.value, entry.meaning or ""]
            lines.append("| " + " | ".join(prose(cell) if i == 4 else cell for i, cell in enumerate(cells)) + " |")
        lines += [
            "",
            f"Plus whatever the environment file's `{service} {{ environment = {{ ... }}, secrets = {{ ... }} }}`",
            "adds: plain values, and Secrets Manager ARNs that ECS injects at start (not listed here).",
        ]
    return "\n".join(lines) + "\n"


def problems(entries: Sequence[Entry]) -> list[str]:
    """A variable the stack sets without a meaning is a problem to fix in the code."""
    return [
        f"{entry.service}: {entry.variable} has no meaning: pass meaning=... where the stack sets it"
        for entry in entries
        if not entry.meaning
    ]


def generate(workdir: Path | None = None) -> tuple[str, list[str]]:
    """The contract's text and its problems, from a fresh synthesis of the scratch environments."""
    variant_list = variants()
    if workdir is not None:
        entries = contract_entries(variant_list, synthesize(variant_list, workdir))
    else:
        with tempfile.TemporaryDirectory(prefix="contract-") as directory:
            entries = contract_entries(variant_list, synthesize(variant_list, Path(directory)))
    return render(variant_list, entries), problems(entries)


def stale_message(path: Path = CONTRACT_PATH) -> str:
    return textwrap.shorten(f"{path.relative_to(PROJECT_ROOT)} is out of date: run `{REGENERATE_COMMAND}`", 200)
