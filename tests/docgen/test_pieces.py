"""The pure pieces: type and default rendering, rule text, the outputs list, cells, table reading."""

from __future__ import annotations

from typing import Literal

import pytest

from docgen.inputs import render_type, render_value, rule_text
from docgen.outputs import listed_outputs
from docgen.readme import find_blocks
from docgen.tables import prose, written_descriptions
from modules.common.validation import check_account_id, check_vpc_cidr, choice_check, pattern_check, range_check


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (int, "int"),
        (str | None, "str | None"),
        (tuple[str, ...], "tuple[str, ...]"),
        (dict[str, tuple[str, ...]], "dict[str, tuple[str, ...]]"),
        (Literal["none", "single", "per_az"], '"none" | "single" | "per_az"'),
        (Literal[1, 2] | None, "1 | 2 | None"),
    ],
)
def test_render_type(annotation, expected) -> None:
    assert render_type(annotation) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("per_az", '"per_az"'),
        (("ARM64",), '("ARM64",)'),
        (("a", "b"), '("a", "b")'),
        ({}, "{}"),
        ({"team": "chat"}, '{"team": "chat"}'),
        (True, "True"),
        (None, "None"),
        (0.5, "0.5"),
    ],
)
def test_render_value(value, expected) -> None:
    assert render_value(value) == expected


def test_rule_text_reads_the_shared_factories() -> None:
    assert rule_text(range_check(2, 4)) == "2 to 4"
    assert rule_text(range_check(0, 2_147_483_647)) == "0 to 2,147,483,647"
    assert rule_text(choice_check(("a", "b", "c"))) == "one of 'a', 'b' or 'c'"
    assert rule_text(pattern_check(r"^x$", "expected an x such as x")) == "an x such as x"


def test_rule_text_leaves_out_what_the_type_already_says() -> None:
    assert rule_text(choice_check(("a", "b")), Literal["a", "b"]) is None
    assert rule_text(choice_check(("a", "b")), str) == "one of 'a' or 'b'"


def test_rule_text_reads_a_single_literal_expected_message_only() -> None:
    assert rule_text(check_account_id) == "a 12-digit AWS account id in quotes"
    # Several raises, each with computed parts: no single rule to quote.
    assert rule_text(check_vpc_cidr) is None
    assert rule_text(None) is None


def test_listed_outputs_reads_names_notes_and_stops_at_the_next_label() -> None:
    docstring = """Something.

    Typed outputs (attributes): vpc_id, endpoint_security_group_id (None when endpoints
    are off, or given), data_network_acl.
    Helpers: allow_from(source), grant(grantee).
    """
    outputs, unreadable = listed_outputs(docstring)
    assert [(o.name, o.note) for o in outputs] == [
        ("vpc_id", ""),
        ("endpoint_security_group_id", "None when endpoints are off, or given"),
        ("data_network_acl", ""),
    ]
    assert unreadable == []


def test_listed_outputs_reports_what_is_not_a_name() -> None:
    outputs, unreadable = listed_outputs("Typed outputs (attributes): arn, the key's id.\n")
    assert [o.name for o in outputs] == ["arn"]
    assert unreadable == ["the key's id."]


def test_prose_escapes_pipes_everywhere_and_angle_brackets_outside_code() -> None:
    assert prose("a | b `x | <y>` <name>-z\n  next") == "a \\| b `x \\| <y>` \\<name>-z next"


def test_written_descriptions_spread_a_grouped_row_and_skip_headers() -> None:
    lines = [
        "| name | type | description |",
        "|---|---|---|",
        "| `public_subnet_ids`, `private_subnet_ids` | `list[str]` | One per AZ \\| in order. |",
        "| `empty` | `str` |  |",
    ]
    assert written_descriptions(lines) == {
        "public_subnet_ids": "One per AZ \\| in order.",
        "private_subnet_ids": "One per AZ \\| in order.",
    }


def test_find_blocks_reports_nesting_and_strays() -> None:
    lines = [
        "<!-- BEGIN GENERATED: inputs (A) -->",
        "<!-- BEGIN GENERATED: inputs (B) -->",
        "<!-- END GENERATED -->",
        "<!-- END GENERATED -->",
        "<!-- BEGIN GENERATED: tables (C) -->",
    ]
    blocks, problems = find_blocks(lines)
    assert [(b.name, b.begin, b.end) for b in blocks] == [("A", 0, 2)]
    assert problems == [
        "line 2: BEGIN GENERATED inside the block opened at line 1",
        "line 4: END GENERATED without a BEGIN GENERATED before it",
        "line 5: expected `<!-- BEGIN GENERATED: inputs|outputs (ClassName) -->`",
    ]
