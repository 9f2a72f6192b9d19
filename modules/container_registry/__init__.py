"""One private ECR repository per service: immutable tags, scanned on push, KMS-encrypted.

`ContainerRepository` is imported lazily so that the props (used by the environment layer
to validate files) do not pay for importing the AWS provider bindings.
"""

from modules.container_registry.props import ContainerRepositoryProps

__all__ = ["ContainerRepository", "ContainerRepositoryProps"]


def __getattr__(name: str):
    if name == "ContainerRepository":
        from modules.container_registry.container_registry import ContainerRepository

        return ContainerRepository
    raise AttributeError(f"module 'modules.container_registry' has no attribute {name!r}")
