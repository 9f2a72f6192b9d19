"""docs/runbook.md names only what exists: every `make` target it tells an operator to run
is in the Makefile, every stack output it names is output by the synthesized stacks, every
`chat-prod...` resource name it writes is a resource's name, and every environment-file key
it writes is a key of the schema."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import pytest

from tests.conftest import ROOT

RUNBOOK = ROOT / "docs" / "runbook.md"
MAKE_TARGET = re.compile(r"\bmake ([a-z][a-z0-9-]*)")
# How the runbook names an output: output `x`, <output x>, <x output>, `terraform output -raw x`.
OUTPUT_NAMES = (
    re.compile(r"\boutput `([a-z][a-z0-9_]*)`"),
    re.compile(r"<output ([a-z][a-z0-9_]*)>"),
    re.compile(r"<([a-z][a-z0-9_]*) output>"),
    re.compile(r"\boutput (?:-raw |-json )?([a-z][a-z0-9_]*)`"),
)


def makefile_targets(makefile: Path) -> set[str]:
    return set(re.findall(r"(?m)^([a-z][a-z0-9-]*):", makefile.read_text()))


def unknown_references(text: str, targets: set[str], outputs: set[str]) -> list[str]:
    """What the text names that does not exist, one line each."""
    problems = [f"make {t}: no such Makefile target" for t in sorted(set(MAKE_TARGET.findall(text)) - targets)]
    named = {name for pattern in OUTPUT_NAMES for name in pattern.findall(text)}
    problems += [f"output {name}: no stack outputs it" for name in sorted(named - outputs)]
    return problems


def test_the_check_catches_a_missing_target_and_a_missing_output():
    text = "Run `make deploy ENV=prod`, then `make restore-everything`; the key is output `no_such_output`."
    assert unknown_references(text, {"deploy"}, {"vpc_id"}) == [
        "make restore-everything: no such Makefile target",
        "output no_such_output: no stack outputs it",
    ]


def test_every_make_target_and_stack_output_the_runbook_names_exists(synthesized):
    outputs = {name for synth in synthesized.values() for name in synth.document.get("output", {})}
    text = RUNBOOK.read_text()
    assert MAKE_TARGET.findall(text), "the runbook names no make target: the check reads nothing"
    assert any(pattern.findall(text) for pattern in OUTPUT_NAMES), "the runbook names no output"
    assert unknown_references(text, makefile_targets(ROOT / "Makefile"), outputs) == []


# -- resource names and environment-file keys -------------------------------------------------

# A name the runbook writes for prod: `chat-prod`, `chat-prod-backup`, `/chat-prod/api/green/image-tag`,
# `/aws/rds/instance/chat-prod-postgres/postgresql` (a path is read whole, from its first `/`).
PROD_NAME = re.compile(r"(?<![\w.-])(?:/[a-z0-9_.-]+)*/?chat-prod(?:[a-z0-9/_.-]*[a-z0-9])?")
# What follows a name that is only the start of one: `chat-prod-attachments-<account>-<region>`,
# `/ecs/chat-prod/<service>` (the placeholder stands for a part the runbook cannot know).
PLACEHOLDER_NEXT = re.compile(r"[-/]?<")
# A name made from an existing one: a restore's target (`-restored`, and the identifiers the
# database's `restore { }` derives: `-r<yyyymmddhhmm>`, `-s<8 hex>`, `-latest`) or an RDS
# automated snapshot (`rds:<instance>-<yyyy-mm-dd-hh-mm>`): its source must exist.
RESTORED_SUFFIX = re.compile(r"-(?:restored(?:-\d+)?|r\d{12}|s[0-9a-f]{8}|latest|\d{4}(?:-\d{2}){4})$")
# Attributes that name a resource (name, identifier, family, bucket, alarm_name, replication_group_id, ...).
NAME_ATTRIBUTE = re.compile(r"(?:^|_)(?:name|identifier|family|bucket|id)$")
# An environment-file key as the runbook writes it: `standby_tasks`, `dns.zone_name`,
# `document_store = "dynamodb"`, `standby_tasks >= 1`. Only snake_case or dotted words are
# read: a single plain word (`api`, `chat`) is a service, a schema, a queue alias.
KEY_SPAN = re.compile(r"^([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)(?:\s*(?:=|>=|<=|>|<)\s.*)?$")
CODE_BLOCK = re.compile(r"(?ms)^```.*?^```")
# snake_case words the runbook writes that are neither keys nor outputs, and what each is.
NOT_ENVIRONMENT_KEYS = {
    "chat_migrations": "the database role migrations run as (modules/database/sql/bootstrap.sql)",
    "rds_iam": "PostgreSQL's role for IAM authentication",
    "grant_connect": "the database module's method that lets a service log in",
    "enable_key_rotation": "the Terraform attribute of every KMS key",
    "manage_master_user_password": "the Terraform attribute of the DocumentDB cluster's managed secret",
}


def prod_names(document: dict, stack_name: str) -> set[str]:
    """Every literal name attribute of the stack's resources, as it reads in prod: the
    stack's own prefix (chat-dev, chat-dynamodb-apigw) becomes chat-prod, so a name that
    only a variant has (a DynamoDB table, a DocumentDB cluster) is checked against the
    stack that takes the variant."""
    prefix = re.compile(rf"^(/?){re.escape(stack_name)}(?=$|[-/])")
    # A KMS alias is written `alias/chat-prod/postgres`; the runbook's name starts after `alias/`.
    return {
        prefix.sub(r"\1chat-prod", value.removeprefix("alias/"))
        for resources in document.get("resource", {}).values()
        for body in resources.values()
        for attribute, value in body.items()
        if NAME_ATTRIBUTE.search(attribute) and isinstance(value, str) and "${" not in value
    }


# The recovery environment of Region loss: prod's file copied under another name (prod-dr),
# so its resources are prod's with that prefix.
RECOVERY_PREFIX = re.compile(r"(^|/)chat-prod-dr(?=$|[-/])")


def unknown_resource_names(text: str, names: set[str]) -> list[str]:
    problems = []
    for match in PROD_NAME.finditer(text):
        if PLACEHOLDER_NEXT.match(text, match.end()):
            continue
        name = match.group()
        as_prod = RECOVERY_PREFIX.sub(r"\1chat-prod", name)
        source = RESTORED_SUFFIX.sub("", as_prod)
        if source not in names:
            why = f" (restored from {source}, which)" if source != as_prod else ""
            problems.append(f"{name}{why}: no resource of the synthesized stacks has this name")
    return sorted(set(problems))


def environment_keys(model: type, prefix: str = "") -> set[str]:
    """Every key of an environment file: top-level and `block.key`, from the schema's models."""
    from pydantic import BaseModel

    keys = set()
    for name, field in model.model_fields.items():
        keys.add(prefix + name)
        # A nested block (`database { restore { } }`) is `Annotated[Model, validator] | None`.
        candidates = [field.annotation, *typing.get_args(field.annotation)]
        candidates += [typing.get_args(c)[0] for c in candidates if typing.get_origin(c) is typing.Annotated]
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                keys |= environment_keys(candidate, f"{prefix}{name}.")
                break
    return keys


