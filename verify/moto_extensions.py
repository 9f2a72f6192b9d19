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
- ElastiCache parameter groups (Create/Describe/Modify/Reset/DeleteCacheParameterGroup,
  DescribeCacheParameters) and user groups (Create/Describe/Modify/DeleteUserGroup), which
  moto lacks (500 "not implemented", retried for minutes), with their tags. Replication
  groups: NumCacheClusters nodes (moto made one unless ReplicasPerNodeGroup was given),
  each a cache cluster DescribeCacheClusters answers (the provider reads the engine,
  version, node type, parameter group, security groups, maintenance window and encryption
  from the first one; moto had none), placed in the subnet group's zones; the reader
  endpoint; transit encryption mode "required" when encryption is on and no mode is named;
  the parameter group and user groups named must exist, the group of the engine's family.
- SQS: GetQueueAttributes returns RedriveAllowPolicy (moto keeps it but never lists it,
  and the provider waits minutes for it), and RedrivePolicy compact, as AWS returns it.
- AWS Backup: Create/Get/Delete/ListBackupSelections (moto 5.2.5 has none), and ListTags
  for the Go SDK's path without a trailing slash (moto read the ARN from the wrong
  segment, so every plan and vault read back no tags).
- RDS: Performance Insights settings of an instance are kept and described (moto dropped
  them); every instance gets its own DbiResourceId (moto gave all the same one, so the
  provider's lookup of a read replica by resource id found two); a read replica does not
  copy its source's Multi-AZ, backup retention or managed master secret; modified
  parameters are described with Source "user" (the provider keeps only those); a proxy
  keeps its DefaultAuthScheme.
- SNS: GetTopicAttributes returns SignatureVersion (moto keeps it but never lists it; AWS
  answers "1" unless the topic was given "2").
- API Gateway v2 deployments: CreateDeployment, GetDeployment, GetDeployments,
  DeleteDeployment (moto has no /v2/apis/<id>/deployments route: 404 with an HTML body,
  which the provider cannot parse), and GetStage answering the stage's deploymentId (moto
  kept it in the request only, so every stage would read back without its deployment).
- API Gateway v2 domain names: each domainNameConfiguration gains what AWS computes:
  apiGatewayDomainName (d-<id>.execute-api.<region>.amazonaws.com), hostedZoneId (API
  Gateway's regional zone of the region) and domainNameStatus AVAILABLE (moto echoed the
  request, so the provider waited for a status that never came); an empty
  mutualTlsAuthentication is left out, as AWS does.
- Elastic Load Balancing v2: SetSecurityGroups's EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic
  is kept, answered, and described back with the load balancer ("on" for a Network Load
  Balancer created with security groups, as AWS defaults it); moto dropped it, so every
  NLB read back without it.
