"""modules/common/inputs.py: one declaration per input; the environment block is derived from it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field, replace
from typing import ClassVar, Literal

import pytest
from pydantic import ValidationError

import bindings
from modules.common.inputs import (
    CrossCheck,
    check_props,
    cross_check_problems,
    environment_block,
    prop,
    props_from_block,
)
from modules.common.validation import check_name, check_region, check_retention_days, choice_check, range_check
from tests.conftest import ROOT

Speed = Literal["slow", "fast"]


def check_fast_needs_two(speed: str, replicas: int) -> None:
    if speed == "fast" and replicas < 2:
        raise ValueError(f'expected at least 2 replicas when speed is "fast", got {replicas}')


@dataclass(frozen=True, kw_only=True)
class ToyProps:
    """A module's props, as a module writes them."""

    name: str = prop(check=check_name)
    """Supplied by the stack."""

    region: str = prop(check=check_region)
    """Supplied by the stack."""

    replicas: int = prop(check=range_check(1, 3), environment=True)
    """Copies to run, 1 to 3."""

    speed: Speed = prop("slow", check=choice_check(("slow", "fast")), environment=True)
    """Default: slow, the cheap one."""

    zones: tuple[str, ...] | None = prop(None, environment=True)
    """Default: any zone."""

    owner: str | None = prop(None, check=check_name, environment=True)
    """Default: nobody in particular."""

    labels: dict[str, str] = field(default_factory=dict)
    """For code that uses the module directly; not in the file."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (CrossCheck("speed", check_fast_needs_two, ("speed", "replicas")),)

    def __post_init__(self) -> None:
        check_props(self)


@dataclass(frozen=True, kw_only=True)
class ToyPropsWithRetention(ToyProps):
    """The same module after one edit: a new input."""

    retention_days: int = prop(30, check=check_retention_days, environment=True)
    """Default: a month of logs."""


ToyBlock = environment_block(ToyProps, "ToyBlock")
ToyBlockWithRetention = environment_block(ToyPropsWithRetention, "ToyBlockWithRetention")


def problems(model, data) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [
        (".".join(str(p) for p in e["loc"] if p != "function-after"), e["type"], str(e.get("ctx", {}).get("error", "")))
        for e in caught.value.errors(include_url=False)
    ]


def test_the_block_has_the_settable_fields_with_their_defaults_and_docs():
    assert list(ToyBlock.model_fields) == ["replicas", "speed", "zones", "owner"]
    fields = ToyBlock.model_fields
    assert fields["replicas"].is_required()
    assert (fields["speed"].default, fields["zones"].default, fields["owner"].default) == ("slow", None, None)
    assert fields["replicas"].description == "Copies to run, 1 to 3."
    assert fields["speed"].description == "Default: slow, the cheap one."


def test_adding_a_field_to_the_props_adds_the_key_with_its_default_doc_and_check():
    assert list(ToyBlockWithRetention.model_fields) == ["replicas", "speed", "zones", "owner", "retention_days"]
    derived = ToyBlockWithRetention.model_fields["retention_days"]
    assert derived.default == 30 and derived.description == "Default: a month of logs."
    assert ToyBlockWithRetention.model_validate({"replicas": 1}).retention_days == 30
    ((key, kind, message),) = problems(ToyBlockWithRetention, {"replicas": 1, "retention_days": 8})
    assert (key, kind) == ("retention_days", "value_error")
    assert message.startswith("expected a CloudWatch Logs retention period in days")
    ((key, kind, _),) = problems(ToyBlock, {"replicas": 1, "retention_days": 30})
    assert (key, kind) == ("retention_days", "extra_forbidden")


def test_the_block_is_strict_and_checks_values_but_not_none():
    assert {(key, kind) for key, kind, _ in problems(ToyBlock, {"replicas": "2", "zones": [1], "speed": 3})} == {
        ("replicas", "int_type"),
        ("zones.0", "string_type"),
        ("speed", "literal_error"),
    }
    assert problems(ToyBlock, {"replicas": 4, "owner": "Bad Owner"}) == [
        ("replicas", "value_error", "expected a number less than or equal to 3, got 4 (number)"),
        (
            "owner",
            "value_error",
            "expected 2-20 characters of lowercase letters, digits and '-', starting with a "
            "letter and not ending with '-', got \"Bad Owner\" (string)",
        ),
    ]
    block = ToyBlock.model_validate({"replicas": 2, "zones": ["a", "b"], "owner": None})
    assert block.zones == ("a", "b") and block.owner is None
    with pytest.raises(ValidationError, match="frozen"):
        block.replicas = 3


def test_props_used_directly_give_the_blocks_messages():
    with pytest.raises(ValueError) as caught:
        ToyProps(name="toy", region="eu-west-1", replicas=4, owner="Bad Owner")
    in_block = {key: message for key, _, message in problems(ToyBlock, {"replicas": 4, "owner": "Bad Owner"})}
    assert str(caught.value).splitlines() == [
        "invalid ToyProps:",
        f"  replicas: {in_block['replicas']}",
        f"  owner: {in_block['owner']}",
    ]


def test_cross_checks_wait_for_their_fields_to_be_valid():
    base = ToyProps(name="toy", region="eu-west-1", replicas=2, speed="fast")
    with pytest.raises(ValueError, match='speed: expected at least 2 replicas when speed is "fast", got 1'):
        replace(base, replicas=1)
    # replicas=0 is its own problem; the rule over replicas does not pile on.
    with pytest.raises(ValueError) as caught:
        replace(base, replicas=0)
    assert [line.split(":")[0].strip() for line in str(caught.value).splitlines()[1:]] == ["replicas"]
    # The environment schema runs them with the values the stack supplies; absent fields take defaults.
    assert cross_check_problems(ToyProps, {"replicas": 1}) == []
    assert cross_check_problems(ToyProps, {"replicas": 1, "speed": "fast"}) == [
        ("speed", 'expected at least 2 replicas when speed is "fast", got 1')
    ]


def test_a_cross_check_over_a_misspelt_field_is_a_programming_error():
    @dataclass(frozen=True, kw_only=True)
    class Misspelt:
        speed: str = "slow"
        cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
            CrossCheck("speed", check_fast_needs_two, ("speed", "replica")),
        )

    with pytest.raises(TypeError, match=r"Misspelt.cross_checks: \['replica'\] are not fields"):
        cross_check_problems(Misspelt, {})


def test_props_from_block_takes_what_the_stack_supplies_that_the_props_declare():
    block = ToyBlock.model_validate({"replicas": 2, "zones": ["a", "b"]})
    props = props_from_block(ToyProps, block, name="toy", region="eu-west-1", account_id="111122223333")
    assert props == ToyProps(name="toy", region="eu-west-1", replicas=2, zones=("a", "b"))


def test_props_from_block_refuses_wiring_the_props_do_not_declare():
    block = ToyBlock.model_validate({"replicas": 2})
    with pytest.raises(TypeError) as raised:
        props_from_block(ToyProps, block, name="toy", region="eu-west-1", zone=("a",), colour="blue")
    # Both unknown arguments at once, the props class, the likely meant field.
    assert str(raised.value).startswith("ToyProps has no input 'colour', 'zone' (did you mean 'zones'?): expected")
    assert str(raised.value).endswith("expected wiring among its fields (labels, owner, replicas, speed, zones)")


# Both toolchains' packages and jsii: validation loads none of them, whichever is selected.
TOOLCHAIN_PACKAGES = (
    "jsii",
    *(name for chain in bindings.TOOLCHAINS.values() for name in (chain.cdk_package, chain.provider_package)),
)


def test_validation_imports_neither_cdktf_nor_the_bindings():
    code = (
        "import sys, envconfig, modules.common.inputs, modules.common.policy, modules.common.waivers, modules.network\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {TOOLCHAIN_PACKAGES!r})\n"
        "print(loaded)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert completed.stdout.strip() == "[]"


def test_pattern_check_words_its_refusal_and_lets_references_through_only_when_asked():
    from modules.common.validation import pattern_check

    literal_only = pattern_check(r"^vpc-[0-9a-f]{8}$", "expected a VPC id")
    with_references = pattern_check(r"^vpc-[0-9a-f]{8}$", "expected a VPC id", references=True)
    assert literal_only("vpc-0a1b2c3d") == "vpc-0a1b2c3d"
    with pytest.raises(ValueError, match=r'^expected a VPC id, got "vpc-x" \(string\)$'):
        literal_only("vpc-x")
    token = "${TfToken[TOKEN.7]}"
    assert with_references(token) == token
    with pytest.raises(ValueError, match="expected a VPC id"):
        literal_only(token)


def check_one_of_two(left: str | None, right: str | None) -> None:
    if (left is None) == (right is None):
        raise ValueError(f"expected exactly one of left or right, got {left!r} and {right!r}")


@dataclass(frozen=True, kw_only=True)
class ToyChoice:
    left: str | None = prop(None, check=check_name, environment=True)
    right: str | None = prop(None, environment=True)
    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck("left", check_one_of_two, ("left", "right"), runs_on_unset=True),
    )

    def __post_init__(self) -> None:
        check_props(self)


@dataclass(frozen=True, kw_only=True)
class ToyWithChoice:
    choice: ToyChoice | None = prop(None, environment=True)


def test_a_rule_about_which_fields_are_given_runs_on_unset_ones_and_others_skip_them():
    assert cross_check_problems(ToyChoice, {}) == [("left", "expected exactly one of left or right, got None and None")]
    assert cross_check_problems(ToyChoice, {"left": "ab"}) == []
    skipping = CrossCheck("left", check_one_of_two, ("left", "right"))
    assert not skipping.runs_on_unset  # the default: a rule waits for its fields


def test_a_props_typed_field_is_a_nested_block_checked_key_by_key_then_as_a_whole():
    block = environment_block(ToyWithChoice, "ToyWithChoiceBlock")
    assert block().choice is None
    assert block(choice={"left": "ab"}).choice == ToyChoice(left="ab")
    with pytest.raises(ValidationError) as caught:
        block(choice={"left": "Bad Name", "rigth": "x"})
    assert {(tuple(e["loc"][:2]), e["type"]) for e in caught.value.errors()} == {
        (("choice", "left"), "value_error"),
        (("choice", "rigth"), "extra_forbidden"),
    }
    with pytest.raises(ValidationError, match="left: expected exactly one of left or right"):
        block(choice={"left": "ab", "right": "cd"})
