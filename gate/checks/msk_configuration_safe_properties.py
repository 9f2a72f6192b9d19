"""CKV_CHAT_51: an MSK configuration creates no topic by accident and loses no acknowledged write.

Kafka's defaults create a topic for any name a client mentions (auto.create.topics.enable
= true): a typo becomes a topic with default settings that nobody reads. This requires
every aws_msk_configuration to turn auto-creation off, never to turn unclean leader
election on (an out-of-sync replica elected leader drops acknowledged writes), and, where
topics get three copies or more, to require two in sync (min.insync.replicas >= 2) for an
acknowledged write. A configuration whose properties are not literal is UNKNOWN.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def properties(text: str) -> dict[str, str]:
    """key=value lines of a Java properties file ('#' and '!' comments, ':' also separates)."""
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        separator = min((i for i in (line.find("="), line.find(":")) if i >= 0), default=-1)
        if separator > 0:
            found[line[:separator].strip()] = line[separator + 1 :].strip()
    return found


def _number(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() else None


class MskConfigurationSafeProperties(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="MSK configurations disable topic auto-creation and unclean leader election and keep two in sync",
            id="CKV_CHAT_51",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_msk_configuration"],
        )

    def scan_resource_conf(self, conf):
        text = value(conf, "server_properties")
        if not isinstance(text, str) or "${" in text:
            return CheckResult.UNKNOWN
        found = properties(text)
        if found.get("auto.create.topics.enable", "true").lower() != "false":
            return CheckResult.FAILED
        if found.get("unclean.leader.election.enable", "false").lower() != "false":
            return CheckResult.FAILED
        factor = _number(found.get("default.replication.factor"))
        min_isr = _number(found.get("min.insync.replicas", "1"))
        if factor is not None and factor >= 3 and (min_isr is None or min_isr < 2):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = MskConfigurationSafeProperties()
