"""Certificates (ACM, DNS-validated, or existing ARNs) and Route53 records for the public hosts.

`Domain` is imported lazily so that `modules.dns.props` (used by the environment layer to
validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.dns.names import CLOUDFRONT_HOSTED_ZONE_ID
from modules.dns.props import KEY_ALGORITHMS, DomainProps, KeyAlgorithm

__all__ = ["CLOUDFRONT_HOSTED_ZONE_ID", "KEY_ALGORITHMS", "Domain", "DomainProps", "KeyAlgorithm"]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.dns.dns import Domain
else:
    __getattr__ = lazy_exports(__name__, {"modules.dns.dns": ("Domain",)})
