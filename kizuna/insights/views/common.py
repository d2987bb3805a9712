"""Pieces every insights page uses: permission check, filters, periods."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

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


def level_rows() -> list[tuple[Any, int]]:
    counts = community_selectors.level_counts()
    return [(Level(level).label, counts[level]) for level in sorted(counts, reverse=True)]


def shift(interval: str, start: date, count: int) -> date:
    for _step in range(abs(count)):
        start = next_start(interval, start) if count > 0 else previous_start(interval, start)
    return start