def key_like_words(text: str) -> set[str]:
    """The snake_case and dotted words of the text's inline code (code blocks are commands)."""
    words = set()
    for span in re.findall(r"`([^`\n]+)`", CODE_BLOCK.sub("", text)):
        match = KEY_SPAN.match(span)
        if match and ("_" in match.group(1) or "." in match.group(1)):
            words.add(match.group(1))
    return words


def unknown_environment_keys(text: str, keys: set[str], outputs: set[str]) -> list[str]:
    """Dotted words must be a block's key; plain snake_case words a key of some block (or of
    the file), an output, or one of NOT_ENVIRONMENT_KEYS."""
    any_block = {key.rsplit(".", 1)[-1] for key in keys}
    problems = []
    for word in sorted(key_like_words(text)):
        if "." in word and word not in keys:
            problems.append(f"{word}: no such environment-file key")
        elif "." not in word and word not in any_block | outputs | set(NOT_ENVIRONMENT_KEYS):
            problems.append(f"{word}: no environment-file key, stack output or known name")
    return problems


@pytest.fixture(scope="module")
def stack_documents(synth_outdir, stack_configs) -> dict[str, dict]:
    """Every synthesized stack (environments and examples) by its stack name."""
    return {
        config.stack_name: json.loads((synth_outdir / "stacks" / config.stack_name / "cdk.tf.json").read_text())
        for config in stack_configs.values()
    }


def test_the_check_catches_a_resource_name_no_stack_has():
    names = {
        "chat-prod",
        "chat-prod-backup",
        "/chat-prod/api/green/image-tag",
        "chat-prod-postgres",
        "/aws/rds/instance/chat-prod-postgres/postgresql",
    }
    text = (
        "The vault is `chat-prod-backup`, the tag `/chat-prod/api/green/image-tag`, the log "
        "(`/aws/rds/instance/chat-prod-postgres/postgresql`); restore into "
        "chat-prod-postgres-restored; the bucket chat-prod-attachments-<account>-<region>, logs in "
        "/ecs/chat-prod/<service>. But `chat-prod-bakup` and /chat-prod/api/purple/image-tag, the log "
        "/aws/rds/instance/chat-prod-postgres/postgres, and a restore of chat-prod-docdb-restored-1. "
        "In the recovery region chat-prod-dr-postgres-restored is fine, chat-prod-dr-postgress is not."
    )
    assert unknown_resource_names(text, names) == [
        "/aws/rds/instance/chat-prod-postgres/postgres: no resource of the synthesized stacks has this name",
        "/chat-prod/api/purple/image-tag: no resource of the synthesized stacks has this name",
        "chat-prod-bakup: no resource of the synthesized stacks has this name",
        "chat-prod-docdb-restored-1 (restored from chat-prod-docdb, which): no resource of the synthesized "
        "stacks has this name",
        "chat-prod-dr-postgress: no resource of the synthesized stacks has this name",
    ]


