"""Reads for the dashboards, the API, the digest and the benchmark."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from kizuna.accounts.models import Organization
from kizuna.community.models import Activity, Level, LevelSnapshot, Member
from kizuna.community.selectors import partner_contribution_activities
from kizuna.insights import scoring
from kizuna.insights.compute import member_kpis
from kizuna.insights.events_kpis import NO_FILTER, EventFilter, event_kpis, events_in
from kizuna.insights.metrics import METRICS, METRICS_BY_KEY
from kizuna.insights.models import (
    KpiTarget,
    KpiValue,
    MemberPeriod,
    Survey,
    SurveyKind,
    SurveyResponse,
)
from kizuna.insights.periods import next_start, period_start, periods_between, tokyo_midnight


def survey_kpis_by_period(interval: str, starts: list[date]) -> dict[date, dict[str, float | None]]:
    """NPS and CES of consecutive periods, from one query over their answers."""
    responses = SurveyResponse.objects.filter(
        survey__period_day__gte=starts[0],
        survey__period_day__lt=next_start(interval, starts[-1]),
    )
    scores: dict[tuple[date, str], list[int]] = defaultdict(list)
    for day, kind, score in responses.values_list("survey__period_day", "survey__kind", "score"):
        scores[(period_start(interval, day), kind)].append(score)
    return {
        start: {
            "nps": scoring.nps(scores[(start, SurveyKind.NPS)]).value,
            "ces": scoring.ces(scores[(start, SurveyKind.CES)]).value,
        }
        for start in starts
    }


def kpi_series(
    metric: str, interval: str, first: date, last: date, where: EventFilter = NO_FILTER
) -> list[tuple[date, float | None]]:
    """The metric's value for each period from the one holding `first` to the one holding `last`."""
    starts = periods_between(interval, first, last)
    definition = METRICS_BY_KEY[metric]
    if where != NO_FILTER and not definition.filterable:
        raise FilterNotApplicable(metric)
    if definition.section == "surveys":
        by_period = survey_kpis_by_period(interval, starts)
        return [(start, by_period[start][metric]) for start in starts]
    if where != NO_FILTER:
        return [(start, filtered_kpis(interval, start, where)[metric]) for start in starts]
    stored = dict(
        KpiValue.objects.filter(
            metric=metric, interval=interval, period_start__in=starts
        ).values_list("period_start", "value")
    )
    return [(start, stored.get(start)) for start in starts]


class FilterNotApplicable(ValueError):
    """A group, prefecture or event-kind filter was asked of a KPI it cannot apply to."""


def filtered_kpis(interval: str, start: date, where: EventFilter) -> dict[str, float | None]:
    """Every event and member KPI of the period under a filter, computed on demand (only
    unfiltered values are stored)."""
    return {**member_kpis(interval, start, where), **event_kpis(interval, start, where)}


@dataclass
class KpiCard:
    key: str
    label: Any
    unit: str
    section: str
    value: float | None
    previous: float | None
    target: float | None
    series: list[tuple[date, float | None]]
    # False when a filter is set that this KPI cannot follow: its figures are unfiltered.
    filtered: bool = True

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 2)

    @property
    def progress(self) -> float | None:
        if self.value is None or not self.target:
            return None
        return round(100 * self.value / self.target)


def overview(
    *, interval: str, periods: int, today: date, where: EventFilter = NO_FILTER
) -> list[KpiCard]:
    """Every KPI over the last `periods` periods, with its target, in two queries (+ surveys).

    With a filter, the event and member KPIs are computed for it, period by period; the
    survey KPIs stay unfiltered and their cards say so."""
    last = period_start(interval, today)
    starts = periods_between(interval, _back(interval, last, periods - 1), last)
    values: dict[str, dict[date, float | None]] = defaultdict(dict)
    if where == NO_FILTER:
        for metric, start, value in KpiValue.objects.filter(
            interval=interval, period_start__in=starts
        ).values_list("metric", "period_start", "value"):
            values[metric][start] = value
    else:
        for start in starts:
            for metric, value in filtered_kpis(interval, start, where).items():
                values[metric][start] = value
    for start, figures in survey_kpis_by_period(interval, starts).items():
        for metric, value in figures.items():
            values[metric][start] = value
    targets = dict(
        KpiTarget.objects.filter(interval=interval, period_start=last).values_list(
            "metric", "value"
        )
    )
    cards = []
    for definition in METRICS:
        series = [(start, values[definition.key].get(start)) for start in starts]
        cards.append(
            KpiCard(
                key=definition.key,
                label=definition.label,
                unit=definition.unit,
                section=definition.section,
                value=series[-1][1],
                previous=series[-2][1] if len(series) > 1 else None,
                target=targets.get(definition.key),
                series=series,
                filtered=where == NO_FILTER or definition.filterable,
            )
        )
    return cards


def _back(interval: str, start: date, count: int) -> date:
    for _ in range(count):
        start = period_start(interval, start - timedelta(days=1))
    return start


