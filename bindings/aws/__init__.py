"""The AWS provider bindings of the selected toolchain, under one name for both.

    from bindings.aws.vpc import Vpc

`bindings.aws.<submodule>` is the submodule `<provider package>.<submodule>` of
bindings.TOOLCHAIN (`cdktf_cdktf_provider_aws.vpc` or `cdktn_provider_aws.vpc`): a small
module whose attributes are the real submodule's (same classes, so isinstance and jsii
see no difference). The real submodule is imported when the alias is, through
bindings.install()'s lazy package, so only the submodules a stack names load.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import Any

import bindings

_toolchain = bindings.selected_toolchain()
bindings.install()  # before the first submodule import below: idempotent, cheap when done already


class _ProviderAliasLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        real = importlib.import_module(spec.loader_state)
        alias = types.ModuleType(spec.name, real.__doc__)

        def __getattr__(name: str) -> Any:  # PEP 562: the real submodule's attributes
            return getattr(real, name)

        alias.__getattr__ = __getattr__  # type: ignore[method-assign]
        alias.__all__ = list(getattr(real, "__all__", ()))  # type: ignore[attr-defined]
        return alias

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the real submodule was imported in create_module."""


class _ProviderAliasFinder(importlib.abc.MetaPathFinder):
    """Answers `bindings.aws.<name>` for every submodule the provider package has."""

    prefix = f"{__name__}."

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(self.prefix) or "." in fullname[len(self.prefix) :]:
            return None
        real_name = f"{_toolchain.provider_package}.{fullname[len(self.prefix) :]}"
        if importlib.util.find_spec(real_name) is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _ProviderAliasLoader(), loader_state=real_name)


if not any(isinstance(finder, _ProviderAliasFinder) for finder in sys.meta_path):
    sys.meta_path.insert(0, _ProviderAliasFinder())
