"""The cost change against a base: per resource (added, removed, changed) and in total."""

from __future__ import annotations

import pytest

from costs.__main__ import EXIT_OK, main
from costs.diff import diff_stack, render_stack_diff
from tests.costs.stacks import ROUND_PRICES, stack_document, write_assumptions, write_stacks

NAT = {"nat": {"subnet_id": "${aws_subnet.a.id}"}}
SMALL_DATABASE = {
    "db": {"engine": "postgres", "instance_class": "db.t4g.micro", "allocated_storage": 20, "storage_type": "gp3"}
}
BEFORE = {"aws_nat_gateway": NAT, "aws_eip": {"a": {"domain": "vpc"}, "b": {"domain": "vpc"}}}
# a doubled, b gone, the NAT gateway as it was, a database added.
AFTER = {"aws_nat_gateway": NAT, "aws_eip": {"a": {"domain": "vpc", "count": 2}}, "aws_db_instance": SMALL_DATABASE}
ADDRESS = 730 * 0.005  # one public IPv4 address a month: 3.65
DATABASE = 730 * 0.02 + 20 * 0.1  # 16.60


def test_changes_are_added_removed_or_changed_and_sorted_by_size(price):
    before, after = price(BEFORE), price(AFTER)

    diff = diff_stack("chat-test", before, after)

    assert [(c.kind, c.address) for c in diff.changes] == [
        ("added", "aws_db_instance.db"),
        ("changed", "aws_eip.a"),
        ("removed", "aws_eip.b"),
    ]
    assert [c.delta for c in diff.changes] == pytest.approx([DATABASE, ADDRESS, -ADDRESS])
    assert diff.unchanged == 1  # the NAT gateway
    assert diff.before_usd == pytest.approx(730 * 0.05 + 2 * ADDRESS)
    assert diff.after_usd == pytest.approx(730 * 0.05 + 2 * ADDRESS + DATABASE)
    assert diff.delta == pytest.approx(DATABASE)


def test_the_comment_shows_a_row_per_change_and_the_total(price):
    diff = diff_stack("chat-test", price(BEFORE), price(AFTER))

    text = render_stack_diff(diff, "`main`")

    assert (
        "**chat-test**: $43.80 -> $60.40 a month (+$16.60, +37.9%; 1 changed, 1 added, 1 removed, 1 unchanged)" in text
    )
    assert "| added | `aws_db_instance.db` | RDS |  | 16.60 | +$16.60 |" in text
    assert "| changed | `aws_eip.a` | Public IPv4 | 3.65 | 7.30 | +$3.65 |" in text
    assert "| removed | `aws_eip.b` | Public IPv4 | 3.65 |  | -$3.65 |" in text
    assert "| | **total** | | **43.80** | **60.40** | **+$16.60** |" in text


def test_a_stack_only_on_one_side_is_wholly_added_or_removed(price):
    added = diff_stack("chat-new", None, price(AFTER))
    removed = diff_stack("chat-old", price(BEFORE), None)

    assert {c.kind for c in added.changes} == {"added"} and len(added.changes) == 3
    assert added.delta == pytest.approx(730 * 0.05 + 2 * ADDRESS + DATABASE)
    assert {c.kind for c in removed.changes} == {"removed"} and len(removed.changes) == 3
    assert removed.delta == pytest.approx(-(730 * 0.05 + 2 * ADDRESS))


def test_base_folder_diff_is_written_per_stack_and_printed(tmp_path, capsys):
    base = tmp_path / "base"
    write_stacks(base, {"chat-a": stack_document(BEFORE), "chat-old": stack_document(BEFORE)})
    current = write_stacks(tmp_path / "current", {"chat-a": stack_document(AFTER), "chat-new": stack_document(AFTER)})
    assumptions = write_assumptions(tmp_path / "assumptions.toml")
    out = tmp_path / "review"

    files = ["--prices", str(ROUND_PRICES), "--assumptions", str(assumptions)]
    code = main(["--stacks-dir", str(current), "--out-dir", str(out), *files, "--base", str(base)])

    assert code == EXIT_OK
    stdout = capsys.readouterr().out
    assert "**chat-a**: $43.80 -> $60.40 a month (+$16.60" in stdout
    assert "**chat-new** (new stack): $60.40 a month (0 changed, 3 added, 0 removed)" in stdout
    assert "**chat-old** (stack removed): $43.80 a month no longer spent (0 changed, 0 added, 3 removed)" in stdout
    assert f"Against `{base}`: +$33.20 a month in all." in stdout  # +16.60 + 60.40 - 43.80
    for stack in ("chat-a", "chat-new", "chat-old"):
        assert (out / stack / "cost-diff.md").is_file()
    assert "| added | `aws_db_instance.db` |" in (out / "chat-a" / "cost-diff.md").read_text()
    assert (out / "cost-diff.md").read_text().startswith("## Cost change")
    assert not (out / "chat-old" / "cost.md").exists()  # only the current stacks get an estimate


def test_a_stack_chosen_with_stack_may_be_new_in_the_base(tmp_path, capsys):
    base = tmp_path / "base"
    write_stacks(base, {"chat-a": stack_document(BEFORE)})
    current = write_stacks(tmp_path / "current", {"chat-a": stack_document(AFTER), "chat-new": stack_document(AFTER)})
    files = ["--prices", str(ROUND_PRICES), "--assumptions", str(write_assumptions(tmp_path / "assumptions.toml"))]

    code = main(
        [
            "--stacks-dir",
            str(current),
            "--out-dir",
            str(tmp_path / "out"),
            *files,
            "--base",
            str(base),
            "--stack",
            "chat-new",
        ]
    )

    assert code == EXIT_OK
    stdout = capsys.readouterr().out
    assert "**chat-new** (new stack): $60.40 a month" in stdout
    assert "chat-a" not in stdout
