"""Reads for the dashboards, the API, the digest and the benchmark."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kizuna.accounts.models import Organization
from kizuna.community.models import Activity, Event, Level, LevelSnapshot, Member
from kizuna.community.selectors import partner_contribution_activities
from kizuna.core.prefectures import prefecture_name
from kizuna.insights import hashtags, scoring
from kizuna.insights.compute import member_kpis
from kizuna.insights.events_kpis import NO_FILTER, EventFilter, event_kpis
from kizuna.insights.metrics import METRICS, METRICS_BY_KEY
from kizuna.insights.models import (
    HashtagPost,
    KpiTarget,
    KpiValue,
    MemberPeriod,
    Survey,
    SurveyKind,
    SurveyResponse,
)
from kizuna.insights.periods import (
    next_start,
    period_start,
    periods_between,
    previous_start,
    tokyo_midnight,
)
from kizuna.insights.selection import Selection


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
    better: str
    value: float | None  # of the period shown (the last complete one of the range)
    previous: float | None  # of the period before it
    target: float | None  # set for the period shown
    series: list[tuple[date, float | None]]
    # False when a filter is set that this KPI cannot follow: its figures are unfiltered.
    filtered: bool = True
    # The partial (current) period's figure so far, when the range reaches it.
    partial_value: float | None = None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 2)

    @property
    def change_is(self) -> str:
        """ "better", "worse" or "" (no change, or a KPI neither way is better for)."""
        change = self.change
        if not change or not METRICS_BY_KEY[self.key].better:
            return ""
        improved = (change > 0) == (METRICS_BY_KEY[self.key].better == "higher")
        return "better" if improved else "worse"

    @property
    def progress(self) -> float | None:
        if self.value is None or not self.target:
            return None
        return round(100 * self.value / self.target)


def overview(
    *, interval: str, periods: int, today: date, where: EventFilter = NO_FILTER
) -> list[KpiCard]:
    """Every KPI over the last `periods` periods up to today's, the last one shown."""
    last = period_start(interval, today)
    starts = periods_between(interval, _back(interval, last, periods - 1), last)
    return overview_between(interval=interval, starts=starts, shown=last, where=where)


def overview_between(
    *,
    interval: str,
    starts: list[date],
    shown: date,
    partial: date | None = None,
    where: EventFilter = NO_FILTER,
) -> list[KpiCard]:
    """Every KPI over the periods `starts`, with the period `shown` (and the one before it,
    for the change) and its target, in two queries (+ surveys).

    With a filter, the event and member KPIs are computed for it, period by period; the
    survey KPIs stay unfiltered and their cards say so."""
    before = previous_start(interval, shown)
    wanted = sorted({*starts, before})
    values: dict[str, dict[date, float | None]] = defaultdict(dict)
    if where == NO_FILTER:
        for metric, start, value in KpiValue.objects.filter(
            interval=interval, period_start__in=wanted
        ).values_list("metric", "period_start", "value"):
            values[metric][start] = value
    else:
        for start in wanted:
            for metric, value in filtered_kpis(interval, start, where).items():
                values[metric][start] = value
    for start, figures in survey_kpis_by_period(interval, wanted).items():
        for metric, value in figures.items():
            values[metric][start] = value
    targets = dict(
        KpiTarget.objects.filter(interval=interval, period_start=shown).values_list(
            "metric", "value"
        )
    )
    cards = []
    for definition in METRICS:
        by_period = values[definition.key]
        cards.append(
            KpiCard(
                key=definition.key,
                label=definition.label,
                unit=definition.unit,
                section=definition.section,
                better=definition.better,
                value=by_period.get(shown),
                previous=by_period.get(before),
                target=targets.get(definition.key),
                series=[(start, by_period.get(start)) for start in starts],
                filtered=where == NO_FILTER or definition.filterable,
                partial_value=by_period.get(partial) if partial else None,
            )
        )
    return cards


def _back(interval: str, start: date, count: int) -> date:
    for _step in range(count):
        start = period_start(interval, start - timedelta(days=1))
    return start


