"""The message broker option: Amazon MSK (provisioned, KRaft) with a CMK, TLS and IAM-only clients.

`KafkaCluster` is imported lazily so that `modules.msk.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.msk.props import ENHANCED_MONITORING_LEVELS, KafkaClusterProps
from modules.msk.settings import DEFAULT_KAFKA_VERSION, KAFKA_VERSIONS

__all__ = ["DEFAULT_KAFKA_VERSION", "ENHANCED_MONITORING_LEVELS", "KAFKA_VERSIONS", "KafkaCluster", "KafkaClusterProps"]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.msk.msk import KafkaCluster
else:
    __getattr__ = lazy_exports(__name__, {"modules.msk.msk": ("KafkaCluster",)})
