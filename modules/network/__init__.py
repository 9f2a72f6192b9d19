"""Three-tier VPC: public, private and data subnets, NAT, endpoints, flow logs.

`Network` is imported lazily so that `modules.network.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from modules.network.props import DEFAULT_INTERFACE_ENDPOINT_SERVICES, NAT_MODES, NatMode, NetworkProps

__all__ = ["DEFAULT_INTERFACE_ENDPOINT_SERVICES", "NAT_MODES", "NatMode", "Network", "NetworkProps"]


def __getattr__(name: str):
    if name == "Network":
        from modules.network.network import Network

        return Network
    raise AttributeError(f"module 'modules.network' has no attribute {name!r}")
