"""Declare a module's inputs once, on its props dataclass, and derive the rest from it.

A module's props are a `@dataclass(frozen=True, kw_only=True)`. Each field has its type,
its default and, in the docstring under it, its documentation. A field that needs a check
or belongs in the environment file is declared with `prop()`:

    vpc_cidr: str = prop(check=check_vpc_cidr, environment=True)
    \"\"\"Private IPv4 range, /16 to /20.\"\"\"

- `check` validates the value on its own: a function that returns the value or raises
  ValueError("expected <what is allowed>, got <what was given>") (modules.common.validation).
- `environment=True` makes the field a key of the module's block in the environment files.
  The other fields are supplied by the stack (name, region, account_id, tags) or are
  there for code that uses the module directly.

A rule over several fields is a `CrossCheck` in the class's `cross_checks`, reported at
one field's key. It is skipped while one of its fields is None (not given) or has a
problem of its own, as the environment schema skips it until every key is valid.

From that one declaration:
- `check_props(self)`, the props' `__post_init__`, runs every check and raises one
  ValueError listing every problem, so a module used on its own validates as the
  environment files do, with the same messages;
- `environment_block(Props, "NetworkConfig")` derives the pydantic model of the block:
  the settable fields, with strict types (HCL tells 3 from "3"), the dataclass defaults,
  the field docs as descriptions and the checks as AfterValidators;
- `cross_check_problems(Props, values)` runs the cross checks for the environment schema,
  once the values the stack supplies (such as the region) are known;
- `props_from_block(Props, block, **supplied)` builds the props from a validated block: the
  stack inputs the props declare, and wiring arguments strictly (an unknown one is an error).

A field typed as another props dataclass with environment fields (`restore: DatabaseRestore
| None`) is a nested block of the module's block, derived the same way; its cross checks run
once its keys are valid, and it reaches the props as that dataclass.

Adding an input to a module is therefore one field; its key, default, type and checks
then reach the environment files with no further code. Nothing here imports cdktf or the
provider bindings.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import inspect
import textwrap
import types
import typing
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, get_args, get_origin, get_type_hints

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    create_model,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Check = Callable[[Any], Any]
# A module's props dataclass (props_from_block returns the class it is given).
PropsT = TypeVar("PropsT", bound="DataclassInstance")

_METADATA_KEY = "chat_infra_input"

# HCL already tells a number from a string: `az_count = "3"` is a mistake worth
# reporting, not coercing.
_STRICT_TYPES: dict[type, Any] = {bool: StrictBool, int: StrictInt, float: StrictFloat, str: StrictStr}


@dataclasses.dataclass(frozen=True)
class InputSpec:
    """What `prop()` records on a field (in its dataclass metadata)."""

    check: Check | None = None
    environment: bool = False


@dataclasses.dataclass(frozen=True)
class CrossCheck:
    """A rule over several fields: `check(*values of fields)`, reported at `key`."""

    key: str
    check: Callable[..., Any]
    fields: tuple[str, ...]
    # A rule about which fields are given ("exactly one of") must see the unset ones too.
    runs_on_unset: bool = False


def prop(
    default: Any = dataclasses.MISSING,
    *,
    default_factory: Any = dataclasses.MISSING,
    check: Check | None = None,
    environment: bool = False,
) -> Any:
    """A props field with a check and/or a key in the module's environment-file block."""
    return dataclasses.field(
        default=default,
        default_factory=default_factory,
        metadata={_METADATA_KEY: InputSpec(check=check, environment=environment)},
    )


def input_spec(field: dataclasses.Field[Any]) -> InputSpec:
    spec = field.metadata.get(_METADATA_KEY, InputSpec())
    if not isinstance(spec, InputSpec):  # metadata is a plain mapping: only prop() writes this key
        raise TypeError(f"{field.name}: expected {_METADATA_KEY!r} metadata from prop(), got {spec!r}")
    return spec


def environment_fields(props_class: type) -> list[dataclasses.Field[Any]]:
    """The fields a user sets in the module's block, in declaration order."""
    return [f for f in dataclasses.fields(props_class) if input_spec(f).environment]


