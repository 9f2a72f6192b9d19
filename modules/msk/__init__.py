"""The message broker option: Amazon MSK (provisioned, KRaft) with a CMK, TLS and IAM-only clients.

`KafkaCluster` is imported lazily so that `modules.msk.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from modules.msk.props import ENHANCED_MONITORING_LEVELS, KafkaClusterProps
from modules.msk.settings import DEFAULT_KAFKA_VERSION, KAFKA_VERSIONS

__all__ = ["DEFAULT_KAFKA_VERSION", "ENHANCED_MONITORING_LEVELS", "KAFKA_VERSIONS", "KafkaCluster", "KafkaClusterProps"]


def __getattr__(name: str):
    if name == "KafkaCluster":
        from modules.msk.msk import KafkaCluster

        return KafkaCluster
    raise AttributeError(f"module 'modules.msk' has no attribute {name!r}")
