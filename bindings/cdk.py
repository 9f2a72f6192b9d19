"""The CDK library of the selected toolchain (`cdktf` or `cdktn`, bindings.TOOLCHAIN).

    from bindings.cdk import Fn, TerraformStack

Every name is the library's own object, looked up on first use (PEP 562), except `App`,
which adds the project's Terraform target to the App's context (bindings.TERRAFORM_TARGET_CONTEXT).
"""

from __future__ import annotations

import importlib
from typing import Any

import bindings

_library = importlib.import_module(bindings.selected_toolchain().cdk_package)


class App(_library.App):  # type: ignore[misc,name-defined]
    """The library's App, declaring the Terraform versions the stacks target.

    CDK Terrain refuses to synthesize a write-only argument (the Redis Cluster's
    `secret_string_wo`) unless the App says it targets Terraform >= 1.11; CDKTF ignores the key.
    A `context` given by the caller is kept and wins over the default.
    """

    def __init__(self, *, context: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(context={**bindings.TERRAFORM_TARGET_CONTEXT, **(context or {})}, **kwargs)


def __getattr__(name: str) -> Any:
    return getattr(_library, name)
