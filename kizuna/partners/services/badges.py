"""Badges earned from verified achievements: awarded, raised and lapsed by one sync.

A badge's level counts the partner's verified achievements claiming it inside the recency
window; the thresholds and the window are settings.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from kizuna.core.events import emit
from kizuna.partners import notices
from kizuna.partners.events import partner_ref
from kizuna.partners.models import Achievement, AchievementStatus, BadgeAward, PartnerProfile

AwardKey = tuple[int, int]  # (partner id, badge id)


def badge_level_for(count: int) -> int:
    """0 (no badge), or 1/2/3 for badge/silver/gold by the configured thresholds."""
    return sum(1 for threshold in settings.KIZUNA_BADGE_LEVEL_THRESHOLDS if count >= threshold)


def badge_window_start(today: date) -> date:
    return today - timedelta(days=settings.KIZUNA_BADGE_WINDOW_DAYS)


def _verified_counts(partner: PartnerProfile | None, today: date) -> dict[AwardKey, Any]:
    claims = Achievement.badges.through.objects.filter(
        achievement__status=AchievementStatus.VERIFIED,
        achievement__completed_on__gte=badge_window_start(today),
    )
    if partner is not None:
        claims = claims.filter(achievement__partner=partner)
    rows = claims.values("achievement__partner_id", "badge_id").annotate(
        n=Count("achievement_id"), last=Max("achievement__verified_at")
    )
    return {(r["achievement__partner_id"], r["badge_id"]): r for r in rows}


def badge_awards_sync(
    *, partner: PartnerProfile | None = None, now: datetime | None = None
) -> dict:
    """Bring awarded badges in line with verified achievements inside the recency window.

    Awards, level changes and lapses all happen here, for one partner (after a review) or
    for all (the daily job). Running it twice changes nothing the second time.
    """
    now = now or timezone.now()
    counts = _verified_counts(partner, timezone.localdate(now))
    awards = BadgeAward.objects.select_related("partner__organization", "badge")
    if partner is not None:
        awards = awards.filter(partner=partner)
    # Active awards may lapse or change level; lapsed ones may come back.
    revivable = {badge_id for _partner_id, badge_id in counts}
    existing = {
        (a.partner_id, a.badge_id): a
        for a in awards.filter(Q(lapsed_at__isnull=True) | Q(badge_id__in=revivable))
    }
    result = {"awarded": 0, "changed": 0, "lapsed": 0}
    with transaction.atomic():
        for key, row in counts.items():
            outcome = _sync_award(existing.get(key), key, row, now)
            if outcome:
                result[outcome] += 1
        lapsed = _lapse_uncounted(existing, counts, now)
        result["lapsed"] = len(lapsed)
        if lapsed:
            transaction.on_commit(lambda: notices.badges_lapsed(lapsed), robust=True)
    return result


def _sync_award(award: BadgeAward | None, key: AwardKey, row: dict, now: datetime) -> str | None:
    """Award, revive or update one counted badge; say which of the result's counters it adds to."""
    level = badge_level_for(row["n"])
    if level == 0:
        return None
    if award is None or award.lapsed_at is not None:
        _award(award, key, level, row, now)
        return "awarded"
    if (award.level, award.evidence_count, award.last_verified_at) == (
        level,
        row["n"],
        row["last"],
    ):
        return None
    previous_level = award.level
    _set_counts(award, level, row)
    award.save(update_fields=["level", "evidence_count", "last_verified_at"])
    if level > previous_level:
        _emit_award(award, lapsed=False)
    # Only a level change counts as changed; a new count or date alone is saved quietly.
    return "changed" if level != previous_level else None


def _lapse_uncounted(
    existing: dict[AwardKey, BadgeAward], counts: dict[AwardKey, Any], now: datetime
) -> list[BadgeAward]:
    lapsed = []
    for key, award in existing.items():
        if award.lapsed_at is None and badge_level_for(counts.get(key, {}).get("n", 0)) == 0:
            award.lapsed_at, award.evidence_count = now, 0
            award.save(update_fields=["lapsed_at", "evidence_count"])
            _emit_award(award, lapsed=True)
            lapsed.append(award)
    return lapsed


def _set_counts(award: BadgeAward, level: int, row: dict) -> None:
    award.level, award.evidence_count, award.last_verified_at = level, row["n"], row["last"]


def _award(
    award: BadgeAward | None, key: AwardKey, level: int, row: dict, now: datetime
) -> BadgeAward:
    if award is None:
        award = BadgeAward(partner_id=key[0], badge_id=key[1])
    _set_counts(award, level, row)
    award.awarded_at, award.lapsed_at = now, None
    award.save()
    _emit_award(award, lapsed=False)
    return award


def _emit_award(award: BadgeAward, *, lapsed: bool) -> None:
    emit(
        "badge.lapsed" if lapsed else "badge.awarded",
        {
            **partner_ref(award.partner),
            "badge_id": award.badge_id,
            "badge_code": award.badge.code,
            "level": award.level,
            "evidence_count": award.evidence_count,
        },
    )
