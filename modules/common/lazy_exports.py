"""A package's constructs loaded on first use, so that importing its props (the environment
layer validating files) does not pay for importing the AWS provider bindings.

Each modules/<name>/__init__.py imports its constructs under `if TYPE_CHECKING:` (so mypy
and editors see the real classes, not `Any`) and otherwise sets its module `__getattr__`
from `lazy_exports` with the same names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_exports(package: str, names_by_module: dict[str, tuple[str, ...]]) -> Callable[[str], object]:
    """A module `__getattr__` for `package` that imports each name from its module
    (`names_by_module`: module -> the names it exports) the first time it is asked for."""
    source = {name: module for module, names in names_by_module.items() for name in names}

    def __getattr__(name: str) -> object:
        if name in source:
            return getattr(importlib.import_module(source[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