# -- validation ----------------------------------------------------------------------


def _failure(check: Callable[..., Any], *args: Any) -> str | None:
    try:
        check(*args)
    except ValueError as error:
        return str(error)
    return None


def _cross_problems(props_class: type, values: Mapping[str, Any], failed: set[str]) -> list[tuple[str, str]]:
    problems = []
    names = {field.name for field in dataclasses.fields(props_class)}
    for rule in getattr(props_class, "cross_checks", ()):
        if not names.issuperset(rule.fields):
            # A misspelt field would otherwise skip the rule for ever, silently.
            raise TypeError(f"{props_class.__name__}.cross_checks: {sorted(set(rule.fields) - names)} are not fields")
        args = [values.get(name) for name in rule.fields]
        if (not rule.runs_on_unset and any(arg is None for arg in args)) or failed.intersection(rule.fields):
            continue
        message = _failure(rule.check, *args)
        if message is not None:
            problems.append((rule.key, message))
    return problems


def _defaults(props_class: type) -> dict[str, Any]:
    defaults = {}
    for field in dataclasses.fields(props_class):
        if field.default is not dataclasses.MISSING:
            defaults[field.name] = field.default
        elif field.default_factory is not dataclasses.MISSING:
            defaults[field.name] = field.default_factory()
    return defaults


def cross_check_problems(props_class: type, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, message) for each failing cross check over `values` (absent fields: defaults)."""
    return _cross_problems(props_class, {**_defaults(props_class), **values}, failed=set())


def supplied_value_problems(props_class: type, supplied: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, message) for each value the stack supplies that this module's own check refuses.

    A module may be stricter than the environment file about a value every module gets
    (the frontend refuses regions CloudFront cannot deliver logs to): the environment
    layer asks each module, so the file is refused at load, not at synthesis.
    """
    problems = []
    for field in dataclasses.fields(props_class):
        check, value = input_spec(field).check, supplied.get(field.name)
        message = None if check is None or value is None else _failure(check, value)
        if message is not None:
            problems.append((field.name, message))
    return problems


def props_problems(props: Any) -> list[tuple[str, str]]:
    """(field, message) for every problem of a props instance: field checks, then cross checks."""
    problems = []
    for field in dataclasses.fields(props):
        check, value = input_spec(field).check, getattr(props, field.name)
        message = None if check is None or value is None else _failure(check, value)
        if message is not None:
            problems.append((field.name, message))
    values = {field.name: getattr(props, field.name) for field in dataclasses.fields(props)}
    return problems + _cross_problems(type(props), values, failed={key for key, _ in problems})


def check_props(props: Any) -> None:
    """Raise one ValueError naming every problem ("<field>: expected ..., got ...")."""
    problems = props_problems(props)
    if problems:
        lines = "\n  ".join(f"{key}: {message}" for key, message in problems)
        raise ValueError(f"invalid {type(props).__name__}:\n  {lines}")


# -- the environment-file block ------------------------------------------------------


def _strict(annotation: Any) -> Any:
    """`annotation` with every bool/int/float/str inside it made strict."""
    if annotation in _STRICT_TYPES:
        return _STRICT_TYPES[annotation]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is None or origin is Literal or not args:
        return annotation
    if origin in (types.UnionType, typing.Union):
        return typing.Union[tuple(_strict(arg) for arg in args)]  # noqa: UP007 (built from a tuple)
    return origin[tuple(arg if arg is Ellipsis else _strict(arg) for arg in args)]


def _nested_props_class(annotation: Any) -> type | None:
    """The props dataclass an optional nested block is declared as (`restore: Restore | None`)."""
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if get_origin(annotation) in (types.UnionType, typing.Union) and len(args) == 1:
        annotation = args[0]
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation) and environment_fields(annotation):
        return annotation
    return None


