"""The same member KPIs computed straight from raw activities with live ORM aggregates.

Not used by pages: it is the reference the rollups are tested against, and the baseline
of bench/kpis.py.
"""

from datetime import date, timedelta

from django.db.models import Count, Min, Q, QuerySet, Sum

from kizuna.community.models import Activity, Member
from kizuna.insights import factors
from kizuna.insights.periods import next_start, previous_start, tokyo_midnight
from kizuna.insights.sql import TYPE_COLUMNS

KIND_METRICS = {
    "outputs_talks": "talks",
    "outputs_lightning_talks": "lightning_talks",
    "outputs_articles": "articles",
    "outputs_social_posts": "social_posts",
    "outputs_answers": "answers",
    "outputs_code": "code",
}


def counted_members() -> QuerySet[Member]:
    return Member.objects.filter(is_bot=False, is_staff=False, merged_into__isnull=True)


def activities_in(interval: str, start: date) -> QuerySet[Activity]:
    return Activity.objects.filter(
        occurred_at__gte=tokyo_midnight(start),
        occurred_at__lt=tokyo_midnight(next_start(interval, start)),
        member__in=counted_members(),
    )


def _weight_and_outputs(interval: str, start: date) -> dict[int, tuple[int, int]]:
    rows = (
        activities_in(interval, start)
        .values("member_id")
        .annotate(weight=Sum("type__weight"), outputs=Count("id", filter=Q(is_output=True)))
    )
    return {row["member_id"]: (row["weight"], row["outputs"]) for row in rows}


def _first_days_in(field: str, interval: str, start: date) -> int:
    since, until = tokyo_midnight(start), tokyo_midnight(next_start(interval, start))
    activities = Activity.objects.filter(is_output=True) if field == "output" else None
    firsts = counted_members().annotate(
        first=Min(
            "activities__occurred_at",
            filter=Q(activities__in=activities) if activities is not None else None,
        )
    )
    return firsts.filter(first__gte=since, first__lt=until).count()


def raw_member_kpis(interval: str, start: date) -> dict[str, float | None]:
    activities = activities_in(interval, start)
    totals = activities.aggregate(
        active=Count("member_id", distinct=True),
        contributors=Count("member_id", distinct=True, filter=Q(is_output=True)),
        chat=Count("member_id", distinct=True, filter=Q(type_id="chat_join")),
        outputs=Count("id", filter=Q(is_output=True)),
        **{
            metric: Count("id", filter=Q(type_id__in=TYPE_COLUMNS[column]))
            for metric, column in KIND_METRICS.items()
        },
    )
    outputs_by_member = dict(
        activities.filter(is_output=True)
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    last_day = next_start(interval, start) - timedelta(days=1)
    return {
        "active_members": totals["active"],
        "new_members": _first_days_in("active", interval, start),
        "chat_members_joined": totals["chat"],
        "new_contributors": _first_days_in("output", interval, start),
        "outputs_total": totals["outputs"],
        **{metric: totals[metric] for metric in KIND_METRICS},
        "output_member_share": factors.percent(totals["contributors"], totals["active"]),
        **factors.movement_figures(
            _weight_and_outputs(interval, previous_start(interval, start)),
            _weight_and_outputs(interval, start),
        ),
        **factors.contribution_figures(
            outputs_by_member,
            last_day,
            activities.filter(is_output=True).values("member_id"),
        ),
    }
