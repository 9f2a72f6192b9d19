"""WAFv2 web ACL: managed rule groups, per-path rate limits, encrypted logs, associations.

`WebAcl` is imported lazily so that `modules.waf.props` (used by the environment layer
to validate files) does not pay for importing the AWS provider bindings.
"""

from modules.waf.props import CLOUDFRONT_REGION, RATE_LIMIT_MAX, RATE_LIMIT_MIN, WAF_SCOPES, WafScope, WebAclProps

__all__ = ["CLOUDFRONT_REGION", "RATE_LIMIT_MAX", "RATE_LIMIT_MIN", "WAF_SCOPES", "WafScope", "WebAcl", "WebAclProps"]


def __getattr__(name: str):
    if name == "WebAcl":
        from modules.waf.waf import WebAcl

        return WebAcl
    raise AttributeError(f"module 'modules.waf' has no attribute {name!r}")
