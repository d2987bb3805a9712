"""The same member KPIs computed straight from raw activities with live ORM aggregates.

Not used by pages: it is the reference the rollups are tested against, and the baseline
of bench/kpis.py. Written the way a quick Django app would: aggregates over activities.
"""

import statistics
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum

from kizuna.community.models import Activity, Member
from kizuna.insights import factors, hashtags
from kizuna.insights.events_kpis import NO_FILTER, EventFilter
from kizuna.insights.periods import next_start, previous_start, tokyo_midnight
from kizuna.insights.sql import QUESTION_TYPES, TYPE_COLUMNS

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


def activities_in(interval: str, start: date, members: Any = None) -> QuerySet[Activity]:
    activities = Activity.objects.filter(
        occurred_at__gte=tokyo_midnight(start),
        occurred_at__lt=tokyo_midnight(next_start(interval, start)),
        member__in=counted_members(),
    )
    return activities if members is None else activities.filter(member_id__in=members)


def _weight_and_outputs(interval: str, start: date, members: Any) -> dict[int, tuple[int, int]]:
    rows = (
        activities_in(interval, start, members)
        .values("member_id")
        .annotate(weight=Sum("type__weight"), outputs=Count("id", filter=Q(is_output=True)))
    )
    return {row["member_id"]: (row["weight"], row["outputs"]) for row in rows}


def _firsts_in(interval: str, start: date, members: Any, *, output: bool) -> int:
    """Members whose first (output) activity ever falls in the period."""
    activities = Activity.objects.filter(member__in=counted_members())
    if output:
        activities = activities.filter(is_output=True)
    if members is not None:
        activities = activities.filter(member_id__in=members)
    return (
        activities.values("member_id")
        .annotate(first=Min("occurred_at"))
        .filter(
            first__gte=tokyo_midnight(start),
            first__lt=tokyo_midnight(next_start(interval, start)),
        )
        .count()
    )


def _first_responses(interval: str, start: date, members: Any) -> dict[str, float | None]:
    replies = (
        Activity.objects.filter(
            source=OuterRef("source"),
            reply_to_external_id=OuterRef("external_id"),
            occurred_at__gte=OuterRef("occurred_at"),
            member__in=counted_members(),
        )
        .exclude(reply_to_external_id="")
        .exclude(member_id=OuterRef("member_id"))
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    asked = (
        activities_in(interval, start, members)
        .filter(Q(type_id__in=QUESTION_TYPES))
        .annotate(first=Subquery(replies))
        .values_list("occurred_at", "first")
    )
    hours, unanswered = [], 0
    for asked_at, first in asked:
        if first is None:
            unanswered += 1
        else:
            hours.append((first - asked_at).total_seconds() / 3600)
    return {
        "first_response_hours": round(statistics.median(hours), 2) if hours else None,
        "unanswered_questions": unanswered,
    }


def _hashtag_posts(activities: QuerySet[Activity]) -> int:
    """Social posts, and other activities whose text carries an event's hashtag: read here
    from every activity's text, not from the recorded matches."""
    tags = hashtags.event_tags()
    return sum(
        1
        for type_key, title, body in activities.values_list("type_id", "title", "body")
        if type_key in TYPE_COLUMNS["social_posts"] or hashtags.tags_in(f"{title} {body}") & tags
    )


def raw_member_kpis(
    interval: str, start: date, where: EventFilter = NO_FILTER
) -> dict[str, float | None]:
    previous = previous_start(interval, start)
    members = previous_members = None
    if where != NO_FILTER:
        members = where.attendees(interval, start)
        previous_members = where.attendees(interval, previous)
    activities = activities_in(interval, start, members)
    totals = activities.aggregate(
        active=Count("member_id", distinct=True),
        contributors=Count("member_id", distinct=True, filter=Q(is_output=True)),
        chat=Count("member_id", distinct=True, filter=Q(type_id="chat_join")),
        outputs=Count("id", filter=Q(is_output=True)),
        **{
            metric: Count("id", filter=Q(type_id__in=TYPE_COLUMNS[column]))
            for metric, column in KIND_METRICS.items()
            if metric != "outputs_social_posts"
        },
    )
    totals["outputs_social_posts"] = _hashtag_posts(activities)
    outputs_by_member = dict(
        activities.filter(is_output=True)
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    last_day = next_start(interval, start) - timedelta(days=1)
    return {
        "active_members": totals["active"],
        "new_members": _firsts_in(interval, start, members, output=False),
        "chat_members_joined": totals["chat"],
        "new_contributors": _firsts_in(interval, start, members, output=True),
        "outputs_total": totals["outputs"],
        **{metric: totals[metric] for metric in KIND_METRICS},
        "output_member_share": factors.percent(totals["contributors"], totals["active"]),
        **factors.movement_figures(
            _weight_and_outputs(interval, previous, previous_members),
            _weight_and_outputs(interval, start, None),
        ),
        **factors.contribution_figures(
            outputs_by_member,
            factors.Organizations(activities.filter(is_output=True).values("member_id")).on(
                last_day, outputs_by_member
            ),
        ),
        **_first_responses(interval, start, members),
    }