def _nested_block(props_class: type, model_name: str) -> Any:
    """A nested block (`database { restore { ... } }`): its own derived model, strict and closed,
    turned into the props dataclass once its keys are valid, its cross checks reported at once."""
    model = environment_block(props_class, f"{model_name}{props_class.__name__}")

    def to_props(block: BaseModel) -> Any:
        values = block_values(block)
        problems = cross_check_problems(props_class, values)
        if problems:
            raise ValueError("; ".join(f"{key}: {message}" for key, message in problems))
        return props_class(**values)

    return Annotated[model, AfterValidator(to_props)] | None


def _checked(annotation: Any, check: Check) -> Any:
    """`annotation` with `check` run after its type, on anything but None."""
    args = get_args(annotation)
    if get_origin(annotation) in (types.UnionType, typing.Union) and type(None) in args:
        rest = tuple(arg for arg in args if arg is not type(None))
        given = rest[0] if len(rest) == 1 else typing.Union[rest]  # noqa: UP007
        return Annotated[given, AfterValidator(check)] | None
    return Annotated[annotation, AfterValidator(check)]


def field_docs(props_class: type) -> dict[str, str]:
    """The docstring under each field (what IDEs show), read from the class's own source."""
    docs: dict[str, str] = {}
    for klass in reversed(props_class.__mro__):
        if not dataclasses.is_dataclass(klass):
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):  # no source (frozen or generated): no descriptions
            continue
        class_definition = ast.parse(source).body[0]
        if not isinstance(class_definition, ast.ClassDef):  # getsource of a class gives its class statement
            continue
        body = class_definition.body
        for node, following in zip(body, body[1:], strict=False):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


def environment_block(props_class: type, model_name: str, doc: str | None = None) -> type[BaseModel]:
    """The pydantic model of a module's environment-file block, derived from its props.

    Unknown keys are refused and the model is frozen. Cross checks are not part of it:
    some need values the stack supplies (the region), so the environment schema runs
    them with `cross_check_problems` once the whole file is valid.
    """
    hints = get_type_hints(props_class)
    docs = field_docs(props_class)
    definitions: dict[str, Any] = {}
    for field in environment_fields(props_class):
        nested = _nested_props_class(hints[field.name])
        annotation = _nested_block(nested, model_name) if nested else _strict(hints[field.name])
        check = input_spec(field).check
        if check is not None:
            annotation = _checked(annotation, check)
        if field.default is not dataclasses.MISSING:
            info = Field(default=field.default, description=docs.get(field.name))
        elif field.default_factory is not dataclasses.MISSING:
            info = Field(default_factory=field.default_factory, description=docs.get(field.name))
        else:
            info = Field(description=docs.get(field.name))
        definitions[field.name] = (annotation, info)
    return create_model(
        model_name,
        __config__=ConfigDict(extra="forbid", frozen=True),
        __doc__=doc or f"The environment-file inputs of {props_class.__name__}.",
        **definitions,
    )


def block_values(block: BaseModel) -> dict[str, Any]:
    """A validated block's keys and values, as they are (no conversion of tuples)."""
    return {name: getattr(block, name) for name in type(block).model_fields}


# What the stack gives every module's props beside its block (EnvironmentConfig.stack_inputs
# and the stack's context): each props class takes those of them it declares.
STACK_INPUTS = frozenset({"name", "region", "account_id", "deletion_protection", "context"})


def props_from_block(props_class: type[PropsT], block: BaseModel, **supplied: Any) -> PropsT:
    """Props from a validated block plus what the stack supplies.

    `supplied` holds the stack inputs (STACK_INPUTS, taken where the props declare them)
    and the module's wiring (another module's outputs: vpc_id, kms_key_arn, ...). Wiring
    the props do not declare is a TypeError naming the props class and every such
    argument: dropped silently, a misspelt `kms_key=` would leave `kms_key_arn` at its
    default (a key of the module's own) without a word.
    """
    names = {field.name for field in dataclasses.fields(props_class)}
    unknown = sorted(key for key in supplied if key not in names and key not in STACK_INPUTS)
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, sorted(names), n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise TypeError(
            f"{props_class.__name__} has no input {', '.join(hints)}: expected wiring among its fields "
            f"({', '.join(sorted(names - STACK_INPUTS))})"
        )
    taken = {key: value for key, value in supplied.items() if key in names}
    return props_class(**taken, **block_values(block))
