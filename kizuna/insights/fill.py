"""Filling the rollups: incrementally after ingestion, or rebuilt for a range of days.

    fill()            fold activities past the watermark, rebuild changed members,
                      recompute the KPIs of every period holding a dirty day
    rebuild(first, last)   the same from scratch for the periods overlapping those days

New activities are found by id (> the watermark), whatever day they happened on, so
late-arriving activities land in the right (old) day and mark it dirty.

Dirty days come in three kinds. A DirtyDay recomputes every member KPI (from the rollups)
of its periods; a DirtyFiguresDay either the event KPIs (from the event tables) or only the
first-response figures of its periods. New activities mark their own days for the member
KPIs, their events' days only when they record attendance, and, when they answer an older
question earlier than anyone had, that question's day for its first-response figures. So a
day of chat messages recomputes no event figure, and a late answer to last year's question
only that question's first-response figures.
"""

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from kizuna.community.models import Activity, Attendance
from kizuna.insights import hashtags, sql
from kizuna.insights.compute import member_kpis_for, response_kpis_for
from kizuna.insights.events_kpis import event_kpis_for
from kizuna.insights.models import (
    DirtyDay,
    DirtyFiguresDay,
    DirtyMember,
    FillState,
    HashtagPost,
    KpiValue,
    MemberFirst,
    MemberPeriod,
    QuestionResponse,
)
from kizuna.insights.periods import (
    INTERVALS,
    next_start,
    period_start,
    periods_between,
    tokyo_day,
    tokyo_midnight,
)

STATE = "activities"
CHUNK = 500_000  # activity ids per statement of an incremental fill: bounds its transactions
Progress = Callable[[Iterable], Iterable]


def _no_progress(items: Iterable) -> Iterable:
    return items


def fill(*, today: date | None = None) -> dict[str, int]:
    """Bring the rollups and KPI values up to date; return what was done."""
    today = today or tokyo_day(timezone.now())
    with transaction.atomic():
        up_to = sql.settled_max_activity_id()
    state, _ = FillState.objects.get_or_create(name=STATE)
    folded = _fold_range(state.last_activity_id, up_to)
    with transaction.atomic():
        members = rebuild_dirty_members(up_to=up_to)
        FillState.objects.filter(pk=state.pk).update(
            last_activity_id=up_to, filled_at=timezone.now()
        )
    periods = recompute_dirty_periods(today=today)
    return {"activities": folded, "members": members, "periods": periods}


def _fold_range(after: int, up_to: int, progress: Progress = _no_progress) -> int:
    starts = range(after, up_to, CHUNK)
    for chunk_after in progress(starts):
        chunk_up_to = min(chunk_after + CHUNK, up_to)
        with transaction.atomic():
            hashtags.record_posts(after_id=chunk_after, up_to_id=chunk_up_to)
            sql.mark_days_of_new_activities(after_id=chunk_after, up_to_id=chunk_up_to)
            for interval in INTERVALS:
                sql.fold_member_periods(interval, after_id=chunk_after, up_to_id=chunk_up_to)
            sql.fold_member_firsts(after_id=chunk_after, up_to_id=chunk_up_to)
            sql.mark_event_days_of_new_activities(after_id=chunk_after, up_to_id=chunk_up_to)
            sql.fold_questions(after_id=chunk_after, up_to_id=chunk_up_to)
            sql.fold_replies(after_id=chunk_after, up_to_id=chunk_up_to)
    return max(up_to - after, 0)


def rebuild_dirty_members(*, up_to: int) -> int:
    """Rebuild every row of the members marked dirty (merged, erased, bot/staff changed)."""
    member_ids = list(DirtyMember.objects.values_list("member_id", flat=True)[:1000])
    if not member_ids:
        return 0
    _mark_member_days_dirty(member_ids)
    MemberPeriod.objects.filter(member_id__in=member_ids).delete()
    MemberFirst.objects.filter(member_id__in=member_ids).delete()
    QuestionResponse.objects.filter(member_id__in=member_ids).delete()
    for interval in INTERVALS:
        sql.fold_member_periods(interval, after_id=0, up_to_id=up_to, member_ids=member_ids)
    sql.fold_member_firsts(after_id=0, up_to_id=up_to, member_ids=member_ids)
    sql.fold_questions(after_id=0, up_to_id=up_to, member_ids=member_ids)
    sql.refresh_first_responses_replied_by(member_ids)
    _mark_member_days_dirty(member_ids)
    DirtyMember.objects.filter(member_id__in=member_ids).delete()
    return len(member_ids)


