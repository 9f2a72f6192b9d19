"""BackupPlan: AWS Backup for the platform's data stores: a locked, CMK-encrypted vault, a
daily/weekly/monthly plan, and one selection of stores named by ARN.

- The vault is encrypted with a customer-managed key (the backup data domain: its own key,
  so a store's key being disabled or deleted never takes its backups with it).
- Vault Lock per `vault_lock_mode` (compliance by default): recovery points cannot be
  deleted early or kept outside the lock's bounds.
- The plan's rules come from modules/backup/schedule.py: daily, weekly and monthly at the
  same hour, each kept as many periods as the props say.
- One selection holds the ARN of every store `protect()` names, in call order; a store is
  covered by calling `protect()` where the store is wired into the stack, and
  `protected_arns` lets a test prove every supported store is. By ARN rather than by tag:
  a tag can be removed or mistyped on the store without anything failing, an ARN in the
  selection is in the synthesized JSON for the gate and the tests to read.
- With `copy_region`, a second vault in that region (its own key, the same lock) and a
  `copy_action` on every rule to it, kept as long as the original: the recovery points
  survive the loss of the stack's region (README: Region loss). Every store AWS Backup
  protects here, the attachments bucket included, is copied the same way.
- AWS Backup assumes a ServiceRole with AWS's managed backup and restore policies (see
  README: "Why AWS-managed policies"); S3's own pair is attached once a bucket is protected.
"""

from __future__ import annotations

from types import MappingProxyType

from bindings.aws.backup_plan import BackupPlan as BackupPlanResource
from bindings.aws.backup_plan import (
    BackupPlanRule,
    BackupPlanRuleCopyAction,
    BackupPlanRuleCopyActionLifecycle,
    BackupPlanRuleLifecycle,
)
from bindings.aws.backup_selection import BackupSelection
from bindings.aws.backup_vault import BackupVault
from bindings.aws.backup_vault_lock_configuration import BackupVaultLockConfiguration
from bindings.aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from bindings.cdk import TerraformProvider
from modules.backup.props import BackupPlanProps
from modules.backup.schedule import COMPLETION_WINDOW_MINUTES, START_WINDOW_MINUTES, plan_rules
from modules.backup.supported import check_protectable_arn, is_s3_bucket_arn
from modules.common.roles import ServiceRole
from modules.common.stack_context import StackContext, module_context
from modules.common.store_keys import module_store_key, new_module_key
from modules.common.validation import pattern_check
from modules.common.waivers import waive

# AWS-managed policies (path service-role/): what AWS Backup needs to back up and to
# restore every resource type it supports, kept current by AWS as types are added.
BACKUP_POLICY = "service-role/AWSBackupServiceRolePolicyForBackup"
RESTORE_POLICY = "service-role/AWSBackupServiceRolePolicyForRestores"
# S3 is the one supported store those two do not cover (path /, not service-role/).
S3_BACKUP_POLICIES = ("AWSBackupServiceRolePolicyForS3Backup", "AWSBackupServiceRolePolicyForS3Restore")

check_store_name = pattern_check(
    r"^[a-z][a-z0-9_]{0,39}$",
    "expected 1-40 characters of lowercase letters, digits and '_', starting with a letter",
)


def check_copy_provider(copy_region: str | None, copy_provider: TerraformProvider | None) -> None:
    """With copy_region, the provider the second vault is made with must be that region's."""
    if copy_region is None:
        return
    region = getattr(copy_provider, "region", None)
    if copy_provider is None or region != copy_region:
        raise ValueError(
            f"copy_provider: expected an AWS provider for copy_region {copy_region!r} (the second vault and its "
            f"key are made with it), got {'none' if copy_provider is None else f'one for {region!r}'}"
        )


