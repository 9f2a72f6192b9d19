"""ChatTables: the chat platform's DynamoDB tables (messages, connections, user-id counter).

- On-demand billing (PAY_PER_REQUEST): chat traffic follows the day and spikes with
  events; on-demand follows it with no capacity to plan, no autoscaling to tune and no
  throttling while a scaling policy catches up, and costs nothing while idle.
- Point-in-time recovery on every table (`recovery_period_days`), plus AWS Backup: the
  stack puts each table in its backup selection (`table_arns`).
- Encrypted with a customer-managed key (the tables are one data domain: one key), or one
  given. The key policy holds the account-root statement only: DynamoDB uses the key
  through grants it creates for the table, and each role that reads or writes gets the key
  through `grant_read_write`, only inside DynamoDB requests (kms:ViaService).
- Deletion protection on the tables and `prevent_destroy` on them and on the key while
  `deletion_protection` is on.
- With a `restore { }` input, one table restored from its point-in-time recovery into a new
  table with the original's settings, which the grants, the services' table names and the
  backup selection move to, beside the original until `unprotect_original` turns its
  protection off and `retire_original` then removes it (README: Restoring).

Grants and the backup selection name the tables by reference (`table_arns`), so each
follows its table through a replacement, and the gate's backup check (CKV_CHAT_40) can
follow the selection to the table.
"""

from __future__ import annotations

from bindings.aws.dynamodb_table import (
    DynamodbTable,
    DynamodbTableAttribute,
    DynamodbTableGlobalSecondaryIndex,
    DynamodbTablePointInTimeRecovery,
    DynamodbTableServerSideEncryption,
    DynamodbTableTtl,
)
from constructs import Construct

from modules.backup.supported import BackupTarget
from modules.common.keys import ManagedKey
from modules.common.policy import policy_statement
from modules.common.restore import being_retired_reason
from modules.common.roles import Grantee
from modules.common.stack_context import module_context
from modules.common.statement_ids import sid_part
from modules.common.store_keys import key_use_statement, module_store_key
from modules.common.waivers import waive
from modules.dynamodb.props import ChatTablesProps, TableRestore
from modules.dynamodb.schema import (
    CONNECTIONS,
    CONNECTIONS_BY_USER_INDEX,
    MESSAGES,
    TABLE_KEYS,
    TABLES,
    USER_COUNTER,
    TableSchema,
    check_table_keys,
)
from modules.observability.props import AlarmsProps
from modules.observability.specs import Watch

# What the application does with items: single and batch reads, queries, writes, updates
# with conditions (the counter's ADD, "create if absent") and deletes; DescribeTable lets
# SDKs check the table at start. No Scan: reading a whole table is an operator's job,
# never a request path of a chat service. No table administration (Create/Delete/Update).
ITEM_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)
# An index is only ever queried (a GSI cannot be written or read by key).
INDEX_ACTIONS = ("dynamodb:Query",)
# DynamoDB decrypts the table key with the caller's permission and asks KMS for data keys
# when it refreshes it: what AWS's own aws/dynamodb key policy allows through DynamoDB,
# without CreateGrant and ReEncrypt (only creating a table or changing its key needs them).
KEY_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")

# The table keeps the environment's DeletionProtection tag, so the gate's protection check
# (CKV_CHAT_62) still judges it as a production table, and fails by design: waived with why.
_BEING_RETIRED = being_retired_reason(
    "table",
    "its point-in-time recovery stays on until then (DynamoDB then keeps a system backup of the deleted "
    "table for 35 days) and AWS Backup's recovery points are",
)