- MSK and DocumentDB: see moto_msk_docdb.py (MSK configurations and ACTIVE clusters with
  bootstrap brokers; the "docdb" engine on moto's RDS backend).
- One request at a time: moto's backends are not thread-safe, while its server answers
  each request in a thread of its own (see the end of this file).
- EC2 instances: see moto_ec2_instances.py (MonitorInstances, and RunInstances keeping
  DisableApiTermination).

Each patch is registered (moto_patches.py) with its service, the behaviour it supplies and a
probe asking unpatched moto whether it now supplies that itself.

Started as `python moto_extensions.py -H 127.0.0.1 -p <port>` (moto_server's arguments), only
on the pinned moto release; `python moto_extensions.py --report-supplied` runs the probes.
"""

from __future__ import annotations

import inspect
import json
import random
import re
import string
import sys
import threading
import time as _time
import uuid as _uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from moto.apigatewayv2 import urls as _apigatewayv2_urls
from moto.apigatewayv2.exceptions import APIGatewayV2Error
from moto.apigatewayv2.models import DomainName as _DomainName
from moto.apigatewayv2.models import Stage as _Stage
from moto.apigatewayv2.responses import ApiGatewayV2Response
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.backup.exceptions import ResourceNotFoundException as _BackupNotFound
from moto.backup.responses import BackupResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import camelcase_to_underscores
from moto.ec2.models.security_groups import SecurityGroupRule
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.elasticache.exceptions import (
    ElastiCacheException,
    InvalidParameterCombinationException,
    InvalidParameterValueException,
    UserNotFound,
)
from moto.elasticache.models import CacheCluster, ElastiCacheBackend, ReplicationGroup
from moto.elasticache.responses import ElastiCacheResponse
from moto.elasticache.utils import VALID_ENGINE_TYPES
from moto.elbv2.models import ELBv2Backend
from moto.elbv2.responses import ELBV2Response
from moto.kms.responses import KmsResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.rds import models as _rds_models
from moto.rds.responses import RDSResponse as _RDSResponse
from moto.server import main
from moto.sns.responses import SNSResponse
from moto.sqs.models import Queue as _SqsQueue
from moto.sqs.models import SQSBackend as _SqsBackend
from moto.utilities.utils import get_partition
from moto_patches import REGISTRY, aws_client, in_fresh_moto, start

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


@in_fresh_moto
def _moto_keeps_scaling_tags() -> bool:
    scaling = aws_client("application-autoscaling")
    target = scaling.register_scalable_target(
        ServiceNamespace="dynamodb",
        ResourceId="table/probe",
        ScalableDimension="dynamodb:table:ReadCapacityUnits",
        MinCapacity=1,
        MaxCapacity=2,
        Tags={"probe": "kept"},
    )
    return scaling.list_tags_for_resource(ResourceARN=target["ScalableTargetARN"])["Tags"] == {"probe": "kept"}


@REGISTRY.patch(
    "applicationautoscaling",
    "scalable targets keep their tags: RegisterScalableTarget's Tags, TagResource, UntagResource, ListTagsForResource",
    _moto_keeps_scaling_tags,
)
def install_scaling_target_tags() -> None:
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


@in_fresh_moto
def _moto_keeps_service_settings() -> bool:
    ecs = aws_client("ecs")
    ecs.create_cluster(clusterName="probe")
    ecs.register_task_definition(family="probe", containerDefinitions=[{"name": "c", "image": "i", "memory": 8}])
    ecs.create_service(
        cluster="probe", serviceName="probe", taskDefinition="probe", desiredCount=0, enableExecuteCommand=True
    )
    (service,) = ecs.describe_services(cluster="probe", services=["probe"])["services"]
    return service.get("enableExecuteCommand") is True


@REGISTRY.patch(
    "ecs",
    "CreateService keeps capacityProviderStrategy, enableExecuteCommand, enableECSManagedTags, "
    "healthCheckGracePeriodSeconds and availabilityZoneRebalancing; a service placed by a capacity-provider "
    "strategy has no launchType",
    _moto_keeps_service_settings,
)
def install_service_settings() -> None:
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


@in_fresh_moto
def _moto_keeps_rotation_period() -> bool:
    kms = aws_client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    return kms.get_key_rotation_status(KeyId=key_id).get("RotationPeriodInDays") == 90


@REGISTRY.patch(
    "kms",
    "EnableKeyRotation keeps RotationPeriodInDays and GetKeyRotationStatus returns it (365 when none was given)",
    _moto_keeps_rotation_period,
)
def install_key_rotation_period() -> None:
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


@in_fresh_moto
def _moto_keeps_group_rule_descriptions() -> bool:
    ec2 = aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    source, target = (ec2.create_security_group(GroupName=n, Description=n, VpcId=vpc_id)["GroupId"] for n in "ab")
    ec2.authorize_security_group_ingress(
        GroupId=target,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "UserIdGroupPairs": [{"GroupId": source, "Description": "probe"}],
            }
        ],
    )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [target]}])
    return any(rule.get("Description") == "probe" for rule in rules["SecurityGroupRules"])


@REGISTRY.patch(
    "ec2",
    "a security-group rule naming a security group or a prefix list keeps its description",
    _moto_keeps_group_rule_descriptions,
)
def install_group_rule_descriptions() -> None:
    SecurityGroupRule.__init__ = _rule_init_keeping_prefix_list_description
    SecurityGroupRule.description = property(_rule_description)


# -- ElastiCache --------------------------------------------------------------------------

# moto's own ARN check (ListTagsForResource and the tagging calls), with the user groups
# and parameter groups added here.
_CACHE_ARN = re.compile(
    r"^arn:aws:elasticache:.*:[0-9]*:(cluster|snapshot|subnetgroup|replicationgroup|user|usergroup|parametergroup):.*$"
)
_elasticache_backend_init = ElastiCacheBackend.__init__


def _elasticache_backend_init_with_groups(self: ElastiCacheBackend, region_name: str, account_id: str) -> None:
    _elasticache_backend_init(self, region_name, account_id)
    self.arn_regex = _CACHE_ARN
    self.cache_parameter_groups: dict[str, CacheParameterGroup] = {}
    self.user_groups: dict[str, UserGroup] = {}


def _cache_arn(backend: ElastiCacheBackend, kind: str, name: str) -> str:
    partition = get_partition(backend.region_name)
    return f"arn:{partition}:elasticache:{backend.region_name}:{backend.account_id}:{kind}:{name}"


# What names a parameter group or a user group in a request, where the backend keeps them,
# and the prefix of their NotFound and AlreadyExists error codes. Both are stored lowercase.
_CACHE_GROUP_KINDS = {
    "parameter group": ("CacheParameterGroupName", "cache_parameter_groups", "CacheParameterGroup"),
    "user group": ("UserGroupId", "user_groups", "UserGroup"),
}


def _cache_group(self: ElastiCacheResponse, kind: str):
    """The group the request names, or its NotFound error."""
    parameter, store, code = _CACHE_GROUP_KINDS[kind]
    name = self._get_param(parameter).lower()
    group = getattr(self.elasticache_backend, store).get(name)
    if group is None:
        raise ElastiCacheException(f"{code}NotFound", f"{code} {name} not found.")
    return group


def _cache_groups(self: ElastiCacheResponse, kind: str) -> list:
    """What a Describe call answers: the group the request names, else every group."""
    parameter, store, _ = _CACHE_GROUP_KINDS[kind]
    if self._get_param(parameter):
        return [_cache_group(self, kind)]
    return list(getattr(self.elasticache_backend, store).values())


def _create_cache_group(self: ElastiCacheResponse, kind: str, make: Callable[[str], Any]):
    """Keeps and tags the group `make(name)` builds, unless one of that name exists."""
    parameter, store, code = _CACHE_GROUP_KINDS[kind]
    name = self._get_param(parameter).lower()
    groups = getattr(self.elasticache_backend, store)
    if name in groups:
        raise ElastiCacheException(f"{code}AlreadyExists", f"{code} {name} already exists.")
    group = groups[name] = make(name)
    self.elasticache_backend.tagging_service.tag_resource(group.arn, self._get_param("Tags", []))
    return group


def _delete_cache_group(self: ElastiCacheResponse, kind: str, name: str, arn: str) -> None:
    _, store, _ = _CACHE_GROUP_KINDS[kind]
    del getattr(self.elasticache_backend, store)[name]
    self.elasticache_backend.tagging_service.delete_all_tags_for_resource(arn)


# ---- parameter groups


class CacheParameterGroup:
    """A custom parameter group. moto knows no engine defaults: the parameters it holds are
    the ones ModifyCacheParameterGroup set, which AWS describes with Source "user"."""

    def __init__(self, backend: ElastiCacheBackend, name: str, family: str, description: str) -> None:
        self.cache_parameter_group_name = name
        self.cache_parameter_group_family = family
        self.description = description
        self.is_global = False
        self.arn = _cache_arn(backend, "parametergroup", name)
        self.parameters: dict[str, str] = {}


def _create_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
    family, description = self._get_param("CacheParameterGroupFamily"), self._get_param("Description")
    group = _create_cache_group(
        self, "parameter group", lambda name: CacheParameterGroup(self.elasticache_backend, name, family, description)
    )
    return ActionResult({"CacheParameterGroup": group})


def _describe_cache_parameter_groups(self: ElastiCacheResponse) -> ActionResult:
    return ActionResult({"CacheParameterGroups": _cache_groups(self, "parameter group")})


def _modify_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
    group = _cache_group(self, "parameter group")
    for parameter in self._get_param("ParameterNameValues", []):
        group.parameters[parameter["ParameterName"]] = parameter["ParameterValue"]
    return ActionResult({"CacheParameterGroupName": group.cache_parameter_group_name})


def _reset_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
    group = _cache_group(self, "parameter group")
    if self._get_bool_param("ResetAllParameters"):
        group.parameters.clear()
    for parameter in self._get_param("ParameterNameValues", []):
        group.parameters.pop(parameter["ParameterName"], None)
    return ActionResult({"CacheParameterGroupName": group.cache_parameter_group_name})


def _delete_cache_parameter_group(self: ElastiCacheResponse) -> EmptyResult:
    backend = self.elasticache_backend
    group = _cache_group(self, "parameter group")
    name = group.cache_parameter_group_name
    members = [*backend.replication_groups.values(), *backend.cache_clusters.values()]
    if any(member.cache_parameter_group_name == name and member.status != "deleting" for member in members):
        raise ElastiCacheException(
            "InvalidCacheParameterGroupState", f"One or more cache clusters are still members of {name}."
        )
    _delete_cache_group(self, "parameter group", name, group.arn)
    return EmptyResult()


def _describe_cache_parameters(self: ElastiCacheResponse) -> ActionResult:
    group = _cache_group(self, "parameter group")
    parameters = [
        {"ParameterName": name, "ParameterValue": value, "Source": "user", "IsModifiable": True}
        for name, value in sorted(group.parameters.items())
    ]
    # moto knows no engine-default or system parameters.
    return ActionResult({"Parameters": parameters if self._get_param("Source") in (None, "user") else []})


# ---- user groups


class UserGroup:
    """An RBAC user group; the replication groups it is attached to are read from them."""

    def __init__(self, backend: ElastiCacheBackend, group_id: str, engine: str, user_ids: list[str]) -> None:
        if engine not in VALID_ENGINE_TYPES:
            raise InvalidParameterValueException(
                f'Unknown parameter for Engine: "{engine}", must be one of: {", ".join(VALID_ENGINE_TYPES)}'
            )
        self._backend = backend
        self.user_group_id = group_id
        self.engine = engine
        self.user_ids: list[str] = []
        self.status = "active"
        self.minimum_engine_version = "6.0"
        self.arn = _cache_arn(backend, "usergroup", group_id)
        self.set_users(user_ids)

    @property
    def replication_groups(self) -> list[str]:
        groups = self._backend.replication_groups.values()
        return [group.replication_group_id for group in groups if self.user_group_id in group.user_group_ids]

    def set_users(self, user_ids: list[str]) -> None:
        """The group's members become `user_ids`, as CreateUserGroup and ModifyUserGroup check them."""
        users = self._backend.users
        for user_id in user_ids:
            if user_id not in users:
                raise UserNotFound(user_id)
        names = [users[user_id].name for user_id in user_ids]
        if len(set(names)) < len(names):
            raise ElastiCacheException("DuplicateUserName", "A user group cannot hold two users of the same name.")
        if self.engine == "redis" and "default" not in names:
            raise ElastiCacheException("DefaultUserRequired", "You must add default user to a user group.")
        self.link(user_ids)

    def link(self, user_ids: list[str]) -> None:
        """Each user lists the user groups it is in (DescribeUsers' UserGroupIds)."""
        for user in self._backend.users.values():
            if self.user_group_id in user.user_group_ids:
                user.user_group_ids.remove(self.user_group_id)
            if user.id in user_ids:
                user.user_group_ids.append(self.user_group_id)
        self.user_ids = list(user_ids)


def _create_user_group(self: ElastiCacheResponse) -> ActionResult:
    engine, user_ids = self._get_param("Engine", "").lower(), self._get_param("UserIds", [])
    return ActionResult(
        _create_cache_group(
            self, "user group", lambda group_id: UserGroup(self.elasticache_backend, group_id, engine, user_ids)
        )
    )


def _describe_user_groups(self: ElastiCacheResponse) -> ActionResult:
    return ActionResult({"UserGroups": _cache_groups(self, "user group")})


def _modify_user_group(self: ElastiCacheResponse) -> ActionResult:
    group = _cache_group(self, "user group")
    removed = self._get_param("UserIdsToRemove", [])
    for user_id in removed:
        if user_id not in group.user_ids:
            raise InvalidParameterValueException(f"User {user_id} is not a member of user group {group.user_group_id}.")
    added = [user_id for user_id in self._get_param("UserIdsToAdd", []) if user_id not in group.user_ids]
    if self._get_param("Engine"):
        group.engine = self._get_param("Engine").lower()
    group.set_users([user_id for user_id in group.user_ids if user_id not in removed] + added)
    return ActionResult(group)


def _delete_user_group(self: ElastiCacheResponse) -> ActionResult:
    group = _cache_group(self, "user group")
    if group.replication_groups:
        raise ElastiCacheException(
            "InvalidUserGroupState",
            f"User group {group.user_group_id} is still associated with {', '.join(group.replication_groups)}.",
        )
    group.link([])
    _delete_cache_group(self, "user group", group.user_group_id, group.arn)
    group.status = "deleting"
    return ActionResult(group)


# ---- replication groups

_set_node_members_clusters_disabled = ReplicationGroup._set_node_members_clusters_disabled
_create_replication_group = ElastiCacheResponse.create_replication_group
# CacheCluster takes every setting as a required argument; a member fills those it has.
_CACHE_CLUSTER_ARGUMENTS = tuple(inspect.signature(CacheCluster.__init__).parameters)[1:]
# What a member cluster shares with its replication group.
_MEMBER_SETTINGS = (
    "cache_node_type engine engine_version cache_parameter_group_name cache_subnet_group_name security_group_ids "
    "preferred_maintenance_window port notification_topic_arn snapshot_retention_limit snapshot_window "
    "transit_encryption_enabled network_type ip_discovery log_delivery_configurations"
).split()


def _members_by_num_cache_clusters(self: ReplicationGroup, **members) -> None:
    # moto counted the nodes of a cluster-mode-disabled group from ReplicasPerNodeGroup
    # only, so NumCacheClusters=2 made one node.
    members["replicas_per_node_group"] = members["replicas_per_node_group"] or members["num_cache_clusters"] - 1
    _set_node_members_clusters_disabled(self, **members)


def _parameter_group_family(engine: str, version: str) -> str:
    """The family a group of this engine version needs: redis2.6 ... redis5.0, redis6.x, redis7, valkey7, valkey8."""
    major, _, rest = version.partition(".")
    if engine == "valkey" or int(major) >= 7:
        return f"{engine}{major}"
    return "redis6.x" if major == "6" else f"redis{major}.{rest.split('.')[0]}"


def _check_replication_group_references(self: ElastiCacheResponse) -> None:
    name = (self._get_param("CacheParameterGroupName") or "").lower()
    version = self._get_param("EngineVersion")
    if name and not name.startswith("default."):  # AWS's own groups are not kept here
        found = _cache_group(self, "parameter group").cache_parameter_group_family
        expected = _parameter_group_family(self._get_param("Engine") or "redis", version) if version else found
        if found != expected:
            raise InvalidParameterCombinationException(
                f"Expected a parameter group of family {expected} but found one of family {found}"
            )
    for group_id in self._get_param("UserGroupIds", []):
        if group_id.lower() not in self.elasticache_backend.user_groups:
            raise ElastiCacheException("UserGroupNotFound", f"User group {group_id} not found.")


def _member_cluster(backend: ElastiCacheBackend, group: ReplicationGroup, member: dict) -> CacheCluster:
    """One node of a replication group as DescribeCacheClusters shows it (the provider reads
    the engine, version, node type, parameter group, security groups, maintenance window
    and encryption of a group from its first node)."""
    cluster = CacheCluster(
        **dict.fromkeys(_CACHE_CLUSTER_ARGUMENTS)
        | {name: getattr(group, name) for name in _MEMBER_SETTINGS}
        | {
            "account_id": backend.account_id,
            "region_name": backend.region_name,
            "cache_cluster_id": member["cache_cluster_id"],
            "preferred_availability_zone": member["preferred_availability_zone"],
            "auto_minor_version_upgrade": group.auto_minor_version_upgrade is not False,  # AWS's default: on
        }
    )
    # moto sets the first three for engine "redis" only.
    cluster.replication_group_id = group.replication_group_id
    cluster.num_cache_nodes = 1
    cluster.snapshot_window = group.snapshot_window
    cluster.at_rest_encryption_enabled = group.at_rest_encryption_enabled
    cluster.transit_encryption_mode = group.transit_encryption_mode
    cluster.replication_group_log_delivery_enabled = bool(group.log_delivery_configurations)
    return cluster


def _subnet_group_zones(backend: ElastiCacheBackend, name: str | None) -> list[str]:
    subnet_group = backend.cache_subnet_groups.get(name or "")
    subnets = subnet_group.subnets if subnet_group else []
    return sorted({subnet["subnet_availability_zone"] for subnet in subnets if "subnet_availability_zone" in subnet})


def _create_replication_group_with_members(self: ElastiCacheResponse) -> ActionResult:
    _check_replication_group_references(self)
    result = _create_replication_group(self)
    backend, group = self.elasticache_backend, result.result["ReplicationGroup"]
    if group.transit_encryption_enabled and not group.transit_encryption_mode:
        group.transit_encryption_mode = "required"  # AWS's mode when encryption is on and none is named
    placed = self._get_param("PreferredCacheClusterAZs") or self._get_param("NodeGroupConfiguration")
    zones = [] if placed else _subnet_group_zones(backend, group.cache_subnet_group_name)
    for node_group in group.node_groups:
        if "reader_endpoint_address" in node_group:
            node_group["reader_endpoint"] = {"address": node_group["reader_endpoint_address"], "port": group.port}
        for index, member in enumerate(node_group["node_group_members"]):
            if zones:  # spread over the subnet group's zones, the primary in the first
                member["preferred_availability_zone"] = zones[index % len(zones)]
            backend.cache_clusters[member["cache_cluster_id"]] = _member_cluster(backend, group, member)
    return result


def _cache_parameter_group_status(self: CacheCluster) -> dict | None:
    if not self.cache_parameter_group_name:
        return None
    name = self.cache_parameter_group_name
    return {"CacheParameterGroupName": name, "ParameterApplyStatus": "in-sync", "CacheNodeIdsToReboot": []}


def _security_group_memberships(self: CacheCluster) -> list[dict]:
    return [{"SecurityGroupId": group_id, "Status": "active"} for group_id in self.security_group_ids]


@in_fresh_moto
def _moto_has_cache_parameter_groups() -> bool:
    elasticache = aws_client("elasticache")
    elasticache.create_cache_parameter_group(
        CacheParameterGroupName="probe", CacheParameterGroupFamily="redis7", Description="probe"
    )
    described = elasticache.describe_cache_parameter_groups(CacheParameterGroupName="probe")
    return len(described["CacheParameterGroups"]) == 1


@REGISTRY.patch(
    "elasticache",
    "parameter groups: Create/Describe/Modify/Reset/DeleteCacheParameterGroup and DescribeCacheParameters, with tags",
    _moto_has_cache_parameter_groups,
)
def install_cache_parameter_groups() -> None:
    ElastiCacheBackend.__init__ = _elasticache_backend_init_with_groups
    ElastiCacheResponse.create_cache_parameter_group = _create_cache_parameter_group
    ElastiCacheResponse.describe_cache_parameter_groups = _describe_cache_parameter_groups
    ElastiCacheResponse.modify_cache_parameter_group = _modify_cache_parameter_group
    ElastiCacheResponse.reset_cache_parameter_group = _reset_cache_parameter_group
    ElastiCacheResponse.delete_cache_parameter_group = _delete_cache_parameter_group
    ElastiCacheResponse.describe_cache_parameters = _describe_cache_parameters


@in_fresh_moto
def _moto_has_user_groups() -> bool:
    elasticache = aws_client("elasticache")
    elasticache.create_user_group(UserGroupId="probe", Engine="redis", UserIds=["default"])
    return len(elasticache.describe_user_groups(UserGroupId="probe")["UserGroups"]) == 1


@REGISTRY.patch(
    "elasticache",
    "RBAC user groups: Create/Describe/Modify/DeleteUserGroup, with tags",
    _moto_has_user_groups,
)
def install_user_groups() -> None:
    # The backend keeps the user groups from the parameter groups' patch (installed first) on.
    ElastiCacheResponse.create_user_group = _create_user_group
    ElastiCacheResponse.describe_user_groups = _describe_user_groups
    ElastiCacheResponse.modify_user_group = _modify_user_group
    ElastiCacheResponse.delete_user_group = _delete_user_group


@in_fresh_moto
def _moto_describes_replication_group_nodes() -> bool:
    elasticache = aws_client("elasticache")
    elasticache.create_replication_group(
        ReplicationGroupId="probe",
        ReplicationGroupDescription="probe",
        Engine="redis",
        CacheNodeType="cache.t4g.micro",
        NumCacheClusters=2,
    )
    members = elasticache.describe_cache_clusters()["CacheClusters"]
    return len([m for m in members if m.get("ReplicationGroupId") == "probe"]) == 2


@REGISTRY.patch(
    "elasticache",
    "replication groups: NumCacheClusters nodes, each a cache cluster DescribeCacheClusters answers (engine, "
    "version, node type, parameter group, security groups, encryption), spread over the subnet group's zones; "
    "the reader endpoint; transit encryption mode required when encryption is on; the parameter group (of the "
    "engine's family) and user groups named must exist",
    _moto_describes_replication_group_nodes,
)
def install_replication_group_members() -> None:
    ElastiCacheResponse.create_replication_group = _create_replication_group_with_members
    ReplicationGroup._set_node_members_clusters_disabled = _members_by_num_cache_clusters
    CacheCluster.cache_parameter_group = property(_cache_parameter_group_status)
    CacheCluster.security_groups = property(_security_group_memberships)


# -- SQS and AWS Backup -------------------------------------------------------------------
#
# - SQS: moto stores RedriveAllowPolicy (every attribute is kept) but never returns it:
#   GetQueueAttributes lists a fixed set of names. The provider waits for it to read back
#   (3 min on aws_sqs_queue, 20 min on aws_sqs_queue_redrive_allow_policy) and fails.
#   RedrivePolicy is returned compact, as AWS returns it (moto re-serialises it with
#   json.dumps' default ", " and ": " separators, a perpetual diff against the state).
# - AWS Backup: Create/Get/Delete/ListBackupSelections, which moto 5.2.5 lacks (500 "not
#   implemented", retried by the provider's SDK with a backoff growing to minutes); and
#   ListTags, which reads the ARN from the path's second-to-last segment (boto3 sends
#   "/tags/<arn>/", the Go SDK "/tags/<arn>"), so every plan and vault read back no tags.


_queue_attributes = _SqsQueue.attributes.fget


def _attributes_with_redrive_allow_policy(self: _SqsQueue) -> dict:
    result = _queue_attributes(self)
    if self.redrive_policy:
        result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
    if getattr(self, "redrive_allow_policy", None):
        result["RedriveAllowPolicy"] = self.redrive_allow_policy
    return result


_get_queue_attributes = _SqsBackend.get_queue_attributes


def _get_queue_attributes_with_redrive_allow_policy(self: _SqsBackend, queue_name: str, attribute_names: list[str]):
    others = [name for name in attribute_names if name != "RedriveAllowPolicy"]
    attributes = _get_queue_attributes(self, queue_name, others) if others else {}
    allow_policy = getattr(self.get_queue(queue_name), "redrive_allow_policy", None)
    if allow_policy and len(others) < len(attribute_names):
        attributes["RedriveAllowPolicy"] = allow_policy
    return attributes


_BACKUP_SELECTIONS: dict[str, dict[str, dict]] = {}  # plan id -> selection id -> GetBackupSelection answer


def _selection_path(self: BackupResponse) -> tuple[str, str | None]:
    parts = self.path.split("?")[0].strip("/").split("/")  # backup, plans, <plan>, selections[, <id>]
    return parts[2], (parts[4] if len(parts) > 4 else None)


def _create_backup_selection(self: BackupResponse) -> str:
    plan_id, _ = _selection_path(self)
    self.backup_backend.get_backup_plan(backup_plan_id=plan_id, version_id=None)  # 404 for an unknown plan
    body = json.loads(self.body)
    selection_id, created = str(_uuid.uuid4()), _time.time()
    _BACKUP_SELECTIONS.setdefault(plan_id, {})[selection_id] = {
        "BackupSelection": body["BackupSelection"],
        "SelectionId": selection_id,
        "BackupPlanId": plan_id,
        "CreationDate": created,
        "CreatorRequestId": body.get("CreatorRequestId"),
    }
    return json.dumps({"SelectionId": selection_id, "BackupPlanId": plan_id, "CreationDate": created})


def _found_selection(self: BackupResponse) -> dict:
    plan_id, selection_id = _selection_path(self)
    found = _BACKUP_SELECTIONS.get(plan_id, {}).get(selection_id or "")
    if found is None:
        raise _BackupNotFound(f"Failed reading backup selection {selection_id} of plan {plan_id}")
    return found


def _get_backup_selection(self: BackupResponse) -> str:
    return json.dumps(_found_selection(self))


def _delete_backup_selection(self: BackupResponse) -> str:
    found = _found_selection(self)
    del _BACKUP_SELECTIONS[found["BackupPlanId"]][found["SelectionId"]]
    return "{}"


def _list_backup_selections(self: BackupResponse) -> str:
    plan_id, _ = _selection_path(self)
    listed = [
        {
            "SelectionId": s["SelectionId"],
            "SelectionName": s["BackupSelection"]["SelectionName"],
            "BackupPlanId": plan_id,
            "CreationDate": s["CreationDate"],
            "IamRoleArn": s["BackupSelection"]["IamRoleArn"],
        }
        for s in _BACKUP_SELECTIONS.get(plan_id, {}).values()
    ]
    return json.dumps({"BackupSelectionsList": listed})


def _list_backup_tags(self: BackupResponse) -> str:
    resource_arn = unquote(self.path.split("?")[0].split("/tags/", 1)[1].rstrip("/"))
    return json.dumps({"Tags": self.backup_backend.list_tags(resource_arn=resource_arn)})


@in_fresh_moto
def _moto_returns_redrive_allow_policy() -> bool:
    sqs = aws_client("sqs")
    allow = '{"redrivePermission":"allowAll"}'
    url = sqs.create_queue(QueueName="probe", Attributes={"RedriveAllowPolicy": allow})["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return "RedriveAllowPolicy" in attributes


@REGISTRY.patch(
    "sqs",
    "GetQueueAttributes returns RedriveAllowPolicy, and RedrivePolicy compact",
    _moto_returns_redrive_allow_policy,
)
def install_queue_redrive_attributes() -> None:
    _SqsQueue.attributes = property(_attributes_with_redrive_allow_policy)
    _SqsBackend.get_queue_attributes = _get_queue_attributes_with_redrive_allow_policy


@in_fresh_moto
def _moto_has_backup_selections() -> bool:
    backup = aws_client("backup")
    plan = {"BackupPlanName": "probe", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "v"}]}
    plan_id = backup.create_backup_plan(BackupPlan=plan)["BackupPlanId"]
    selection = {"SelectionName": "probe", "IamRoleArn": "arn:aws:iam::123456789012:role/probe"}
    backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=selection)
    return len(backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]) == 1


