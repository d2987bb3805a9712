"""Event types of the partner program (see kizuna.core.catalog)."""

from datetime import date

from kizuna.core.catalog import EventPayload, PartnerPayload, declare
from kizuna.partners.models import PartnerProfile


def partner_ref(partner: PartnerProfile) -> dict[str, int]:
    """The two ids every event about a partner carries."""
    return {"partner_id": partner.pk, "organization_id": partner.organization_id}


class PartnerCreated(PartnerPayload):
    slug: str


class PartnerUpdated(PartnerPayload):
    slug: str
    fields: list[str]


class AchievementEvent(PartnerPayload):
    achievement_id: int


class AchievementVerified(AchievementEvent):
    imported: bool = False


class AchievementRejected(AchievementEvent):
    reason: str


class BadgeEvent(PartnerPayload):
    badge_id: int
    badge_code: str
    level: int
    evidence_count: int


class RankChanged(PartnerPayload):
    from_rank: str
    to_rank: str
    points: int


class EvangelistNominated(EventPayload):
    nomination_id: int


class EvangelistAccepted(EventPayload):
    evangelist_id: int
    user_id: int | None
    term_start: date
    term_end: date


class EvangelistRequestSubmitted(EventPayload):
    request_id: int


PARTNER = {"public": True, "scope": "partners:read", "partner_field": "organization_id"}
ACHIEVEMENT = {"public": True, "scope": "achievements:read", "partner_field": "organization_id"}

declare("partner.created", schema=PartnerCreated, **PARTNER)
declare("partner.updated", schema=PartnerUpdated, **PARTNER)
declare("achievement.submitted", schema=AchievementEvent, **ACHIEVEMENT)
declare("achievement.verified", schema=AchievementVerified, **ACHIEVEMENT)
declare("achievement.rejected", schema=AchievementRejected, **ACHIEVEMENT)
declare("achievement.summary_changed", schema=AchievementEvent, **ACHIEVEMENT)
declare("badge.awarded", schema=BadgeEvent, **PARTNER)
declare("badge.lapsed", schema=BadgeEvent, **PARTNER)
declare("rank.changed", schema=RankChanged, **PARTNER)
# Evangelists are people, handled by staff: internal until an integration needs them.
declare("evangelist.nominated", schema=EvangelistNominated)
declare("evangelist.accepted", schema=EvangelistAccepted)
declare("evangelist_request.submitted", schema=EvangelistRequestSubmitted)
