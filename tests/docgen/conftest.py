"""A tiny fake module ("widget") in a temporary modules directory, for the generator's tests.

Its props are imported by docgen (they use the project's real `prop` and checks); its
construct is only parsed, so it may name cdktf freely without the tests loading it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

WIDGET_PROPS = '''
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from modules.common.inputs import check_props, prop
from modules.common.validation import check_region, choice_check, range_check

Size = Literal["small", "large"]


def check_colour(value: str) -> str:
    if not value.startswith("#"):
        raise ValueError(f"expected a hex colour such as #ff0000, got {value!r}")
    return value


@dataclass(frozen=True, kw_only=True)
class WidgetProps:
    """Inputs of Widget."""

    name: str
    """Prefix of every name, e.g. "chat-dev"."""

    region: str = prop(check=check_region)
    """Where <it> runs | somewhere."""

    replicas: int = prop(2, check=range_check(1, 20000), environment=True)
    """Copies kept,
    across zones."""

    size: Size = prop("small", check=choice_check(("small", "large")), environment=True)
    """How big."""

    mode: str = prop("fast", check=choice_check(("fast", "safe")), environment=True)
    """How it runs."""

    colour: str = prop("#000000", check=check_colour, environment=True)
    """Paint."""

    weight: int = prop(5, check=range_check(1, 10))
    """Weight, 1 to 10 (the rule is said once)."""

    zones: tuple[str, ...] | None = None
    """Zones, e.g. `<region>a`; looked up when None."""

    labels: dict[str, str] = field(default_factory=lambda: {"team": "chat"})
    """Extra labels."""

    def __post_init__(self) -> None:
        check_props(self)


@dataclass(frozen=True, kw_only=True)
class SpecialWidgetProps(WidgetProps):
    """A widget that shines."""

    sparkle: bool = prop(True, environment=True)
    """Shine."""
'''

WIDGET_CONSTRUCT = '''
from __future__ import annotations

from constructs import Construct

from modules.common.store_keys import store_key
from modules.widget.props import WidgetProps


class Widget(Construct):
    """A widget.

    Typed outputs (attributes): widget_id, size (None when small), endpoint,
    kms_key_arn, labels.

    Helpers: grant(grantee).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: WidgetProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        self.widget_id: str = f"{props.name}-widget"
        """The widget's id."""
        self.size = None if props.size == "small" else props.size
        self.endpoint = f"https://{props.name}.example.com"
        self.key, self.kms_key_arn = store_key(self, "key")
        self.labels = self._labels()

    def _labels(self) -> dict[str, str]:
        return dict(self.props.labels)
'''

WIDGET_README = """# widget

Hand-written purpose.

```python
# a comment, not a heading
| not | a table |
```

## Inputs (`WidgetProps`)

Prose before the table.

| name | type | default | file | description |
|---|---|---|---|---|
| `name` | old | old |  | old |

Prose after the table.

### `SpecialWidgetProps`

| old | table |
|---|---|
| `sparkle` | x |

## Outputs (attributes of `Widget`)

| attribute | type | description |
|---|---|---|
| `widget_id` | `str` | Overwritten: the docstring under its assignment wins. |
| `endpoint`, `kms_key_arn` | `str` | Kept \\| with a pipe. |
| `labels` | `dict` | Labels as given. |
| `gone` | `str` | An output the construct no longer has. |

## Costs

Hand-written costs.
"""


def write_module(modules_dir: Path, name: str, files: dict[str, str]) -> Path:
    module_dir = modules_dir / name
    module_dir.mkdir(parents=True)
    for file_name, text in files.items():
        (module_dir / file_name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return module_dir


@pytest.fixture
def widget_modules(tmp_path: Path) -> Path:
    """A modules directory holding the widget module, README not yet generated."""
    modules_dir = tmp_path / "modules"
    write_module(
        modules_dir, "widget", {"props.py": WIDGET_PROPS, "widget.py": WIDGET_CONSTRUCT, "README.md": WIDGET_README}
    )
    return modules_dir


@pytest.fixture
def module_writer(tmp_path: Path) -> Callable[[str, dict[str, str]], Path]:
    """Writes further fake modules beside the widget's (same modules directory)."""
    return lambda name, files: write_module(tmp_path / "modules", name, files)
