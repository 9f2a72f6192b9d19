"""An estimate as Markdown (cost.md, for people) and JSON (cost.json, for tools)."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from costs.model import Component, Estimate, Line
from costs.pricers import TIERS

# Cents, as a bill shows them; the sums are made before rounding.
DECIMALS = 2


def money(usd: float) -> str:
    return f"${usd:,.2f}"


def signed_money(usd: float) -> str:
    sign = "+" if usd >= 0.005 else ("-" if usd <= -0.005 else "")
    return f"{sign}${abs(usd):,.2f}"


def quantity(value: float) -> str:
    """A quantity without noise: 730, 1,095, 0.25, 912.5."""
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.2f}".rstrip("0").rstrip(".")


def describe_component(component: Component) -> str:
    # The unit price says its unit ("$0.6/M requests"): a bare "$0.6" reads as per request.
    unit = component.unit
    return f"{component.what}: {quantity(component.quantity)} {unit} x ${component.unit_usd:g}/{unit}"


def shown_path(path: str | Path) -> str:
    """A path relative to the working directory when it is below it (reports are read in a checkout)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def regions_summary(estimate: Estimate) -> str:
    counts = Counter(line.region for line in estimate.lines)
    return ", ".join(f"{region} ({count} priced resources)" for region, count in counts.most_common())


def service_totals(lines: list[Line]) -> list[tuple[str, str, int, float]]:
    """(tier, service, resources, USD) in tier order, then by cost."""
    totals: dict[tuple[str, str], list[float]] = defaultdict(list)
    for line in lines:
        totals[(line.tier, line.service)].append(line.monthly_usd)
    rows = [(tier, service, len(costs), sum(costs)) for (tier, service), costs in totals.items()]
    return sorted(rows, key=lambda row: (TIERS.index(row[0]), -row[3], row[1]))


def render_markdown(estimate: Estimate) -> str:
    table = estimate.table
    out = [
        f"# Monthly cost estimate: {estimate.stack}",
        "",
        f"**{money(estimate.total_usd)} a month** (USD list prices, on-demand; price table `{table.version}`, "
        f"{table.hours_per_month:g} hours a month; environment `{estimate.environment}`; "
        f"regions: {regions_summary(estimate)}).",
        "",
        f"Priced from `{shown_path(estimate.stack_file)}`: what this stack would deploy. Usage-dependent prices "
        f"use the assumptions listed below (`{shown_path(estimate.assumptions_file)}`).",
        "",
        "## By service",
        "",
        "| tier | service | resources | USD a month |",
        "|---|---|--:|--:|",
    ]
    out += [
        f"| {tier} | {service} | {count} | {usd:,.2f} |" for tier, service, count, usd in service_totals(estimate.lines)
    ]
    out += [f"| | **total** | {len(estimate.lines)} | **{estimate.total_usd:,.2f}** |", ""]
    for tier in TIERS:
        lines = sorted((line for line in estimate.lines if line.tier == tier), key=_report_order)
        if not lines:
            continue
        out += [
            f"## {tier.capitalize()}",
            "",
            "| resource | service | what is priced | USD a month |",
            "|---|---|---|--:|",
        ]
        for line in lines:
            what = "; ".join([describe_component(c) for c in line.components] + list(line.notes)) or "no charge"
            out.append(f"| `{line.address}` | {line.service} | {md_cell(what)} | {line.monthly_usd:,.2f} |")
        out += [f"| **{tier} total** | | | **{sum(line.monthly_usd for line in lines):,.2f}** |", ""]
    out += _unpriced_section(estimate)
    out += _free_section(estimate)
    out += _assumptions_section(estimate)
    out += _prices_section(estimate)
    return "\n".join(out) + "\n"


def _report_order(line: Line) -> tuple[str, float, str]:
    return line.service, -line.monthly_usd, line.address


def _unpriced_section(estimate: Estimate) -> list[str]:
    out = [f"## Not priced ({len(estimate.not_priced)})", ""]
    if not estimate.not_priced:
        return out + ["Every resource in this stack is priced or known to be free.", ""]
    out += ["These cost something, or may: the total leaves them out.", "", "| resource | why |", "|---|---|"]
    out += [f"| `{item.address}` | {md_cell(item.reason)} |" for item in estimate.not_priced]
    return out + [""]


def _free_section(estimate: Estimate) -> list[str]:
    counts = Counter(item.resource_type for item in estimate.free)
    reasons = {item.resource_type: item.reason for item in estimate.free}
    out = [f"## Free ({len(estimate.free)} resources)", "", "| type | resources | why |", "|---|--:|---|"]
    out += [f"| `{kind}` | {count} | {md_cell(reasons[kind])} |" for kind, count in sorted(counts.items())]
    return out + [""]