@REGISTRY.patch("backup", "Create/Get/Delete/ListBackupSelections", _moto_has_backup_selections)
def install_backup_selections() -> None:
    BackupResponse.create_backup_selection = _create_backup_selection
    BackupResponse.get_backup_selection = _get_backup_selection
    BackupResponse.delete_backup_selection = _delete_backup_selection
    BackupResponse.list_backup_selections = _list_backup_selections


@in_fresh_moto
def _moto_reads_tags_without_trailing_slash() -> bool:
    backup = aws_client("backup")
    vault_arn = backup.create_backup_vault(BackupVaultName="probe", BackupVaultTags={"probe": "kept"})["BackupVaultArn"]

    def go_sdk_path(request, **_) -> None:  # the Go SDK's path: /tags/<arn>, no trailing slash
        request.url = request.url.rstrip("/")

    backup.meta.events.register("before-send.backup.ListTags", go_sdk_path)
    return backup.list_tags(ResourceArn=vault_arn).get("Tags") == {"probe": "kept"}


@REGISTRY.patch(
    "backup",
    "ListTags reads the ARN from a path without a trailing slash (the Go SDK's)",
    _moto_reads_tags_without_trailing_slash,
)
def install_backup_tags_path() -> None:
    BackupResponse.list_tags = _list_backup_tags


