"""The single-page app: a private S3 bucket behind CloudFront with Origin Access Control.

`Frontend` is imported lazily so that `modules.frontend.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.frontend.props import DEFAULT_CONTENT_SECURITY_POLICY, PRICE_CLASSES, FrontendProps, PriceClass

__all__ = ["DEFAULT_CONTENT_SECURITY_POLICY", "PRICE_CLASSES", "Frontend", "FrontendProps", "PriceClass"]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.frontend.frontend import Frontend
else:
    __getattr__ = lazy_exports(__name__, {"modules.frontend.frontend": ("Frontend",)})
