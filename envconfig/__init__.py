"""Environment files: parse, validate, and hand typed config to the stacks.

Cheap to import (no cdktf, no provider bindings), so validation runs before the
expensive imports.
"""

from envconfig.loader import EnvironmentFileError, Problem, load_environment, load_environments
from envconfig.schema import EnvironmentConfig, NetworkConfig, RemoteStateConfig

__all__ = [
    "EnvironmentConfig",
    "EnvironmentFileError",
    "NetworkConfig",
    "Problem",
    "RemoteStateConfig",
    "load_environment",
    "load_environments",
]
