"""KPI values of one period, read from the rollup tables (and, for events, the event tables).

With an event filter, the member KPIs count only the members who attended a matching event
in the period (for the figures that look back, in the previous period): see
EventFilter.attendees and the glossary.
"""

from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from kizuna.insights import factors, sql
from kizuna.insights.events_kpis import NO_FILTER, EventFilter
from kizuna.insights.models import MemberPeriod
from kizuna.insights.periods import next_start, previous_start
from kizuna.insights.settings import insights_setting

KIND_COLUMNS = {
    "outputs_talks": "talks",
    "outputs_lightning_talks": "lightning_talks",
    "outputs_articles": "articles",
    "outputs_social_posts": "social_posts",
    "outputs_answers": "answers",
    "outputs_code": "code",
}


def member_kpis(
    interval: str, start: date, where: EventFilter = NO_FILTER
) -> dict[str, float | None]:
    return member_kpis_for(interval, [start], where)[start]


def member_kpis_for(
    interval: str, starts: list[date], where: EventFilter = NO_FILTER
) -> dict[date, dict[str, float | None]]:
    """The member KPIs of several periods of one interval.

    Unfiltered, each figure is read for every period at once (one grouped statement, not
    one per period): a rebuild of a long history has a thousand periods, and building a
    dozen ORM statements for each cost far more than running them. Filtered, the cohort
    differs per period, so each period is read on its own.
    """
    if where == NO_FILTER:
        return _member_kpis(interval, starts, NO_FILTER)
    figures: dict[date, dict[str, float | None]] = {}
    for start in starts:
        figures.update(_member_kpis(interval, [start], where))
    return figures


def _member_kpis(
    interval: str, starts: list[date], where: EventFilter
) -> dict[date, dict[str, float | None]]:
    if not starts:
        return {}
    # Filtered, there is one period (see member_kpis_for) and one cohort.
    cohort = None if where == NO_FILTER else where.attendees(interval, starts[0])
    rows = MemberPeriod.objects.filter(
        interval=interval, period_start__gte=min(starts), period_start__lte=max(starts)
    )
    if cohort is not None:
        rows = rows.filter(member_id__in=cohort)
    totals: dict[date, dict[str, Any]] = {
        row["period_start"]: dict(row)
        for row in rows.order_by()
        .values("period_start")
        .annotate(
            active=Count("pk"),
            contributors=Count("pk", filter=Q(outputs__gt=0)),
            chat=Count("pk", filter=Q(chat_joins__gt=0)),
            outputs=Sum("outputs"),
            **{metric: Sum(column) for metric, column in KIND_COLUMNS.items()},
        )
    }
    first_days = _first_days(interval, starts, cohort)
    outputs = _outputs_by_member(rows)
    organizations = factors.Organizations(
        rows.filter(outputs__gt=0).values("member_id") if cohort is not None else None
    )
    members_sql = None if cohort is None else _sql_of(cohort.values("member_id"))
    movements = _movements_for(interval, starts, where)
    responses = sql.first_response_figures_for(interval, starts, members_sql)
    figures = {}
    for start in starts:
        end = next_start(interval, start)
        total = totals.get(start, {})
        outputs_by_member = outputs.get(start, {})
        new_members, new_contributors = first_days.get(start, (0, 0))
        figures[start] = {
            "active_members": total.get("active", 0),
            "new_members": new_members,
            "chat_members_joined": total.get("chat", 0),
            "new_contributors": new_contributors,
            "outputs_total": total.get("outputs") or 0,
            **{metric: total.get(metric) or 0 for metric in KIND_COLUMNS},
            "output_member_share": factors.percent(
                total.get("contributors", 0), total.get("active", 0)
            ),
            **movements[start],
            **factors.contribution_figures(
                outputs_by_member,
                organizations.on(end - timedelta(days=1), outputs_by_member),
            ),
            **responses[start],
        }
    return figures


def _first_days(
    interval: str, starts: list[date], cohort: QuerySet | None
) -> dict[date, tuple[int, int]]:
    """(new members, new contributors) per period: members whose first activity, or first
    output, fell in it."""
    since, until = min(starts), next_start(interval, max(starts))
    cohort_sql, cohort_params = "", list[Any]()
    if cohort is not None:
        statement, cohort_params = _sql_of(cohort.values("member_id"))
        cohort_sql = f"AND member_id IN ({statement})"
    counts: dict[date, list[int]] = {}
    with connection.cursor() as cursor:
        for position, column in enumerate(("first_active", "first_output")):
            cursor.execute(
                f"""SELECT {sql.period_sql(interval, column, of_date=True)}, COUNT(*)
                FROM insights_memberfirst
                WHERE {column} >= %s AND {column} < %s {cohort_sql}
                GROUP BY 1""",  # noqa: S608 - only constant SQL is interpolated
                [since, until, *cohort_params],
            )
            for start, count in cursor.fetchall():
                counts.setdefault(sql.as_date(start), [0, 0])[position] = count
    return {start: (new, contributors) for start, (new, contributors) in counts.items()}