# -- RDS ----------------------------------------------------------------------------------
_PI = {
    "enable_performance_insights": "performance_insights_enabled",
    "performance_insights_kms_key_id": "performance_insights_kms_key_id",
    "performance_insights_retention_period": "performance_insights_retention_period",
}
_db_init = _rds_models.DBInstance.__init__


def _db_init_ext(self, *args, **kwargs):
    _db_init(self, *args, **kwargs)
    self.dbi_resource_id = "db-" + _uuid.uuid4().hex[:26].upper()
    for given, stored in _PI.items():
        setattr(self, stored, kwargs.get(given))


_db_update = _rds_models.DBInstance.update


def _db_update_ext(self, **kwargs):
    for given, stored in _PI.items():
        if kwargs.get(given) is not None:
            kwargs[stored] = kwargs.pop(given)
    _db_update(self, **kwargs)


_create_replica = _rds_models.RDSBackend.create_db_instance_read_replica


def _create_replica_ext(self, db_kwargs):
    replica = _create_replica(self, db_kwargs)
    replica.dbi_resource_id = "db-" + _uuid.uuid4().hex[:26].upper()
    replica.multi_az = bool(db_kwargs.get("multi_az"))
    replica.backup_retention_period = db_kwargs.get("backup_retention_period") or 0
    replica.manage_master_user_password = False
    return replica


