"""What engagement level (Orbit model) each member earned, from weighted activities and
presence over about a year in the rollups; community keeps the levels themselves
(`community.services.member_levels_apply`).
"""

from datetime import date, timedelta

from django.db.models import Sum

from kizuna.community import services as community
from kizuna.community.models import Level
from kizuna.insights.models import MemberPeriod
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
    return {"changed": community.member_levels_apply(earned=earned, as_of=as_of, review=review)}
