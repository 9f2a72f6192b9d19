"""The CloudWatch dashboard body, built from the same `Watch`es as the alarms.

A pure function of plain data (nothing here imports cdktf): each alarm family's panels
become graph widgets of exactly the metrics and metric math the alarms compare, with the
alarm threshold drawn on them; an alarm-status widget lists every alarm on top. Values
another resource fills in (a load balancer's ARN suffix, an alarm's ARN) are cdktf tokens
inside the JSON text, which Terraform interpolates.

Layout (CloudWatch's grid is 24 units wide): the alarm status across the top, then one
row of headings and graphs per component, three graphs of 8 x 6 per row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from modules.observability.specs import AlarmSpec, Panel, Watch

GRID_WIDTH = 24
GRAPH_WIDTH = 8
GRAPH_HEIGHT = 6
HEADING_HEIGHT = 1
ALARM_STATUS_HEIGHT = 6
# CloudWatch's limit for one alarm-status widget.
MAX_ALARMS_PER_WIDGET = 100


def _renamed(expression: str, renames: dict[str, str]) -> str:
    """`expression` with each query id replaced (whole identifiers only)."""
    for old in sorted(renames, key=len, reverse=True):
        expression = re.sub(rf"\b{re.escape(old)}\b", renames[old], expression)
    return expression


def _series(alarm: AlarmSpec, prefix: str) -> list[list[Any]]:
    """The alarm's queries as dashboard metric entries, ids prefixed so that several alarms
    share one graph; only the compared value is drawn, labelled with the alarm's label."""
    renames = {query_id: f"{prefix}_{query_id}" for query_id in [*alarm.metrics, *(e for e, _ in alarm.expressions)]}
    entries: list[list[Any]] = []
    for query_id, metric in alarm.metrics.items():
        shown = query_id == alarm.returned_id
        options: dict[str, Any] = {"id": renames[query_id], "stat": metric.stat, "visible": shown}
        if shown:
            options["label"] = alarm.label
        dimensions = [part for name, value in metric.dimensions.items() for part in (name, value)]
        entries.append([metric.namespace, metric.name, *dimensions, options])
    for expression_id, expression in alarm.expressions:
        shown = expression_id == alarm.returned_id
        options = {"expression": _renamed(expression, renames), "id": renames[expression_id], "visible": shown}
        if shown:
            options["label"] = alarm.label
        entries.append([options])
    return entries


def graph_properties(panel: Panel, region: str) -> dict[str, Any]:
    """A metric widget's properties for one panel."""
    metrics = [entry for index, alarm in enumerate(panel.alarms) for entry in _series(alarm, f"a{index}")]
    properties: dict[str, Any] = {
        "title": panel.title,
        "view": "timeSeries",
        "region": region,
        "period": panel.alarms[0].evaluation.period_seconds,
        "metrics": metrics,
    }
    thresholds = {alarm.threshold for alarm in panel.alarms}
    if len(thresholds) == 1:
        properties["annotations"] = {"horizontal": [{"label": "alarm threshold", "value": thresholds.pop()}]}
    return properties


def dashboard_body(*, region: str, watches: Sequence[Watch], alarm_arns: Sequence[str]) -> dict[str, Any]:
    """The dashboard's `widgets` document for `watches`, with every alarm's status on top."""
    if not watches:
        raise ValueError("dashboard: expected at least one watched component, got none")
    widgets: list[dict[str, Any]] = []
    y = 0
    for start in range(0, len(alarm_arns), MAX_ALARMS_PER_WIDGET):
        widgets.append(
            {
                "type": "alarm",
                "x": 0,
                "y": y,
                "width": GRID_WIDTH,
                "height": ALARM_STATUS_HEIGHT,
                "properties": {
                    "title": "Alarms",
                    "alarms": list(alarm_arns[start : start + MAX_ALARMS_PER_WIDGET]),
                    "sortBy": "stateUpdatedTimestamp",
                },
            }
        )
        y += ALARM_STATUS_HEIGHT
    per_row = GRID_WIDTH // GRAPH_WIDTH
    for watch in watches:
        widgets.append(
            {
                "type": "text",
                "x": 0,
                "y": y,
                "width": GRID_WIDTH,
                "height": HEADING_HEIGHT,
                "properties": {"markdown": f"## {watch.title}"},
            }
        )
        y += HEADING_HEIGHT
        for index, panel in enumerate(watch.panels):
            row, column = divmod(index, per_row)
            widgets.append(
                {
                    "type": "metric",
                    "x": column * GRAPH_WIDTH,
                    "y": y + row * GRAPH_HEIGHT,
                    "width": GRAPH_WIDTH,
                    "height": GRAPH_HEIGHT,
                    "properties": graph_properties(panel, region),
                }
            )
        rows = -(-len(watch.panels) // per_row)
        y += rows * GRAPH_HEIGHT
    return {"widgets": widgets}
