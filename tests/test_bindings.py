"""The lazy provider-bindings seam (bindings/): equivalence, jsii resolution, fallbacks."""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import bindings
from tests.conftest import ROOT

PACKAGE = bindings.PROVIDER_PACKAGE
_JSII_TYPE = re.compile(r'jsii_type="' + re.escape(bindings.PROVIDER_ASSEMBLY) + r"\.([A-Za-z0-9]+)\.")


def loaded_submodules() -> set[str]:
    return {name for name in sys.modules if name.startswith(f"{PACKAGE}.") and name.count(".") == 1}


# -- the seam is active in this process --------------------------------------------------


def test_this_session_loads_only_the_submodules_it_uses(synthesized):
    package = sys.modules[PACKAGE]
    lazy_by_itself = bindings.already_lazy(PACKAGE)
    assert lazy_by_itself or getattr(package, "__chat_infra_lazy__", False), "conftest.py must install the seam first"
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


def test_submodule_map_names_the_jsii_submodule_of_every_python_submodule(synthesized):
    """The map jsii uses (install()'s, or the one a lazy package registers itself), checked
    against each submodule's own jsii_type strings."""
    from jsii import _reference_map

    package_dir = Path(sys.modules[PACKAGE].__spec__.origin).parent
    submodules = sorted(init.parent.name for init in package_dir.glob("[!_]*/__init__.py"))
    mismatched = {}
    for name in submodules:
        with open(package_dir / name / "__init__.py", encoding="utf-8") as source:
            found = _JSII_TYPE.search(source.read(200_000))
        mapped = found and _reference_map._submodule_fqn_map.get(f"{bindings.PROVIDER_ASSEMBLY}.{found.group(1)}")
        if mapped != f"{PACKAGE}.{name}":
            mismatched[name] = mapped
    assert len(submodules) > 2000
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
    from bindings.aws.provider import AwsProvider

    from bindings.cdk import App, TerraformStack

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


# -- a package that is lazy by itself (CDK Terrain's bindings) --------------------------------