class BackupPlan(Construct):
    """A CMK-encrypted backup vault (locked per props), a daily/weekly/monthly plan, and one
    selection of the stores `protect()` names.

    Typed outputs (attributes): vault_name, vault_arn, plan_id, plan_arn, role_arn,
    kms_key_arn, protected_arns, copy_vault_arn, copy_vault_name, copy_kms_key_arn (None without
    copy_region).

    Construct IDs: key (only without kms_key_arn), vault, vault_lock (when locked), plan,
    role, selection and s3_backup_policy_<n> (once a store, or a bucket, is protected); with
    copy_region: copy_key, copy_vault, copy_vault_lock (when locked).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: BackupPlanProps,
        copy_provider: TerraformProvider | None = None,
    ) -> None:
        """`copy_provider`: an AWS provider for `props.copy_region`, required when it is set
        (the second vault and its key are made with it); ignored otherwise."""
        super().__init__(scope, construct_id)
        check_copy_provider(props.copy_region, copy_provider)
        self.props = props
        context = module_context(self, props)
        self._partition = context.partition
        account_id = context.account_id

        self.key, self.kms_key_arn = module_store_key(
            self, props, context, data_domain="backup", description=f"{props.name} backup vault"
        )

        self.vault = BackupVault(
            self,
            "vault",
            name=f"{props.name}-backup",
            kms_key_arn=self.kms_key_arn,
            # Never delete recovery points with the vault: a vault holding any is not deleted.
            force_destroy=False,
            tags=self._tags(f"{props.name}-backup"),
        )
        if props.deletion_protection:
            self.vault.add_override("lifecycle.prevent_destroy", True)
        self._vault_lock("vault_lock", self.vault)
        self.copy_vault, self.copy_kms_key_arn = self._copy_vault(context, copy_provider)
        self.copy_vault_arn: str | None = None if self.copy_vault is None else self.copy_vault.arn
        self.copy_vault_name: str | None = None if self.copy_vault is None else self.copy_vault.name

        self.rules = plan_rules(
            daily_kept=props.daily_backups_kept,
            weekly_kept=props.weekly_backups_kept,
            monthly_kept=props.monthly_backups_kept,
            hour_utc=props.backup_hour_utc,
        )
        self.plan = BackupPlanResource(
            self,
            "plan",
            name=f"{props.name}-backup",
            rule=[
                BackupPlanRule(
                    rule_name=rule.name,
                    target_vault_name=self.vault.name,
                    schedule=rule.schedule,
                    start_window=START_WINDOW_MINUTES,
                    completion_window=COMPLETION_WINDOW_MINUTES,
                    # No cold storage: AWS Backup keeps cold points at least 90 days after the
                    # move, longer than any rule here, and S3 points cannot move at all.
                    lifecycle=BackupPlanRuleLifecycle(delete_after=rule.retention_days),
                    # The copy is kept as long as the original: the second vault's lock has the
                    # same bounds, and a region loss must not shorten the history.
                    copy_action=(
                        None
                        if self.copy_vault_arn is None
                        else [
                            BackupPlanRuleCopyAction(
                                destination_vault_arn=self.copy_vault_arn,
                                lifecycle=BackupPlanRuleCopyActionLifecycle(delete_after=rule.retention_days),
                            )
                        ]
                    ),
                )
                for rule in self.rules
            ],
            tags=self._tags(f"{props.name}-backup"),
        )
        if props.no_copy_reason:
            waive(self.plan, "CKV_CHAT_41", f"No copy in a second region: {props.no_copy_reason}")

        self.role = ServiceRole(
            self,
            "role",
            name=f"{props.name}-backup",
            service="backup.amazonaws.com",
            description="Lets AWS Backup back up and restore the stores in this stack's backup selection",
            account_id=account_id,
            managed_policy_arns=[self._managed_policy(BACKUP_POLICY), self._managed_policy(RESTORE_POLICY)],
            tags=self._tags(f"{props.name}-backup"),
        )

        self.vault_name: str = self.vault.name
        self.vault_arn: str = self.vault.arn
        self.plan_id: str = self.plan.id
        self.plan_arn: str = self.plan.arn
        self.role_arn: str = self.role.arn
        self._protected: dict[str, str] = {}
        self.selection: BackupSelection | None = None
        self._s3_policies_attached = False

    @property
    def protected_arns(self) -> MappingProxyType[str, str]:
        """Each protected store's name and ARN, in the order `protect()` was called: exactly
        the selection's `resources`."""
        return MappingProxyType(self._protected)

    def protect(self, construct_id_suffix: str, resource_arn: str) -> None:
        """Add `resource_arn` to the plan's one selection, under the name `construct_id_suffix`
        (e.g. "attachments"; snake_case, unique: the key of `protected_arns`).

        The ARN must name a store AWS Backup supports (an ElastiCache or SQS ARN is refused);
        a reference whose service is hidden passes. Give S3 buckets their literal ARN
        (`AttachmentsBucket.bucket_arn` is): that is how the S3 backup and restore policies
        are attached only when a bucket is protected.
        """
        check_store_name(construct_id_suffix)
        check_protectable_arn(resource_arn)
        if construct_id_suffix in self._protected:
            raise ValueError(f"protect: expected each store once, got {construct_id_suffix!r} again")
        if resource_arn in self._protected.values():
            raise ValueError(f"protect: expected each ARN once, got {resource_arn!r} again")
        self._protected[construct_id_suffix] = resource_arn
        if is_s3_bucket_arn(resource_arn) and not self._s3_policies_attached:
            self._s3_policies_attached = True
            for index, policy in enumerate(S3_BACKUP_POLICIES):
                IamRolePolicyAttachment(
                    self,
                    f"s3_backup_policy_{index}",
                    role=self.role.role.name,
                    policy_arn=self._managed_policy(policy),
                )
        if self.selection is None:
            # Created with the first store: AWS Backup refuses a selection that selects nothing.
            self.selection = BackupSelection(
                self,
                "selection",
                name=f"{self.props.name}-data-stores",
                plan_id=self.plan.id,
                iam_role_arn=self.role.arn,
                resources=list(self._protected.values()),
            )
        else:
            self.selection.resources = list(self._protected.values())

    # -- helpers -------------------------------------------------------------------

    def _tags(self, name: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name}

    def _managed_policy(self, path_and_name: str) -> str:
        return f"arn:{self._partition}:iam::aws:policy/{path_and_name}"

    def _copy_vault(
        self, context: StackContext, copy_provider: TerraformProvider | None
    ) -> tuple[BackupVault | None, str | None]:
        """(the vault in copy_region, its key's ARN), or (None, None) without copy_region.

        Its own key, made in that region (a KMS key never leaves its region, and the
        primary's key is lost with it), with the primary's deletion protection; its own lock
        with the primary's bounds (a copy kept outside them would fail the copy job)."""
        props = self.props
        if props.copy_region is None:
            return None, None
        name = f"{props.name}-backup-copy"
        _, key_arn = new_module_key(
            self,
            props,
            context,
            construct_id="copy_key",
            data_domain="backup-copy",
            description=f"{props.name} backup vault copy in {props.copy_region}",
            provider=copy_provider,
        )
        vault = BackupVault(
            self,
            "copy_vault",
            name=name,
            kms_key_arn=key_arn,
            force_destroy=False,
            tags=self._tags(name),
            provider=copy_provider,
        )
        if props.deletion_protection:
            vault.add_override("lifecycle.prevent_destroy", True)
        self._vault_lock("copy_vault_lock", vault, copy_provider)
        return vault, key_arn

    def _vault_lock(self, construct_id: str, vault: BackupVault, provider: TerraformProvider | None = None) -> None:
        props = self.props
        if props.vault_lock_mode == "none":
            return
        BackupVaultLockConfiguration(
            self,
            construct_id,
            provider=provider,
            backup_vault_name=vault.name,
            min_retention_days=props.vault_lock_min_retention_days,
            max_retention_days=props.vault_lock_max_retention_days,
            # A lock date is what makes a lock "compliance"; without one it is "governance".
            changeable_for_days=(
                props.vault_lock_changeable_for_days if props.vault_lock_mode == "compliance" else None
            ),
        )
