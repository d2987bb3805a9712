"""Contribution points and the rank they give.

Points count over a rolling window. A promotion happens as soon as points reach a higher
rank; a demotion only in the scheduled review, after notice and a grace period.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.partners import notices
from kizuna.partners.events import partner_ref
from kizuna.partners.models import Contribution, ContributionKind, PartnerProfile, Rank, RankChange
from kizuna.partners.services.validation import field_error

_RANK_FIELDS = ["rank", "rank_points", "demotion_noticed_at", "updated_at"]


def contribution_record(
    *,
    partner: PartnerProfile,
    kind: str,
    occurred_on: date,
    source: str,
    external_id: str,
    points: int | None = None,
    note: str = "",
    actor: Any = None,
    activity_id: int | None = None,
) -> tuple[Contribution, bool]:
    """Add points to a partner, once per (source, external_id); return (row, created).

    `kind` is a ContributionKind code; `points` defaults to that kind's value in the points
    table. Sources in use: "staff", "import", and the community app's own name.
    A promotion this earns happens at once; a demotion never happens here.
    """
    contribution_kind = ContributionKind.objects.filter(code=kind).first()
    if contribution_kind is None:
        raise field_error(
            "kind", _("Unknown contribution kind: %(kind)s") % {"kind": kind}, "unknown_kind"
        )
    with transaction.atomic():
        contribution, created = Contribution.objects.get_or_create(
            source=source,
            external_id=external_id,
            defaults={
                "partner": partner,
                "kind": contribution_kind,
                "points": contribution_kind.points if points is None else points,
                "occurred_on": occurred_on,
                "note": note,
                "recorded_by": actor,
                "activity_id": activity_id,
            },
        )
        if created:
            if actor is not None:
                audit.record(
                    actor=actor,
                    action="contribution.recorded",
                    obj=partner,
                    after={
                        "kind": kind,
                        "points": contribution.points,
                        "occurred_on": occurred_on.isoformat(),
                        "note": note,
                    },
                )
            partner_rank_promote(partner=partner)
    return contribution, created


def rank_for_points(points: int) -> str:
    ladder = list(Rank)
    reached = sum(1 for threshold in settings.KIZUNA_RANK_THRESHOLDS if points >= threshold)
    return ladder[min(reached, len(ladder) - 1)].value


def rank_order(rank: str) -> int:
    return [r.value for r in Rank].index(rank)


def rank_window_start(today: date) -> date:
    return today - timedelta(days=settings.KIZUNA_RANK_WINDOW_DAYS)


def rolling_points(partner: PartnerProfile, today: date | None = None) -> int:
    today = today or timezone.localdate()
    return (
        partner.contributions.filter(
            occurred_on__gt=rank_window_start(today), occurred_on__lte=today
        ).aggregate(total=Sum("points"))["total"]
        or 0
    )


def _change_rank(partner: PartnerProfile, to_rank: str, points: int) -> None:
    RankChange.objects.create(
        partner=partner, from_rank=partner.rank, to_rank=to_rank, points=points
    )
    emit(
        "rank.changed",
        {
            **partner_ref(partner),
            "from_rank": partner.rank,
            "to_rank": to_rank,
            "points": points,
        },
    )
    partner.rank = to_rank
    partner.demotion_noticed_at = None


def _apply_points(partner: PartnerProfile, points: int) -> bool:
    """Store the points and promote at once if they reach a higher rank.

    Points back at the current rank cancel a pending demotion notice. Returns True when
    they are below the current rank: going down is for the scheduled review to decide.
    """
    partner.rank_points = points
    target = rank_for_points(points)
    if rank_order(target) > rank_order(partner.rank):
        _change_rank(partner, target, points)
    elif target == partner.rank:
        partner.demotion_noticed_at = None
    return rank_order(target) < rank_order(partner.rank)


def partner_rank_promote(*, partner: PartnerProfile, today: date | None = None) -> PartnerProfile:
    """Refresh the rolling points; promote at once if they reach a higher rank."""
    with transaction.atomic():
        _apply_points(partner, rolling_points(partner, today))
        partner.save(update_fields=_RANK_FIELDS)
    return partner


def ranks_review(*, now: datetime | None = None) -> dict:
    """The scheduled rank review: promote, give notice of a coming demotion, or demote.

    A partner whose points fall below its rank is told first; only if they are still below
    after the grace period does a later review demote it. Recovering in time cancels it.
    """
    now = now or timezone.now()
    points_by_partner = _rolling_points_by_partner(timezone.localdate(now))
    grace = timedelta(days=settings.KIZUNA_RANK_GRACE_DAYS)
    promoted = 0
    noticed: list[PartnerProfile] = []
    demoted: list[PartnerProfile] = []
    # Partners without points in the window still need a look: they may have to go down.
    candidates = PartnerProfile.objects.select_for_update().filter(
        Q(pk__in=list(points_by_partner)) | ~Q(rank=Rank.MEMBER) | ~Q(rank_points=0)
    )
    with transaction.atomic():
        for partner in candidates.select_related("organization"):
            points = points_by_partner.get(partner.pk, 0)
            rank_before = partner.rank
            below = _apply_points(partner, points)
            if not below:
                promoted += partner.rank != rank_before
            elif partner.demotion_noticed_at is None:
                partner.demotion_noticed_at = now
                noticed.append(partner)
            elif now - partner.demotion_noticed_at >= grace:
                _change_rank(partner, rank_for_points(points), points)
                demoted.append(partner)
            partner.save(update_fields=_RANK_FIELDS)
        if noticed or demoted:
            transaction.on_commit(lambda: notices.ranks_reviewed(noticed, demoted), robust=True)
    return {"promoted": promoted, "noticed": len(noticed), "demoted": len(demoted)}


def _rolling_points_by_partner(today: date) -> dict[int, int]:
    return dict(
        Contribution.objects.filter(
            occurred_on__gt=rank_window_start(today), occurred_on__lte=today
        )
        .values_list("partner_id")
        .annotate(total=Sum("points"))
    )
