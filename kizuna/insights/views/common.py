"""Pieces every insights page uses: permission check, filters, periods, chart data."""

from datetime import date
from pathlib import Path
from typing import Any

import plotly
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.cache import cache_control

from kizuna.community import selectors as community_selectors
from kizuna.community.models import Level
from kizuna.insights.events_kpis import EventFilter
from kizuna.insights.forms import PeriodFilterForm
from kizuna.insights.models import Interval
from kizuna.insights.periods import (
    next_start,
    previous_start,
    tokyo_day,
)
from kizuna.insights.permissions import InsightsAction, can_insights
from kizuna.insights.selection import Selection

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def require(request: HttpRequest, action: InsightsAction) -> None:
    if not can_insights(request.user, action):
        raise PermissionDenied


def tokyo_today() -> date:
    return tokyo_day(timezone.now())


def filters(
    request: HttpRequest, *, intervals: list[str] | None = None
) -> tuple[PeriodFilterForm, Selection, EventFilter]:
    """The dashboard's choices from its URL. Bad input leaves the default range and the
    form shows what was wrong."""
    today = tokyo_today()
    data = {"interval": (intervals or [Interval.MONTH])[0], **request.GET.dict()}
    if data["interval"] in Interval.values:
        # The inputs show the range in effect, so the default is a range like any other.
        default = Selection.default(data["interval"], today)
        data = {"since": str(default.since), "until": str(default.until), **data}
    form = PeriodFilterForm(
        data,
        today=today,
        intervals=intervals,
        auto_id="period_%s",  # the overview's target form has fields of the same names
    )
    cleaned = form.cleaned_data if form.is_valid() else {}
    interval = cleaned.get("interval") or (intervals or [Interval.MONTH])[0]
    selection = cleaned.get("selection") or Selection.default(interval, today)
    where = EventFilter(
        group=cleaned.get("group", ""),
        prefecture=cleaned.get("prefecture", ""),
        kind=cleaned.get("kind", ""),
    )
    return form, selection, where


def chart(
    chart_id: str,
    x: list[Any],
    series: list[tuple[Any, list[Any]]],
    kind: str,
    *,
    unit: Any = "",
    partial: date | None = None,
    axes: list[Any] | None = None,
) -> dict:
    """What charts.js draws. `partial`: the x value of a period still in progress, drawn
    apart and labelled; `axes`: a title per series for a second y axis (dual charts)."""
    return {
        "id": chart_id,
        "kind": kind,
        "x": [str(value) for value in x],
        "series": [{"name": str(name), "y": values} for name, values in series],
        "unit": str(unit),
        "partial": str(partial) if partial in x else "",
        "partial_label": pgettext("period still in progress", "partial"),
        "axes": [str(axis) for axis in axes or []],
    }


def level_rows() -> list[tuple[Any, int]]:
    counts = community_selectors.level_counts()
    return [(Level(level).label, counts[level]) for level in sorted(counts, reverse=True)]


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