_update_parameters = _rds_models.DBParameterGroup.update_parameters


def _update_parameters_ext(self, new_parameters):
    new_parameters = [{**p, "Source": "user"} for p in new_parameters]
    _update_parameters(self, new_parameters)


@in_fresh_moto
def _moto_gives_distinct_resource_ids_and_keeps_insights() -> bool:
    rds = aws_client("rds")
    instances = [
        rds.create_db_instance(
            DBInstanceIdentifier=f"probe-{n}",
            DBInstanceClass="db.t4g.micro",
            Engine="postgres",
            MasterUsername="probe",
            MasterUserPassword="probe-password",
            AllocatedStorage=20,
            EnablePerformanceInsights=True,
        )["DBInstance"]
        for n in (1, 2)
    ]
    distinct = instances[0]["DbiResourceId"] != instances[1]["DbiResourceId"]
    return distinct and all(i.get("PerformanceInsightsEnabled") is True for i in instances)


@REGISTRY.patch(
    "rds",
    "instances keep their Performance Insights settings and each has its own DbiResourceId; a read replica "
    "does not copy its source's Multi-AZ, backup retention or managed master secret",
    _moto_gives_distinct_resource_ids_and_keeps_insights,
)
def install_db_instances() -> None:
    _rds_models.DBInstance.__init__ = _db_init_ext
    _rds_models.DBInstance.update = _db_update_ext
    _rds_models.RDSBackend.create_db_instance_read_replica = _create_replica_ext


