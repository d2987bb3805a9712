"""Event types of the partner program (see kizuna.core.catalog)."""

from datetime import date
from functools import partial

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


class ContributionRuleChanged(EventPayload):
    """Staff changed which contribution kind an activity type earns (kind None: nothing)."""

    activity_type: str
    kind: str | None
    points: int | None


class PartnerExitRequested(PartnerPayload):
    leaves_on: date


class PartnerLeft(PartnerPayload):
    left_on: date


class ApplicationEvent(EventPayload):
    application_id: int
    status: str


class ApplicationApproved(ApplicationEvent):
    partner_id: int
    organization_id: int


declare_partner = partial(
    declare, public=True, scope="partners:read", partner_field="organization_id"
)
declare_achievement = partial(
    declare, public=True, scope="achievements:read", partner_field="organization_id"
)

declare_partner("partner.created", schema=PartnerCreated)
declare_partner("partner.updated", schema=PartnerUpdated)
declare_achievement("achievement.submitted", schema=AchievementEvent)
declare_achievement("achievement.verified", schema=AchievementVerified)
declare_achievement("achievement.rejected", schema=AchievementRejected)
declare_achievement("achievement.summary_changed", schema=AchievementEvent)
declare_partner("badge.awarded", schema=BadgeEvent)
declare_partner("badge.lapsed", schema=BadgeEvent)
declare_partner("rank.changed", schema=RankChanged)
# Evangelists are people, handled by staff: internal until an integration needs them.
declare("evangelist.nominated", schema=EvangelistNominated)
declare("evangelist.accepted", schema=EvangelistAccepted)
declare("evangelist_request.submitted", schema=EvangelistRequestSubmitted)
declare("contribution_rule.changed", schema=ContributionRuleChanged)
declare_partner("partner.exit_requested", schema=PartnerExitRequested)
declare_partner("partner.left", schema=PartnerLeft)
# Applications are companies not yet in the program: internal, for staff's tools only.
declare("partner_application.submitted", schema=ApplicationEvent)
declare("partner_application.info_requested", schema=ApplicationEvent)
declare("partner_application.answered", schema=ApplicationEvent)
declare("partner_application.approved", schema=ApplicationApproved)
declare("partner_application.rejected", schema=ApplicationEvent)
declare("partner_application.withdrawn", schema=ApplicationEvent)