def _mark_member_days_dirty(member_ids: list[int]) -> None:
    days = set(
        MemberPeriod.objects.filter(member_id__in=member_ids).values_list("period_start", flat=True)
    )
    for first_active, first_output in MemberFirst.objects.filter(
        member_id__in=member_ids
    ).values_list("first_active", "first_output"):
        days.update(day for day in (first_active, first_output) if day)
    days.update(
        QuestionResponse.objects.filter(member_id__in=member_ids).values_list("asked_on", flat=True)
    )
    mark_days_dirty(days)
    # Their attendances count, or stop counting, in the event figures.
    mark_figures_dirty(
        DirtyFiguresDay.Figures.EVENTS,
        (
            tokyo_day(starts_at)
            for starts_at in Attendance.objects.filter(member_id__in=member_ids).values_list(
                "event__starts_at", flat=True
            )
        ),
    )


def mark_days_dirty(days: Iterable[date]) -> None:
    """The member KPIs of these days' periods (and the next ones) are recomputed."""
    DirtyDay.objects.bulk_create([DirtyDay(day=day) for day in set(days)], ignore_conflicts=True)


def mark_figures_dirty(figures: str, days: Iterable[date]) -> None:
    """These figures (DirtyFiguresDay.Figures) of these days' periods are recomputed."""
    DirtyFiguresDay.objects.bulk_create(
        [DirtyFiguresDay(figures=figures, day=day) for day in set(days)], ignore_conflicts=True
    )


def mark_members_dirty(member_ids: Iterable[int]) -> None:
    DirtyMember.objects.bulk_create(
        [DirtyMember(member_id=pk) for pk in set(member_ids)], ignore_conflicts=True
    )


def recompute_dirty_periods(*, today: date, progress: Progress = _no_progress) -> int:
    """Recompute the member KPIs of each period holding a dirty day and of the next one
    (retention, conversions and inactive contributors look back one period), and the event
    or first-response figures of each period holding a day dirty for them."""
    days = list(DirtyDay.objects.values_list("day", flat=True))
    figures_days = list(DirtyFiguresDay.objects.values_list("pk", "figures", "day"))

    def days_for(figures: str) -> list[date]:
        return [day for _pk, kind, day in figures_days if kind == figures]

    member_periods = _periods_touched(days, today=today, next_too=True)
    event_periods = _periods_touched(
        days_for(DirtyFiguresDay.Figures.EVENTS), today=today, next_too=False
    )
    # The member KPIs include the first-response figures.
    response_periods = (
        _periods_touched(days_for(DirtyFiguresDay.Figures.RESPONSES), today=today, next_too=False)
        - member_periods
    )
    periods = member_periods | event_periods | response_periods
    computers = (
        (member_periods, member_kpis_for),
        (response_periods, response_kpis_for),
        (event_periods, event_kpis_for),
    )
    for interval in progress(INTERVALS):
        values: dict[date, dict[str, float | None]] = {}
        for touched, compute in computers:
            starts = sorted(start for kind, start in touched if kind == interval)
            for start, figures in compute(interval, starts).items():
                values.setdefault(start, {}).update(figures)
        with transaction.atomic():
            store_kpis(interval, values)
    DirtyDay.objects.filter(day__in=days).delete()
    DirtyFiguresDay.objects.filter(pk__in=[pk for pk, _kind, _day in figures_days]).delete()
    return len(periods)


def _periods_touched(days: Iterable[date], *, today: date, next_too: bool) -> set[tuple[str, date]]:
    periods = set()
    for day in days:
        for interval in INTERVALS:
            start = period_start(interval, day)
            for candidate in (start, next_start(interval, start)) if next_too else (start,):
                if candidate <= today:
                    periods.add((interval, candidate))
    return periods


def store_kpis(interval: str, values: dict[date, dict[str, float | None]]) -> None:
    """Replace the stored values of these metrics for these periods of one interval."""
    # One statement per set of metrics (periods recompute the same few sets) and chunk.
    starts_by_metrics: dict[frozenset[str], list[date]] = {}
    for start, figures in values.items():
        starts_by_metrics.setdefault(frozenset(figures), []).append(start)
    for metrics, starts in starts_by_metrics.items():
        for chunk in range(0, len(starts), 500):
            KpiValue.objects.filter(
                interval=interval, period_start__in=starts[chunk : chunk + 500], metric__in=metrics
            ).delete()
    # A long history's rebuild stores some 50,000 values: model instances (bulk_create) cost
    # more than the inserts, and on PostgreSQL so does a round trip per row (executemany)
    # or parsing thousands of placeholders, so there the columns go as four arrays.
    rows = [
        (metric, interval, start, None if value is None else float(value))
        for start, figures in values.items()
        for metric, value in figures.items()
    ]
    insert = "INSERT INTO insights_kpivalue (metric, interval, period_start, value)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"{insert} SELECT * FROM unnest(%s::text[], %s::text[], %s::date[], %s::float8[])",  # noqa: S608
                [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * 4,
            )
        else:
            cursor.executemany(f"{insert} VALUES (%s, %s, %s, %s)", rows)


