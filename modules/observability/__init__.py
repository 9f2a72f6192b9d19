"""The environment's alarm topic (SNS, KMS), CloudWatch alarms per component, and dashboard.

`AlarmTopic`, `Alarms` and `Dashboard` are imported lazily so that
`modules.observability.props` and the pure `specs`/`dashboard` modules (used by the
environment layer, by every module's alarms.py and by tests) do not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.observability.props import SUBSCRIPTION_PROTOCOLS, AlarmsProps

__all__ = ["SUBSCRIPTION_PROTOCOLS", "AlarmTopic", "Alarms", "AlarmsProps", "Dashboard"]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.observability.observability import Alarms, AlarmTopic, Dashboard
else:
    __getattr__ = lazy_exports(__name__, {"modules.observability.observability": ("AlarmTopic", "Alarms", "Dashboard")})
