"""Engagement levels (Orbit model) from weighted activities and presence over about a year.

Promotion happens as soon as a member qualifies; demotion only at the monthly review,
so a quiet month does not push anyone out of the level they earned.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Sum

from kizuna.insights.models import Level, LevelSnapshot, MemberLevel, MemberPeriod
from kizuna.insights.periods import period_start
from kizuna.insights.settings import insights_setting


def level_for(weight: int, outputs: int, events: int) -> int:
    for level, min_weight, min_outputs, min_events in insights_setting("LEVEL_RULES"):
        if weight >= min_weight and outputs >= min_outputs and events >= min_events:
            return int(level)
    return int(Level.EXPLORING)


def earned_levels(as_of: date) -> dict[int, int]:
    """The level each member's last year (whole months up to as_of) earns."""
    since = period_start("month", as_of - timedelta(days=insights_setting("LEVEL_WINDOW_DAYS")))
    rows = (
        MemberPeriod.objects.filter(
            interval="month", period_start__gte=since, period_start__lte=as_of
        )
        .values("member_id")
        .annotate(weight=Sum("weight"), outputs=Sum("outputs"), events=Sum("events_attended"))
    )
    return {
        row["member_id"]: level_for(row["weight"], row["outputs"], row["events"]) for row in rows
    }


def levels_update(*, as_of: date, review: bool) -> dict[str, int]:
    """Promote members who earned a better level; at a review, also demote and snapshot."""
    earned = earned_levels(as_of)
    current = dict(MemberLevel.objects.values_list("member_id", "level"))
    if review:
        # Nobody drops out of the journey: without activity in the window they are Exploring.
        earned = {member: earned.get(member, int(Level.EXPLORING)) for member in current} | earned
    changed = [
        MemberLevel(member_id=member, level=level, since=as_of)
        for member, level in earned.items()
        if member not in current or level < current[member] or (review and level != current[member])
    ]
    with transaction.atomic():
        MemberLevel.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["member"],
            update_fields=["level", "since"],
            batch_size=5000,
        )
        if review:
            _snapshot(period_start("month", as_of))
    return {"changed": len(changed)}


def _snapshot(month: date) -> None:
    LevelSnapshot.objects.filter(month=month).delete()
    LevelSnapshot.objects.bulk_create(
        [
            LevelSnapshot(month=month, member_id=member, level=level)
            for member, level in MemberLevel.objects.values_list("member_id", "level")
        ],
        batch_size=5000,
    )
