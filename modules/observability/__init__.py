"""The environment's alarm topic (SNS, KMS), CloudWatch alarms per component, and dashboard.

`AlarmTopic`, `Alarms` and `Dashboard` are imported lazily so that
`modules.observability.props` and the pure `specs`/`dashboard` modules (used by the
environment layer, by every module's alarms.py and by tests) do not pay for importing the AWS provider bindings.
"""

from modules.observability.props import SUBSCRIPTION_PROTOCOLS, AlarmsProps

__all__ = ["SUBSCRIPTION_PROTOCOLS", "AlarmTopic", "Alarms", "AlarmsProps", "Dashboard"]

_CONSTRUCTS = ("AlarmTopic", "Alarms", "Dashboard")


def __getattr__(name: str):
    if name in _CONSTRUCTS:
        from modules.observability import observability

        return getattr(observability, name)
    raise AttributeError(f"module 'modules.observability' has no attribute {name!r}")
