"""moto's server with the small API gaps the stacks hit filled in (run by .venv-moto's python).

Each extension answers an API moto 5.2.5 lacks the way AWS documents it, keeping state in
this process only. They exist so that a resource AWS tags, or reads back, the ordinary
way can go through apply and re-plan; they never relax what the provider checks:

- Application Auto Scaling: RegisterScalableTarget's Tags, TagResource, UntagResource and
  ListTagsForResource (moto keeps no tags there and answers 500 "not implemented", which
  the provider retries until its timeout: every ECS scaling target, since the provider's
  default_tags reach it).
- ECS CreateService: the settings moto drops (capacityProviderStrategy,
  enableExecuteCommand, enableECSManagedTags, healthCheckGracePeriodSeconds,
  availabilityZoneRebalancing) are kept and described back, and a service placed by a
  capacity-provider strategy has no launchType (moto reports "EC2"), as in AWS.
- KMS: EnableKeyRotation's RotationPeriodInDays is kept and GetKeyRotationStatus returns
  it (AWS: 365 when none is given); moto returned no period, so every key read back 0.
- EC2 security-group rules: the description of a rule naming a security group or a prefix
  list (moto kept descriptions of CIDR rules only).

Started as `python moto_extensions.py -H 127.0.0.1 -p <port>` (moto_server's arguments).
"""

from __future__ import annotations

import json
import sys

from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.core.utils import camelcase_to_underscores
from moto.ec2.models.security_groups import SecurityGroupRule
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.kms.responses import KmsResponse
from moto.server import main

_SCALING_TAGS: dict[str, dict[str, str]] = {}
_register_scalable_target = ApplicationAutoScalingResponse.register_scalable_target


def _register_with_tags(self: ApplicationAutoScalingResponse) -> str:
    answer = _register_scalable_target(self)
    tags = self._get_param("Tags")
    if tags:
        _SCALING_TAGS.setdefault(json.loads(answer)["ScalableTargetARN"], {}).update(tags)
    return answer


def _tag_resource(self: ApplicationAutoScalingResponse) -> str:
    _SCALING_TAGS.setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
    return "{}"


def _untag_resource(self: ApplicationAutoScalingResponse) -> str:
    tags = _SCALING_TAGS.get(self._get_param("ResourceARN"), {})
    for key in self._get_param("TagKeys") or []:
        tags.pop(key, None)
    return "{}"


def _list_tags_for_resource(self: ApplicationAutoScalingResponse) -> str:
    return json.dumps({"Tags": _SCALING_TAGS.get(self._get_param("ResourceARN"), {})})


ApplicationAutoScalingResponse.register_scalable_target = _register_with_tags
ApplicationAutoScalingResponse.tag_resource = _tag_resource
ApplicationAutoScalingResponse.untag_resource = _untag_resource
ApplicationAutoScalingResponse.list_tags_for_resource = _list_tags_for_resource

# -- ECS --------------------------------------------------------------------------------

_SERVICE_SETTINGS = (
    "capacityProviderStrategy",
    "enableExecuteCommand",
    "enableECSManagedTags",
    "healthCheckGracePeriodSeconds",
    "availabilityZoneRebalancing",
)
_create_service = EC2ContainerServiceResponse.create_service


def _create_service_keeping_settings(self: EC2ContainerServiceResponse):
    result = _create_service(self)
    service = result.result["service"]
    for key in _SERVICE_SETTINGS:
        value = self._get_param(key)
        if value is not None:
            setattr(service, camelcase_to_underscores(key), value)
    if self._get_param("capacityProviderStrategy"):
        service.launch_type = None
    return result


EC2ContainerServiceResponse.create_service = _create_service_keeping_settings

# -- KMS --------------------------------------------------------------------------------

# AWS's rotation period when EnableKeyRotation names none.
_DEFAULT_ROTATION_PERIOD_DAYS = 365
_ROTATION_PERIODS: dict[str, int] = {}
_enable_key_rotation = KmsResponse.enable_key_rotation
_get_key_rotation_status = KmsResponse.get_key_rotation_status


def _key_id(self: KmsResponse) -> str:
    return self.kms_backend.describe_key(self._get_param("KeyId")).id


def _enable_key_rotation_with_period(self: KmsResponse) -> str:
    answer = _enable_key_rotation(self)
    _ROTATION_PERIODS[_key_id(self)] = self._get_param("RotationPeriodInDays") or _DEFAULT_ROTATION_PERIOD_DAYS
    return answer


def _rotation_status_with_period(self: KmsResponse) -> str:
    status = json.loads(_get_key_rotation_status(self))
    if status.get("KeyRotationEnabled"):
        status["RotationPeriodInDays"] = _ROTATION_PERIODS.get(_key_id(self), _DEFAULT_ROTATION_PERIOD_DAYS)
    return json.dumps(status)


KmsResponse.enable_key_rotation = _enable_key_rotation_with_period
KmsResponse.get_key_rotation_status = _rotation_status_with_period

# -- EC2 security-group rules ------------------------------------------------------------

_rule_init = SecurityGroupRule.__init__


def _rule_init_keeping_prefix_list_description(self: SecurityGroupRule, *args, **kwargs) -> None:
    _rule_init(self, *args, **kwargs)
    prefix_list = kwargs.get("prefix_list_id") or (args[7] if len(args) > 7 else None)
    self._prefix_list_description = (prefix_list or {}).get("Description")


def _rule_description(self: SecurityGroupRule) -> str | None:
    return (
        self.ip_range.get("Description")
        or self.source_group.get("Description")
        or getattr(self, "_prefix_list_description", None)
    )


SecurityGroupRule.__init__ = _rule_init_keeping_prefix_list_description
SecurityGroupRule.description = property(_rule_description)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
