"""The lazy provider-bindings seam (bindings/): equivalence, jsii resolution, fallbacks."""

from __future__ import annotations

import json
import os
import re
import sys
import textwrap
from pathlib import Path

import pytest

import bindings

PACKAGE = bindings.PROVIDER_PACKAGE
_JSII_TYPE = re.compile(r'jsii_type="' + re.escape(bindings.PROVIDER_ASSEMBLY) + r"\.([A-Za-z0-9]+)\.")


def loaded_submodules() -> set[str]:
    return {name for name in sys.modules if name.startswith(f"{PACKAGE}.") and name.count(".") == 1}


# -- the seam is active in this process --------------------------------------------------


def test_this_session_loads_only_the_submodules_it_uses(synthesized):
    package = sys.modules[PACKAGE]
    assert getattr(package, "__chat_infra_lazy__", False), "tests/conftest.py must install the seam first"
    used = loaded_submodules()
    assert f"{PACKAGE}.vpc" in used and f"{PACKAGE}.provider" in used
    # The stacks use about a hundred resource types; the eager import loads all 2,212.
    assert len(used) < len(package.__all__) // 10, f"{len(used)} of {len(package.__all__)} submodules loaded"


def test_lazy_package_behaves_like_the_shipped_one_for_attribute_access():
    package = sys.modules[PACKAGE]
    assert len(package.__all__) > 2000 and "xray_group" in package.__all__
    assert package.__path__ and package.__spec__.name == PACKAGE
    assert package.sqs_queue.SqsQueue.__jsii_type__ == f"{bindings.PROVIDER_ASSEMBLY}.sqsQueue.SqsQueue"
    with pytest.raises(AttributeError, match="no attribute 'not_a_resource'"):
        package.not_a_resource  # noqa: B018


# -- jsii: values returned from node by type name ------------------------------------------


def test_submodule_map_names_the_jsii_submodule_of_every_python_submodule():
    """The map install() gives jsii, checked against each submodule's own jsii_type strings."""
    layout = bindings.read_layout()
    package_dir = Path(layout.spec.origin).parent
    mismatched = {}
    for name in layout.submodules:
        with open(package_dir / name / "__init__.py", encoding="utf-8") as source:
            found = _JSII_TYPE.search(source.read(200_000))
        if found is None or found.group(1) != bindings.jsii_submodule_name(name):
            mismatched[name] = found and found.group(1)
    assert len(layout.submodules) > 2000
    assert mismatched == {}


def _create_in_node(stack, fqn: str, construct_id: str, props: dict) -> None:
    """Create a construct on the node side only, as jsii does for objects Python never made."""
    from jsii._kernel import _make_reference_for_native
    from jsii._kernel.types import CreateRequest
    from jsii._runtime import kernel

    kernel.provider.create(
        CreateRequest(fqn=fqn, args=_make_reference_for_native(kernel, [stack, construct_id, props]))
    )


@pytest.fixture
def scratch_stack(tmp_path):
    from cdktf import App, TerraformStack
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    stack = TerraformStack(App(outdir=str(tmp_path)), "scratch")
    AwsProvider(stack, "aws", region="eu-west-1")
    return stack


def test_object_of_a_never_imported_submodule_returned_from_node_gets_its_class(scratch_stack):
    module = f"{PACKAGE}.xray_group"
    assert module not in sys.modules
    _create_in_node(
        scratch_stack,
        f"{bindings.PROVIDER_ASSEMBLY}.xrayGroup.XrayGroup",
        "made-in-node",
        {"groupName": "from-node", "filterExpression": 'service("api")'},
    )
    group = scratch_stack.node.find_child("made-in-node")
    assert module in sys.modules
    assert type(group).__name__ == "XrayGroup" and type(group).__module__ == module
    assert group.group_name_input == "from-node"


def test_without_the_submodule_map_jsii_fails_loudly_not_wrongly(scratch_stack, monkeypatch):
    from jsii import _reference_map

    fqn = f"{bindings.PROVIDER_ASSEMBLY}.xraySamplingRule"
    monkeypatch.delitem(_reference_map._submodule_fqn_map, fqn)
    assert f"{PACKAGE}.xray_sampling_rule" not in sys.modules
    _create_in_node(
        scratch_stack,
        f"{fqn}.XraySamplingRule",
        "rule-made-in-node",
        {
            "ruleName": "r",
            "priority": 1,
            "reservoirSize": 1,
            "fixedRate": 0.05,
            "urlPath": "*",
            "host": "*",
            "httpMethod": "*",
            "serviceType": "*",
            "serviceName": "*",
            "resourceArn": "*",
            "version": 1,
        },
    )
    with pytest.raises(ValueError, match=f"Unknown type: {re.escape(fqn)}.XraySamplingRule"):
        scratch_stack.node.find_child("rule-made-in-node")


# -- safe fallbacks ------------------------------------------------------------------------


