"""Three-tier VPC: public, private and data subnets, NAT, endpoints, flow logs.

`Network` is imported lazily so that `modules.network.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.network.props import DEFAULT_INTERFACE_ENDPOINT_SERVICES, NAT_MODES, NatMode, NetworkProps

__all__ = ["DEFAULT_INTERFACE_ENDPOINT_SERVICES", "NAT_MODES", "NatMode", "Network", "NetworkProps"]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.network.network import Network
else:
    __getattr__ = lazy_exports(__name__, {"modules.network.network": ("Network",)})