def event_rows_between(
    selection: Selection, where: EventFilter = NO_FILTER
) -> list[dict[str, Any]]:
    """Events of the selected range with attendance and hashtag posts before, during, after."""
    events = (
        where.apply(
            Event.objects.filter(
                starts_at__gte=tokyo_midnight(selection.first_day),
                starts_at__lt=tokyo_midnight(selection.end),
            )
        )
        .select_related("group")
        .order_by("starts_at")
    )
    return [_event_row(event) for event in events]


def _event_row(event: Event) -> dict[str, Any]:
    ends = event.ends_at or event.starts_at + timedelta(hours=2)
    counts = hashtag_posts_of(event).aggregate(
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
    return {"event": event, **attendance, **counts}


# A recurring meetup keeps its hashtag: a post carrying it counts for its events this close.
HASHTAG_WINDOW = timedelta(days=7)


def hashtag_posts_of(event: Event) -> QuerySet[Activity]:
    """The event's posts: social posts recorded for it, and activities carrying its hashtag
    from HASHTAG_WINDOW before it starts to HASHTAG_WINDOW after it ends; by members who
    count, as its attendance."""
    posts = Q(event=event, type_id="social_post")
    tag = hashtags.normalize_tag(event.hashtag)
    if tag:
        ends = event.ends_at or event.starts_at + timedelta(hours=2)
        posts |= Q(
            pk__in=HashtagPost.objects.filter(hashtag=tag).values("activity_id"),
            occurred_at__gte=event.starts_at - HASHTAG_WINDOW,
            occurred_at__lt=ends + HASHTAG_WINDOW,
        )
    return Activity.objects.filter(
        posts, member__is_bot=False, member__is_staff=False, member__merged_into__isnull=True
    )


@dataclass
class Place:
    code: str  # JIS code; "" for events without one (online)
    name: str
    events: int
    attendance: int
    per_month: float


@dataclass
class Places:
    rows: list[Place]
    months: float  # the length of the range up to today, in months


# An average month: 365.25 / 12 days.
DAYS_PER_MONTH = 30.4375


def events_by_place(selection: Selection, where: EventFilter = NO_FILTER) -> Places:
    """Prefectures by the events held there in the range, most first, with their frequency:
    events ÷ the range's length in months (up to today, since later days hold no events yet)."""
    language = get_language() or "ja"
    events = where.apply(
        Event.objects.filter(
            starts_at__gte=tokyo_midnight(selection.first_day),
            starts_at__lt=tokyo_midnight(selection.end),
        )
    )
    attended = Count(
        "attendances",
        filter=Q(
            attendances__status="attended",
            attendances__member__is_bot=False,
            attendances__member__is_staff=False,
            attendances__member__merged_into__isnull=True,
        ),
    )
    held = dict(
        events.order_by()
        .values("prefecture")
        .annotate(n=Count("pk"))
        .values_list("prefecture", "n")
    )
    attendance = dict(
        events.order_by().values("prefecture").annotate(n=attended).values_list("prefecture", "n")
    )
    last_day = min(selection.end, selection.today + timedelta(days=1))
    months = max((last_day - selection.first_day).days, 1) / DAYS_PER_MONTH
    rows = [
        Place(
            code=code,
            name=prefecture_name(code, language) if code else str(_("Online / no place")),
            events=count,
            attendance=attendance.get(code, 0),
            per_month=round(count / months, 2),
        )
        for code, count in held.items()
    ]
    rows.sort(key=lambda place: (-place.events, place.code == "", place.code))
    return Places(rows=rows, months=round(months, 1))


def journey(*, first: date, end: date) -> dict[str, Any]:
    """Members per level per reviewed month in [first, end), and move-up/hold/move-down
    between months."""
    snapshot_months = sorted(
        set(
            LevelSnapshot.objects.filter(month__gte=first, month__lt=end)
            .values_list("month", flat=True)
            .distinct()
        )
    )
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


def partner_contributions(organization: Organization, *, starts: list[date]) -> list[dict]:
    """The organization's own contribution figures for each month starting on one of
    `starts`: nothing about anyone else."""
    rows = []
    for start in starts:
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
