"""CKV_CHAT_72: an instance's root volume is encrypted with a customer-managed key, and its
data is on volumes of their own (no inline ebs_block_device).

An inline ebs_block_device lives and dies with the instance (replacing the instance
replaces the data) and is no aws_ebs_volume, so neither the encryption checks on volumes
nor the backup selection (CKV_CHAT_40, CKV_CHAT_73) ever see it. checkov's CKV_AWS_8
checks that the root volume is encrypted, not with which key.
"""

from chat_check_support import as_list, value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class InstanceVolumesSeparateEncrypted(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Instances encrypt their root volume with a CMK and keep data on separate aws_ebs_volume resources",
            id="CKV_CHAT_72",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_instance"],
        )

    def scan_resource_conf(self, conf):
        if [block for block in as_list(conf.get("ebs_block_device")) if block]:
            return CheckResult.FAILED
        root = value(conf, "root_block_device")
        if not isinstance(root, dict):
            return CheckResult.FAILED
        encrypted = value(root, "encrypted") is True
        return CheckResult.PASSED if encrypted and value(root, "kms_key_id") else CheckResult.FAILED


check = InstanceVolumesSeparateEncrypted()
