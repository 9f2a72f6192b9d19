"""ECS on Fargate: the cluster and its services (task definitions, roles, autoscaling).

The constructs are imported lazily so that the props (used by the environment layer to
validate files) do not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.compute.props import (
    ComputeClusterProps,
    FargateServiceProps,
    RealtimeServiceProps,
    RoutedServiceProps,
    WorkerServiceProps,
)

__all__ = [
    "ComputeCluster",
    "ComputeClusterProps",
    "FargateService",
    "FargateServiceProps",
    "RealtimeServiceProps",
    "RoutedServiceProps",
    "WorkerServiceProps",
]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.compute.cluster import ComputeCluster
    from modules.compute.service import FargateService
else:
    __getattr__ = lazy_exports(
        __name__, {"modules.compute.cluster": ("ComputeCluster",), "modules.compute.service": ("FargateService",)}
    )
