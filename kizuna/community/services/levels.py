"""Engagement levels (Orbit model): a member's current level and the monthly snapshots.

What each member earned is judged by insights from its rollups (insights/levels.py); this
applies it. Promotion happens as soon as a member qualifies; demotion only at the monthly
review, so a quiet month does not push anyone out of the level they earned.
"""

from datetime import date

from django.db import transaction

from kizuna.community.models import Level, LevelSnapshot, MemberLevel


def member_levels_apply(*, earned: dict[int, int], as_of: date, review: bool) -> int:
    """Promote members who earned a better level; at a review, also demote and snapshot the
    month of `as_of`. Returns how many members' levels changed."""
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
            _snapshot(as_of.replace(day=1))
    return len(changed)


def _snapshot(month: date) -> None:
    LevelSnapshot.objects.filter(month=month).delete()
    LevelSnapshot.objects.bulk_create(
        [
            LevelSnapshot(month=month, member_id=member, level=level)
            for member, level in MemberLevel.objects.values_list("member_id", "level")
        ],
        batch_size=5000,
    )
