"""Render a synthesized stack (cdk.tf.json) as Terraform's native syntax (HCL), from the provider's schema.

JSON syntax cannot say whether `"statement": {...}` is an object-typed attribute or a
nested block, nor whether `"ingress": []` is an empty attribute or no blocks at all: HCL
must. The provider's schema (hcl_render/provider-schema.json) says it for every resource,
data source and ephemeral type; Terraform's own sections (terraform, provider, variable,
locals, output, lifecycle, depends_on, ...) are written here by hand. A type or key that
neither knows is an error naming it, never a guess.

Strings: a JSON string in an expression position is a template, exactly as a quoted HCL
string is, so `${...}`, `%{...}` and their escapes `$${` and `%%{` are written as they
stand; only the literal text between them is escaped (backslash, quote, newlines, control
characters). A string that is one interpolation and nothing else is written as the bare
expression (`vpc_id = aws_vpc.this.id`), which Terraform evaluates to the same value.
Where Terraform reads a JSON string without evaluating it (a variable's default, a
backend's settings, required_providers, descriptions), `${` and `%{` are escaped so the
HCL holds the same literal text.

Output is laid out the way `terraform fmt` lays it out (two-space indents, `=` aligned
across consecutive one-line attributes), so `terraform fmt -check` accepts it as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hcl_render.schema import SECTIONS, load_schema

INDENT = "  "
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Bare words an object key cannot be without quotes (HCL would read them as keywords).
KEYWORDS = {"true", "false", "null", "for", "in", "if", "endif", "endfor", "else"}
# Terraform's own arguments of resource, data and ephemeral blocks, in the order written.
LEADING_META = ("count", "for_each", "provider")
TRAILING_META = ("depends_on", "lifecycle")
UNSUPPORTED_META = ("dynamic", "provisioner", "connection")
LIFECYCLE_KEYS = ("create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by")
CONDITION_BLOCKS = ("precondition", "postcondition")
# Files written per stack, by section.
FILES = {
    "terraform": "terraform.tf",
    "provider": "providers.tf",
    "variable": "variables.tf",
    "locals": "locals.tf",
    "data": "data.tf",
    "ephemeral": "main.tf",
    "resource": "main.tf",
    "output": "outputs.tf",
}
HEADER = "# Rendered from {source} by hcl_render (python -m hcl_render): edit the CDKTF code, or leave CDK.\n"


class RenderError(ValueError):
    """The stack holds something the renderer will not guess at."""


# -- the schema ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaBlock:
    attributes: frozenset[str]
    block_types: dict[str, tuple[str, Any]]  # name -> (nesting mode, raw block or {"$ref": ...})


class ProviderSchema:
    def __init__(self, document: dict[str, Any] | None = None) -> None:
        self.document = document if document is not None else load_schema()
        self.version = self.document.get("provider_version", "?")

    def block(self, raw: dict[str, Any]) -> SchemaBlock:
        if "$ref" in raw:
            raw = self.document["shared_blocks"][raw["$ref"]]
        return SchemaBlock(
            attributes=frozenset(raw.get("attributes", ())),
            block_types={name: (b["nesting_mode"], b["block"]) for name, b in raw.get("block_types", {}).items()},
        )

    def of_type(self, section: str, type_name: str) -> SchemaBlock:
        types = self.document[SECTIONS[section]]
        if type_name not in types:
            raise RenderError(
                f"{section} type {type_name!r} is not in the provider schema (hashicorp/aws {self.version}, "
                "hcl_render/provider-schema.json): regenerate it with `python -m hcl_render.schema` after synthesis"
            )
        return self.block(types[type_name])

    def provider_config(self) -> SchemaBlock:
        return self.block(self.document["provider_config"])


# -- strings and expressions ---------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_literal(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def _end_of_quoted(text: str, i: int) -> int:
    """Index after the closing quote of a string literal inside an expression (i: after its opening quote)."""
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        elif text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            i = _end_of_sequence(text, i + 2) + 1
        else:
            i += 1
    raise RenderError(f"unterminated string literal inside an interpolation: {text[:200]!r}")


def _end_of_sequence(text: str, i: int) -> int:
    """Index of the `}` closing the `${` or `%{` that ends just before i."""
    depth = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            i = _end_of_quoted(text, i + 1)
            continue
        if char in "{[(":
            depth += 1
        elif char in "}])":
            if depth == 0:
                if char != "}":
                    break
                return i
            depth -= 1
        i += 1
    raise RenderError(f"unterminated interpolation in {text[:200]!r}")


def template_parts(text: str) -> Iterator[tuple[bool, str]]:
    """(is_sequence, text) pieces: `${...}`/`%{...}` sequences as written, and literal text between them
    (the escapes `$${` and `%%{` stay in the literal text, as they are written the same way in HCL)."""
    literal_start = i = 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            if literal_start < i:
                yield False, text[literal_start:i]
            end = _end_of_sequence(text, i + 2)
            yield True, text[i : i + 2] + _spaced_colons(text[i + 2 : end]) + "}"
            i = literal_start = end + 1
        else:
            i += 1
    if literal_start < len(text):
        yield False, text[literal_start:]


def quoted_template(text: str) -> str:
    """A JSON template string as a quoted HCL template with the same meaning."""
    return '"' + "".join(part if sequence else _escape_literal(part) for sequence, part in template_parts(text)) + '"'


def quoted_literal(text: str) -> str:
    """A string Terraform reads literally from JSON, as a quoted HCL string with the same text."""
    return '"' + _escape_literal(text).replace("${", "$${").replace("%{", "%%{") + '"'


def bare_reference(text: str) -> str:
    """A traversal Terraform reads from a JSON string (depends_on, ignore_changes, provider)."""
    inner = text[2:-1].strip() if text.startswith("${") and text.endswith("}") else text
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-.\[\]\"*]*", inner):
        raise RenderError(f"not a reference: {text!r}")
    return inner


def _spaced_colons(expression_text: str) -> str:
    """cdktf writes a for expression as `for k, v in x: ...`; terraform fmt spaces a colon outside string
    literals on both sides (`x : ...`), as it does in `a ? b : c`."""
    out, i = [], 0
    while i < len(expression_text):
        char = expression_text[i]
        if char == '"':
            end = _end_of_quoted(expression_text, i + 1)
            out.append(expression_text[i:end])
            i = end
            continue
        if char == ":":
            while out and out[-1] == " ":
                out.pop()
            out.append(" : ")
            i += 1
            while i < len(expression_text) and expression_text[i] == " ":
                i += 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _single_interpolation(text: str) -> str | None:
    parts = list(template_parts(text))
    if len(parts) == 1 and parts[0][0] and parts[0][1].startswith("${"):
        inner = parts[0][1][2:-1]
        if not inner.startswith("~") and not inner.endswith("~") and "\n" not in inner:
            return _spaced_colons(inner.strip())
    return None


def object_key(key: str) -> str:
    if IDENTIFIER.match(key) and key not in KEYWORDS:
        return key
    return quoted_template(key)


def expression(value: Any, indent: int, literal: bool = False) -> list[str]:
    """The value as an HCL expression: its first line (to follow `key = `), then whole lines."""
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, int | float):
        return [json.dumps(value)]
    if isinstance(value, str):
        if literal:
            return [quoted_literal(value)]
        bare = _single_interpolation(value)
        return [bare] if bare is not None else [quoted_template(value)]
    if isinstance(value, list):
        if not value:
            return ["[]"]
        items = [expression(v, indent + 1, literal) for v in value]
        if all(len(item) == 1 for item in items) and not any(isinstance(v, dict | list) for v in value):
            return ["[" + ", ".join(item[0] for item in items) + "]"]
        lines = ["["]
        for item in items:
            lines.append(INDENT * (indent + 1) + item[0] + ("," if len(item) == 1 else ""))
            lines += item[1:-1]
            if len(item) > 1:
                lines.append(item[-1] + ",")
        return lines + [INDENT * indent + "]"]
    if isinstance(value, dict):
        if not value:
            return ["{}"]
        body = Body(indent + 1)
        for key, item in value.items():
            body.attribute(object_key(key), expression(item, indent + 1, literal))
        return ["{", *body.lines(), INDENT * indent + "}"]
    raise RenderError(f"cannot write a {type(value).__name__} as HCL: {value!r}")


# -- bodies laid out as terraform fmt does ---------------------------------------------------


@dataclass
class Body:
    """Attributes, blocks and comments of one body; lines() aligns `=` the way terraform fmt does:
    across consecutive attributes that fit on one line (anything else ends the run)."""

    indent: int
    items: list[tuple[str, Any]] = field(default_factory=list)

    def attribute(self, key: str, value_lines: list[str]) -> None:
        self.items.append(("attribute", (key, value_lines)))

    def block(self, header: str, body: Body) -> None:
        self.items.append(("block", (header, body)))

    def comment(self, text: str) -> None:
        for line in text.splitlines() or [""]:
            self.items.append(("comment", line))

    def __bool__(self) -> bool:
        return bool(self.items)

    def lines(self) -> list[str]:
        pad = INDENT * self.indent
        out: list[str] = []
        run: list[tuple[str, str]] = []

        def close_run() -> None:
            width = max((len(k) for k, _ in run), default=0)
            out.extend(f"{pad}{k.ljust(width)} = {v}" for k, v in run)
            run.clear()

        previous = None
        for kind, item in self.items:
            if kind == "attribute":
                key, value_lines = item
                if len(value_lines) == 1:
                    run.append((key, value_lines[0]))
                else:
                    close_run()
                    out.append(f"{pad}{key} = {value_lines[0]}")
                    out.extend(value_lines[1:])
            else:
                close_run()
                if kind == "block":
                    header, body = item
                    if previous is not None and previous != "comment":
                        out.append("")
                    out.extend([f"{pad}{header} {{", *body.lines(), f"{pad}}}"] if body else [f"{pad}{header} {{}}"])
                else:
                    out.append(f"{pad}# {item}".rstrip())
            previous = kind
        close_run()
        return out


# -- blocks ----------------------------------------------------------------------------------


class StackRenderer:
    def __init__(self, document: dict[str, Any], schema: ProviderSchema, name: str = "stack") -> None:
        self.document = document
        self.schema = schema
        self.name = name
        self.waivers: dict[str, dict[str, str]] = document.get("//", {}).get("checkov_waivers", {})

    def error(self, where: str, message: str) -> RenderError:
        return RenderError(f"{self.name}: {where}: {message}")

    # schema-driven bodies

    def schema_body(self, values: dict[str, Any], block: SchemaBlock, indent: int, where: str, body: Body) -> None:
        if not isinstance(values, dict):
            raise self.error(where, f"a block must be an object, found {values!r}")
        nested = []
        for key, value in values.items():
            if key == "//":
                continue
            if key in block.attributes:
                body.attribute(key, expression(value, indent))
            elif key in block.block_types:
                nested.append((key, value))
            else:
                raise self.error(
                    where,
                    f"key {key!r} is neither an attribute nor a block in the provider schema "
                    f"(hashicorp/aws {self.schema.version}, hcl_render/provider-schema.json)",
                )
        for key, value in nested:
            mode, raw = block.block_types[key]
            inner = self.schema.block(raw)
            if mode == "map":
                if not isinstance(value, dict):
                    raise self.error(f"{where}.{key}", f"a map of blocks must be an object, found {value!r}")
                for label, item in value.items():
                    self._nested(body, f"{key} {quoted_literal(label)}", item, inner, indent, f"{where}.{key}")
                continue
            items = value if isinstance(value, list) else [value]
            if mode in ("single", "group") and len(items) > 1:
                raise self.error(f"{where}.{key}", f"a single block given {len(items)} times")
            for item in items:
                self._nested(body, key, item, inner, indent, f"{where}.{key}")

    def _nested(self, body: Body, header: str, values: Any, block: SchemaBlock, indent: int, where: str) -> None:
        if isinstance(values, str):
            raise self.error(where, f"a block given as an expression ({values!r}): dynamic blocks are not rendered")
        inner = Body(indent + 1)
        self.schema_body(values, block, indent + 1, where, inner)
        body.block(header, inner)

    # resource, data and ephemeral blocks

    def typed_block(self, section: str, type_name: str, name: str, values: dict[str, Any]) -> Body:
        where = f"{section}.{type_name}.{name}"
        schema = self.schema.of_type(section, type_name)
        body = Body(1)
        path = values.get("//", {}).get("metadata", {}).get("path")
        if path:
            body.comment(f"CDKTF construct: {path}")
        for check, reason in sorted(self.waivers.get(name, {}).items()):
            body.comment(f"checkov:skip={check}:{' '.join(reason.split())}")
        for key in UNSUPPORTED_META:
            if key in values:
                raise self.error(where, f"{key!r} is not rendered (none of the stacks uses it)")
        for key in LEADING_META:
            if key in values:
                value = values[key]
                body.attribute(key, [bare_reference(value)] if key == "provider" else expression(value, 1))
        own = {k: v for k, v in values.items() if k not in (*LEADING_META, *TRAILING_META, "//")}
        self.schema_body(own, schema, 1, where, body)
        if "depends_on" in values:
            body.attribute("depends_on", self.references(values["depends_on"], 1))
        if "lifecycle" in values:
            body.block("lifecycle", self.lifecycle(values["lifecycle"], where))
        return body

    def references(self, values: list[str], indent: int) -> list[str]:
        if not isinstance(values, list):
            raise RenderError(f"a list of references was expected, found {values!r}")
        refs = [bare_reference(v) for v in values]
        if not refs:
            return ["[]"]
        return ["[", *(f"{INDENT * (indent + 1)}{r}," for r in refs), INDENT * indent + "]"]

    def conditions(self, body: Body, values: dict[str, Any], indent: int, where: str) -> None:
        for kind in CONDITION_BLOCKS:
            items = values.get(kind, [])
            for item in items if isinstance(items, list) else [items]:
                unknown = set(item) - {"condition", "error_message"}
                if unknown:
                    raise self.error(f"{where}.{kind}", f"unknown keys {sorted(unknown)}")
                inner = Body(indent + 1)
                for key in ("condition", "error_message"):
                    if key in item:
                        inner.attribute(key, expression(item[key], indent + 1))
                body.block(kind, inner)

    def lifecycle(self, values: dict[str, Any], where: str) -> Body:
        unknown = set(values) - {*LIFECYCLE_KEYS, *CONDITION_BLOCKS}
        if unknown:
            raise self.error(f"{where}.lifecycle", f"unknown keys {sorted(unknown)}")
        body = Body(2)
        for key in LIFECYCLE_KEYS:
            if key not in values:
                continue
            value = values[key]
            if key == "ignore_changes" and value == "all":
                body.attribute(key, ["all"])
            elif key in ("ignore_changes", "replace_triggered_by"):
                body.attribute(key, self.references(value, 2))
            else:
                body.attribute(key, expression(value, 2))
        self.conditions(body, values, 2, f"{where}.lifecycle")
        return body

    # Terraform's own sections

    def terraform_block(self, values: dict[str, Any]) -> Body:
        body = Body(1)
        for key, value in values.items():
            if key == "required_version":
                body.attribute(key, expression(value, 1, literal=True))
            elif key == "required_providers":
                inner = Body(2)
                for name, requirement in value.items():
                    inner.attribute(object_key(name), expression(requirement, 2, literal=True))
                body.block("required_providers", inner)
            elif key == "backend":
                for backend_type, settings in value.items():
                    inner = Body(2)
                    for setting, setting_value in settings.items():
                        inner.attribute(setting, expression(setting_value, 2, literal=True))
                    body.block(f"backend {quoted_literal(backend_type)}", inner)
            else:
                raise self.error(f"terraform.{key}", "not rendered (none of the stacks uses it)")
        return body

    def provider_block(self, name: str, values: dict[str, Any], index: int) -> Body:
        if name != "aws":
            raise self.error(f"provider.{name}", "only the aws provider's schema is known")
        body = Body(1)
        if "alias" in values:
            body.attribute("alias", expression(values["alias"], 1, literal=True))
        own = {k: v for k, v in values.items() if k != "alias"}
        self.schema_body(own, self.schema.provider_config(), 1, f"provider.{name}[{index}]", body)
        return body

    def output_block(self, name: str, values: dict[str, Any]) -> Body:
        body = Body(1)
        for key, value in values.items():
            if key in ("description",):
                body.attribute(key, expression(value, 1, literal=True))
            elif key in ("value", "sensitive", "ephemeral"):
                body.attribute(key, expression(value, 1))
            elif key == "depends_on":
                body.attribute(key, self.references(value, 1))
            elif key not in ("precondition", "//"):
                raise self.error(f"output.{name}.{key}", "not an output argument")
        self.conditions(body, values, 1, f"output.{name}")
        return body

    def variable_block(self, name: str, values: dict[str, Any]) -> Body:
        body = Body(1)
        for key, value in values.items():
            if key == "type":
                body.attribute(key, [value])  # a type expression, written bare
            elif key in ("default", "description"):
                body.attribute(key, expression(value, 1, literal=True))
            elif key in ("sensitive", "nullable", "ephemeral"):
                body.attribute(key, expression(value, 1))
            elif key == "validation":
                for rule in value if isinstance(value, list) else [value]:
                    inner = Body(2)
                    for rule_key in ("condition", "error_message"):
                        inner.attribute(rule_key, expression(rule[rule_key], 2))
                    body.block("validation", inner)
            elif key != "//":
                raise self.error(f"variable.{name}.{key}", "not a variable argument")
        return body

    # the whole stack

    def sections(self) -> dict[str, list[str]]:
        """File name -> its lines."""
        files: dict[str, list[tuple[str, Body]]] = {}

        def add(section: str, header: str, body: Body) -> None:
            files.setdefault(FILES[section], []).append((header, body))

        for section, content in self.document.items():
            if section == "//":
                continue
            if section == "terraform":
                add(section, "terraform", self.terraform_block(content))
            elif section == "provider":
                for name, configs in content.items():
                    for index, config in enumerate(configs if isinstance(configs, list) else [configs]):
                        add(section, f"provider {quoted_literal(name)}", self.provider_block(name, config, index))
            elif section in ("resource", "data", "ephemeral"):
                keyword = section
                for type_name, blocks in content.items():
                    for name, values in blocks.items():
                        header = f"{keyword} {quoted_literal(type_name)} {quoted_literal(name)}"
                        add(section, header, self.typed_block(section, type_name, name, values))
            elif section == "locals":
                body = Body(1)
                for name, value in content.items():
                    body.attribute(name, expression(value, 1))
                add(section, "locals", body)
            elif section == "output":
                for name, values in content.items():
                    add(section, f"output {quoted_literal(name)}", self.output_block(name, values))
            elif section == "variable":
                for name, values in content.items():
                    add(section, f"variable {quoted_literal(name)}", self.variable_block(name, values))
            else:
                raise self.error(section, "a top-level section the renderer does not know")
        rendered = {}
        for file_name, blocks in files.items():
            lines: list[str] = []
            for header, body in blocks:
                if lines:
                    lines.append("")
                lines += [f"{header} {{", *body.lines(), "}"] if body else [f"{header} {{}}"]
            rendered[file_name] = lines
        return rendered


def render_document(
    document: dict[str, Any], schema: ProviderSchema | None = None, name: str = "stack", source: str = "cdk.tf.json"
) -> dict[str, str]:
    """File name -> HCL text, for one synthesized stack."""
    renderer = StackRenderer(document, schema or ProviderSchema(), name)
    header = HEADER.format(source=source)
    return {file_name: header + "\n" + "\n".join(lines) + "\n" for file_name, lines in renderer.sections().items()}


def render_stack(stack_file: Path, out_dir: Path, schema: ProviderSchema | None = None) -> list[Path]:
    """Render one cdk.tf.json into out_dir (its old .tf files removed first); returns the files written."""
    name = stack_file.parent.name
    files = render_document(json.loads(stack_file.read_text()), schema, name, source=f"{name}/cdk.tf.json")
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.tf"):
        stale.unlink()
    written = []
    for file_name, text in files.items():
        (out_dir / file_name).write_text(text)
        written.append(out_dir / file_name)
    return written
