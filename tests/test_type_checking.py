"""Type checkers see the modules' construct classes, not `Any`.

Each modules/<name>/__init__.py loads its constructs lazily (modules/common/lazy_exports.py)
and imports the same names under `if TYPE_CHECKING:`. mypy (settings: pyproject.toml;
run strict over envconfig/, review/, stacks/, modules/ and gate/ by `make test`) is asked
what `from modules.network import Network` is; a package exporting a name only through
its lazy `__getattr__` (planted here) is shown to come out as Any, which is what the TYPE_CHECKING imports prevent. The
environment blocks, built at run time from the props, are read by mypy as their props class
(envconfig/schema.py); a test pairs each with the props it is built from, and a planted
stack builder shows mypy catching Any and untyped code leaking from stacks/.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

import bindings
from tests.conftest import ROOT


def type_checking_blocks(source_file: Path) -> list[ast.If]:
    """The module-level `if TYPE_CHECKING:` statements of a file."""
    return [
        node
        for node in ast.parse(source_file.read_text()).body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    ]


def lazy_export_mismatches(init_file: Path) -> list[str]:
    """Names a package's lazy_exports loads that its TYPE_CHECKING block does not import
    (type checkers would not see them), and the reverse (nothing would load them at run time)."""
    for node in type_checking_blocks(init_file):
        typed = {
            (statement.module or "", alias.name)
            for statement in node.body
            if isinstance(statement, ast.ImportFrom)
            for alias in statement.names
        }
        calls = [n for n in ast.walk(ast.Module(node.orelse, [])) if isinstance(n, ast.Call)]
        lazy = {
            (ast.literal_eval(module), name)
            for call in calls
            if getattr(call.func, "id", None) == "lazy_exports"
            for module, names in zip(call.args[1].keys, call.args[1].values, strict=True)
            for name in ast.literal_eval(names)
        }
        untyped = [f"{init_file}: {m}.{n} is loaded lazily but not imported for type checkers" for m, n in lazy - typed]
        unloaded = [f"{init_file}: {m}.{n} is imported for type checkers but never loaded" for m, n in typed - lazy]
        return sorted(untyped + unloaded)
    return []


def test_every_lazily_exported_construct_is_imported_for_type_checkers():
    packages = sorted(path for path in (ROOT / "modules").glob("*/__init__.py") if "lazy_exports" in path.read_text())
    assert len(packages) >= 19
    assert [problem for package in packages for problem in lazy_export_mismatches(package)] == []


def test_a_lazy_export_missing_from_the_type_checking_imports_is_caught(tmp_path):
    planted = tmp_path / "__init__.py"
    planted.write_text(
        textwrap.dedent(
            """
            from typing import TYPE_CHECKING
            from modules.common.lazy_exports import lazy_exports

            if TYPE_CHECKING:
                from modules.compute.cluster import ComputeCluster
            else:
                __getattr__ = lazy_exports(
                    __name__,
                    {"modules.compute.cluster": ("ComputeCluster",), "modules.compute.service": ("FargateService",)},
                )
            """
        )
    )
    assert lazy_export_mismatches(planted) == [
        f"{planted}: modules.compute.service.FargateService is loaded lazily but not imported for type checkers"
    ]


def test_the_lazy_exports_load_the_real_class_on_first_use():
    from modules import network
    from modules.network.network import Network

    assert network.Network is Network
    with pytest.raises(AttributeError, match="module 'modules.network' has no attribute 'Nowhere'"):
        _ = network.Nowhere


def _mypy(*arguments: str) -> subprocess.CompletedProcess:
    if bindings.TOOLCHAIN is not bindings.TOOLCHAINS[bindings.DEFAULT_TOOLCHAIN]:
        # Not a silent pass: make test runs these in its cdktf pass, with the dev packages.
        pytest.skip(
            "mypy reads the source, the same under both toolchains: it runs in make test's cdktf pass "
            "(.venv-cdktn has no dev packages)"
        )
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if "No module named mypy" in completed.stderr:
        pytest.fail(f"mypy is not installed in {sys.executable}: `make setup` installs the dev packages (Pipfile)")
    return completed


def test_mypy_sees_the_construct_classes_and_a_bare_lazy_export_as_any(tmp_path):
    (tmp_path / "bare_lazy").mkdir()
    (tmp_path / "bare_lazy" / "__init__.py").write_text(
        "def __getattr__(name: str):\n    from modules.network.network import Network\n\n    return Network\n"
    )
    probe = tmp_path / "reveal_constructs.py"
    probe.write_text(
        textwrap.dedent(
            """
            from bare_lazy import Network as Untyped
            from modules.compute import FargateService
            from modules.network import Network
            from modules.observability import Alarms

            reveal_type(Network)
            reveal_type(FargateService)
            reveal_type(Alarms)
            reveal_type(Untyped)
            """
        )
    )
    completed = _mypy("--config-file", str(ROOT / "pyproject.toml"), str(probe))
    revealed = re.findall(r'Revealed type is "(.*)"', completed.stdout)
    assert len(revealed) == 4, completed.stdout + completed.stderr
    network, service, alarms, untyped = revealed
    assert network.endswith("-> modules.network.network.Network")
    assert service.endswith("-> modules.compute.service.FargateService")
    assert alarms.endswith("-> modules.observability.observability.Alarms")
    assert untyped == "Any"


def test_mypy_passes_over_what_make_test_checks():
    completed = _mypy()
    assert completed.returncode == 0, completed.stdout + completed.stderr


def block_view_mismatches(source_file: Path) -> list[str]:
    """Each environment block a module builds at run time (`X = environment_block(Props, ...)`)
    against the class mypy reads in its place under TYPE_CHECKING (`class X(Props, BaseModel)`):
    a block without that class, a class without a block, or a class on another props class."""
    built: dict[str, str] = {}
    typed: dict[str, str] = {}
    for node in type_checking_blocks(source_file):
        for statement in node.body:
            if isinstance(statement, ast.ClassDef) and statement.bases and isinstance(statement.bases[0], ast.Name):
                typed[statement.name] = statement.bases[0].id
        for statement in node.orelse:
            value = getattr(statement, "value", None)
            if (
                isinstance(statement, ast.Assign)
                and isinstance(value, ast.Call)
                and getattr(value.func, "id", None) == "environment_block"
                and isinstance(value.args[0], ast.Name)
                and isinstance(statement.targets[0], ast.Name)
            ):
                built[statement.targets[0].id] = value.args[0].id
    problems = [
        f"{source_file}: {name} is built from {props} but mypy reads it as {typed.get(name)}"
        for name, props in built.items()
        if typed.get(name) != props
    ]
    problems += [f"{source_file}: {name} is declared for mypy but never built" for name in typed.keys() - built.keys()]
    return sorted(problems)


def test_mypy_reads_every_environment_block_as_the_props_it_is_built_from():
    sources = [ROOT / "envconfig" / "schema.py", ROOT / "envconfig" / "variants.py"]
    assert all("environment_block(" in source.read_text() for source in sources)
    assert [problem for source in sources for problem in block_view_mismatches(source)] == []


def test_a_block_read_by_mypy_as_other_props_is_caught(tmp_path):
    planted = tmp_path / "schema.py"
    planted.write_text(
        textwrap.dedent(
            """
            if TYPE_CHECKING:
                class NetworkConfig(DomainProps, BaseModel, frozen=True): ...
                class StaleConfig(WafProps, BaseModel, frozen=True): ...
            else:
                NetworkConfig = environment_block(NetworkProps, "NetworkConfig")
                DnsConfig = environment_block(DomainProps, "DnsConfig")
            """
        )
    )
    assert block_view_mismatches(planted) == [
        f"{planted}: DnsConfig is built from DomainProps but mypy reads it as None",
        f"{planted}: NetworkConfig is built from NetworkProps but mypy reads it as DomainProps",
        f"{planted}: StaleConfig is declared for mypy but never built",
    ]


def test_make_tests_mypy_checks_the_composition_root_and_what_it_composes():
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert {"stacks", "modules", "gate", "envconfig", "review"} <= set(settings["files"])
    assert settings["strict"] is True
    relaxed = [
        override["module"]
        for override in settings.get("overrides", [])
        if override.get("ignore_errors") or override.get("follow_imports") == "silent"
    ]
    checked = ("stacks", "modules", "gate", "envconfig", "review")
    assert [m for modules in relaxed for m in modules if m.split(".")[0] in checked] == []


def test_mypy_catches_any_leaking_from_a_stack_builder(tmp_path):
    planted = tmp_path / "leaky_stack.py"
    planted.write_text(
        textwrap.dedent(
            """
            import json

            from envconfig import EnvironmentConfig


            def stack_name(config: EnvironmentConfig) -> str:
                return json.loads(config.model_dump_json())["name"]


            def az_count(config):
                return config.network.az_count


            def zones(config: EnvironmentConfig) -> list:
                return [config.network.az_count]


            def nat_mode(config: EnvironmentConfig) -> int:
                return config.network.nat_mode
            """
        )
    )
    completed = _mypy("--config-file", str(ROOT / "pyproject.toml"), str(planted))
    codes = re.findall(r"leaky_stack\.py:(\d+): error: .*\[([a-z-]+)\]", completed.stdout)
    assert codes == [("8", "no-any-return"), ("11", "no-untyped-def"), ("15", "type-arg"), ("20", "return-value")], (
        completed.stdout
    )
