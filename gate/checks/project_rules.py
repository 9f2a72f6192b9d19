"""checkov's door to the project rules: one check per rule of gate/rules, made by a factory.

checkov (its own environment, .venv-checkov) executes every file of this folder
(--external-checks-dir). This one loads gate/rules by path, under a private name, so
neither the project's root nor its packages go on checkov's import path, and registers a
BaseResourceCheck for each rule. The rules themselves import nothing of checkov.

A whole-stack rule (Rule.reads_stack) on a synthesized stack (cdk.tf.json) is the gate's
own pass to judge, with the whole document (gate/run.py); here it answers UNKNOWN, which
checkov leaves out of its report. In a plan scan (review, verify) checkov runs it with no
stack: it judges what the resource itself shows.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

RULES_PACKAGE = "chat_infra_gate_rules"
RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
STACK_FILE = "cdk.tf.json"

if TYPE_CHECKING:  # for mypy only: at run time the rules load by path, under RULES_PACKAGE
    from gate.rules.model import Rule


def _load_rules() -> types.ModuleType:
    # checkov executes this file more than once (once per registry); the package loads once.
    if RULES_PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            RULES_PACKAGE, RULES_DIR / "__init__.py", submodule_search_locations=[str(RULES_DIR)]
        )
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load the project rules from {RULES_DIR}")
        package = importlib.util.module_from_spec(spec)
        sys.modules[RULES_PACKAGE] = package
        spec.loader.exec_module(package)
    return sys.modules[RULES_PACKAGE]


_rules = _load_rules()


def checkov_check(rule: Rule) -> BaseResourceCheck:
    """A checkov resource check that asks `rule`'s predicate."""

    class ProjectRuleCheck(BaseResourceCheck):  # type: ignore[misc]  # checkov is not in .venv: Any
        def __init__(self) -> None:
            super().__init__(
                name=rule.name,
                id=rule.id,
                categories=[CheckCategories[rule.category]],
                supported_resources=list(rule.resource_types),
            )

        def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
            # entity_path: "/chat-prod/cdk.tf.json:<type>:<name>" (the file as checkov scanned it)
            scanned_file, _, entity_name = (["", "", ""] + str(self.entity_path).rsplit(":", 2))[-3:]
            if rule.reads_stack and Path(scanned_file).name == STACK_FILE:
                return CheckResult.UNKNOWN  # the gate's stack pass judges it, with the whole document
            verdict = rule.judge(_rules.Resource(type=self.entity_type, name=entity_name, conf=conf), stack=None)
            return CheckResult(verdict.value)

    ProjectRuleCheck.__name__ = ProjectRuleCheck.__qualname__ = f"ProjectRule_{rule.id}"
    return ProjectRuleCheck()


checks = [checkov_check(rule) for rule in _rules.RULES]
