"""One private ECR repository per service: immutable tags, scanned on push, KMS-encrypted.

`ContainerRepository` is imported lazily so that the props (used by the environment layer
to validate files) do not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.container_registry.props import ContainerRepositoryProps

__all__ = ["ContainerRepository", "ContainerRepositoryProps"]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.container_registry.container_registry import ContainerRepository
else:
    __getattr__ = lazy_exports(__name__, {"modules.container_registry.container_registry": ("ContainerRepository",)})
