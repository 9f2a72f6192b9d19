"""Environment files: every bad input gives a located message, all at once, exit 2."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

import bindings
from envconfig import EnvironmentFileError, load_environment, load_environments
from tests.conftest import ENVIRONMENTS_DIR, ROOT

VALID = """\
name   = "{name}"
region = "eu-west-1"
network {{
  vpc_cidr = "10.40.0.0/16"
  az_count = 2
}}
dns {{
  zone_name      = "chat.example.com"
  api_host_names = ["api.chat.example.com"]
}}
"""


def with_network_lines(*lines: str, name: str = "dev") -> str:
    """VALID with extra lines inside its network block."""
    return VALID.format(name=name).replace("az_count = 2", "\n  ".join(["az_count = 2", *lines]))


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.hcl"
    path.write_text(text)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(EnvironmentFileError) as caught:
        load_environment(path)
    return [str(p) for p in caught.value.problems]


def only_problem(path: Path) -> str:
    problems = problems_of(path)
    assert len(problems) == 1, problems
    return problems[0]


def test_a_minimal_file_gets_safe_defaults(tmp_path):
    config = load_environment(write(tmp_path, "perf", VALID.format(name="perf")))
    assert config.stack_name == "chat-perf"
    assert config.deletion_protection is True
    assert config.network.nat_mode == "per_az"
    assert config.network.interface_endpoints is True
    assert config.network.flow_log_retention_days == 365


def test_config_is_frozen(tmp_path):
    config = load_environment(write(tmp_path, "perf", VALID.format(name="perf") + 'tags = { team = "x" }\n'))
    with pytest.raises(ValidationError, match="frozen"):
        config.region = "us-east-1"
    with pytest.raises(TypeError):
        config.tags["team"] = "y"


def test_unknown_key_names_the_key_and_suggests_the_right_one(tmp_path):
    path = write(tmp_path, "dev", VALID.format(name="dev") + 'regoin = "eu-west-1"\n')
    message = only_problem(path)
    assert message.startswith(f"{path}: regoin: unknown key")
    assert 'did you mean "region"?' in message


def test_unknown_key_inside_a_block_lists_that_blocks_keys(tmp_path):
    text = with_network_lines("nat_gateways = 2")
    message = only_problem(write(tmp_path, "dev", text))
    assert ": network.nat_gateways: unknown key" in message
    assert "nat_mode" in message and "vpc_cidr" in message


def test_wrong_type_says_expected_and_given(tmp_path):
    text = VALID.format(name="dev").replace("az_count = 2", 'az_count = "2"')
    assert only_problem(write(tmp_path, "dev", text)).endswith(
        'network.az_count: expected a whole number, got "2" (string)'
    )


def test_boolean_given_as_string(tmp_path):
    message = only_problem(write(tmp_path, "dev", VALID.format(name="dev") + 'deletion_protection = "yes"\n'))
    assert message.endswith('deletion_protection: expected true or false, got "yes" (string)')


@pytest.mark.parametrize(
    ("cidr", "expected"),
    [
        ("10.0.0.0/33", "expected an IPv4 network in CIDR notation"),
        ("10.0.0.1/16", "has host bits set"),
        ("10.0.0.0", "expected a CIDR with a prefix length"),
        ("10.0.0.0/24", "expected a prefix length from /16 to /20"),
        ("8.8.0.0/16", "expected a private range"),
    ],
)
def test_malformed_or_unusable_vpc_cidr(tmp_path, cidr, expected):
    text = VALID.format(name="dev").replace("10.40.0.0/16", cidr)
    message = only_problem(write(tmp_path, "dev", text))
    assert ": network.vpc_cidr: " in message
    assert expected in message
    assert f'got "{cidr}" (string)' in message


@pytest.mark.parametrize("az_count", [1, 5])
def test_az_count_out_of_range(tmp_path, az_count):
    text = VALID.format(name="dev").replace("az_count = 2", f"az_count = {az_count}")
    message = only_problem(write(tmp_path, "dev", text))
    assert "network.az_count: expected a number" in message
    assert message.endswith(f"got {az_count} (number)")


def test_zone_names_must_match_az_count_and_region(tmp_path):
    text = with_network_lines('availability_zones = ["eu-west-1a", "eu-west-1a", "us-east-1c"]')
    message = only_problem(write(tmp_path, "dev", text))
    assert "network.availability_zones: expected 2 zone names (az_count), got 3" in message
    assert "expected distinct zone names" in message
    assert "expected zones of region eu-west-1" in message and "us-east-1c" in message


def test_nat_mode_must_be_a_known_mode(tmp_path):
    text = with_network_lines('nat_mode = "per-az"')
    assert only_problem(write(tmp_path, "dev", text)).endswith(
        "network.nat_mode: expected one of 'none', 'single' or 'per_az', got \"per-az\" (string)"
    )


def test_no_nat_and_no_endpoints_is_refused(tmp_path):
    text = with_network_lines('nat_mode = "none"', "interface_endpoints = false")
    message = only_problem(write(tmp_path, "dev", text))
    assert 'network.interface_endpoints: expected true when nat_mode is "none"' in message


@pytest.mark.parametrize("key", ["log_retention_days", "network.flow_log_retention_days"])
def test_retention_must_be_a_cloudwatch_value(tmp_path, key):
    if key == "log_retention_days":
        text = VALID.format(name="dev") + "log_retention_days = 8\n"
    else:
        text = with_network_lines("flow_log_retention_days = 8")
    message = only_problem(write(tmp_path, "dev", text))
    assert f": {key}: expected a CloudWatch Logs retention period in days" in message
    assert "365" in message and message.endswith("got 8 (number)")


def test_missing_required_key(tmp_path):
    text = VALID.format(name="dev").replace('region = "eu-west-1"\n', "")
    assert only_problem(write(tmp_path, "dev", text)) == f"{tmp_path / 'dev.hcl'}: region: required key is missing"


def test_missing_required_block(tmp_path):
    path = write(tmp_path, "dev", 'name = "dev"\nregion = "eu-west-1"\n')
    assert problems_of(path) == [f"{path}: network: required key is missing", f"{path}: dns: required key is missing"]


def test_name_must_match_the_file(tmp_path):
    message = only_problem(write(tmp_path, "dev", VALID.format(name="prod")))
    assert message.endswith('name: expected "dev" (the file name), got "prod"')


def test_name_leaves_room_for_the_stack_prefix(tmp_path):
    name = "a" * 16
    message = only_problem(write(tmp_path, name, VALID.format(name=name)))
    assert message.endswith(
        f'name: expected at most 15 characters (the stack name "chat-<name>" must fit in 20), got "{name}" (16)'
    )
    fifteen = "b" * 15
    (config,) = load_environments(write(tmp_path, fifteen, VALID.format(name=fifteen)).parent, [fifteen])
    assert config.stack_name == f"chat-{fifteen}"


def test_expressions_are_refused(tmp_path):
    text = VALID.format(name="dev").replace('"10.40.0.0/16"', "var.cidr")
    message = only_problem(write(tmp_path, "dev", text))
    assert "network.vpc_cidr: expected a literal value" in message and "var.cidr" in message


def test_reserved_and_aws_tags_are_refused(tmp_path):
    text = VALID.format(name="dev") + 'tags = { environment = "x", "aws:owner" = "y" }\n'
    message = only_problem(write(tmp_path, "dev", text))
    assert message.startswith(f"{tmp_path / 'dev.hcl'}: tags: ")
    assert "'environment'" in message and "set by the stack" in message
    assert "'aws:owner'" in message


def test_remote_state_values_are_checked(tmp_path):
    text = VALID.format(name="dev") + 'remote_state {\n  bucket = "Bad_Bucket"\n  key = "state.json"\n}\n'
    problems = problems_of(write(tmp_path, "dev", text))
    assert any("remote_state.bucket: expected an S3 bucket name" in p for p in problems)
    assert any('remote_state.key: expected an object key ending in ".tfstate"' in p for p in problems)


def test_syntax_error_gives_line_and_column(tmp_path):
    path = write(tmp_path, "dev", 'name = "dev"\nnetwork {\n  vpc_cidr =\n}\n')
    message = only_problem(path)
    assert message.startswith(f"{path}:3:")
    assert "HCL syntax error" in message


def test_all_problems_in_all_files_are_reported_at_once(tmp_path):
    write(
        tmp_path, "dev", VALID.format(name="dev").replace("az_count = 2", 'az_count = "x"') + "log_retention_days = 8\n"
    )
    write(tmp_path, "prod", VALID.format(name="prod").replace('region = "eu-west-1"\n', ""))
    write(tmp_path, "staging", VALID.format(name="staging"))
    with pytest.raises(EnvironmentFileError) as caught:
        load_environments(tmp_path)
    keys = sorted((Path(p.file).name, p.key) for p in caught.value.problems)
    assert keys == [("dev.hcl", "log_retention_days"), ("dev.hcl", "network.az_count"), ("prod.hcl", "region")]


def test_unknown_environment_name(tmp_path):
    write(tmp_path, "dev", VALID.format(name="dev"))
    with pytest.raises(EnvironmentFileError, match="no such environment; expected one of: dev"):
        load_environments(tmp_path, ["prdo"])


def test_a_new_file_is_a_new_environment(tmp_path):
    for name in ("dev", "perf"):
        write(tmp_path, name, VALID.format(name=name))
    assert [c.stack_name for c in load_environments(tmp_path)] == ["chat-dev", "chat-perf"]


def test_project_hcl2_is_python_hcl2_not_checkovs_fork():
    import hcl2

    owners = {
        dist.metadata["Name"]
        for dist in importlib.metadata.distributions()
        if any(str(f).startswith("hcl2/") for f in (dist.files or []))
    }
    assert owners == {"python-hcl2"}
    assert Path(hcl2.__file__).parent == Path(importlib.metadata.distribution("python-hcl2").locate_file("hcl2"))
    assert hasattr(hcl2, "SerializationOptions")  # python-hcl2 8.x API, absent from bc-python-hcl2


# main.py run as the CLI runs it, then the toolchain packages it had imported by its exit.
MAIN_THEN_LOADED_PACKAGES = """
import json, runpy, sys
packages, sys.argv = json.loads(sys.argv[1]), sys.argv[2:]
code = 0
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as exit:
    code = exit.code
