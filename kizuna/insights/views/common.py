"""Pieces every insights page uses: permission check, filters, periods, chart data."""

from datetime import date
from pathlib import Path
from typing import Any

import plotly
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.views.decorators.cache import cache_control

from kizuna.community import selectors as community_selectors
from kizuna.community.models import Level
from kizuna.insights.events_kpis import EventFilter
from kizuna.insights.forms import PeriodFilterForm
from kizuna.insights.models import Interval
from kizuna.insights.periods import (
    next_start,
    period_start,
    previous_start,
    tokyo_day,
)
from kizuna.insights.permissions import InsightsAction, can_insights

PERIODS_SHOWN = {"week": 12, "month": 12, "quarter": 8}
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def require(request: HttpRequest, action: InsightsAction) -> None:
    if not can_insights(request.user, action):
        raise PermissionDenied


def tokyo_today() -> date:
    return tokyo_day(timezone.now())


def filters(request: HttpRequest) -> tuple[PeriodFilterForm, str, EventFilter]:
    form = PeriodFilterForm({"interval": Interval.MONTH, **request.GET.dict()})
    data = form.cleaned_data if form.is_valid() else {}
    interval = data.get("interval") or Interval.MONTH
    where = EventFilter(
        group=data.get("group", ""),
        prefecture=data.get("prefecture", ""),
        kind=data.get("kind", ""),
    )
    return form, interval, where


def chart(chart_id: str, x: list[Any], series: list[tuple[Any, list[Any]]], kind: str) -> dict:
    return {
        "id": chart_id,
        "kind": kind,
        "x": [str(value) for value in x],
        "series": [{"name": str(name), "y": values} for name, values in series],
    }


def level_rows() -> list[tuple[Any, int]]:
    counts = community_selectors.level_counts()
    return [(Level(level).label, counts[level]) for level in sorted(counts, reverse=True)]


def period_param(request: HttpRequest, interval: str) -> date:
    try:
        day = date.fromisoformat(request.GET.get("period", ""))
    except ValueError:
        day = tokyo_today()
    return period_start(interval, day)


def shift(interval: str, start: date, count: int) -> date:
    for _step in range(abs(count)):
        start = next_start(interval, start) if count > 0 else previous_start(interval, start)
    return start


@cache_control(max_age=86400, public=True)
def plotly_js(request: HttpRequest) -> FileResponse:
    """The plotly.js shipped in the plotly package, served by us: no CDN, no copy in the repo."""
    if not PLOTLY_JS.exists():
        raise Http404
    return FileResponse(PLOTLY_JS.open("rb"), content_type="text/javascript")
