"""KPI values of one period, read from the rollup tables (and, for events, the event tables).

With an event filter, the member KPIs count only the members who attended a matching event
in the period (for the figures that look back, in the previous period): see
EventFilter.attendees and the glossary.
"""

from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from kizuna.insights import factors, sql
from kizuna.insights.events_kpis import NO_FILTER, EventFilter
from kizuna.insights.models import MemberFirst, MemberPeriod
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
    end = next_start(interval, start)
    rows = MemberPeriod.objects.filter(interval=interval, period_start=start)
    firsts = MemberFirst.objects.all()
    cohort: QuerySet | None = None
    if where != NO_FILTER:
        cohort = where.attendees(interval, start)
        rows = rows.filter(member_id__in=cohort)
        firsts = firsts.filter(member_id__in=cohort)
    totals = rows.aggregate(
        active=Count("pk"),
        contributors=Count("pk", filter=Q(outputs__gt=0)),
        chat=Count("pk", filter=Q(chat_joins__gt=0)),
        outputs=Sum("outputs"),
        **{metric: Sum(column) for metric, column in KIND_COLUMNS.items()},
    )
    first_days = firsts.aggregate(
        new_members=Count("pk", filter=Q(first_active__gte=start, first_active__lt=end)),
        new_contributors=Count("pk", filter=Q(first_output__gte=start, first_output__lt=end)),
    )
    contributors = rows.filter(outputs__gt=0)
    outputs_by_member = dict(contributors.values_list("member_id", "outputs"))
    return {
        "active_members": totals["active"],
        "new_members": first_days["new_members"],
        "chat_members_joined": totals["chat"],
        "new_contributors": first_days["new_contributors"],
        "outputs_total": totals["outputs"] or 0,
        **{metric: totals[metric] or 0 for metric in KIND_COLUMNS},
        "output_member_share": factors.percent(totals["contributors"], totals["active"]),
        **_movements(interval, start, where),
        **factors.contribution_figures(
            outputs_by_member, end - timedelta(days=1), contributors.values("member_id")
        ),
        **sql.first_response_figures(
            interval, start, None if cohort is None else _sql_of(cohort.values("member_id"))
        ),
    }


def response_kpis(interval: str, start: date) -> dict[str, float | None]:
    """Only the first-response figures: what a late answer to an old question changes."""
    return sql.first_response_figures(interval, start)


def _sql_of(query: QuerySet) -> tuple[str, list]:
    statement, params = query.query.sql_with_params()
    return statement, list(params)


def _movements(interval: str, start: date, where: EventFilter) -> dict[str, float | None]:
    """Retention, inactive contributors and conversions, counted in SQL by tier pairs."""
    core, regular = insights_setting("CORE_MIN_WEIGHT"), insights_setting("REGULAR_MIN_WEIGHT")

    def tier_sql(alias: str) -> str:
        return (
            f"CASE WHEN {alias}.weight >= %s THEN 'core' "
            f"WHEN {alias}.weight >= %s THEN 'regular' ELSE 'casual' END"
        )

    previous = previous_start(interval, start)
    cohort: str = ""
    cohort_params: list = []
    if where != NO_FILTER:
        # Filtered, the movements are those of the previous period's cohort.
        statement, cohort_params = _sql_of(where.attendees(interval, previous).values("member_id"))
        cohort = f"AND q.member_id IN ({statement})"
    query = f"""
        SELECT {tier_sql("q")}, CASE WHEN p.member_id IS NULL THEN 'none' ELSE {tier_sql("p")} END,
               CASE WHEN q.outputs > 0 THEN 1 ELSE 0 END,
               CASE WHEN p.outputs > 0 THEN 1 ELSE 0 END, COUNT(*)
        FROM insights_memberperiod q
        LEFT JOIN insights_memberperiod p ON p.member_id = q.member_id
             AND p.interval = q.interval AND p.period_start = %s
        WHERE q.interval = %s AND q.period_start = %s {cohort}
        GROUP BY 1, 2, 3, 4
    """  # noqa: S608 - only constant SQL is interpolated; values are parameters
    params = [core, regular, core, regular, start, interval, previous, *cohort_params]
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        # (tier before, tier now or "none", had output, has output) -> members
        groups: dict[tuple[str, str, int, int], int] = {
            (before, now, had, has): count for before, now, had, has, count in cursor.fetchall()
        }

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