def _outputs_by_member(rows: QuerySet) -> dict[date, dict[int, int]]:
    """Each period's contributors with their outputs."""
    by_period: dict[date, dict[int, int]] = {}
    contributors = (
        rows.filter(outputs__gt=0).order_by().values_list("period_start", "member_id", "outputs")
    )
    for start, member, outputs in contributors.iterator(chunk_size=10_000):
        by_period.setdefault(start, {})[member] = outputs
    return by_period


def response_kpis_for(interval: str, starts: list[date]) -> dict[date, dict[str, float | None]]:
    """Only the first-response figures: what a late answer to an old question changes."""
    return sql.first_response_figures_for(interval, starts) if starts else {}


def _sql_of(query: QuerySet) -> tuple[str, list]:
    statement, params = query.query.sql_with_params()
    return statement, list(params)


def _movements_for(
    interval: str, starts: list[date], where: EventFilter
) -> dict[date, dict[str, float | None]]:
    """Retention, inactive contributors and conversions of each period, counted in SQL by
    tier pairs: each member of the previous period (q) against the same member in the
    period (p), for every period in one statement."""
    core, regular = insights_setting("CORE_MIN_WEIGHT"), insights_setting("REGULAR_MIN_WEIGHT")

    def tier_sql(alias: str) -> str:
        return (
            f"CASE WHEN {alias}.weight >= %s THEN 'core' "
            f"WHEN {alias}.weight >= %s THEN 'regular' ELSE 'casual' END"
        )

    cohort: str = ""
    cohort_params: list = []
    if where != NO_FILTER:
        # Filtered (one period), the movements are those of the previous period's cohort.
        previous = previous_start(interval, starts[0])
        statement, cohort_params = _sql_of(where.attendees(interval, previous).values("member_id"))
        cohort = f"AND q.member_id IN ({statement})"
    # SQLite would read CAST(... AS date) as a number; its dates are ISO text.
    as_date = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    groups: dict[date, dict[tuple[str, str, int, int], int]] = {start: {} for start in starts}
    for chunk in range(0, len(starts), 400):
        pairs = [(start, previous_start(interval, start)) for start in starts[chunk : chunk + 400]]
        values = ", ".join(f"({as_date}, {as_date})" for _pair in pairs)
        query = f"""
            WITH pairs (start, previous) AS (VALUES {values})
            SELECT pairs.start, {tier_sql("q")},
                   CASE WHEN p.member_id IS NULL THEN 'none' ELSE {tier_sql("p")} END,
                   CASE WHEN q.outputs > 0 THEN 1 ELSE 0 END,
                   CASE WHEN p.outputs > 0 THEN 1 ELSE 0 END, COUNT(*)
            FROM pairs
            JOIN insights_memberperiod q ON q.period_start = pairs.previous
            LEFT JOIN insights_memberperiod p ON p.member_id = q.member_id
                 AND p.interval = q.interval AND p.period_start = pairs.start
            WHERE q.interval = %s {cohort}
            GROUP BY 1, 2, 3, 4, 5
        """  # noqa: S608 - only constant SQL is interpolated; values are parameters
        params = [
            *(day for pair in pairs for day in pair),
            core,
            regular,
            core,
            regular,
            interval,
            *cohort_params,
        ]
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            for start, before, now, had, has, count in cursor.fetchall():
                # (tier before, tier now or "none", had output, has output) -> members
                groups[sql.as_date(start)][(before, now, had, has)] = count
    return {start: _movement_figures(period) for start, period in groups.items()}


def _movement_figures(groups: dict[tuple[str, str, int, int], int]) -> dict[str, float | None]:
    def members(before: str | None = None, now: tuple[str, ...] | None = None) -> int:
        return sum(
            count
            for (was, is_now, _had, _has), count in groups.items()
            if (before is None or was == before) and (now is None or is_now in now)
        )

    return {
        "retention": factors.percent(members(now=("casual", "regular", "core")), members()),
        "inactive_contributors": sum(
            count for (_b, _n, had, has), count in groups.items() if had == 1 and has != 1
        ),
        "conversion_casual_regular": factors.percent(
            members("casual", ("regular", "core")), members("casual")
        ),
        "conversion_regular_core": factors.percent(
            members("regular", ("core",)), members("regular")
        ),
    }