def test_a_stacks_names_read_as_prod_names():
    document = {
        "resource": {
            "aws_dynamodb_table": {"t": {"name": "chat-dynamodb-apigw-messages", "hash_key": "id"}},
            "aws_ssm_parameter": {"p": {"name": "/chat-dynamodb-apigw/api/blue/image-tag"}},
            "aws_sqs_queue": {"q": {"name": "${aws_x.y.name}"}},
        }
    }
    assert prod_names(document, "chat-dynamodb-apigw") == {"chat-prod-messages", "/chat-prod/api/blue/image-tag"}


def test_the_check_catches_an_environment_key_the_schema_does_not_have():
    from envconfig import EnvironmentConfig

    keys = environment_keys(EnvironmentConfig)
    assert {"dns.zone_name", "load_balancer.weights", "realtime.connections_per_task", "worker.max_tasks"} <= keys
    # Nested blocks too (a restore { } inside its store's block).
    assert {"database.restore.retire_original", "dynamodb.restore.table", "documentdb.restore.from_snapshot"} <= keys
    text = (
        'Edit `load_balancer.weights`; with `standby_tasks >= 1`; `document_store = "dynamodb"`; the output '
        "`vpc_id`; the role `rds_iam`. Wrong: `load_balancer.weight`, `backlog_per_tasks`, `dns.zone`, and in a "
        "code block nothing is read:\n```sh\nrun `not_a_key`\n```\n"
    )
    assert unknown_environment_keys(text, keys, {"vpc_id"}) == [
        "backlog_per_tasks: no environment-file key, stack output or known name",
        "dns.zone: no such environment-file key",
        "load_balancer.weight: no such environment-file key",
    ]


def test_every_resource_name_the_runbook_writes_exists(stack_documents):
    names = set().union(*(prod_names(document, stack) for stack, document in stack_documents.items()))
    text = RUNBOOK.read_text()
    assert len(set(PROD_NAME.findall(text))) >= 5, "the runbook names few resources: the check reads nothing"
    assert unknown_resource_names(text, names) == []


def test_every_environment_key_the_runbook_writes_exists(synthesized):
    from envconfig import EnvironmentConfig

    outputs = {name for synth in synthesized.values() for name in synth.document.get("output", {})}
    text = RUNBOOK.read_text()
    keys = environment_keys(EnvironmentConfig)
    assert len(key_like_words(text) & (keys | {key.rsplit(".", 1)[-1] for key in keys})) >= 5, (
        "the runbook names few environment keys: the check reads nothing"
    )
    assert unknown_environment_keys(text, keys, outputs) == []


# -- README: Outputs ---------------------------------------------------------------------------

SERVICE_PLACEHOLDER = "<service>"


def readme_outputs(text: str, services: tuple[str, ...]) -> set[str]:
    """The output names of README's Outputs table (its first column), `<service>_...` expanded."""
    section = text.split("\n## Outputs\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in section.splitlines():
        if not row.startswith("| `"):
            continue
        for name in re.findall(r"`([^`]+)`", row.split("|")[1]):
            expanded = (
                [name.replace(SERVICE_PLACEHOLDER, s) for s in services] if SERVICE_PLACEHOLDER in name else [name]
            )
            names.update(expanded)
    return names


def test_the_readme_names_every_output_the_stacks_have_and_no_other(stack_documents):
    from stacks.platform import SERVICES

    synthesized = {name for document in stack_documents.values() for name in document.get("output", {})}
    documented = readme_outputs((ROOT / "README.md").read_text(), tuple(SERVICES))
    assert sorted(synthesized - documented) == [], "outputs the README's Outputs table lacks"
    assert sorted(documented - synthesized) == [], "outputs the README names that no stack has"


def test_the_outputs_check_sees_a_missing_row():
    text = "\n## Outputs\n\n| output | what |\n|---|---|\n| `vpc_id`, `<service>_ecs_services` | x |\n\n## Next\n"
    assert readme_outputs(text, ("api",)) == {"vpc_id", "api_ecs_services"}
    assert "worker_ecs_services" not in readme_outputs(text, ("api",))
