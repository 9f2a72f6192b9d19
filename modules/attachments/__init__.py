"""The attachments bucket: private, versioned, SSE-KMS, TLS only, browser CORS, access logs.

`AttachmentsBucket` is imported lazily so that `modules.attachments.props` (used by the
environment layer to validate files) does not pay for importing the AWS provider bindings.
"""

from modules.attachments.props import AttachmentsBucketProps

__all__ = ["AttachmentsBucket", "AttachmentsBucketProps"]


def __getattr__(name: str):
    if name == "AttachmentsBucket":
        from modules.attachments.attachments import AttachmentsBucket

        return AttachmentsBucket
    raise AttributeError(f"module 'modules.attachments' has no attribute {name!r}")
