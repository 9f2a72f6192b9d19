"""What a gate rule is: an id, a name, the resource types it judges, why it exists (its
predicate's docstring), and the predicate itself, a pure function of the resource (and, for
a whole-stack rule, of the stack document it sits in).

Nothing here imports checkov: a rule is unit-tested by calling it. Two runners call the
predicates: checkov, through the factory in gate/checks/project_rules.py, for resource rules
and for every rule in a plan scan; and the gate's own pass over each synthesized stack
document (gate/run.py) for whole-stack rules, which need another block of the stack to answer.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class Verdict(enum.StrEnum):
    """A rule's answer on one resource. The values are checkov's CheckResult values."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    # The rule cannot tell from what it was given (a value known only at apply, a block
    # elsewhere): the resource is not judged, and the gate counts it per rule.
    UNKNOWN = "UNKNOWN"

    @classmethod
    def of(cls, holds: bool) -> Verdict:
        return cls.PASSED if holds else cls.FAILED


@dataclass(frozen=True)
class Resource:
    """One resource block: its type, its name in the stack, its attributes.

    `conf` is what the runner has: checkov wraps each attribute value in a one-element list,
    the stack document does not; the helpers in gate/rules/attributes.py read both.
    """

    type: str
    name: str
    conf: Mapping[str, Any]


@dataclass(frozen=True)
class Stack:
    """A synthesized stack document (cdk.tf.json), for rules whose answer is in another block."""

    document: Mapping[str, Any]

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """{block name: attributes} of every resource of `resource_type`."""
        return self.document.get("resource", {}).get(resource_type, {}) or {}

    def data(self, data_type: str) -> dict[str, dict[str, Any]]:
        """{block name: attributes} of every data source of `data_type`."""
        return self.document.get("data", {}).get(data_type, {}) or {}


ResourcePredicate = Callable[[Resource], Verdict]
StackPredicate = Callable[[Resource, "Stack | None"], Verdict]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    resource_types: tuple[str, ...]
    category: str  # a checkov CheckCategories member name (LOGGING, ENCRYPTION, ...)
    modules: tuple[str, ...]  # the modules/<name>/README.md whose rule table lists it
    why: str
    predicate: Callable[..., Verdict]
    reads_stack: bool

    @property
    def number(self) -> int:
        return int(self.id.rsplit("_", 1)[1])

    def judge(self, resource: Resource, stack: Stack | None = None) -> Verdict:
        """The verdict on `resource`. A whole-stack rule given no stack (a plan scan) judges
        what the resource itself shows and answers UNKNOWN where only another block could tell."""
        if resource.type not in self.resource_types:
            raise ValueError(f"{self.id} judges {', '.join(self.resource_types)}, not {resource.type}")
        if self.reads_stack:
            return self.predicate(resource, stack)
        return self.predicate(resource)


class RuleRegistry:
    """The rules, each registered once by the decorator its module applies to the predicate."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def _register(self, rule: Rule) -> Rule:
        if rule.id in self._rules:
            raise ValueError(
                f"{rule.id} is registered twice: {self._rules[rule.id].predicate.__name__}, {rule.predicate.__name__}"
            )
        self._rules[rule.id] = rule
        return rule

    def _decorator(self, reads_stack: bool, **description: Any) -> Callable[[Callable[..., Verdict]], Rule]:
        def register(predicate: Callable[..., Verdict]) -> Rule:
            why = inspect.getdoc(predicate)
            if not why:
                raise ValueError(f"{description['id']}: {predicate.__name__} needs a docstring: why the rule exists")
            return self._register(
                Rule(
                    id=description["id"],
                    name=description["name"],
                    resource_types=tuple(description["resource_types"]),
                    category=description["category"],
                    modules=tuple(description.get("modules", ())),
                    why=why,
                    predicate=predicate,
                    reads_stack=reads_stack,
                )
            )

        return register

    def resource_rule(
        self, *, id: str, name: str, resource_types: tuple[str, ...], category: str, modules: tuple[str, ...] = ()
    ) -> Callable[[ResourcePredicate], Rule]:
        """Register a rule that judges a resource by its own attributes: `predicate(resource)`."""
        return self._decorator(
            False, id=id, name=name, resource_types=resource_types, category=category, modules=modules
        )

    def stack_rule(
        self, *, id: str, name: str, resource_types: tuple[str, ...], category: str, modules: tuple[str, ...] = ()
    ) -> Callable[[StackPredicate], Rule]:
        """Register a rule whose answer may lie in another block: `predicate(resource, stack or None)`."""
        return self._decorator(
            True, id=id, name=name, resource_types=resource_types, category=category, modules=modules
        )

    def rules(self) -> tuple[Rule, ...]:
        """Every rule, by id number."""
        return tuple(sorted(self._rules.values(), key=lambda rule: rule.number))


REGISTRY = RuleRegistry()
resource_rule = REGISTRY.resource_rule
stack_rule = REGISTRY.stack_rule
