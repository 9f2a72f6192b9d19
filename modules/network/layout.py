"""Where each subnet goes inside the VPC CIDR (pure Python, no provider imports).

Every tier reserves MAX_AZS slots even when fewer AZs are used, so raising az_count
later adds subnets without renumbering (and so replacing) the existing ones:

    first half of the VPC   private  4 x /(p+3)   tasks: the most IPs (Fargate ENIs)
    third quarter           data     4 x /(p+5)   databases and caches
    fourth quarter          public   4 x /(p+5)   load balancers and NAT gateways
                            (the rest of each quarter is left free for later tiers)

For a /16 this gives /19 private (8,187 usable IPs per AZ) and /21 data and public
subnets (2,043 each).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

MAX_AZS = 4


@dataclass(frozen=True)
class SubnetLayout:
    public: tuple[str, ...]
    private: tuple[str, ...]
    data: tuple[str, ...]
    # The blocks reserved for all MAX_AZS slots of a tier: one CIDR covers a tier's subnets,
    # present and future, and nothing of another tier (the data tier's network ACL).
    private_tier: str = ""
    data_tier: str = ""


def plan_subnets(vpc_cidr: str, az_count: int) -> SubnetLayout:
    if not 1 <= az_count <= MAX_AZS:
        raise ValueError(f"az_count: expected 1 to {MAX_AZS}, got {az_count}")
    vpc = ipaddress.IPv4Network(vpc_cidr)
    halves = list(vpc.subnets(prefixlen_diff=1))
    quarters = list(halves[1].subnets(prefixlen_diff=1))
    private = list(halves[0].subnets(prefixlen_diff=2))
    data = list(quarters[0].subnets(prefixlen_diff=3))
    public = list(quarters[1].subnets(prefixlen_diff=3))
    return SubnetLayout(
        public=tuple(str(n) for n in public[:az_count]),
        private=tuple(str(n) for n in private[:az_count]),
        data=tuple(str(n) for n in data[:az_count]),
        private_tier=str(halves[0]),
        data_tier=str(next(quarters[0].subnets(prefixlen_diff=1))),
    )
