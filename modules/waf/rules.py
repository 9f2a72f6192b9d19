"""The web ACL's rules, in evaluation order: a pure function, kept apart from the construct.

Each rule is a `PlannedRule` whose `statement` is already in the shape of the provider's
`statement` block (snake_case keys, one nested block per key), so tests can read the plan
without synthesizing, and the construct passes it through unchanged.

Order (lowest priority number first; priorities step by 10 so a rule can be slotted in
later without renumbering the others):
1. IP reputation, then anonymizing networks: cheap list lookups that drop known-bad
   sources before anything inspects their requests.
2. Rate limits per client IP on /api/* and on /socket.io/*, separately, because the two
   paths have very different normal rates (see WebAclProps).
3. The core rule set, with its 8 KB body-size rule counted instead of blocking, then a
   rule of ours that blocks what it matched everywhere except /socket.io/ (below).
4. Known bad inputs (Log4Shell and friends), then SQL injection.

Body size and Socket.IO: AWS WAF inspects at most the first 8 KB of a body on a load
balancer, so the core rule set's SizeRestrictions_BODY blocks every larger body (nothing
past 8 KB could be inspected). On /socket.io/* that would break only clients on the
long-polling fallback, whose POST bodies batch several chat messages (Engine.IO accepts
up to 1 MB), while clients on websockets send the same messages in frames that WAF never
sees. So the rule is set to count inside the group, which only labels the request, and
`BlockOversizedBodyOutsideSocketIo` blocks the label on every other path: /api/* keeps
the 8 KB ceiling, and Socket.IO behaves the same on either transport. The realtime
service bounds its own message size (Engine.IO's maxHttpBufferSize).

Aggregation on the client IP, not a forwarded-for header: the load balancer is the first
hop from the internet, so WAF sees each client's own address, which cannot be forged.
X-Forwarded-For is written by the client when nothing trusted sits in front; rate
limiting on it would let one source rotate the header to get a fresh budget per value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

API_PATH_PREFIX = "/api/"
SOCKET_IO_PATH_PREFIX = "/socket.io/"

# AWS WAF's own rate-rule window: the limits are "per 5 minutes" (WebAclProps).
RATE_WINDOW_SECONDS = 300

BODY_SIZE_RULE = "SizeRestrictions_BODY"
BODY_SIZE_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"

# Web ACL capacity units (WCU). AWS WAF charges the base price up to 1,500 WCU per web
# ACL and extra per 500 WCU above it (up to the hard 5,000), so the plan stays under 1,500.
BASE_PRICE_CAPACITY = 1500
# Capacities from AWS's rule statement and managed rule group pages.
_RATE_BASED_CAPACITY = 2
_STARTS_WITH_CAPACITY = 2
_TEXT_TRANSFORMATION_CAPACITY = 10
_LABEL_MATCH_CAPACITY = 1

# Path comparisons decode and normalize first ("/api/%2e%2e/socket.io/", "//api/x"), so a
# request cannot be counted under one path prefix and routed by the load balancer under
# another. Case is not folded: the load balancer's path patterns are case-sensitive.
_PATH_TRANSFORMATIONS = ("URL_DECODE", "NORMALIZE_PATH")


@dataclass(frozen=True)
class ManagedRuleGroup:
    """An AWS managed rule group, used at its default version (AWS keeps it current)."""

    name: str
    capacity: int
    counted_rules: tuple[str, ...] = ()
    """Rules of the group set to count (label only) instead of their own action."""


COMMON_RULE_SET = ManagedRuleGroup("AWSManagedRulesCommonRuleSet", 700, counted_rules=(BODY_SIZE_RULE,))
KNOWN_BAD_INPUTS = ManagedRuleGroup("AWSManagedRulesKnownBadInputsRuleSet", 200)
IP_REPUTATION = ManagedRuleGroup("AWSManagedRulesAmazonIpReputationList", 25)
ANONYMOUS_IP = ManagedRuleGroup("AWSManagedRulesAnonymousIpList", 50)
SQL_INJECTION = ManagedRuleGroup("AWSManagedRulesSQLiRuleSet", 200)


@dataclass(frozen=True)
class PlannedRule:
    """One rule of the web ACL. Exactly one of `action` (our rules) and `group_action`
    (managed rule groups: "none" keeps the group's own actions, "count" labels only)."""

    name: str
    priority: int
    statement: dict[str, Any]
    capacity: int
    action: Literal["block"] | None = None
    group_action: Literal["none", "count"] | None = None

    @property
    def metric_name(self) -> str:
        # Metrics are per web ACL already (the WebACL dimension), so the rule name is unique.
        return self.name


def _path_starts_with(prefix: str) -> tuple[dict[str, Any], int]:
    statement = {
        "byte_match_statement": {
            "search_string": prefix,
            "positional_constraint": "STARTS_WITH",
            "field_to_match": {"uri_path": {}},
            "text_transformation": [
                {"priority": index, "type": kind} for index, kind in enumerate(_PATH_TRANSFORMATIONS)
            ],
        }
    }
    return statement, _STARTS_WITH_CAPACITY + _TEXT_TRANSFORMATION_CAPACITY * len(_PATH_TRANSFORMATIONS)


def _managed(group: ManagedRuleGroup, priority: int, group_action: Literal["none", "count"] = "none") -> PlannedRule:
    statement: dict[str, Any] = {"name": group.name, "vendor_name": "AWS"}
    if group.counted_rules:
        statement["rule_action_override"] = [
            {"name": rule, "action_to_use": {"count": {}}} for rule in group.counted_rules
        ]
    return PlannedRule(
        name=group.name,
        priority=priority,
        statement={"managed_rule_group_statement": statement},
        capacity=group.capacity,
        group_action=group_action,
    )


def _rate_limit(name: str, priority: int, path_prefix: str, limit: int) -> PlannedRule:
    scope_down, scope_down_capacity = _path_starts_with(path_prefix)
    return PlannedRule(
        name=name,
        priority=priority,
        statement={
            "rate_based_statement": {
                "limit": limit,
                "aggregate_key_type": "IP",
                "evaluation_window_sec": RATE_WINDOW_SECONDS,
                "scope_down_statement": scope_down,
            }
        },
        capacity=_RATE_BASED_CAPACITY + scope_down_capacity,
        action="block",
    )


def _oversized_body_outside_socket_io(priority: int) -> PlannedRule:
    socket_io, socket_io_capacity = _path_starts_with(SOCKET_IO_PATH_PREFIX)
    return PlannedRule(
        name="BlockOversizedBodyOutsideSocketIo",
        priority=priority,
        statement={
            "and_statement": {
                "statement": [
                    {"label_match_statement": {"scope": "LABEL", "key": BODY_SIZE_LABEL}},
                    {"not_statement": {"statement": [socket_io]}},
                ]
            }
        },
        capacity=_LABEL_MATCH_CAPACITY + socket_io_capacity,
        action="block",
    )


def plan_rules(
    *, api_rate_limit_per_5min: int, socket_io_rate_limit_per_5min: int, block_anonymous_ips: bool
) -> tuple[PlannedRule, ...]:
    """The web ACL's rules, in evaluation order, with distinct names and priorities."""
    rules = (
        _managed(IP_REPUTATION, 10),
        _managed(ANONYMOUS_IP, 20, "none" if block_anonymous_ips else "count"),
        _rate_limit("RateLimitApi", 30, API_PATH_PREFIX, api_rate_limit_per_5min),
        _rate_limit("RateLimitSocketIo", 40, SOCKET_IO_PATH_PREFIX, socket_io_rate_limit_per_5min),
        _managed(COMMON_RULE_SET, 50),
        _oversized_body_outside_socket_io(60),
        _managed(KNOWN_BAD_INPUTS, 70),
        _managed(SQL_INJECTION, 80),
    )
    return rules


def planned_capacity(rules: tuple[PlannedRule, ...]) -> int:
    """The WCU the rules need, from AWS's published figures (AWS computes the real one)."""
    return sum(rule.capacity for rule in rules)
