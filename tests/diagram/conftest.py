"""The diagram model of every stack the session synthesizes (tests/conftest.py's synth_outdir)."""

from __future__ import annotations

import json

import pytest

from diagram.build import build_diagram


@pytest.fixture(scope="session")
def real_stacks(synth_outdir) -> dict[str, tuple[dict, object]]:
    """stack name -> (its cdk.tf.json, its Diagram)."""
    found = {}
    for path in sorted((synth_outdir / "stacks").glob("*/cdk.tf.json")):
        document = json.loads(path.read_text())
        found[path.parent.name] = (document, build_diagram(path.parent.name, document))
    return found
