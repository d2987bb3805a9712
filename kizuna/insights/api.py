"""Insights API: KPI series for BI tools and reports."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kizuna.accounts.auth import require_scope
from kizuna.core.api_errors import ApiError
from kizuna.core.api_schema import ApiDate, Text
from kizuna.insights.events_kpis import EventFilter
from kizuna.insights.metrics import METRICS_BY_KEY
from kizuna.insights.models import Interval
from kizuna.insights.permissions import InsightsAction, can_insights
from kizuna.insights.selectors import FilterNotApplicable, kpi_series

router = Router(tags=["insights"])
MAX_DAYS = 3660


class PointOut(Schema):
    period_start: date
    value: float | None


class SeriesOut(Schema):
    metric: str
    interval: str
    unit: str
    definition: str
    filters: str
    points: list[PointOut]


class KpiQuery(Schema):
    metric: Text = Field(max_length=100)
    from_: ApiDate = Field(..., alias="from")
    to: ApiDate
    interval: Text = Field("month", max_length=20)
    group: Text = Field("", max_length=100)
    prefecture: Text = Field("", max_length=2)
    kind: Text = Field("", max_length=20)


@router.get(
    "/kpis",
    response=SeriesOut,
    summary="A KPI's series",
    description="Values of one KPI per week, month or quarter (Asia/Tokyo) between two dates. "
    "`group`, `prefecture` and `kind` filter the event KPIs (matching events) and the member "
    "KPIs (members who attended a matching event; see the glossary); the survey KPIs cannot "
    "be filtered. Staff only (scope insights:read). Error codes: unknown_metric, "
    "invalid_interval, invalid_range, filter_not_applicable, forbidden.",
)
def kpis(request: HttpRequest, query: Query[KpiQuery]) -> Any:
    user = require_scope(request, "insights:read")
    if not can_insights(user, InsightsAction.VIEW_DASHBOARDS):
        raise ApiError(403, "forbidden", "Only community staff can read KPIs.")
    if query.metric not in METRICS_BY_KEY:
        raise ApiError(400, "unknown_metric", f"Unknown metric {query.metric!r}; see the glossary.")
    if query.interval not in Interval.values:
        raise ApiError(400, "invalid_interval", "interval is one of week, month, quarter.")
    if query.to < query.from_ or (query.to - query.from_).days > MAX_DAYS:
        raise ApiError(400, "invalid_range", f"`to` must be after `from`, at most {MAX_DAYS} days.")
    where = EventFilter(group=query.group, prefecture=query.prefecture, kind=query.kind)
    metric = METRICS_BY_KEY[query.metric]
    try:
        series = kpi_series(query.metric, query.interval, query.from_, query.to, where)
    except FilterNotApplicable:
        raise ApiError(
            400,
            "filter_not_applicable",
            f"{query.metric} cannot be filtered by group, prefecture or event kind.",
        ) from None
    return {
        "metric": query.metric,
        "interval": query.interval,
        "unit": metric.unit,
        "definition": str(metric.definition),
        "filters": str(metric.filter_meaning),
        "points": [{"period_start": start, "value": value} for start, value in series],
    }
