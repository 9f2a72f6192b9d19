"""Bad input: exit code 2, one line per problem naming the file, key, what was expected and
what was found, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from costs.__main__ import EXIT_BAD_INPUT, main
from tests.costs.stacks import ROUND_PRICES, stack_document, write_assumptions, write_stacks

NAT = {"aws_nat_gateway": {"nat": {"subnet_id": "${aws_subnet.a.id}"}}}
UNKNOWN_CLASS = {
    "aws_db_instance": {"db": {"engine": "postgres", "instance_class": "db.x9.huge", "allocated_storage": 20}}
}


def run(tmp_path: Path, capsys, *extra: str, stacks: Path | None = None, assumptions: Path | None = None):
    """main() over `stacks` (default: one NAT gateway in eu-west-1); returns (exit code, stderr, out dir)."""
    stacks = stacks or write_stacks(tmp_path, {"chat-ok": stack_document(NAT)})
    assumptions = assumptions or write_assumptions(tmp_path / "assumptions.toml")
    out = tmp_path / "review"
    files = ["--prices", str(ROUND_PRICES), "--assumptions", str(assumptions)]
    code = main(["--stacks-dir", str(stacks), "--out-dir", str(out), *files, *extra])
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr
    return code, stderr, out


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        # A region missing from the table is an error, never a zero.
        (
            stack_document(NAT, region="ap-south-1"),
            "region 'ap-south-1' is not in the price table (it prices eu-west-1, us-east-1); "
            "add [regions.ap-south-1.*] sections (needed by aws_nat_gateway.nat)",
        ),
        # So is an instance class, named.
        (
            stack_document(UNKNOWN_CLASS),
            "'db.x9.huge' has no price in [regions.eu-west-1.rds.postgres_instance_hourly] (it has db.r6g.large, "
            "db.r6g.xlarge, db.t4g.micro) (needed by aws_db_instance.db)",
        ),
    ],
)
def test_a_price_the_table_lacks_is_an_error_naming_it(tmp_path, capsys, document, expected):
    stacks = write_stacks(tmp_path, {"chat-x": document})

    code, stderr, out = run(tmp_path, capsys, stacks=stacks)

    assert code == EXIT_BAD_INPUT
    assert f"error: {stacks / 'chat-x' / 'cdk.tf.json'}: {ROUND_PRICES}: {expected}" in stderr
    assert not out.exists()


def test_every_problem_of_every_stack_is_reported_at_once(tmp_path, capsys):
    stacks = write_stacks(
        tmp_path, {"chat-a": stack_document(NAT, region="ap-south-1"), "chat-b": stack_document(UNKNOWN_CLASS)}
    )

    code, stderr, _ = run(tmp_path, capsys, stacks=stacks)

    assert code == EXIT_BAD_INPUT
    assert len(stderr.strip().splitlines()) == 2
    assert "chat-a" in stderr and "chat-b" in stderr


def test_a_missing_stacks_folder(tmp_path, capsys):
    code, stderr, out = run(tmp_path, capsys, stacks=tmp_path / "cdktf.out" / "stacks")

    assert code == EXIT_BAD_INPUT
    assert f"error: {tmp_path / 'cdktf.out' / 'stacks'}: no such directory" in stderr
    assert not out.exists()


def test_an_empty_stacks_folder(tmp_path, capsys):
    (tmp_path / "stacks").mkdir()

    code, stderr, _ = run(tmp_path, capsys, stacks=tmp_path / "stacks")

    assert code == EXIT_BAD_INPUT
    assert "holds no */cdk.tf.json" in stderr


@pytest.mark.parametrize(
    ("extra_toml", "expected"),
    [
        (
            "[default.nat_gateway.oops]\n",
            "default.nat_gateway.oops: unknown key (expected one of data_processed_gb_per_month)",
        ),
        (
            "[environment.prod.nat_gateway]\ndata_processed_gb_per_month = -5\n",
            "environment.prod.nat_gateway.data_processed_gb_per_month: expected a number >= 0, got -5 (integer)",
        ),
        (
            '[environment.prod.nat_gateway]\ndata_processed_gb_per_month = "lots"\n',
            "expected a number >= 0, got 'lots' (string)",
        ),
        (
            '[environment.prod.logs.ingest_gb_per_month]\n"*flow*" = true\n',
            'environment.prod.logs.ingest_gb_per_month."*flow*": expected a number >= 0, got True (boolean)',
        ),
        ("[default.nat_gatway]\nx = 1\n", "default.nat_gatway: unknown section"),
        ("[prod.nat_gateway]\nx = 1\n", "prod: unknown table (expected default, environment.<name>"),
        ("[default\n", "not valid TOML"),
    ],
)
def test_a_bad_assumptions_file(tmp_path, capsys, extra_toml, expected):
    assumptions = write_assumptions(tmp_path / "assumptions.toml", extra=extra_toml)

    code, stderr, out = run(tmp_path, capsys, assumptions=assumptions)

    assert code == EXIT_BAD_INPUT
    assert f"{assumptions}: " in stderr
    assert expected in stderr
    assert not out.exists()


def test_the_default_assumptions_must_be_complete(tmp_path, capsys):
    assumptions = tmp_path / "assumptions.toml"
    assumptions.write_text(
        '[default.nat_gateway]\ndata_processed_gb_per_month = 1\n[default.logs.ingest_gb_per_month]\n"api*" = 1\n'
    )

    code, stderr, _ = run(tmp_path, capsys, assumptions=assumptions)

    assert code == EXIT_BAD_INPUT
    assert "default.load_balancer.application_average_lcu: required key is missing" in stderr
    assert 'default.logs.ingest_gb_per_month: needs a "*" pattern' in stderr
    assert "default.nat_gateway.data_processed_gb_per_month" not in stderr


def test_a_bad_price_table(tmp_path, capsys):
    prices = tmp_path / "prices.toml"
    text = (
        ROUND_PRICES.read_text()
        .replace("hourly = 0.05\n", 'hourly = "cheap"\n', 1)
        .replace('currency = "USD"', 'currency = "EUR"')
    )
    prices.write_text(text.replace("[sections.ecr]\n", "[sections.unused]\n"))

    code, stderr, out = run(tmp_path, capsys, "--prices", str(prices))

    assert code == EXIT_BAD_INPUT
    assert (
        f"{prices}: regions.eu-west-1.nat_gateway.hourly: expected a price (a number >= 0), got 'cheap' (string)"
        in stderr
    )
    assert f"{prices}: currency: expected \"USD\", got 'EUR' (string)" in stderr
    assert f"{prices}: [regions.eu-west-1.ecr]: no [sections.ecr] saying where its prices come from and when" in stderr
    assert not out.exists()


def test_a_missing_price_table_and_assumptions_file_are_both_reported(tmp_path, capsys):
    code, stderr, _ = run(
        tmp_path, capsys, "--prices", str(tmp_path / "none.toml"), assumptions=tmp_path / "none-either.toml"
    )

    assert code == EXIT_BAD_INPUT
    assert f"{tmp_path / 'none.toml'}: no such file" in stderr
    assert f"{tmp_path / 'none-either.toml'}: no such file" in stderr


def test_a_base_that_is_neither_a_folder_nor_a_ref(tmp_path, capsys):
    code, stderr, out = run(tmp_path, capsys, "--base", "no-such-ref-anywhere", "--repo", str(tmp_path))

    assert code == EXIT_BAD_INPUT
    assert "--base no-such-ref-anywhere: neither a folder nor a git ref" in stderr
    assert not out.exists()


def test_a_base_folder_without_stacks(tmp_path, capsys):
    (tmp_path / "empty").mkdir()

    code, stderr, _ = run(tmp_path, capsys, "--base", str(tmp_path / "empty"))

    assert code == EXIT_BAD_INPUT
    assert "holds no stacks/ folder" in stderr


def test_an_unknown_stack_name(tmp_path, capsys):
    code, stderr, _ = run(tmp_path, capsys, "--stack", "chat-nope")

    assert code == EXIT_BAD_INPUT
    assert "--stack chat-nope: no such stack (found: chat-ok)" in stderr


def test_help_explains_the_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])

    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "--base DIR-OR-REF" in text and "usage-assumptions.toml" in text and "Exit codes" in text