loaded = sorted(m for m in sys.modules if m.split(".")[0] in packages and m.count(".") <= 1)
print("LOADED " + json.dumps(loaded), file=sys.stderr)
sys.exit(code)
"""


def test_cli_exits_2_before_loading_the_bindings_and_writes_nothing_when_a_required_key_is_missing(tmp_path):
    environments = tmp_path / "environments"
    environments.mkdir()
    for source in ENVIRONMENTS_DIR.glob("*.hcl"):
        text = source.read_text()
        if source.name == "prod.hcl":
            text = text.replace('region = "eu-west-1"\n', "")
        (environments / source.name).write_text(text)
    chains = bindings.TOOLCHAINS.values()
    packages = sorted({"jsii", *(name for chain in chains for name in (chain.cdk_package, chain.provider_package))})
    completed = subprocess.run(
        [sys.executable, "-c", MAIN_THEN_LOADED_PACKAGES, json.dumps(packages), str(ROOT / "main.py")]
        + ["--environments-dir", str(environments)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert completed.returncode == 2, completed.stderr
    assert "environments/prod.hcl: region: required key is missing" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (tmp_path / "cdktf.out").exists()
    # Validation runs before the provider import (~21 s eager): a bad file is refused without
    # loading jsii, the CDK or the provider bindings. (A package, not a stopwatch: a busy
    # machine must not fail this test, and a regression must.)
    (loaded_line,) = [line for line in completed.stderr.splitlines() if line.startswith("LOADED ")]
    assert json.loads(loaded_line.removeprefix("LOADED ")) == []


def test_a_key_set_twice_is_refused(tmp_path):
    text = with_network_lines("az_count = 3") + 'region = "us-east-1"\n'
    problems = problems_of(write(tmp_path, "dev", text))
    assert sorted(p.split(": ")[1] for p in problems) == ["network.az_count", "region"]
    assert all("expected each key once, got it more than once" in p for p in problems)


def test_a_value_the_stack_supplies_is_judged_by_every_module_at_load(tmp_path):
    # The frontend refuses regions CloudFront cannot deliver standard logs to; the file is
    # refused at load (exit 2), not by a traceback at synthesis.
    text = VALID.format(name="dev").replace('region = "eu-west-1"', 'region = "eu-south-1"')
    message = only_problem(write(tmp_path, "dev", text))
    assert message.startswith(f"{tmp_path / 'dev.hcl'}: region: expected a region CloudFront delivers standard logs to")


# -- the service blocks (modules/compute) -----------------------------------------------


def test_service_blocks_are_validated_with_the_modules_words_at_their_keys(tmp_path):
    (tmp_path / "a").mkdir()
    port_path = write(tmp_path / "a", "dev", VALID.format(name="dev") + "api {\n  port = 70000\n}\n")
    assert only_problem(port_path) == (
        f"{port_path}: api.port: expected a number less than or equal to 65535, got 70000 (number)"
    )
    # Rules over several keys run once every key is valid on its own; then all at once.
    text = VALID.format(name="dev") + (
        "api {\n  cpu = 256\n  memory_mib = 4096\n}\n"
        'realtime {\n  architecture = "X86_64"\n  image_architectures = ["ARM64"]\n}\n'
        "worker {\n  min_tasks = 5\n  max_tasks = 2\n}\n"
    )
    path = write(tmp_path, "dev", text)
    problems = problems_of(path)
    assert len(problems) == 3, problems
    assert any(
        p.startswith(f"{path}: api.memory_mib:")
        and "expected a memory size Fargate allows with 256 CPU units (512, 1024, 2048 MiB), got 4096" in p
        for p in problems
    ), problems
    assert any(
        p.startswith(f"{path}: realtime.architecture:") and "expected an architecture the image is built for" in p
        for p in problems
    ), problems
    assert any(p.startswith(f"{path}: worker.max_tasks: expected at least min_tasks (5), got 2") for p in problems), (
        problems
    )


def test_a_worker_has_no_port_and_a_routed_service_no_queue(tmp_path):
    path = write(
        tmp_path, "dev", VALID.format(name="dev") + "worker {\n  port = 3000\n}\napi {\n  backlog_per_task = 5\n}\n"
    )
    problems = problems_of(path)
    assert any(p.startswith(f"{path}: worker.port: unknown key") for p in problems), problems
    assert any(p.startswith(f"{path}: api.backlog_per_task: unknown key") for p in problems), problems


def test_plain_environment_values_that_look_secret_are_refused(tmp_path):
    path = write(tmp_path, "dev", VALID.format(name="dev") + 'api {\n  environment = { DB_PASSWORD = "x" }\n}\n')
    assert "move DB_PASSWORD to `secrets` as a Secrets Manager ARN" in only_problem(path)


def test_tracing_and_ecs_exec_need_a_way_out_when_there_is_no_nat(tmp_path):
    # ECS Exec is off by default (issue 24, finding 3): the file asks for it here.
    text = with_network_lines('nat_mode = "none"') + "compute {\n  tracing_enabled = true\n  exec_enabled = true\n}\n"
    path = write(tmp_path, "dev", text)
    problems = problems_of(path)
    assert f'{path}: compute.tracing_enabled: expected false when network.nat_mode is "none"' in "\n".join(problems)
    assert any(p.startswith(f"{path}: compute.exec_enabled: expected false") for p in problems), problems


# -- issue 21: templates, catalogues, regions, tag counts, and no traceback --------------------------

TEMPLATE_REFUSAL = (
    'expected a literal string without "${" or "%{" (Terraform would evaluate it as a template in the '
    "synthesized JSON; environment files take no templates, not even escaped), got "
)


def test_a_template_inside_a_tag_value_is_refused(tmp_path):
    path = write(tmp_path, "dev", VALID.format(name="dev") + 'tags = { team = "x-${upper("a")}" }\n')
    assert only_problem(path) == f'{path}: tags.team: {TEMPLATE_REFUSAL}"x-${{upper("a")}}" (string)'


def test_a_template_reading_a_file_in_the_content_security_policy_is_refused(tmp_path):
    csp = "default-src 'self'; report-uri https://${file(\\\"/etc/hostname\\\")}/csp"
    path = write(tmp_path, "dev", VALID.format(name="dev") + f'frontend {{\n  content_security_policy = "{csp}"\n}}\n')
    message = only_problem(path)
    assert message.startswith(f"{path}: frontend.content_security_policy: {TEMPLATE_REFUSAL}")
    assert "${file(" in message


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('tags = { team = "%{ if true }x%{ endif }" }', "tags.team"),  # a directive
        ('tags = { team = "$${literal}" }', "tags.team"),  # escaped: refused too, and said so
        ('tags = { "${upper(\\"k\\")}" = "v" }', "tags.${upper(k)}"),  # a map key lands in the JSON as well
        ('api {\n  secrets = { KEY = "arn:${data.x}" }\n}', "api.secrets.KEY"),  # nested in a block
    ],
    ids=["directive", "escaped", "map-key", "nested"],
)
def test_templates_anywhere_in_a_string_are_refused(tmp_path, line, key):
    path = write(tmp_path, "dev", VALID.format(name="dev") + line + "\n")
    problems = problems_of(path)
    assert any(p.startswith(f"{path}: {key}: ") and TEMPLATE_REFUSAL in p for p in problems), problems


def test_a_template_in_a_list_item_is_refused_at_its_index(tmp_path):
    text = VALID.format(name="dev").replace('["api.chat.example.com"]', '["api.chat.example.com", "x${y}.example.com"]')
    problems = problems_of(write(tmp_path, "dev", text))
    assert any("dns.api_host_names[1]: " + TEMPLATE_REFUSAL in p for p in problems), problems


PRICED = "aws-list-prices-2026-11.toml"


@pytest.mark.parametrize(
    ("block", "key", "value", "expected"),
    [
        ("database", "instance_class", "db.m8g.large", "an RDS for PostgreSQL instance class"),
        ("database", "replica_instance_class", "db.r8g.large", "an RDS for PostgreSQL instance class"),
        ("managed_cache", "node_type", "cache.r8g.large", "an ElastiCache node type"),
        ("msk", "broker_instance_type", "kafka.m7g.4xlarge", "an MSK broker type"),
        ("documentdb", "instance_class", "db.r6g.16xlarge", "a DocumentDB instance class"),
    ],
    ids=["rds-unpriced", "rds-replica-unpriced", "elasticache", "msk", "documentdb"],
)
def test_instance_classes_are_checked_against_the_price_tables_catalogue(tmp_path, block, key, value, expected):
    variant = {"msk": 'messaging = "msk"\n', "documentdb": 'document_store = "documentdb"\n'}.get(block, "")
    text = VALID.format(name="dev").replace("az_count = 2", "az_count = 3") + variant
    path = write(tmp_path, "dev", text + f'{block} {{\n  {key} = "{value}"\n}}\n')
    message = only_problem(path)
    assert message.startswith(f"{path}: {block}.{key}: expected {expected} that the cost table prices ({PRICED}: ")
    hint = f' (did you mean "{HINTS[value]}"?)'
    assert message.endswith(f'got "{value}" (string){hint}; to use another, price it in every region of that table')


HINTS = {
    "db.m8g.large": "db.m7g.large",
    "db.r8g.large": "db.r7g.large",
    "cache.r8g.large": "cache.r7g.large",
    "kafka.m7g.4xlarge": "kafka.m7g.xlarge",
    "db.r6g.16xlarge": "db.r6g.xlarge",
}


def test_a_typo_in_an_rds_class_is_still_refused_by_the_module_in_its_own_words(tmp_path):
    path = write(tmp_path, "dev", VALID.format(name="dev") + 'database {\n  instance_class = "db.r6g.lage"\n}\n')
    message = only_problem(path)
    assert message.startswith(f"{path}: database.instance_class: expected ") and "db.r6g.lage" in message


def test_every_catalogued_class_is_priced_in_every_region_and_accepted_by_its_module():
    from costs.prices import DEFAULT_PRICES, load_prices
    from envconfig.catalogue import ENGINES, priced_classes
    from modules.database.props import check_instance_class as rds

    table = load_prices(DEFAULT_PRICES)
    for engine, (_, (section, prices)) in ENGINES.items():
        classes = priced_classes(engine)
        assert classes, engine
        for region in table.regions:
            for name in classes:
                assert table.regional(region, section, prices, name) > 0, (engine, region, name)
    for name in priced_classes("rds_postgres"):
        rds(name)


@pytest.mark.parametrize(
    ("region", "hint"),
    [
        ("eu-west-9", ' (did you mean "eu-west-3"?)'),
        ("us-gov-west-1", ' (did you mean "us-west-1"?)'),
        ("cn-north-1", ' (did you mean "eu-north-1"?)'),
    ],
    ids=["typo", "govcloud", "china"],
)
def test_regions_are_checked_against_the_aws_commercial_regions(tmp_path, region, hint):
    from envconfig.catalogue import AWS_COMMERCIAL_REGIONS

    path = write(tmp_path, "dev", VALID.format(name="dev").replace('region = "eu-west-1"', f'region = "{region}"'))
    problems = problems_of(path)
    expected = (
        f"{path}: region: expected one of the AWS commercial regions (partition aws; GovCloud and China are not "
        f'supported): {", ".join(AWS_COMMERCIAL_REGIONS)}; got "{region}" (string){hint}'
    )
    assert expected in problems, problems


def test_the_remote_state_region_is_checked_too(tmp_path):
    state = 'remote_state {\n  bucket = "chat-state"\n  key = "dev/terraform.tfstate"\n  region = "eu-wets-1"\n}\n'
    message = only_problem(write(tmp_path, "dev", VALID.format(name="dev") + state))
    assert ": remote_state.region: expected one of the AWS commercial regions" in message
    assert message.endswith('got "eu-wets-1" (string) (did you mean "eu-west-1"?)')


def test_the_backup_copy_region_is_checked_too_and_must_be_another_region(tmp_path):
    typo = write(tmp_path, "dev", VALID.format(name="dev") + 'backup {\n  copy_region = "eu-centrl-1"\n}\n')
    message = only_problem(typo)
    assert ": backup.copy_region: expected one of the AWS commercial regions" in message
    assert message.endswith('got "eu-centrl-1" (string) (did you mean "eu-central-1"?)')
    same = write(tmp_path, "dev", VALID.format(name="dev") + 'backup {\n  copy_region = "eu-west-1"\n}\n')
    assert only_problem(same).endswith(
        ": backup.copy_region: expected a region other than the stack's (eu-west-1): a copy in the same region "
        "is lost with it, got 'eu-west-1'"
    )


def test_the_region_list_is_botocores_aws_partition():
    import json as json_module

    import botocore

    from envconfig.catalogue import AWS_COMMERCIAL_REGIONS

    endpoints = json_module.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    (aws,) = [p for p in endpoints["partitions"] if p["partition"] == "aws"]
    assert sorted(aws["regions"]) == list(AWS_COMMERCIAL_REGIONS)


def tags_line(count: int, *extra: str) -> str:
    keys = [f"k{i}" for i in range(count - len(extra))] + list(extra)
    return "tags = { " + ", ".join(f'"{k}" = "v"' for k in keys) + " }\n"


def test_tags_are_counted_against_awss_50_with_the_stacks_and_the_modules_own(tmp_path):
    assert load_environment(write(tmp_path, "dev", VALID.format(name="dev") + tags_line(43)))
    # "Name" is one of the modules' own keys: it is counted once
    assert load_environment(write(tmp_path, "dev", VALID.format(name="dev") + tags_line(44, "Name")))
    message = only_problem(write(tmp_path, "dev", VALID.format(name="dev") + tags_line(44)))
    assert message == (
        f"{tmp_path / 'dev.hcl'}: tags: expected at most 43 tags (AWS allows 50 per resource; the stack adds "
        "project, environment, managed-by and the modules add up to 4 of their own: Name, DeletionProtection, "
        "InternetFacing, RedisCluster), got 44, which makes 51 on a resource"
    )


def test_every_tag_key_the_modules_set_is_counted():
    """The literal tag keys in modules/ and stacks/ (`tags={..., "Key": ...}` and *_TAG constants)."""
    import re

    from envconfig.catalogue import RESOURCE_TAG_KEYS

    found = set()
    for source in [*(ROOT / "modules").rglob("*.py"), *(ROOT / "stacks").rglob("*.py")]:
        text = source.read_text()
        for literal in re.findall(r"tags=\{([^}]*)\}", text):
            found |= set(re.findall(r'"([A-Za-z][A-Za-z0-9:_-]*)":', literal))
        found |= set(re.findall(r'^[A-Z_]*_TAG\s*=\s*"([^"]+)"', text, flags=re.MULTILINE))
    assert found and found <= set(RESOURCE_TAG_KEYS), found - set(RESOURCE_TAG_KEYS)


@pytest.mark.parametrize("service", ["worker", "API"])
def test_weights_for_a_service_the_load_balancer_does_not_route_are_refused_at_load(tmp_path, service):
    text = (
        VALID.format(name="dev") + f"load_balancer {{\n  weights = {{ {service} = {{ blue = 50, green = 50 }} }}\n}}\n"
    )
    message = only_problem(write(tmp_path, "dev", text))
    assert message == (
        f"{tmp_path / 'dev.hcl'}: load_balancer.weights: expected weights only for the services the load balancer "
        f"routes (api, realtime; the worker has no port and nothing routes to it), got weights for {service}"
    )


def test_the_cli_reports_every_new_problem_at_once_exits_2_and_writes_nothing(tmp_path):
    environments = tmp_path / "environments"
    environments.mkdir()
    text = VALID.format(name="dev").replace('region = "eu-west-1"', 'region = "eu-west-9"')
    text += 'tags = { team = "x-${upper(\\"a\\")}" }\n'
    text += 'document_store = "documentdb"\ndocumentdb {\n  instance_class = "db.r6g.16xlarge"\n}\n'
    text += "load_balancer {\n  weights = { worker = { blue = 100, green = 0 } }\n}\n"
    (environments / "dev.hcl").write_text(text)
    completed = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--environments-dir", str(environments)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.splitlines()
    assert lines[0] == "error: 4 problem(s) in environment files:", completed.stderr
    for key in ("tags.team", "region", "documentdb.instance_class", "load_balancer.weights"):
        assert any(line.startswith(f"  environments/dev.hcl: {key}: ") for line in lines), (key, completed.stderr)
    assert "Traceback" not in completed.stderr and not (tmp_path / "cdktf.out").exists()


def test_a_value_a_module_refuses_while_building_is_a_located_problem_not_a_traceback(tmp_path):
    from main import build_or_report

    good, bad = (load_environment(write(tmp_path, n, VALID.format(name=n))) for n in ("good", "bad"))

    def build(configs):
        if any(c.name == "bad" for c in configs):
            raise ValueError("weights: expected weights only for the routed services ['api'], got ['worker']")
        return "app"

    assert build_or_report([good], tmp_path, build) == ("app", [])
    app, problems = build_or_report([good, bad], tmp_path, build)
    assert app is None and [str(p) for p in problems] == [
        f"{tmp_path / 'bad.hcl'}: weights: expected weights only for the routed services ['api'], got ['worker'] "
        "(refused while building chat-bad: the file's validation missed it)"
    ]


# -- adversarial environment files: templates in disguise, lookalikes, limits at the edge ------------


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ('tags = { team = <<EOT\nx-${upper("a")}\nEOT\n}', "tags.team", TEMPLATE_REFUSAL),  # a heredoc
        ('tags = { team = "\\u0025{ if true }x" }', "tags.team", TEMPLATE_REFUSAL),  # "%" written as \u0025
        ('tags = { team = "a\\u0024{upper(1)}" }', "tags.team", TEMPLATE_REFUSAL),  # "$" written as \u0024
        ('tags = { team = "\\u0024{upper(1)}" }', "tags.team", "expected a literal value"),  # wholly an expression
    ],
    ids=["heredoc", "escaped-percent", "escaped-dollar-inside", "escaped-dollar-whole"],
)
def test_a_template_in_disguise_is_still_refused(tmp_path, line, key, expected):
    problems = problems_of(write(tmp_path, "dev", VALID.format(name="dev") + line + "\n"))
    assert any(f": {key}: " in p and expected in p for p in problems), problems


def test_a_region_with_a_lookalike_hyphen_or_an_expression_is_refused(tmp_path):
    lookalike = VALID.format(name="dev").replace('region = "eu-west-1"', 'region = "eu\u2010west-1"')
    assert ": region: expected an AWS region such as eu-west-1" in only_problem(write(tmp_path, "dev", lookalike))
    state = 'remote_state {\n  bucket = "chat-state"\n  key = "dev/terraform.tfstate"\n  region = var.region\n}\n'
    message = only_problem(write(tmp_path, "dev", VALID.format(name="dev") + state))
    assert ": remote_state.region: expected a literal value (environment files take no expressions)" in message


def test_tag_keys_differing_only_in_case_are_two_tags_to_aws(tmp_path):
    text = VALID.format(name="dev") + tags_line(44, "Team", "team")
    assert ": tags: expected at most 43 tags" in only_problem(write(tmp_path, "dev", text))


def test_an_instance_class_with_a_trailing_space_or_in_capitals_is_refused(tmp_path):
    for value in ("cache.t4g.small ", "CACHE.T4G.SMALL"):
        text = VALID.format(name="dev") + f'managed_cache {{\n  node_type = "{value}"\n}}\n'
        message = only_problem(write(tmp_path, "dev", text))
        assert message.startswith(f"{tmp_path / 'dev.hcl'}: managed_cache.node_type: expected ") and value in message


def test_every_problem_of_two_files_is_reported_at_once_with_the_new_checks(tmp_path):
    write(tmp_path, "dev", VALID.format(name="dev") + 'tags = { team = "${x}y" }\n')
    write(tmp_path, "prod", VALID.format(name="prod").replace('"eu-west-1"', '"eu-west-7"'))
    with pytest.raises(EnvironmentFileError) as caught:
        load_environments(tmp_path)
    keys = [(Path(p.file).name, p.key) for p in caught.value.problems]
    assert keys == [("dev.hcl", "tags.team"), ("prod.hcl", "region")]


# -- issue 24: key administrators ---------------------------------------------------------------------


def test_key_administrators_are_role_arns(tmp_path):
    path = write(
        tmp_path, "dev", VALID.format(name="dev") + 'key_administrator_arns = ["arn:aws:iam::111122223333:user/a"]\n'
    )
    assert only_problem(path).startswith(f"{path}: key_administrator_arns: expected IAM role ARNs"), only_problem(path)


def test_key_administrators_reach_the_config(tmp_path):
    from envconfig import load_environments

    role = "arn:aws:iam::111122223333:role/key-admin"
    write(tmp_path, "dev", VALID.format(name="dev") + f'key_administrator_arns = ["{role}"]\n')
    (config,) = load_environments(tmp_path)
    assert tuple(config.key_administrator_arns) == (role,)


def test_a_protected_environment_file_refuses_a_tag_only_collector_image(tmp_path):
    image = "public.ecr.aws/aws-observability/aws-otel-collector:v0.44.0"
    text = VALID.format(name="dev") + f'compute {{\n  tracing_collector_image = "{image}"\n}}\n'
    path = write(tmp_path, "dev", text)
    problems = problems_of(path)
    assert any(
        p.startswith(f"{path}: compute.tracing_collector_image: expected an image pinned by digest") for p in problems
    ), problems


def test_connections_per_task_is_realtimes_and_checked(tmp_path):
    path = write(
        tmp_path,
        "dev",
        VALID.format(name="dev")
        + "realtime {\n  connections_per_task = 0\n}\napi {\n  connections_per_task = 100\n}\n",
    )
    problems = problems_of(path)
    assert f"{path}: realtime.connections_per_task: expected a number greater than or equal to 1, got 0 (number)" in (
        problems
    ), problems
    assert any(p.startswith(f"{path}: api.connections_per_task: unknown key") for p in problems), problems
    ok = write(tmp_path, "staging", VALID.format(name="staging") + "realtime {\n  connections_per_task = 8000\n}\n")
    assert load_environment(ok).realtime.connections_per_task == 8000