def test_package_lazy_by_itself_is_left_to_itself_without_a_word(tmp_path, monkeypatch, fresh_announcement, capsys):
    _fake_package(
        tmp_path,
        "fake_bindings_lazy",
        '__all__ = ["thing"]\n'
        "import importlib\n"
        "def __getattr__(name):\n"
        "    return importlib.import_module(f'.{name}', __name__)\n",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert bindings.already_lazy("fake_bindings_lazy") is True
    assert bindings.install("fake_bindings_lazy") is True
    assert "fake_bindings_lazy" not in sys.modules  # nothing registered: its own __init__ will load it
    assert capsys.readouterr().err == ""  # no "loading eagerly": it is not


def test_a_getattr_beside_eager_submodule_imports_is_not_lazy(tmp_path, monkeypatch):
    _fake_package(
        tmp_path, "fake_bindings_half", "from . import thing\ndef __getattr__(name):\n    raise AttributeError(name)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert bindings.already_lazy("fake_bindings_half") is False
    assert bindings.already_lazy("no_such_bindings_package") is False


def test_the_selected_toolchains_own_package_is_judged_as_it_is():
    """cdktf's bindings import every submodule (the seam's job); cdktn's are lazy already."""
    assert bindings.already_lazy(PACKAGE) is (bindings.TOOLCHAIN.name == "cdktn")


# -- which toolchain: CHAT_INFRA_CDK, read by bindings only ---------------------------------


def test_toolchain_choice_defaults_to_cdktf_and_names_what_is_wrong():
    assert bindings.TOOLCHAINS[bindings.DEFAULT_TOOLCHAIN].cdk_package == "cdktf"
    this_run = {bindings.TOOLCHAIN_ENV: bindings.TOOLCHAIN.name}
    assert bindings.toolchain_problem(this_run) is None
    assert bindings.selected_toolchain(this_run) is bindings.TOOLCHAIN
    for unset in ({}, {bindings.TOOLCHAIN_ENV: ""}):  # cdktf: chosen, or named as missing in .venv-cdktn
        problem = bindings.toolchain_problem(unset)
        assert problem is None or problem.startswith("CHAT_INFRA_CDK=cdktf: cdktf, cdktf_cdktf_provider_aws not in")
    problem = bindings.toolchain_problem({bindings.TOOLCHAIN_ENV: "cdktx"})
    assert problem == "CHAT_INFRA_CDK: expected one of cdktf, cdktn (unset: cdktf), got 'cdktx'"
    with pytest.raises(bindings.ToolchainChoiceError, match="got 'cdktx'"):
        bindings.selected_toolchain({bindings.TOOLCHAIN_ENV: "cdktx"})


def test_toolchain_whose_packages_are_missing_says_where_they_are_pinned(monkeypatch):
    missing = bindings.Toolchain(
        name="elsewhere",
        cdk_package="no_such_cdk_package",
        provider_package="no_such_provider_package",
        provider_assembly="@nowhere/provider-aws",
        aws_provider_version="6.0.0",
        requirements="tools/elsewhere-requirements.txt",
    )
    monkeypatch.setitem(bindings.TOOLCHAINS, "elsewhere", missing)
    problem = bindings.toolchain_problem({bindings.TOOLCHAIN_ENV: "elsewhere"})
    assert problem.startswith("CHAT_INFRA_CDK=elsewhere: no_such_cdk_package, no_such_provider_package not installed")
    assert problem.endswith("(pinned in tools/elsewhere-requirements.txt)")


def test_main_refuses_an_unknown_toolchain_with_exit_2_and_writes_nothing(tmp_path):
    outdir = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, "main.py", "--outdir", str(outdir)],
        cwd=ROOT,
        env={**os.environ, bindings.TOOLCHAIN_ENV: "cdktx"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2, completed.stderr
    assert "CHAT_INFRA_CDK: expected one of cdktf, cdktn" in completed.stderr
    assert "Traceback" not in completed.stderr and not outdir.exists()


# -- one place names the packages ------------------------------------------------------------

CDK_PACKAGES = frozenset(
    name for chain in bindings.TOOLCHAINS.values() for name in (chain.cdk_package, chain.provider_package)
)


def direct_cdk_imports(source: str, filename: str) -> list[str]:
    """`file:line: module` for every import of a toolchain package not made through bindings."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("importlib.import_module", "__import__"):
            modules = [arg.value for arg in node.args[:1] if isinstance(arg, ast.Constant)]
        else:
            continue
        found += [f"{filename}:{node.lineno}: {m}" for m in modules if str(m).split(".")[0] in CDK_PACKAGES]
    return found


def test_no_file_outside_bindings_imports_a_cdk_package_directly():
    tracked = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    checked = [path for path in tracked if not path.startswith("bindings/")]
    offenders = [hit for path in checked for hit in direct_cdk_imports((ROOT / path).read_text(), path)]
    assert len(checked) > 200
    assert offenders == [], "import them through bindings.cdk / bindings.aws.<submodule>"


def test_direct_import_check_catches_every_spelling():
    planted = textwrap.dedent(
        """
        import cdktf
        from cdktn import App
        from cdktf_cdktf_provider_aws.vpc import Vpc
        import cdktn_provider_aws.provider as provider
        def late():
            import importlib
            return importlib.import_module("cdktn")
        from bindings.cdk import App as Fine
        from bindings.aws.vpc import Vpc as AlsoFine
        """
    )
    assert direct_cdk_imports(planted, "planted.py") == [
        "planted.py:2: cdktf",
        "planted.py:3: cdktn",
        "planted.py:4: cdktf_cdktf_provider_aws.vpc",
        "planted.py:5: cdktn_provider_aws.provider",
        "planted.py:8: cdktn",
    ]


def test_bindings_aws_names_the_selected_toolchains_submodules():
    from bindings.aws.sqs_queue import SqsQueue

    assert SqsQueue is sys.modules[f"{PACKAGE}.sqs_queue"].SqsQueue
    assert SqsQueue.__jsii_type__ == f"{bindings.PROVIDER_ASSEMBLY}.sqsQueue.SqsQueue"
    with pytest.raises(ModuleNotFoundError, match="bindings.aws.not_a_resource"):
        importlib.import_module("bindings.aws.not_a_resource")


def test_bindings_cdk_is_the_selected_library_and_its_app_targets_terraform_1_11():
    cdk = importlib.import_module("bindings.cdk")
    library = sys.modules[bindings.CDK_PACKAGE]
    assert cdk.Fn is library.Fn and issubclass(cdk.App, library.App)
    app = cdk.App(context={"mine": "kept"})
    assert app.node.try_get_context("targetVersions") == {"terraform": ">=1.11.0"}
    assert app.node.try_get_context("mine") == "kept"


# -- the provider pin, per toolchain ---------------------------------------------------------


def test_declared_provider_pin_is_the_one_the_installed_bindings_were_generated_from(synth_scratch):
    # A scratch stack without the stacks' override: the version the bindings write themselves.
    own = synth_scratch(lambda stack: None).document["terraform"]["required_providers"]["aws"]["version"]
    assert own == bindings.TOOLCHAIN.aws_provider_version, (
        f"{PACKAGE} binds hashicorp/aws {own}: update aws_provider_version of {bindings.TOOLCHAIN.name} in bindings/"
    )
