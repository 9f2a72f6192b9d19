"""parliament findings accepted on purpose, each with its reason (gate/iam_policies.py).

Keyed by the statement's Sid (an fnmatch pattern: the modules build the same statement
for several log groups or stores, with a label in the Sid) and parliament's issue. The
Sids are stack-independent, so one row covers the statement in every stack. A row that
matches no finding fails the test: remove it when the statement changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True)
class Acceptance:
    sid: str
    issue: str
    reason: str

    def matches(self, sid: str, issue: str) -> bool:
        return issue == self.issue and fnmatchcase(sid, self.sid)


ACCEPTED: tuple[Acceptance, ...] = (
    Acceptance(
        # modules/common/log_groups.py: logs_key_statement
        "CloudWatchLogsUsesKeyFor*",
        "MISMATCHED_TYPE",
        "AWS's CloudWatch Logs guide (Encrypt log data using AWS KMS) conditions the key on "
        "kms:EncryptionContext:aws:logs:arn with ArnEquals/ArnLike, and IAM compares the value as an ARN; "
        "parliament types every encryption-context key as a plain String.",
    ),
    Acceptance(
        # modules/websocket_api/websocket_api.py: the API Gateway CloudWatch role
        "FindApiGatewayLogGroups",
        "RESOURCE_MISMATCH",
        "Granted on arn:aws:logs:<region>:<account>:log-group:*, the resource form AWS's service "
        "authorization reference now evaluates DescribeLogGroups against; parliament's data predates it "
        "and knows only Resource *.",
    ),
)
