"""AWS Backup: a locked, CMK-encrypted vault, a daily/weekly/monthly plan, one selection by ARN.

`BackupPlan` is imported lazily so that `modules.backup.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from modules.backup.props import VAULT_LOCK_MODES, BackupPlanProps, VaultLockMode
from modules.backup.supported import BACKUP_SUPPORTED_RESOURCE_TYPES, SUPPORTED_ARN_SERVICES, BackupTarget

__all__ = [
    "BACKUP_SUPPORTED_RESOURCE_TYPES",
    "SUPPORTED_ARN_SERVICES",
    "VAULT_LOCK_MODES",
    "BackupPlan",
    "BackupPlanProps",
    "BackupTarget",
    "VaultLockMode",
]


def __getattr__(name: str):
    if name == "BackupPlan":
        from modules.backup.backup import BackupPlan

        return BackupPlan
    raise AttributeError(f"module 'modules.backup' has no attribute {name!r}")
