"""WAFv2 web ACL: managed rule groups, per-path rate limits, encrypted logs, associations.

`WebAcl` is imported lazily so that `modules.waf.props` (used by the environment layer
to validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.waf.props import CLOUDFRONT_REGION, RATE_LIMIT_MAX, RATE_LIMIT_MIN, WAF_SCOPES, WafScope, WebAclProps

__all__ = ["CLOUDFRONT_REGION", "RATE_LIMIT_MAX", "RATE_LIMIT_MIN", "WAF_SCOPES", "WafScope", "WebAcl", "WebAclProps"]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.waf.waf import WebAcl
else:
    __getattr__ = lazy_exports(__name__, {"modules.waf.waf": ("WebAcl",)})