@pytest.fixture
def fresh_announcement(monkeypatch):
    monkeypatch.setattr(bindings, "_announced", False)


def _fake_package(root: Path, name: str, init_source: str) -> None:
    (root / name / "_jsii").mkdir(parents=True)
    (root / name / "_jsii" / "__init__.py").write_text("")
    (root / name / "thing").mkdir()
    (root / name / "thing" / "__init__.py").write_text("VALUE = 1\n")
    (root / name / "__init__.py").write_text(textwrap.dedent(init_source))


def test_fake_package_with_the_expected_layout_is_registered_lazily(tmp_path, monkeypatch, fresh_announcement, capsys):
    _fake_package(tmp_path, "fake_bindings_ok", '"""doc"""\nimport jsii\n__all__ = ["thing"]\nfrom . import thing\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    from jsii import _reference_map

    monkeypatch.setattr(_reference_map, "_submodule_fqn_map", dict(_reference_map._submodule_fqn_map))
    assert bindings.install("fake_bindings_ok", assembly="fake-assembly") is True
    assert "fake_bindings_ok.thing" not in sys.modules
    assert sys.modules["fake_bindings_ok"].thing.VALUE == 1
    assert _reference_map._submodule_fqn_map["fake-assembly.thing"] == "fake_bindings_ok.thing"
    assert bindings.install("fake_bindings_ok") is True  # idempotent
    assert capsys.readouterr().err == ""
    for name in ("fake_bindings_ok", "fake_bindings_ok.thing"):
        monkeypatch.delitem(sys.modules, name)


def test_unexpected_layout_falls_back_to_the_normal_import_and_says_so_once(
    tmp_path, monkeypatch, fresh_announcement, capsys
):
    # A future bindings version that does more in its __init__ than import submodules.
    _fake_package(tmp_path, "fake_bindings_new", "from . import thing\nif thing.VALUE:\n    READY = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert bindings.install("fake_bindings_new") is False
    assert bindings.install("fake_bindings_new") is False
    assert "fake_bindings_new" not in sys.modules
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected If" in err and "eagerly" in err and "Traceback" not in err
    import fake_bindings_new  # the shipped __init__ runs as usual

    assert fake_bindings_new.READY is True
    for name in ("fake_bindings_new", "fake_bindings_new.thing"):
        monkeypatch.delitem(sys.modules, name)


def test_already_imported_package_is_left_alone_and_said_once(monkeypatch, fresh_announcement, capsys):
    import types

    shipped = types.ModuleType("fake_bindings_imported")
    monkeypatch.setitem(sys.modules, "fake_bindings_imported", shipped)
    assert bindings.install("fake_bindings_imported") is False
    assert bindings.install("fake_bindings_imported") is False
    assert sys.modules["fake_bindings_imported"] is shipped
    err = capsys.readouterr().err
    assert err.count("already imported") == 1


def test_missing_package_falls_back_without_a_traceback(fresh_announcement, capsys):
    assert bindings.install("no_such_bindings_package") is False
    err = capsys.readouterr().err
    assert "not installed" in err and "Traceback" not in err


def test_jsii_submodule_name_inverts_pacmak_snake_case():
    assert bindings.jsii_submodule_name("data_aws_iam_policy_document") == "dataAwsIamPolicyDocument"
    assert bindings.jsii_submodule_name("wafv2_web_acl") == "wafv2WebAcl"
    assert bindings.jsii_submodule_name("alb") == "alb"


# -- proof of equivalence: one eager process per run ----------------------------------------


def test_every_stack_is_byte_identical_with_the_shipped_eager_import(synth_outdir, stack_configs, eager_synthesis):
    returncode, stdout, stderr = eager_synthesis.result()
    # The eager side ran main.py into nested --outdir folders that did not exist before.
    assert returncode == 0, stderr[-3000:]
    eager = json.loads(stdout.strip().splitlines()[-1])
    assert eager["lazy"] is False and eager["submodules"] > 2000, eager

    compared = []
    for config in stack_configs.values():
        lazy_file = synth_outdir / "stacks" / config.stack_name / "cdk.tf.json"
        assert lazy_file.read_bytes() == eager_synthesis.stack_file(config.stack_name).read_bytes(), config.stack_name
        compared.append(config.stack_name)
    assert len(compared) == len(stack_configs) >= 4


def test_jsii_node_memory_limit_never_overrides_the_users_node_options(monkeypatch):
    monkeypatch.setenv("NODE_OPTIONS", "--max-old-space-size=4096")
    bindings.limit_jsii_node_memory()
    assert os.environ["NODE_OPTIONS"] == "--max-old-space-size=4096"
    monkeypatch.delenv("NODE_OPTIONS")
    bindings.limit_jsii_node_memory()
    assert os.environ["NODE_OPTIONS"] == bindings.JSII_NODE_OPTIONS
