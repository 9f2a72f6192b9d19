"""Certificates (ACM, DNS-validated, or existing ARNs) and Route53 records for the public hosts.

`Domain` is imported lazily so that `modules.dns.props` (used by the environment layer to
validate files) does not pay for importing the AWS provider bindings.
"""

from modules.dns.names import CLOUDFRONT_HOSTED_ZONE_ID
from modules.dns.props import KEY_ALGORITHMS, DomainProps, KeyAlgorithm

__all__ = ["CLOUDFRONT_HOSTED_ZONE_ID", "KEY_ALGORITHMS", "Domain", "DomainProps", "KeyAlgorithm"]


def __getattr__(name: str):
    if name == "Domain":
        from modules.dns.dns import Domain

        return Domain
    raise AttributeError(f"module 'modules.dns' has no attribute {name!r}")