_restore_to_point_in_time = _rds_models.RDSBackend.restore_db_instance_to_point_in_time
# What a RestoreDBInstanceToPointInTime request names that is not a setting of the new
# instance: moto copies its overrides onto the new instance, and its SourceDBInstanceIdentifier
# then makes the restored instance read as a replica of its source.
_RESTORE_REQUEST_ONLY = {
    "source_db_instance_identifier",
    "target_db_instance_identifier",
    "restore_time",
    "use_latest_restorable_time",
    "source_dbi_resource_id",
    "source_db_instance_automated_backups_arn",
}


def _restore_to_point_in_time_standalone(self, source_db_identifier, target_db_identifier, overrides):
    settings = {k: v for k, v in overrides.items() if camelcase_to_underscores(k) not in _RESTORE_REQUEST_ONLY}
    restored = _restore_to_point_in_time(self, source_db_identifier, target_db_identifier, settings)
    restored.source_db_instance_identifier = None  # a restore is a standalone instance, never a replica
    return restored


@in_fresh_moto
def _moto_restores_a_standalone_instance() -> bool:
    rds = aws_client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="probe",
        DBInstanceClass="db.t4g.micro",
        Engine="postgres",
        MasterUsername="probe",
        MasterUserPassword="probe-password",
        AllocatedStorage=20,
        BackupRetentionPeriod=7,
    )
    restored = rds.restore_db_instance_to_point_in_time(
        SourceDBInstanceIdentifier="probe", TargetDBInstanceIdentifier="probe-restored", UseLatestRestorableTime=True
    )["DBInstance"]
    return "ReadReplicaSourceDBInstanceIdentifier" not in restored


@REGISTRY.patch(
    "rds",
    "an instance restored to a point in time is standalone, not a read replica of its source",
    _moto_restores_a_standalone_instance,
)
def install_standalone_restore() -> None:
    _rds_models.RDSBackend.restore_db_instance_to_point_in_time = _restore_to_point_in_time_standalone


@in_fresh_moto
def _moto_describes_modified_parameters_as_user() -> bool:
    rds = aws_client("rds")
    rds.create_db_parameter_group(DBParameterGroupName="probe", DBParameterGroupFamily="postgres16", Description="p")
    change = {"ParameterName": "log_min_duration_statement", "ParameterValue": "500", "ApplyMethod": "immediate"}
    rds.modify_db_parameter_group(DBParameterGroupName="probe", Parameters=[change])
    parameters = rds.describe_db_parameters(DBParameterGroupName="probe", Source="user")["Parameters"]
    return [p.get("Source") for p in parameters] == ["user"]


@REGISTRY.patch(
    "rds",
    'modified DB parameters are described with Source "user"',
    _moto_describes_modified_parameters_as_user,
)
def install_user_parameter_source() -> None:
    _rds_models.DBParameterGroup.update_parameters = _update_parameters_ext


_create_proxy = _RDSResponse.create_db_proxy


def _create_proxy_ext(self):
    answer = _create_proxy(self)
    scheme = self.params.get("DefaultAuthScheme")
    proxy = self.backend.db_proxies[self.params["DBProxyName"]]
    proxy.default_auth_scheme = scheme or "NONE"
    return answer


@in_fresh_moto
def _moto_keeps_proxy_auth_scheme() -> bool:
    rds, ec2 = aws_client("rds"), aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"eu-west-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "a"), (2, "b"))
    ]
    proxy = rds.create_db_proxy(
        DBProxyName="probe",
        EngineFamily="POSTGRESQL",
        RoleArn="arn:aws:iam::123456789012:role/probe",
        VpcSubnetIds=subnets,
        Auth=[{"AuthScheme": "SECRETS", "SecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:p"}],
        DefaultAuthScheme="IAM_AUTH",
    )["DBProxy"]
    return proxy.get("DefaultAuthScheme") == "IAM_AUTH"


@REGISTRY.patch("rds", "a DB proxy keeps its DefaultAuthScheme", _moto_keeps_proxy_auth_scheme)
def install_proxy_auth_scheme() -> None:
    _RDSResponse.create_db_proxy = _create_proxy_ext


# -- SNS ----------------------------------------------------------------------------------

_get_topic_attributes = SNSResponse.get_topic_attributes


def _topic_attributes_with_signature_version(self: SNSResponse):
    result = _get_topic_attributes(self)
    topic = self.backend.get_topic(self._get_param("TopicArn"))
    result.result["Attributes"]["SignatureVersion"] = str(getattr(topic, "signature_version", None) or "1")
    return result


@in_fresh_moto
def _moto_returns_signature_version() -> bool:
    sns = aws_client("sns")
    topic_arn = sns.create_topic(Name="probe")["TopicArn"]
    return "SignatureVersion" in sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]


@REGISTRY.patch("sns", 'GetTopicAttributes returns SignatureVersion ("1" unless set)', _moto_returns_signature_version)
def install_topic_signature_version() -> None:
    SNSResponse.get_topic_attributes = _topic_attributes_with_signature_version


# -- API Gateway v2 deployments -----------------------------------------------------------

_DEPLOYMENTS: dict[str, dict[str, dict]] = {}  # api id -> deployment id -> GetDeployment answer


class _DeploymentNotFound(APIGatewayV2Error):
    code = 404

    def __init__(self, deployment_id: str) -> None:
        super().__init__("NotFoundException", f"Invalid Deployment identifier specified {deployment_id}")


