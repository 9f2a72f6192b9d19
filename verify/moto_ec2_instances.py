"""moto 5.2.5 extensions for EC2 instances (the Redis Cluster on EC2), registered in
moto_patches.py and installed by moto_extensions.py before it starts moto's server. Each does
what AWS documents; neither relaxes what the provider checks:

- MonitorInstances / UnmonitorInstances: moto answers 500 "not yet implemented". The
  provider creates an instance with Monitoring.Enabled in RunInstances and then calls
  MonitorInstances for `monitoring = true` (its update path runs after create), retrying
  the 500 until it fails. AWS answers with each instance's new monitoring state
  ("pending", then "enabled"); this sets it at once and answers "enabled"/"disabled".
- RunInstances' DisableApiTermination: moto drops it (its kwargs never read it), so
  DescribeInstanceAttribute reports false for an instance created with termination
  protection and every later plan wants to turn it on again. AWS keeps it.
"""

from __future__ import annotations

import threading

from moto.ec2.models.instances import Instance
from moto.ec2.responses.instances import InstanceResponse
from moto.ec2.responses.monitoring import Monitoring
from moto_patches import REGISTRY, aws_client, in_fresh_moto


def _set_monitoring(self: Monitoring, action: str, state: str) -> str:
    self.error_on_dryrun()
    items = ""
    for instance_id in self._get_param("InstanceIds", []):
        self.ec2_backend.get_instance(instance_id).monitoring_state = state
        items += f"<item><instanceId>{instance_id}</instanceId><monitoring><state>{state}</state></monitoring></item>"
    return (
        f'<{action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        "<requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>"
        f"<instancesSet>{items}</instancesSet></{action}Response>"
    )


# RunInstances builds its Instance objects deep inside moto's backend; the request's flag
# reaches Instance.__init__ through this thread's launch in progress.
_launching = threading.local()
_run_instances = InstanceResponse.run_instances
_instance_init = Instance.__init__


def _run_instances_keeping_termination_protection(self: InstanceResponse):
    _launching.disable_api_termination = bool(self._get_param("DisableApiTermination"))
    try:
        return _run_instances(self)
    finally:
        _launching.disable_api_termination = False


def _instance_init_with_termination_protection(self: Instance, *args, **kwargs) -> None:
    _instance_init(self, *args, **kwargs)
    if "disable_api_termination" not in kwargs and getattr(_launching, "disable_api_termination", False):
        self.disable_api_termination = True


def _run_probe_instance(ec2, **settings):
    image_id = ec2.describe_images()["Images"][0]["ImageId"]
    return ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1, **settings)["Instances"][0]["InstanceId"]


@in_fresh_moto
def _moto_monitors_instances() -> bool:
    ec2 = aws_client("ec2")
    instance_id = _run_probe_instance(ec2)
    return ec2.monitor_instances(InstanceIds=[instance_id])["InstanceMonitorings"][0]["Monitoring"]["State"] in (
        "pending",
        "enabled",
    )


@REGISTRY.patch("ec2", "MonitorInstances and UnmonitorInstances", _moto_monitors_instances)
def install_instance_monitoring() -> None:
    Monitoring.monitor_instances = lambda self: _set_monitoring(self, "MonitorInstances", "enabled")
    Monitoring.unmonitor_instances = lambda self: _set_monitoring(self, "UnmonitorInstances", "disabled")


@in_fresh_moto
def _moto_keeps_termination_protection() -> bool:
    ec2 = aws_client("ec2")
    instance_id = _run_probe_instance(ec2, DisableApiTermination=True)
    answer = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="disableApiTermination")
    return answer["DisableApiTermination"]["Value"] is True


@REGISTRY.patch("ec2", "RunInstances keeps DisableApiTermination", _moto_keeps_termination_protection)
def install_termination_protection() -> None:
    InstanceResponse.run_instances = _run_instances_keeping_termination_protection
    Instance.__init__ = _instance_init_with_termination_protection
