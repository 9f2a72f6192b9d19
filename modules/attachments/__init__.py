"""The attachments bucket: private, versioned, SSE-KMS, TLS only, browser CORS, access logs.

`AttachmentsBucket` is imported lazily so that `modules.attachments.props` (used by the
environment layer to validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.attachments.props import AttachmentsBucketProps
from modules.common.lazy_exports import lazy_exports

__all__ = ["AttachmentsBucket", "AttachmentsBucketProps"]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.attachments.attachments import AttachmentsBucket
else:
    __getattr__ = lazy_exports(__name__, {"modules.attachments.attachments": ("AttachmentsBucket",)})
