"""Contribution points earned by the community activity of a partner's people.

An activity counts for a partner when its member was affiliated with the partner on the
activity's (Tokyo) day and the staff's table maps its type to a contribution kind. Every
change that can alter that (new activities, an affiliation added, changed or removed, a
merge or an erasure, the table itself) arrives as a community or partners event, and
partners.consumers calls `community_points_sync` with just the scope it affects. The sync
makes the stored contributions of that scope equal to what the activities say: new ones go
through `contribution_record` (idempotent per activity and partner), withdrawn ones are
deleted at once, and the partner's rolling points are refreshed. A promotion this earns is
immediate; a drop in points only waits for the scheduled rank review (see rank.py).
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kizuna.community.models import ActivityType
from kizuna.community.selectors import affiliated_activities
from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.partners.models import (
    ActivityContributionRule,
    Contribution,
    ContributionKind,
    PartnerProfile,
)
from kizuna.partners.services.rank import contribution_record, partner_rank_promote
from kizuna.partners.services.validation import field_error

COMMUNITY_SOURCE = "community"


def community_external_id(*, activity_id: int, partner_id: int) -> str:
    return f"activity-{activity_id}-partner-{partner_id}"


@dataclass
class SyncResult:
    recorded: int = 0
    changed: int = 0
    withdrawn: int = 0


def community_points_sync(
    *,
    member_ids: Collection[int] | None = None,
    organization_ids: Collection[int] | None = None,
    type_keys: Collection[str] | None = None,
    day_from: date | None = None,
    day_until: date | None = None,
) -> SyncResult:
    """Make the community contributions inside a scope match the activities inside it.

    Each argument narrows the scope (None: no limit on it); days are inclusive Tokyo days.
    """
    result = SyncResult()
    with transaction.atomic():
        rules = {
            rule.activity_type_id: rule
            for rule in ActivityContributionRule.objects.select_related("kind")
        }
        pairs = affiliated_activities(
            member_ids=member_ids,
            organization_ids=organization_ids,
            type_keys=type_keys,
            day_from=day_from,
            day_until=day_until,
        )
        partners = {
            partner.organization_id: partner
            for partner in PartnerProfile.objects.filter(
                organization_id__in={pair.organization_id for pair in pairs}
            )
        }
        wanted = {}
        for pair in pairs:
            rule = rules.get(pair.type_key)
            partner = partners.get(pair.organization_id)
            if rule is not None and partner is not None:
                key = community_external_id(activity_id=pair.activity_id, partner_id=partner.pk)
                wanted[key] = (partner, rule, pair)

        stored = Contribution.objects.select_for_update().filter(source=COMMUNITY_SOURCE)
        if member_ids is not None:
            stored = stored.filter(activity__member_id__in=list(member_ids))
        if organization_ids is not None:
            stored = stored.filter(partner__organization_id__in=list(organization_ids))
        if type_keys is not None:
            stored = stored.filter(activity__type_id__in=list(type_keys))
        if day_from is not None:
            stored = stored.filter(occurred_on__gte=day_from)
        if day_until is not None:
            stored = stored.filter(occurred_on__lte=day_until)

        touched: set[int] = set()
        withdrawn = []
        for contribution in stored:
            want = wanted.pop(contribution.external_id, None)
            if want is None:
                withdrawn.append(contribution.pk)
                touched.add(contribution.partner_id)
                continue
            _partner, rule, pair = want
            values = {
                "kind_id": rule.kind_id,
                "points": rule.effective_points,
                "occurred_on": pair.occurred_on,
            }
            if any(getattr(contribution, name) != value for name, value in values.items()):
                Contribution.objects.filter(pk=contribution.pk).update(**values)
                touched.add(contribution.partner_id)
                result.changed += 1
        if withdrawn:
            result.withdrawn = Contribution.objects.filter(pk__in=withdrawn).delete()[0]

        for key, (partner, rule, pair) in wanted.items():
            _contribution, created = contribution_record(
                partner=partner,
                kind=rule.kind.code,
                occurred_on=pair.occurred_on,
                source=COMMUNITY_SOURCE,
                external_id=key,
                points=rule.effective_points,
                activity_id=pair.activity_id,
            )
            result.recorded += created
        # Recording promoted already; changed and withdrawn points are stored at once too,
        # and a rank they leave too high waits for the scheduled review.
        for partner in PartnerProfile.objects.filter(pk__in=touched):
            partner_rank_promote(partner=partner)
    return result


def activity_contribution_rule_set(
    *, actor: Any, activity_type: ActivityType, kind: ContributionKind | None, points: int | None
) -> ActivityContributionRule | None:
    """Map an activity type to a contribution kind (None: it earns nothing); audited.

    The partners' points follow through the `contribution_rule.changed` event.
    """
    if points is not None and points < 0:
        raise field_error("points", _("Points cannot be negative."), "negative_points")
    with transaction.atomic():
        rule = (
            ActivityContributionRule.objects.select_for_update()
            .select_related("kind")
            .filter(activity_type=activity_type)
            .first()
        )
        before = _rule_state(rule)
        if kind is None:
            if rule is not None:
                rule.delete()
            rule = None
        elif rule is None:
            rule = ActivityContributionRule.objects.create(
                activity_type=activity_type, kind=kind, points=points
            )
        else:
            rule.kind = kind
            rule.points = points
            rule.save(update_fields=["kind", "points", "updated_at"])
        after = _rule_state(rule)
        if before == after:
            return rule
        audit.record(
            actor=actor,
            action="contribution_rule.changed",
            obj=activity_type,
            before=before,
            after=after,
        )
        emit(
            "contribution_rule.changed",
            {"activity_type": activity_type.key, **after},
            actor=actor,
        )
    return rule


def _rule_state(rule: ActivityContributionRule | None) -> dict[str, Any]:
    if rule is None:
        return {"kind": None, "points": None}
    return {"kind": rule.kind.code, "points": rule.points}
