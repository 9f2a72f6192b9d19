"""Operations: CloudWatch alarms, dashboards and log groups, KMS keys, secrets, SSM parameters."""

from __future__ import annotations

from costs.model import Component, NotModelled, Priced, Pricer, PricingContext, integer, supported
from costs.stack import Resource, as_list, first_block

# A metric with a period below 60 s is high resolution (10 or 30 s), and so is its alarm.
STANDARD_RESOLUTION_SECONDS = 60
# An anomaly-detection alarm bills three metrics per metric it watches (the metric and its band).
ANOMALY_DETECTION_METRICS = 3
DAYS_PER_MONTH = 365 / 12
LOG_CLASSES = {"STANDARD": "logs_standard_ingest_gb", "INFREQUENT_ACCESS": "logs_infrequent_access_ingest_gb"}


def alarm_metrics(body: dict) -> tuple[int, bool]:
    """(metrics billed, high resolution) for a metric alarm: a metric-math alarm bills each
    metric it reads (expressions are free)."""
    queries = as_list(body.get("metric_query"))
    if not queries:
        return 1, integer(body.get("period"), STANDARD_RESOLUTION_SECONDS) < STANDARD_RESOLUTION_SECONDS
    metrics = [first_block(query.get("metric")) for query in queries if query.get("metric")]
    high_resolution = any(
        integer(metric.get("period"), STANDARD_RESOLUTION_SECONDS) < STANDARD_RESOLUTION_SECONDS for metric in metrics
    )
    count = max(1, len(metrics))
    if any("ANOMALY_DETECTION_BAND" in str(query.get("expression", "")) for query in queries):
        count *= ANOMALY_DETECTION_METRICS
    return count, high_resolution


def price_metric_alarm(resource: Resource, ctx: PricingContext) -> Priced:
    metrics, high_resolution = alarm_metrics(dict(resource.body))
    resolution = "high_resolution" if high_resolution else "standard"
    what = f"{metrics} metric(s), {resolution.replace('_', ' ')}"
    return Priced([ctx.charge(what, metrics, "alarm metric-month", "cloudwatch", f"{resolution}_alarm_metric_month")])


def price_composite_alarm(resource: Resource, ctx: PricingContext) -> Priced:
    return Priced([ctx.charge("composite alarm", 1, "alarm-month", "cloudwatch", "composite_alarm_month")])


def price_dashboard(resource: Resource, ctx: PricingContext) -> Priced:
    return Priced([ctx.charge("dashboard", 1, "dashboard-month", "cloudwatch", "dashboard_month")])


def price_log_group(resource: Resource, ctx: PricingContext) -> Priced:
    body = resource.body
    log_class = supported(body, "log_group_class", "STANDARD", LOG_CLASSES, "log group class")
    usage = ctx.assumptions
    ingested = usage.by_name("logs", "ingest_gb_per_month", resource.name)
    horizon = usage.number("logs", "storage_horizon_months")
    retention_days = integer(body.get("retention_in_days"), 0)
    # Storage builds up until the retention period is full, then stays; never-expiring logs
    # keep growing, so they are priced at the horizon.
    months = min(retention_days / DAYS_PER_MONTH, horizon) if retention_days else horizon
    stored = ingested * months * usage.number("logs", "stored_fraction_of_ingested")
    kept = f"{retention_days} days" if retention_days else "never expiring"
    return Priced(
        [
            ctx.charge(
                f"{log_class.lower().replace('_', ' ')} ingestion", ingested, "GB", "cloudwatch", LOG_CLASSES[log_class]
            ),
            Component(
                f"stored, compressed ({kept}; after {months:.3g} months)",
                stored,
                "GB-month",
                ctx.rate("cloudwatch", "logs_storage_gb_month"),
            ),
        ]
    )


def price_kms_key(resource: Resource, ctx: PricingContext) -> Priced:
    requests = ctx.assumptions.number("kms", "requests_millions_per_key_per_month")
    return Priced(
        [
            ctx.charge("customer managed key", 1, "key-month", "kms", "key_month"),
            ctx.charge("requests", requests, "M requests", "kms", "million_requests"),
        ]
    )


def price_secret(resource: Resource, ctx: PricingContext) -> Priced:
    copies = 1 + len(as_list(resource.body.get("replica")))
    calls = ctx.assumptions.number("secrets_manager", "api_calls_millions_per_secret_per_month") * copies
    return Priced(
        [
            ctx.charge(
                "secret" + (f" + {copies - 1} replica(s)" if copies > 1 else ""),
                copies,
                "secret-month",
                "secrets_manager",
                "secret_month",
            ),
            ctx.charge("API calls", calls, "M calls", "secrets_manager", "million_api_calls"),
        ]
    )


def price_ssm_parameter(resource: Resource, ctx: PricingContext) -> Priced:
    tier = resource.body.get("tier", "Standard")
    if tier == "Standard":
        return Priced([], ["standard tier: no charge"])
    if tier != "Advanced":
        raise NotModelled(f"tier {tier!r}: the tier is chosen by AWS at write time, not known from the JSON")
    return Priced([ctx.charge("advanced parameter", 1, "parameter-month", "ssm", "advanced_parameter_month")])


PRICERS = {
    "aws_cloudwatch_metric_alarm": Pricer("operations", "CloudWatch", price_metric_alarm),
    "aws_cloudwatch_composite_alarm": Pricer("operations", "CloudWatch", price_composite_alarm),
    "aws_cloudwatch_dashboard": Pricer("operations", "CloudWatch", price_dashboard),
    "aws_cloudwatch_log_group": Pricer("operations", "CloudWatch", price_log_group),
    "aws_kms_key": Pricer("operations", "KMS", price_kms_key),
    "aws_kms_replica_key": Pricer("operations", "KMS", price_kms_key),
    "aws_secretsmanager_secret": Pricer("operations", "Secrets Manager", price_secret),
    "aws_ssm_parameter": Pricer("operations", "Systems Manager", price_ssm_parameter),
}