def _assumptions_section(estimate: Estimate) -> list[str]:
    out = [
        "## Usage assumptions used",
        "",
        f"From `{shown_path(estimate.assumptions_file)}` (`[default]`, then "
        f'`[environment.{estimate.environment}]`, then `[stack."{estimate.stack}"]`); edit that file to change them.',
        "",
        "| assumption | value | from |",
        "|---|--:|---|",
    ]
    out += [f"| `{item.key}` | {item.value:g} | {item.origin} |" for item in estimate.assumptions]
    return out + [""]


def _prices_section(estimate: Estimate) -> list[str]:
    table = estimate.table
    out = [
        "## Prices",
        "",
        f"Table `{table.version}` (`{shown_path(table.path)}`). Sections used, with their source and date; "
        "numbers listed under estimates are derived, not published.",
        "",
        "| section | source | date | estimates |",
        "|---|---|---|---|",
    ]
    for name in sorted(sections_used(estimate)):
        meta = table.sections[name]
        estimates = "; ".join(meta["estimates"]) or "none"
        out.append(f"| {name} | {md_cell(meta['source'])} | {meta['date']} | {md_cell(estimates)} |")
    return out + [""]


# Which price-table section each service's lines read (for the report's list of sources).
SECTIONS_BY_SERVICE = {
    "Load balancing": ("load_balancer", "public_ipv4", "data_transfer"),
    "CloudFront": ("cloudfront",),
    "WAF": ("waf",),
    "API Gateway": ("api_gateway",),
    "Route 53": ("route53",),
    "NAT gateway": ("nat_gateway",),
    "Public IPv4": ("public_ipv4",),
    "VPC endpoints": ("vpc_endpoint",),
    "ECS on Fargate": ("fargate", "public_ipv4"),
    "EC2": ("ec2", "ebs", "public_ipv4", "cloudwatch"),
    "EBS": ("ebs",),
    "ECR": ("ecr",),
    "RDS": ("rds", "cloudwatch", "secrets_manager"),
    "ElastiCache": ("elasticache",),
    "DocumentDB": ("documentdb", "secrets_manager"),
    "DynamoDB": ("dynamodb",),
    "MSK": ("msk", "cloudwatch"),
    "S3": ("s3", "data_transfer"),
    "SQS": ("sqs",),
    "AWS Backup": ("backup",),
    "CloudWatch": ("cloudwatch",),
    "KMS": ("kms",),
    "Secrets Manager": ("secrets_manager",),
    "Systems Manager": ("ssm",),
}


def sections_used(estimate: Estimate) -> set[str]:
    return {section for line in estimate.lines for section in SECTIONS_BY_SERVICE.get(line.service, ())}


def estimate_json(estimate: Estimate) -> dict[str, Any]:
    table = estimate.table
    return {
        "stack": estimate.stack,
        "stack_file": shown_path(estimate.stack_file),
        "environment": estimate.environment,
        "currency": table.currency,
        "hours_per_month": table.hours_per_month,
        "price_table": {"version": table.version, "file": shown_path(table.path)},
        "total_usd": round(estimate.total_usd, DECIMALS),
        "by_service": [
            {"tier": tier, "service": service, "resources": count, "monthly_usd": round(usd, DECIMALS)}
            for tier, service, count, usd in service_totals(estimate.lines)
        ],
        "lines": [_line_json(line) for line in estimate.lines],
        "not_priced": [
            {"address": i.address, "type": i.resource_type, "reason": i.reason} for i in estimate.not_priced
        ],
        "free": [{"address": i.address, "type": i.resource_type, "reason": i.reason} for i in estimate.free],
        "assumptions": {
            "file": shown_path(estimate.assumptions_file),
            "used": [{"key": a.key, "value": a.value, "from": a.origin} for a in estimate.assumptions],
        },
    }


def _line_json(line: Line) -> dict[str, Any]:
    data: dict[str, Any] = {
        "address": line.address,
        "type": line.resource_type,
        "tier": line.tier,
        "service": line.service,
        "region": line.region,
        "monthly_usd": round(line.monthly_usd, DECIMALS),
        "components": [
            {"what": c.what, "quantity": c.quantity, "unit": c.unit, "unit_usd": c.unit_usd, "usd": round(c.usd, 4)}
            for c in line.components
        ],
        "notes": list(line.notes),
    }
    if line.scaling is not None:
        data["scaling"] = {
            "min_tasks": line.scaling.min_tasks,
            "max_tasks": line.scaling.max_tasks,
            "monthly_usd_at_max": round(line.scaling.monthly_usd_at_max, DECIMALS),
        }
    return data
