"""AWS's own constraints (gate/aws_model.py): every literal value of every synthesized stack
within the pattern, length, enum and range of the API member it is sent as; the table
(gate/aws_model_map.py) resolves against the installed botocore; a planted bad value is
found in a synthesized stack."""

from __future__ import annotations

import json

import pytest

from gate.aws_model import (
    Constraints,
    ModelMapError,
    ModelReport,
    PatternNotJudged,
    check_stack,
    check_stacks,
    find_stacks,
    python_pattern,
    render,
    resolve,
    resolve_table,
)
from gate.aws_model_map import ROWS, Row
from gate.run import aws_model_gate


def test_every_row_of_the_table_resolves_to_a_constrained_member():
    table = resolve_table()
    assert len(table) == len(ROWS) >= 150
    assert len({row.resource_type for row in ROWS}) >= 45


def test_a_row_whose_member_is_gone_or_unconstrained_fails():
    with pytest.raises(ModelMapError, match="has no member 'Descriptio'"):
        resolve(Row("aws_wafv2_web_acl", "description", "wafv2", "CreateWebACL", "Descriptio"))
    with pytest.raises(ModelMapError, match="has no operation"):
        resolve(Row("aws_wafv2_web_acl", "description", "wafv2", "CreateWebAcl", "Description"))
    with pytest.raises(ModelMapError, match="nothing to check"):
        resolve(Row("aws_ecs_cluster", "name", "ecs", "CreateCluster", "clusterName"))
    with pytest.raises(ModelMapError, match="appears more than once"):
        resolve_table(ROWS[:1] * 2)


def test_every_environment_and_example_is_within_aws_models(synth_outdir, stack_configs):
    report = check_stacks(find_stacks(synth_outdir / "stacks"))
    print(render(report))
    assert report.ok, render(report)
    assert sorted(s.name for s in report.stacks) == sorted(c.stack_name for c in stack_configs.values())
    for stack in report.stacks:
        assert stack.judged > 500 and stack.not_judged > 0, stack


def test_the_gate_writes_the_model_report(synth_outdir, tmp_path):
    report = aws_model_gate(synth_outdir / "stacks", tmp_path)
    summary = json.loads((tmp_path / "aws_model_summary.json").read_text())
    assert summary["ok"] is report.ok is True and summary["rows"] == len(ROWS)
    assert all(s["judged"] > 0 for s in summary["stacks"])


@pytest.fixture(scope="module")
def planted(synth_scratch):
    """A scratch stack with values AWS refuses: a web ACL description with parentheses, an
    ECR repository name with capitals, a rule priority below zero; and one reference."""
    from bindings.aws.ecr_repository import EcrRepository
    from bindings.aws.wafv2_web_acl import (
        Wafv2WebAcl,
        Wafv2WebAclDefaultAction,
        Wafv2WebAclDefaultActionAllow,
        Wafv2WebAclRule,
        Wafv2WebAclRuleAction,
        Wafv2WebAclRuleActionBlock,
        Wafv2WebAclRuleVisibilityConfig,
        Wafv2WebAclVisibilityConfig,
    )

    def build(stack):
        repository = EcrRepository(stack, "repository", name="Chat/API")
        Wafv2WebAcl(
            stack,
            "acl",
            name="chat-dev-regional",
            description="chat-dev: managed rules (and rate limits)",
            scope="REGIONAL",
            default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
            visibility_config=Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=repository.name, sampled_requests_enabled=True
            ),
            rule=[
                Wafv2WebAclRule(
                    name="rate limit",
                    priority=-1,
                    action=Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
                    # The bindings type a rule's statement as plain data (as modules/waf passes it).
                    statement={"rate_based_statement": {"limit": 5, "aggregate_key_type": "IP"}},
                    visibility_config=Wafv2WebAclRuleVisibilityConfig(
                        cloudwatch_metrics_enabled=True, metric_name="rate-limit", sampled_requests_enabled=True
                    ),
                )
            ],
        )

    document = synth_scratch(build).document
    report = ModelReport(stacks=[], rows=len(ROWS))
    check_stack("scratch", document, resolve_table(), report)
    return report


