"""What engagement level (Orbit model) each member earned, from weighted activities and
presence over about a year in the rollups; community keeps the levels themselves
(`community.services.member_levels_apply`).
"""

from dataclasses import dataclass
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


@dataclass(frozen=True)
class LevelProgress:
    """A member's figures over the level window and what the next level asks for."""

    level: int  # the level held now
    weight: int
    outputs: int
    events: int
    next_level: int | None  # None at the top (Leading)
    needs_weight: int = 0  # how many more of each the next level takes
    needs_outputs: int = 0
    needs_events: int = 0


def level_progress(member_id: int, level: int, as_of: date) -> LevelProgress:
    """The one-query summary a member's home page shows under their level."""
    since = period_start("month", as_of - timedelta(days=insights_setting("LEVEL_WINDOW_DAYS")))
    totals = MemberPeriod.objects.filter(
        member_id=member_id, interval="month", period_start__gte=since, period_start__lte=as_of
    ).aggregate(weight=Sum("weight"), outputs=Sum("outputs"), events=Sum("events_attended"))
    weight, outputs, events = (int(totals[k] or 0) for k in ("weight", "outputs", "events"))
    better = [rule for rule in insights_setting("LEVEL_RULES") if int(rule[0]) < level]
    if not better:
        return LevelProgress(level, weight, outputs, events, next_level=None)
    next_level, min_weight, min_outputs, min_events = max(better, key=lambda rule: rule[0])
    return LevelProgress(
        level,
        weight,
        outputs,
        events,
        next_level=int(next_level),
        needs_weight=max(0, min_weight - weight),
        needs_outputs=max(0, min_outputs - outputs),
        needs_events=max(0, min_events - events),
    )
