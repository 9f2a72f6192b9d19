"""AWS Backup: a locked, CMK-encrypted vault, a daily/weekly/monthly plan, one selection by ARN.

`BackupPlan` is imported lazily so that `modules.backup.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.backup.props import VAULT_LOCK_MODES, BackupPlanProps, VaultLockMode
from modules.backup.supported import BACKUP_SUPPORTED_RESOURCE_TYPES, SUPPORTED_ARN_SERVICES, BackupTarget
from modules.common.lazy_exports import lazy_exports

__all__ = [
    "BACKUP_SUPPORTED_RESOURCE_TYPES",
    "SUPPORTED_ARN_SERVICES",
    "VAULT_LOCK_MODES",
    "BackupPlan",
    "BackupPlanProps",
    "BackupTarget",
    "VaultLockMode",
]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.backup.backup import BackupPlan
else:
    __getattr__ = lazy_exports(__name__, {"modules.backup.backup": ("BackupPlan",)})
