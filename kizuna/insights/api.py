"""Insights API: KPI series for BI tools and reports."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kizuna.accounts.auth import require_scope
from kizuna.core.api_errors import ApiError
from kizuna.insights.events_kpis import EventFilter
from kizuna.insights.metrics import METRICS_BY_KEY
from kizuna.insights.models import Interval
from kizuna.insights.permissions import InsightsAction, can_insights
from kizuna.insights.selectors import kpi_series

router = Router(tags=["insights"])
MAX_PERIODS = 400


class PointOut(Schema):
    period_start: date
    value: float | None


class SeriesOut(Schema):
    metric: str
    interval: str
    unit: str
    definition: str
    points: list[PointOut]


@router.get(
    "/kpis",
    response=SeriesOut,
    summary="A KPI's series",
    description="Values of one KPI per week, month or quarter (Asia/Tokyo) between two dates. "
    "`group`, `prefecture` and `kind` filter the event KPIs. Staff only (scope insights:read). "
    "Error codes: unknown_metric, invalid_interval, invalid_range, forbidden.",
)
def kpis(
    request: HttpRequest,
    metric: str,
    from_: date = Field(..., alias="from"),  # type: ignore[assignment]
    to: date = Field(...),  # type: ignore[assignment]
    interval: str = "month",
    group: str = "",
    prefecture: str = "",
    kind: str = "",
) -> Any:
    user = require_scope(request, "insights:read")
    if not can_insights(user, InsightsAction.VIEW_DASHBOARDS):
        raise ApiError(403, "forbidden", "Only community staff can read KPIs.")
    if metric not in METRICS_BY_KEY:
        raise ApiError(400, "unknown_metric", f"Unknown metric {metric!r}; see the glossary.")
    if interval not in Interval.values:
        raise ApiError(400, "invalid_interval", "interval is one of week, month, quarter.")
    if to < from_ or (to - from_).days > MAX_PERIODS * 7 and interval == "week":
        raise ApiError(400, "invalid_range", "`to` must not be before `from` (and not too far).")
    where = EventFilter(group=group, prefecture=prefecture, kind=kind)
    series = kpi_series(metric, interval, from_, to, where)
    return {
        "metric": metric,
        "interval": interval,
        "unit": METRICS_BY_KEY[metric].unit,
        "definition": str(METRICS_BY_KEY[metric].definition),
        "points": [{"period_start": start, "value": value} for start, value in series],
    }