def rebuild(
    first: date, last: date, *, today: date | None = None, progress: Progress = _no_progress
) -> None:
    """Rebuild the rollups of every period overlapping [first, last] from raw activities.

    Each rollup is one set-based statement over the whole span rather than chunks of ids:
    every (member, period) group is then complete in one statement and inserted once, in
    index order, where chunks by id would each update most rows again. Quarters are summed
    from the months rebuilt with them.
    """
    today = today or tokyo_day(timezone.now())
    with sql.large_memory():
        with transaction.atomic():
            up_to = sql.settled_max_activity_id()
        weeks = periods_between("week", first, last)
        quarters = periods_between("quarter", first, last)
        months = periods_between("month", quarters[0], next_start("quarter", quarters[-1]) - DAY)
        span = (
            tokyo_midnight(min(weeks[0], months[0])),
            tokyo_midnight(max(next_start("week", weeks[-1]), next_start("month", months[-1]))),
        )
        steps: list[tuple[str, Callable[[], None]]] = [
            ("hashtags", lambda: _rebuild_hashtag_posts(span, up_to)),
            ("week", lambda: _rebuild_periods("week", weeks, up_to)),
            ("month", lambda: _rebuild_periods("month", months, up_to)),
            ("quarter", lambda: _rebuild_periods("quarter", quarters, up_to)),
            ("firsts", lambda: _rebuild_member_firsts(up_to)),
            ("questions", lambda: _rebuild_questions(first, last, up_to)),
        ]
        for _name, step in progress(steps):
            with transaction.atomic():
                step()
        sql.vacuum_analyze_rollups()
        FillState.objects.update_or_create(
            name=STATE, defaults={"last_activity_id": up_to, "filled_at": timezone.now()}
        )
        mark_days_dirty(_days(first, min(last, today)))
        mark_figures_dirty(DirtyFiguresDay.Figures.EVENTS, _days(first, min(last, today)))
        recompute_dirty_periods(today=today, progress=progress)


DAY = timedelta(days=1)


def _rebuild_periods(interval: str, starts: list[date], up_to: int) -> None:
    MemberPeriod.objects.filter(
        interval=interval, period_start__gte=starts[0], period_start__lte=starts[-1]
    ).delete()
    if interval == "quarter":
        sql.sum_quarters_from_months(starts[0], next_start("quarter", starts[-1]))
        return
    span = (tokyo_midnight(starts[0]), tokyo_midnight(next_start(interval, starts[-1])))
    sql.fold_member_periods(interval, after_id=0, up_to_id=up_to, span=span)


def _rebuild_hashtag_posts(span: tuple, up_to: int) -> None:
    hashtags.forget_in_span(span)
    hashtags.record_posts(after_id=0, up_to_id=up_to, span=span)


def clear() -> None:
    """Empty every rollup, as before the first fill."""
    with transaction.atomic():
        for model in (
            HashtagPost,
            MemberPeriod,
            MemberFirst,
            QuestionResponse,
            KpiValue,
            DirtyDay,
            DirtyFiguresDay,
            DirtyMember,
            FillState,
        ):
            model.objects.all().delete()


def _rebuild_questions(first: date, last: date, up_to: int) -> None:
    """Questions asked in [first, last], with their first responses up to now."""
    # The month bounds let the (asked_month, ...) index find the rows.
    QuestionResponse.objects.filter(
        asked_month__gte=period_start("month", first),
        asked_month__lte=last,
        asked_on__gte=first,
        asked_on__lte=last,
    ).delete()
    span = (tokyo_midnight(first), tokyo_midnight(last + DAY))
    sql.fold_questions(after_id=0, up_to_id=up_to, span=span)


def _rebuild_member_firsts(up_to: int) -> None:
    """First days are over all time, so they are rebuilt whole."""
    MemberFirst.objects.all().delete()
    sql.fold_member_firsts(after_id=0, up_to_id=up_to)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def activity_span() -> tuple[date, date] | None:
    first = Activity.objects.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    last = Activity.objects.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
    if first is None or last is None:
        return None
    return tokyo_day(first), tokyo_day(last)
