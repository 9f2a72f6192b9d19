"""SQS queues with their own dead-letter queues, a customer-managed key and TLS-only policies.

`MessageQueue` and `messaging_key` are imported lazily so that `modules.queues.props`
(used by the environment layer to validate files) does not pay for importing the AWS
provider bindings.
"""

from modules.queues.props import MessageQueueProps

__all__ = ["MessageQueue", "MessageQueueProps", "messaging_key"]


def __getattr__(name: str):
    if name in ("MessageQueue", "messaging_key"):
        from modules.queues import queues

        return getattr(queues, name)
    raise AttributeError(f"module 'modules.queues' has no attribute {name!r}")