def test_a_planted_bad_value_is_refused_with_address_attribute_value_and_pattern(planted):
    (stack,) = planted.stacks
    refused = {(f.address.split(".")[0], f.attribute, f.value): f for f in stack.findings}
    assert set(refused) == {
        ("aws_ecr_repository", "name", "Chat/API"),
        ("aws_wafv2_web_acl", "description", "chat-dev: managed rules (and rate limits)"),
        ("aws_wafv2_web_acl", "rule.name", "rate limit"),
        ("aws_wafv2_web_acl", "rule.priority", -1),
        ("aws_wafv2_web_acl", "rule.statement.rate_based_statement.limit", 5),
    }, render(planted)
    description = refused[("aws_wafv2_web_acl", "description", "chat-dev: managed rules (and rate limits)")]
    assert description.address.startswith("aws_wafv2_web_acl.acl")
    assert "does not match the pattern" in description.problem and "\\w+=:#@" in description.problem
    assert "wafv2 CreateWebACL.Description" in str(description)
    assert (
        "below the minimum 10" in refused[("aws_wafv2_web_acl", "rule.statement.rate_based_statement.limit", 5)].problem
    )
    assert not planted.ok and "REFUSED scratch: aws_ecr_repository.repository" in render(planted)
    # The metric name is a reference: not judged, and counted.
    assert stack.not_judged == 1


def test_java_pattern_dialect():
    # Unicode classes, inside and outside [...], and Java's POSIX classes.
    assert python_pattern(r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$").fullmatch("Équipe 9_chat")
    assert not python_pattern(r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$").fullmatch("chat (dev)")
    assert python_pattern(r"\p{Print}+").fullmatch("chat-dev api cpu")
    assert not python_pattern(r"\p{Print}+").fullmatch("tab\there")
    # A character beyond U+FFFF, written as a UTF-16 surrogate pair in Java.
    pattern = python_pattern(r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*")
    assert pattern.fullmatch("label \U0001f600") and not pattern.fullmatch("bell \x07")
    # Possessive quantifiers read the same in Python 3.11.
    assert python_pattern(r"[a-z]++").fullmatch("chat")


@pytest.mark.parametrize("pattern", [r"\p{IsLatin}+", r"[a-z&&[^c]]+", r"\Qliteral\E", r"[\P{L}x]"])
def test_a_pattern_python_cannot_read_is_not_judged_and_fails_loudly(pattern):
    with pytest.raises(PatternNotJudged):
        python_pattern(pattern)
    row = Row("aws_wafv2_web_acl", "name", "wafv2", "CreateWebACL", "Name")
    report = ModelReport(stacks=[], rows=1)
    check_stack(
        "s",
        {"resource": {"aws_wafv2_web_acl": {"acl": {"name": "chat"}}}},
        {row: Constraints("string", pattern)},
        report,
    )
    assert not report.ok and report.stacks[0].judged == 0
    assert report.stacks[0].pattern_not_judged == ["aws_wafv2_web_acl.acl.name"]
    assert "CANNOT JUDGE wafv2 CreateWebACL.Name" in render(report)


def test_numbers_lengths_and_enums():
    row = Row("aws_kms_key", "rotation_period_in_days", "kms", "EnableKeyRotation", "RotationPeriodInDays")
    report = ModelReport(stacks=[], rows=1)
    document = {
        "resource": {"aws_kms_key": {"a": {"rotation_period_in_days": 30}, "b": {"rotation_period_in_days": "365"}}}
    }
    check_stack("s", document, {row: resolve(row)}, report)
    assert [(f.address, f.problem) for f in report.stacks[0].findings] == [("aws_kms_key.a", "below the minimum 90")]
    row = Row("aws_lb", "load_balancer_type", "elbv2", "CreateLoadBalancer", "Type")
    report = ModelReport(stacks=[], rows=1)
    check_stack(
        "s", {"resource": {"aws_lb": {"a": {"load_balancer_type": "Application"}}}}, {row: resolve(row)}, report
    )
    assert report.stacks[0].findings[0].problem.startswith("not one of application, network")
