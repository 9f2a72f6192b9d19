"""SQS queues with their own dead-letter queues, a customer-managed key and TLS-only policies.

`MessageQueue` and `messaging_key` are imported lazily so that `modules.queues.props`
(used by the environment layer to validate files) does not pay for importing the AWS
provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.queues.props import MessageQueueProps

__all__ = ["MessageQueue", "MessageQueueProps", "messaging_key"]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.queues.queues import MessageQueue, messaging_key
else:
    __getattr__ = lazy_exports(__name__, {"modules.queues.queues": ("MessageQueue", "messaging_key")})
