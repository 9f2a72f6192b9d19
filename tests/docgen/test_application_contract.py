"""docs/application-contract.md: up to date, complete, and true of every shipped environment and example.

The scratch stacks (a base and one per variant) are synthesized once for this module by the
real CLI in a child process, as `python -m docgen` does; the shipped environments and
examples come from the session's synthesis (tests/conftest.py).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from docgen import contract
from docgen.module_docs import PROJECT_ROOT
from modules.compute import containers


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    variant_list = contract.variants()
    documents = contract.synthesize(variant_list, tmp_path_factory.mktemp("contract"))
    return variant_list, documents


@pytest.fixture(scope="module")
def entries(scratch):
    return contract.contract_entries(*scratch)


def test_the_contract_is_up_to_date(scratch, entries):
    variant_list, _ = scratch
    written = contract.CONTRACT_PATH.read_text(encoding="utf-8") if contract.CONTRACT_PATH.is_file() else ""
    assert written == contract.render(variant_list, entries), contract.stale_message()


def test_every_variable_the_stack_sets_has_a_meaning(entries):
    assert contract.problems(entries) == []
    assert {entry.service for entry in entries} == {"api", "realtime", "worker"}


def test_a_variable_without_a_meaning_is_a_problem(scratch):
    variant_list, documents = scratch
    doctored = copy.deepcopy(dict(documents))
    del doctored[""]["//"][contract.CONTRACT_KEY]["worker"]["DATABASE_HOST"]
    assert contract.problems(contract.contract_entries(variant_list, doctored)) == [
        "worker: DATABASE_HOST has no meaning: pass meaning=... where the stack sets it"
    ]


def test_every_variant_choice_of_the_schema_is_synthesized():
    labels = {variant.label for variant in contract.variants()}
    assert {'cache_backend = "redis_cluster"', 'messaging = "msk"', 'ingress = "api_gateway"'} <= labels
    assert {'document_store = "documentdb"', 'document_store = "dynamodb"', "database.replica = true"} <= labels


def test_the_variants_set_what_their_wiring_sets(entries):
    by_name = {(entry.service, entry.variable): entry for entry in entries}
    assert by_name[("api", "CACHE_PUBSUB_HOST")].removed_by == ('cache_backend = "redis_cluster"',)
    assert by_name[("realtime", "CACHE_CLUSTER_NODES")].added_by == ('cache_backend = "redis_cluster"',)
    password = by_name[("api", "CACHE_PASSWORD")]
    assert password.kind == "secret" and "Secrets Manager secret `chat-<env>/redis-cluster/auth`" in password.value
    assert ("worker", "CACHE_PASSWORD") not in by_name, "the worker does not use the cache"
    assert by_name[("worker", "DATABASE_READER_HOST")].added_by == ("database.replica = true",)
    assert by_name[("realtime", "WEBSOCKET_CALLBACK_URL")].added_by == ('ingress = "api_gateway"',)
    assert by_name[("worker", "KAFKA_CONSUMER_GROUP")].added_by == ('messaging = "msk"',)
    assert by_name[("worker", "PUSH_NOTIFICATIONS_QUEUE_URL")].removed_by == ('messaging = "msk"',)
    assert by_name[("api", "DATABASE_HOST")].set_when == "always"


def test_the_contract_predicts_every_shipped_stack(entries, synth_outdir, stack_configs):
    """Each environment and example gets exactly what the contract says for its choices, plus what its
    file adds; and every variable there has its meaning beside it in the stack JSON."""
    for name, config in stack_configs.items():
        document = json.loads((synth_outdir / "stacks" / config.stack_name / "cdk.tf.json").read_text())
        actual = contract.service_variables(document)
        explained = contract.meanings(document)
        for service, variables in actual.items():
            block = getattr(config, service)
            from_file = set(block.environment) | set(block.secrets)
            expected = {e.variable for e in entries if e.service == service and e.expected_in(config)}
            assert set(variables) == expected | from_file, (name, service)
            unexplained = set(variables) - from_file - set(explained.get(service, {}))
            assert not unexplained, f"{name}: {service} gets {sorted(unexplained)} without a meaning"


def test_the_stack_and_the_generator_agree_on_where_meanings_live():
    assert contract.CONTRACT_KEY == containers.CONTRACT_KEY
    assert set(containers.TRACING_VARIABLE_MEANINGS) == set(containers.TRACING_ENVIRONMENT)


def test_a_stale_contract_fails_the_check_with_the_command(tmp_path, monkeypatch, capsys):
    from docgen import __main__ as cli

    stale = tmp_path / "application-contract.md"
    stale.write_text("# old\n", encoding="utf-8")
    monkeypatch.setattr(contract, "CONTRACT_PATH", stale)
    monkeypatch.setattr(contract, "PROJECT_ROOT", tmp_path)
    assert cli._contract("# new\n", check=True, show_diff=False) is True
    assert "run `python -m docgen (or make docs)`" in capsys.readouterr().out
    assert stale.read_text(encoding="utf-8") == "# old\n"
    assert cli._contract("# new\n", check=False, show_diff=False) is False
    assert stale.read_text(encoding="utf-8") == "# new\n"


def test_the_generator_loads_no_cdktf():
    code = (
        "import sys; from docgen import contract; contract.variants(); "
        "print('loaded:', [m for m in sys.modules if m.startswith(('cdktf', 'jsii', 'constructs'))])"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert "loaded: []" in run.stdout, run.stdout + run.stderr


def test_the_contract_is_left_alone_for_other_modules_or_a_subset(widget_modules, monkeypatch):
    from docgen.__main__ import main

    def refuse():
        raise AssertionError("the contract was generated")

    monkeypatch.setattr(contract, "generate", refuse)
    assert main(["--modules-dir", str(widget_modules)]) == 0
    assert main(["--check", "network"]) == 0
    assert main(["--check", "--no-contract"]) == 0
