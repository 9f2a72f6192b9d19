"""ECS on Fargate: the cluster and its services (task definitions, roles, autoscaling).

The constructs are imported lazily so that the props (used by the environment layer to
validate files) do not pay for importing the AWS provider bindings.
"""

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


def __getattr__(name: str):
    if name == "ComputeCluster":
        from modules.compute.cluster import ComputeCluster

        return ComputeCluster
    if name == "FargateService":
        from modules.compute.service import FargateService

        return FargateService
    raise AttributeError(f"module 'modules.compute' has no attribute {name!r}")