def _deployment_path(self: ApiGatewayV2Response) -> tuple[str, str | None]:
    parts = self.path.split("?")[0].strip("/").split("/")  # v2, apis, <api>, deployments[, <id>]
    return parts[2], (parts[4] if len(parts) > 4 else None)


def _create_deployment(self: ApiGatewayV2Response):
    api_id, _ = _deployment_path(self)
    self.apigatewayv2_backend.get_api(api_id)  # NotFoundException for an unknown API
    body = json.loads(self.body or "{}")
    deployment_id = "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(6))
    deployment = {
        "autoDeployed": False,
        "createdDate": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "deploymentId": deployment_id,
        "deploymentStatus": "DEPLOYED",
    }
    if body.get("description"):
        deployment["description"] = body["description"]
    _DEPLOYMENTS.setdefault(api_id, {})[deployment_id] = deployment
    return 201, {}, json.dumps(deployment)


def _found_deployment(self: ApiGatewayV2Response) -> tuple[str, dict]:
    api_id, deployment_id = _deployment_path(self)
    found = _DEPLOYMENTS.get(api_id, {}).get(deployment_id or "")
    if found is None:
        raise _DeploymentNotFound(deployment_id or "")
    return api_id, found


def _get_deployment(self: ApiGatewayV2Response):
    return 200, {}, json.dumps(_found_deployment(self)[1])


def _get_deployments(self: ApiGatewayV2Response):
    api_id, _ = _deployment_path(self)
    return 200, {}, json.dumps({"items": list(_DEPLOYMENTS.get(api_id, {}).values())})


def _delete_deployment(self: ApiGatewayV2Response):
    api_id, found = _found_deployment(self)
    del _DEPLOYMENTS[api_id][found["deploymentId"]]
    return 204, {}, ""


_stage_to_json = _Stage.to_json


def _stage_to_json_with_deployment(self: _Stage) -> dict:
    answer = _stage_to_json(self)
    if self.config.get("deploymentId"):
        answer["deploymentId"] = self.config["deploymentId"]
    return answer


def _create_probe_api(apigatewayv2) -> str:
    answer = apigatewayv2.create_api(Name="probe", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.a")
    return answer["ApiId"]


@in_fresh_moto
def _moto_has_api_deployments() -> bool:
    apigatewayv2 = aws_client("apigatewayv2")
    api_id = _create_probe_api(apigatewayv2)
    deployment_id = apigatewayv2.create_deployment(ApiId=api_id)["DeploymentId"]
    return apigatewayv2.get_deployment(ApiId=api_id, DeploymentId=deployment_id)["DeploymentId"] == deployment_id


@REGISTRY.patch(
    "apigatewayv2", "deployments: Create/Get/Delete Deployment and GetDeployments", _moto_has_api_deployments
)
def install_api_deployments() -> None:
    _apigatewayv2_urls.url_paths["{0}/v2/apis/(?P<api_id>[^/]+)/deployments$"] = ApiGatewayV2Response.dispatch
    _apigatewayv2_urls.url_paths["{0}/v2/apis/(?P<api_id>[^/]+)/deployments/(?P<deployment_id>[^/]+)$"] = (
        ApiGatewayV2Response.dispatch
    )
    ApiGatewayV2Response.create_deployment = _create_deployment
    ApiGatewayV2Response.get_deployment = _get_deployment
    ApiGatewayV2Response.get_deployments = _get_deployments
    ApiGatewayV2Response.delete_deployment = _delete_deployment


@in_fresh_moto
def _moto_returns_stage_deployment() -> bool:
    apigatewayv2 = aws_client("apigatewayv2")
    api_id = _create_probe_api(apigatewayv2)
    apigatewayv2.create_stage(ApiId=api_id, StageName="probe", DeploymentId="probe1")
    return apigatewayv2.get_stage(ApiId=api_id, StageName="probe").get("DeploymentId") == "probe1"


@REGISTRY.patch("apigatewayv2", "GetStage answers the stage's deploymentId", _moto_returns_stage_deployment)
def install_stage_deployment() -> None:
    _Stage.to_json = _stage_to_json_with_deployment


# -- API Gateway v2 domain names ------------------------------------------------------------

# API Gateway's Route 53 hosted zone for regional endpoints ("Amazon API Gateway endpoints
# and quotas", AWS General Reference), per region the stacks use.
_REGIONAL_HOSTED_ZONES = {
    "eu-central-1": "Z1U9ULNL0V5AJ3",
    "eu-west-1": "ZLY8HYME6SFDD",
    "us-east-1": "Z1UJRXOUMOOFQ8",
}
_domain_name_init = _DomainName.__init__


def _domain_name_init_with_targets(self: _DomainName, *args, **kwargs) -> None:
    _domain_name_init(self, *args, **kwargs)
    region = self.domain_name_arn.split(":")[3]
    for configuration in self.domain_name_configurations:
        target = "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(10))
        configuration.setdefault("apiGatewayDomainName", f"d-{target}.execute-api.{region}.amazonaws.com")
        configuration.setdefault("hostedZoneId", _REGIONAL_HOSTED_ZONES.get(region, "ZLY8HYME6SFDD"))
        configuration.setdefault("domainNameStatus", "AVAILABLE")
        configuration.setdefault("endpointType", "REGIONAL")


@in_fresh_moto
def _moto_computes_domain_targets() -> bool:
    apigatewayv2 = aws_client("apigatewayv2")
    domain = apigatewayv2.create_domain_name(
        DomainName="probe.example.com",
        DomainNameConfigurations=[{"CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/probe"}],
    )
    (configuration,) = domain["DomainNameConfigurations"]
    return "ApiGatewayDomainName" in configuration and configuration.get("DomainNameStatus") == "AVAILABLE"


@REGISTRY.patch(
    "apigatewayv2",
    "a domain name's configuration gains apiGatewayDomainName, API Gateway's regional hostedZoneId and "
    "domainNameStatus AVAILABLE",
    _moto_computes_domain_targets,
)
def install_domain_name_targets() -> None:
    _DomainName.__init__ = _domain_name_init_with_targets


# -- Elastic Load Balancing v2: PrivateLink inbound-rule enforcement --------------------------

_PRIVATE_LINK_ENFORCEMENT = "enforce_security_group_inbound_rules_on_private_link_traffic"
_create_load_balancer = ELBv2Backend.create_load_balancer
_set_security_groups = ELBV2Response.set_security_groups


def _create_load_balancer_with_enforcement(self: ELBv2Backend, *args, **kwargs):
    balancer = _create_load_balancer(self, *args, **kwargs)
    if balancer.type == "network" and balancer.security_groups:
        setattr(balancer, _PRIVATE_LINK_ENFORCEMENT, "on")
    return balancer


def _set_security_groups_keeping_enforcement(self: ELBV2Response):
    answer = _set_security_groups(self)
    mode = self._get_param("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic")
    balancer = self.elbv2_backend.load_balancers.get(self._get_param("LoadBalancerArn"))
    if mode and balancer is not None:
        setattr(balancer, _PRIVATE_LINK_ENFORCEMENT, mode)
    if balancer is not None and getattr(balancer, _PRIVATE_LINK_ENFORCEMENT, None):
        answer.result["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] = getattr(
            balancer, _PRIVATE_LINK_ENFORCEMENT
        )
    return answer


@in_fresh_moto
def _moto_keeps_private_link_enforcement() -> bool:
    elbv2, ec2 = aws_client("elbv2"), aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="eu-west-1a")["Subnet"][
        "SubnetId"
    ]
    group_id = ec2.create_security_group(GroupName="probe", Description="probe", VpcId=vpc_id)["GroupId"]
    elbv2.create_load_balancer(Name="probe", Type="network", Subnets=[subnet_id], SecurityGroups=[group_id])
    (balancer,) = elbv2.describe_load_balancers(Names=["probe"])["LoadBalancers"]
    return "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic" in balancer


