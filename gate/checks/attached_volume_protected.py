"""CKV_CHAT_73: a volume attached to an instance is encrypted with a customer-managed key and
is in a backup selection.

An attached volume holds an instance's data (a Redis Cluster node's RDB, AOF and
nodes.conf). checkov checks volumes and selections apart (CKV_AWS_3, CKV_AWS_189,
CKV2_AWS_9); this follows each aws_volume_attachment to its aws_ebs_volume in the same
stack and asks both of it. An attachment naming a volume from elsewhere is left to where
that volume is defined (UNKNOWN), as is a plan, where the stack's blocks are not at hand.
"""

import re

from chat_check_support import value
from chat_stack_support import blocks, refers_to, stack_document
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

_VOLUME_REFERENCE_RE = re.compile(r"^\$\{aws_ebs_volume\.([A-Za-z0-9_-]+)\.id\}$")


def _in_a_selection(document, volume_name: str) -> bool:
    for selection in blocks(document, "aws_backup_selection").values():
        resources = selection.get("resources") or []
        if isinstance(resources, str):
            resources = [resources]
        if any(refers_to(resource, "aws_ebs_volume", volume_name) for resource in resources):
            return True
    return False


class AttachedVolumeProtected(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Attached EBS volumes are encrypted with a CMK and in an AWS Backup selection",
            id="CKV_CHAT_73",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_volume_attachment"],
        )

    def scan_resource_conf(self, conf):
        document = stack_document(self.entity_path)
        reference = _VOLUME_REFERENCE_RE.fullmatch(str(value(conf, "volume_id")))
        if document is None or reference is None:
            return CheckResult.UNKNOWN
        volume = blocks(document, "aws_ebs_volume").get(reference[1])
        if volume is None:
            return CheckResult.UNKNOWN
        encrypted = volume.get("encrypted") is True and bool(volume.get("kms_key_id"))
        return CheckResult.PASSED if encrypted and _in_a_selection(document, reference[1]) else CheckResult.FAILED


check = AttachedVolumeProtected()