def event_rows(interval: str, start: date, where: EventFilter = NO_FILTER) -> list[dict[str, Any]]:
    """Events of the period with attendance and hashtag posts before, during and after."""
    events = events_in(interval, start, where).select_related("group").order_by("starts_at")
    rows = []
    for event in events:
        posts = Activity.objects.filter(event=event, type__key="social_post")
        ends = event.ends_at or event.starts_at + timedelta(hours=2)
        counts = posts.aggregate(
            before=Count("pk", filter=Q(occurred_at__lt=event.starts_at)),
            during=Count("pk", filter=Q(occurred_at__gte=event.starts_at, occurred_at__lt=ends)),
            after=Count("pk", filter=Q(occurred_at__gte=ends)),
        )
        attendance = event.attendances.filter(
            member__is_bot=False, member__is_staff=False, member__merged_into__isnull=True
        ).aggregate(
            attended=Count("pk", filter=Q(status="attended")),
            no_show=Count("pk", filter=Q(status="no_show")),
        )
        rows.append({"event": event, **attendance, **counts})
    return rows


def journey(months: int = 12) -> dict[str, Any]:
    """Members per level per reviewed month, and move-up/hold/move-down between months."""
    snapshot_months = sorted(set(LevelSnapshot.objects.values_list("month", flat=True).distinct()))[
        -months:
    ]
    per_month = {month: dict.fromkeys(Level.values, 0) for month in snapshot_months}
    for month, level, count in (
        LevelSnapshot.objects.filter(month__in=snapshot_months)
        .values_list("month", "level")
        .annotate(n=Count("pk"))
    ):
        per_month[month][level] = count
    moves = [_moves(before, after) for before, after in pairwise(snapshot_months)]
    return {"months": snapshot_months, "per_month": per_month, "moves": moves}


def _moves(before: date, after: date) -> dict[str, Any]:
    old = dict(LevelSnapshot.objects.filter(month=before).values_list("member_id", "level"))
    counts: dict[str, Any] = {"month": after, "up": 0, "hold": 0, "down": 0, "new": 0}
    for member, level in LevelSnapshot.objects.filter(month=after).values_list(
        "member_id", "level"
    ):
        if member not in old:
            counts["new"] += 1
        elif level < old[member]:
            counts["up"] += 1
        elif level > old[member]:
            counts["down"] += 1
        else:
            counts["hold"] += 1
    return counts


def rising_members(month: date, limit: int = 20) -> QuerySet[Member]:
    """Members who moved up at the month's review and made an output that month."""
    before = LevelSnapshot.objects.filter(month=period_start("month", month - timedelta(days=1)))
    moved_up = [
        member
        for member, level in LevelSnapshot.objects.filter(month=month).values_list(
            "member_id", "level"
        )
        if (old := before.filter(member_id=member).values_list("level", flat=True).first())
        and level < old
    ]
    with_output = MemberPeriod.objects.filter(
        interval="month", period_start=month, outputs__gt=0, member_id__in=moved_up
    ).values("member_id")
    return _listable(Member.objects.filter(pk__in=with_output))[:limit]


def leader_candidates(*, today: date, limit: int = 20) -> QuerySet[Member]:
    """Contributing members with the most weight over the last year: the next leaders."""
    since = period_start("month", today - timedelta(days=365))
    return (
        _listable(Member.objects.filter(engagement__level=Level.CONTRIBUTING))
        .annotate(
            year_weight=Sum(
                "insights_periods__weight",
                filter=Q(
                    insights_periods__interval="month", insights_periods__period_start__gte=since
                ),
            )
        )
        .order_by("-year_weight")[:limit]
    )


def _listable(members: QuerySet[Member]) -> QuerySet[Member]:
    """Erased people count in figures but are never listed by name."""
    return members.filter(erased_at__isnull=True, merged_into__isnull=True)


def survey_results(survey: Survey) -> dict[str, Any]:
    scores = list(survey.responses.values_list("score", flat=True))
    invited = survey.invitations.count()
    score = scoring.nps(scores) if survey.kind == SurveyKind.NPS else scoring.ces(scores)
    return {
        "score": score,
        "invited": invited,
        "answered": len(scores),
        "response_rate": round(100 * len(scores) / invited, 1) if invited else None,
        "distribution": [
            (value, scores.count(value))
            for value in (range(0, 11) if survey.kind == SurveyKind.NPS else range(1, 8))
        ],
    }


def survey_trend(*, today: date, months: int) -> list[tuple[date, float | None, float | None]]:
    """NPS and CES per month over the last months: (month, nps, ces)."""
    last = period_start("month", today)
    starts = periods_between("month", _back("month", last, months - 1), last)
    scores = survey_kpis_by_period("month", starts)
    return [(start, scores[start]["nps"], scores[start]["ces"]) for start in starts]


def partner_contributions(organization: Organization, *, months: int, today: date) -> list[dict]:
    """The organization's own contribution figures per month: nothing about anyone else."""
    last = period_start("month", today)
    rows = []
    for start in periods_between("month", _back("month", last, months - 1), last):
        activities = partner_contribution_activities(
            organization, tokyo_midnight(start), tokyo_midnight(next_start("month", start))
        )
        figures = activities.aggregate(
            activities=Count("pk"),
            outputs=Count("pk", filter=Q(is_output=True)),
            members=Count("member_id", distinct=True),
        )
        rows.append({"month": start, **figures})
    return rows