@REGISTRY.patch(
    "elbv2",
    "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is kept and described (on for a Network Load "
    "Balancer created with security groups)",
    _moto_keeps_private_link_enforcement,
)
def install_private_link_enforcement() -> None:
    ELBv2Backend.create_load_balancer = _create_load_balancer_with_enforcement
    ELBV2Response.set_security_groups = _set_security_groups_keeping_enforcement


_domain_name_to_json = _DomainName.to_json


def _domain_name_to_json_without_empty_mtls(self: _DomainName) -> dict:
    """AWS leaves mutualTlsAuthentication out when the domain has no truststore; moto answered
    {}, which the provider reads as a block with an empty truststore (a diff on every plan)."""
    answer = _domain_name_to_json(self)
    if not answer.get("mutualTlsAuthentication"):
        answer.pop("mutualTlsAuthentication", None)
    return answer


@in_fresh_moto
def _moto_leaves_out_empty_mtls() -> bool:
    apigatewayv2 = aws_client("apigatewayv2")
    apigatewayv2.create_domain_name(DomainName="probe.example.com")
    return "MutualTlsAuthentication" not in apigatewayv2.get_domain_name(DomainName="probe.example.com")


@REGISTRY.patch(
    "apigatewayv2",
    "a domain name without a truststore has no mutualTlsAuthentication in its answer",
    _moto_leaves_out_empty_mtls,
)
def install_domain_name_without_empty_mtls() -> None:
    _DomainName.to_json = _domain_name_to_json_without_empty_mtls


# -- one request at a time -----------------------------------------------------------------
# moto's server answers each request in its own thread, and its backends keep plain dicts
# without locks. Under the provider's ten parallel operations a create could store the
# resource and still fail, and the SDK's retry then met the resource it had just made
# (CI, once: "CreateRole ... 409 EntityAlreadyExists: Role with name
# chat-redis-cluster-api-task already exists" on a fresh apply). AWS creates it once;
# one request at a time makes moto do the same. A request takes milliseconds and the
# provider's waits are on its side, so the tier's time hardly changes.

_one_request_at_a_time = threading.Lock()
_dispatch_request = DomainDispatcherApplication.__call__
# What runs under the lock: moto itself, or the retry patch below around it.
_answer_under_lock: Callable[[DomainDispatcherApplication, dict, Callable], Any] = _dispatch_request


def _dispatch_one_at_a_time(self: DomainDispatcherApplication, environ: dict, start_response: Callable) -> Any:
    with _one_request_at_a_time:
        return _answer_under_lock(self, environ, start_response)


@REGISTRY.patch(
    "server",
    "one request at a time, as AWS creates a resource once (moto's backends have no locks)",
    probe=None,
    why_no_probe="about moto's server, not an AWS behaviour: no API call can show it",
)
def install_one_request_at_a_time() -> None:
    DomainDispatcherApplication.__call__ = _dispatch_one_at_a_time


# -- a retried request gets its first attempt's answer ---------------------------------------
# The SDK retries a call whose answer it did not get (a timeout or a dropped connection while
# the request waited its turn under the lock above, on a loaded CI machine), and moto then
# runs the create a second time: CI, once, "CreateWebACL ... WafV2DuplicateItem" for
# chat-msk-documentdb-cloudfront, which nothing else in the stack names. Every attempt of
# one call carries the same amz-sdk-invocation-id and counts itself in amz-sdk-request
# ("attempt=2; max=3"), so a later attempt of a call already answered gets that answer again
# instead of running twice. Run under the lock, an attempt still queued behind its first
# finds the answer the first left. A first attempt is never answered from memory, so a real
# duplicate (another call with the same name) still fails as on AWS.

_ANSWERS_KEPT = 4096
_answers_by_invocation: dict[str, tuple[str, list[tuple[str, str]], bytes]] = {}
_ATTEMPT = re.compile(r"attempt=(\d+)")


def _attempt_number(environ: dict) -> int:
    counted = _ATTEMPT.search(environ.get("HTTP_AMZ_SDK_REQUEST", ""))
    return int(counted.group(1)) if counted else 1


def _answer_each_call_once(self: DomainDispatcherApplication, environ: dict, start_response: Callable) -> Any:
    invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
    if invocation and _attempt_number(environ) > 1 and invocation in _answers_by_invocation:
        status, headers, body = _answers_by_invocation[invocation]
        print(f"retry of invocation {invocation} answered with its first attempt's {status}", file=sys.stderr)
        start_response(status, headers)
        return [body]
    answered: dict[str, Any] = {}
    written: list[bytes] = []

    def keep_answer(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        answered["status"], answered["headers"] = status, list(headers)
        return written.append

    chunks = _dispatch_request(self, environ, keep_answer)
    try:
        body = b"".join(written) + b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    if invocation:
        if len(_answers_by_invocation) >= _ANSWERS_KEPT:
            del _answers_by_invocation[next(iter(_answers_by_invocation))]  # the oldest call
        _answers_by_invocation[invocation] = (answered["status"], answered["headers"], body)
    start_response(answered["status"], answered["headers"])
    return [body]


@REGISTRY.patch(
    "server",
    "a retried call gets the answer its first attempt got, instead of running twice",
    probe=None,
    why_no_probe="about moto's server losing an answer under load, not an AWS behaviour: no API call can show it",
)
def install_answer_each_call_once() -> None:
    global _answer_under_lock
    _answer_under_lock = _answer_each_call_once


# -- MSK and DocumentDB, EC2 instances (their own files) -------------------------------------

if __name__ == "__main__":
    from importlib.metadata import version

    # Their patches register after this file's, and are installed in that order.
    import moto_ec2_instances  # noqa: F401
    import moto_msk_docdb  # noqa: F401

    sys.exit(start(REGISTRY, version("moto"), main, sys.argv[1:]))
