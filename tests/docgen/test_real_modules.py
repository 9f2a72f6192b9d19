"""The project's own module READMEs: up to date with the code (the staleness test), and complete."""

from __future__ import annotations

import subprocess
import sys

import pytest

from docgen.module_docs import PROJECT_MODULES_DIR, PROJECT_ROOT, ReadmeResult, document_modules


@pytest.fixture(scope="module")
def results() -> dict[str, ReadmeResult]:
    return {result.path.parent.name: result for result in document_modules(PROJECT_MODULES_DIR)}


def test_every_module_readme_is_up_to_date(results) -> None:
    stale = [result.shown_as for result in results.values() if result.stale]
    assert not stale, f"out of date: {', '.join(stale)}: run `python -m docgen` (or `make docs`)"


def test_every_input_and_output_is_documented_and_placed(results) -> None:
    assert [problem for result in results.values() for problem in result.problems] == []


def test_every_module_with_props_is_covered(results) -> None:
    with_props = {path.parent.name for path in PROJECT_MODULES_DIR.glob("*/props.py")}
    assert set(results) == with_props
    assert {"network", "compute", "observability", "database"} <= with_props


def test_network_tables_read_the_props_and_the_construct(results) -> None:
    text = results["network"].new
    assert (
        '| `nat_mode` | `"none" \\| "single" \\| "per_az"` | `"per_az"` | yes | Default: one NAT gateway per AZ'
    ) in text
    assert "| `vpc_cidr` | `str` | required | yes |" in text
    assert "| `account_id` | `str \\| None` | `None` |  |" in text
    # An unannotated attribute (`self.data_network_acl = NetworkAcl(...)`) gets the class it instantiates.
    assert "| `data_network_acl` | `NetworkAcl` |" in text


def test_modules_with_several_classes_get_a_table_each(results) -> None:
    compute = results["compute"].new
    for name in ("ComputeClusterProps", "FargateServiceProps", "RoutedServiceProps", "WorkerServiceProps"):
        assert f"<!-- BEGIN GENERATED: inputs ({name}) from props.py" in compute
    for name, source in (("ComputeCluster", "cluster.py"), ("FargateService", "service.py")):
        assert f"<!-- BEGIN GENERATED: outputs ({name}) from {source}" in compute
    assert "`WorkerServiceProps`: the inputs of `FargateServiceProps`, and:" in compute
    observability = results["observability"].new
    for name in ("AlarmTopic", "Alarms", "Dashboard"):
        assert f"<!-- BEGIN GENERATED: outputs ({name}) from observability.py" in observability


def test_the_check_loads_no_cdktf() -> None:
    """Constructs are parsed, not imported: the check stays well under a second."""
    code = (
        "import sys; from docgen.__main__ import main; main(['--check', '--no-contract']); "
        "print('loaded:', [m for m in sys.modules if m.startswith(('cdktf', 'jsii', 'constructs'))])"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert "loaded: []" in run.stdout, run.stdout + run.stderr