class ChatTables(Construct):
    """The messages, connections and user-counter tables, on-demand, PITR, CMK-encrypted.

    Typed outputs (attributes): messages_table_name, messages_table_arn,
    connections_table_name, connections_table_arn, connections_by_user_index,
    user_counter_table_name, user_counter_table_arn, table_names, table_arns,
    restored_table_name, key, kms_key_arn.

    Construct IDs: messages, connections, user_counter (the tables), key (only without
    kms_key_arn), "<table>_restored" (a restored table). Renaming one replaces the resource,
    and a replaced table loses its items.

    A store of the stack (the Component protocol of stacks/platform.py): backup_targets()
    (what AWS Backup protects of it) and watches(thresholds) (none: nothing to exhaust).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: ChatTablesProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        # Only the key this module creates needs the account (its policy's root statement):
        # with a given key no lookup is made.
        context = module_context(self, props)
        key, self.kms_key_arn = module_store_key(
            self,
            props,
            context,
            data_domain="chat-tables",
            description=f"{props.name} DynamoDB tables: messages, connections, user counter",
        )
        self.key: ManagedKey | None = key

        restore = props.restore
        # The tables that serve, by key: a restored table replaces its original here, so every
        # grant, table name and output below follows it.
        self.tables: dict[str, DynamodbTable] = {}
        self.table_names: dict[str, str] = {}
        self.table_arns: dict[str, str] = {}
        # The originals this configuration keeps (all of them, unless retire_original).
        self.original_tables: dict[str, DynamodbTable] = {}
        self.restored_table: DynamodbTable | None = None
        self.restored_table_name: str | None = None
        """The restored table's name (`<name>-<table>-r<yyyymmddhhmm>` or `-latest`), None without a restore."""
        for schema in TABLES:
            name = f"{props.name}-{schema.suffix}"
            restored_here = restore is not None and restore.table == schema.key
            if not (restored_here and restore is not None and restore.retire_original):
                # Construct id "<key>", whatever is restored: a moved id would replace the original.
                self.original_tables[schema.key] = self._table(
                    schema,
                    schema.key,
                    name,
                    None,
                    unprotected=restored_here and restore is not None and restore.unprotect_original,
                )
            if restore is not None and restored_here:
                name = self.restored_table_name = name + restore.name_suffix()
                self.restored_table = self._table(schema, f"{schema.key}_restored", name, restore)
                self.tables[schema.key] = self.restored_table
            else:
                self.tables[schema.key] = self.original_tables[schema.key]
            self.table_names[schema.key] = name
            self.table_arns[schema.key] = self.tables[schema.key].arn

        self.messages_table_name: str = self.table_names[MESSAGES.key]
        self.messages_table_arn: str = self.table_arns[MESSAGES.key]
        self.connections_table_name: str = self.table_names[CONNECTIONS.key]
        self.connections_table_arn: str = self.table_arns[CONNECTIONS.key]
        self.connections_by_user_index: str = CONNECTIONS_BY_USER_INDEX
        self.user_counter_table_name: str = self.table_names[USER_COUNTER.key]
        self.user_counter_table_arn: str = self.table_arns[USER_COUNTER.key]

    # -- grants ----------------------------------------------------------------------

    # -- what the stack's backup plan and alarms take from it (the Component protocol, stacks/platform.py)

    def backup_targets(self) -> tuple[BackupTarget, ...]:
        """Every table ("<key>_table"), beside its point-in-time recovery; after a restore, the
        restored one too ("<key>_table_restored"), and its original while it is kept."""
        targets = [BackupTarget(f"{table_key}_table", table.arn) for table_key, table in self.original_tables.items()]
        if self.restored_table is not None and self.props.restore is not None:
            targets.append(BackupTarget(f"{self.props.restore.table}_table_restored", self.restored_table.arn))
        return tuple(targets)

    def watches(self, thresholds: AlarmsProps) -> tuple[Watch, ...]:
        """None yet: on-demand tables have no capacity to exhaust."""
        return ()

    def grant_read_write(self, grantee: Grantee, tables: tuple[str, ...] = TABLE_KEYS) -> None:
        """Let `grantee` read and write items of `tables` (default: all three; keys of
        TABLE_KEYS), query their indexes, and use the key through DynamoDB."""
        tables = check_table_keys(tables)
        schemas = [schema for schema in TABLES if schema.key in tables]
        part = "".join(sid_part(schema.key) for schema in schemas)
        statements = [policy_statement(f"ReadWrite{part}", ITEM_ACTIONS, [self.table_arns[s.key] for s in schemas])]
        indexed = [self.table_arns[schema.key] for schema in schemas if schema.indexes]
        if indexed:
            statements.append(
                policy_statement(f"Query{part}Indexes", INDEX_ACTIONS, [f"{arn}/index/*" for arn in indexed])
            )
        statements.append(
            key_use_statement(
                f"Use{part}Key", KEY_ACTIONS, self.kms_key_arn, service="dynamodb", region=self.props.region
            )
        )
        grantee.add_to_policy(*statements)

    # -- helpers -----------------------------------------------------------------------

    def _restore_source(self, schema: TableSchema, restore: TableRestore | None) -> dict[str, object]:
        """How a table starts: empty (the original), or restored from a point in time."""
        if restore is None:
            return {}
        return {
            # A literal, not a reference to the original: it stays the same when
            # retire_original removes that table from the configuration.
            "restore_source_name": restore.source or f"{self.props.name}-{schema.suffix}",
            "restore_date_time": restore.to_point_in_time,
            "restore_to_latest_time": True if restore.latest else None,
        }

    def _tags(self, name: str, **extra: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name, **extra}

    def _table(
        self,
        schema: TableSchema,
        construct_id: str,
        name: str,
        restore: TableRestore | None,
        unprotected: bool = False,
    ) -> DynamodbTable:
        """A table: the original (empty at creation) or a restored one, with the same settings.
        `unprotected`: the restored table's original on its way out (restore.unprotect_original).

        DynamoDB's restore brings the items, the indexes and the encryption, not TTL,
        point-in-time recovery, deletion protection or tags: the provider applies those to the
        new table after the restore (one it left out would show as an in-place change on the
        next plan), so the restored table is written exactly as the original.
        """
        props = self.props
        protected = props.deletion_protection and not unprotected
        table = DynamodbTable(
            self,
            construct_id,
            name=name,
            **self._restore_source(schema, restore),
            billing_mode="PAY_PER_REQUEST",
            hash_key=schema.partition_key,
            range_key=schema.sort_key,
            # Every key attribute is a string: room and user ids are opaque, and a
            # time-ordered message id sorts as a string (a ULID, or zero-padded epoch ms).
            attribute=[DynamodbTableAttribute(name=attribute, type="S") for attribute in schema.key_attributes],
            global_secondary_index=[
                DynamodbTableGlobalSecondaryIndex(
                    name=index.name, hash_key=index.partition_key, projection_type=index.projection_type
                )
                for index in schema.indexes
            ]
            or None,
            ttl=DynamodbTableTtl(attribute_name=schema.ttl_attribute, enabled=True) if schema.ttl_attribute else None,
            point_in_time_recovery=DynamodbTablePointInTimeRecovery(
                enabled=True, recovery_period_in_days=props.recovery_period_days
            ),
            server_side_encryption=DynamodbTableServerSideEncryption(enabled=True, kms_key_arn=self.kms_key_arn),
            deletion_protection_enabled=protected,
            table_class=props.messages_table_class if schema is MESSAGES else "STANDARD",
            # The environment's choice, also on an original being retired (see _BEING_RETIRED).
            tags=self._tags(name, DeletionProtection=str(props.deletion_protection).lower()),
        )
        if protected:
            table.add_override("lifecycle.prevent_destroy", True)
        elif props.deletion_protection:
            waive(table, "CKV_CHAT_62", _BEING_RETIRED)
        return table
