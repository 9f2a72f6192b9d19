"""The single-page app: a private S3 bucket behind CloudFront with Origin Access Control.

`Frontend` is imported lazily so that `modules.frontend.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from modules.frontend.props import DEFAULT_CONTENT_SECURITY_POLICY, PRICE_CLASSES, FrontendProps, PriceClass

__all__ = ["DEFAULT_CONTENT_SECURITY_POLICY", "PRICE_CLASSES", "Frontend", "FrontendProps", "PriceClass"]


def __getattr__(name: str):
    if name == "Frontend":
        from modules.frontend.frontend import Frontend

        return Frontend
    raise AttributeError(f"module 'modules.frontend' has no attribute {name!r}")
