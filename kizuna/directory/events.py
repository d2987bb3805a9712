"""Event types of the directory: leads, guilds and reviews (see kizuna.core.catalog).

A lead reaches a partner's feed and webhooks in steps, and the merchant's contact only with
`lead.accepted`: offers, declines and expiries carry ids alone, so a partner that never
accepted never learns who asked. The contact fields are personal data as well.
"""

from functools import partial

from kizuna.core.catalog import EventPayload, PartnerPayload, declare


class LeadCreated(EventPayload):
    lead_id: int
    routing: str


class LeadSlot(PartnerPayload):
    """One partner's slot of a lead (an assignment)."""

    lead_id: int
    assignment_id: int


class LeadAccepted(LeadSlot):
    contact_name: str
    contact_email: str
    contact_phone: str


class LeadDeclined(LeadSlot):
    reason: str


class ReviewPublished(PartnerPayload):
    review_id: int
    rating: int


class ReviewHidden(PartnerPayload):
    review_id: int
    reason: str


declare_lead = partial(declare, public=True, scope="leads:read", partner_field="organization_id")
declare_review = partial(
    declare, public=True, scope="partners:read", partner_field="organization_id"
)

declare("lead.created", schema=LeadCreated, public=True, scope="leads:read")
declare_lead("lead.offered", schema=LeadSlot)
declare_lead(
    "lead.accepted",
    schema=LeadAccepted,
    personal={"contact_name", "contact_email", "contact_phone"},
)
declare_lead("lead.declined", schema=LeadDeclined)
declare_lead("lead.expired", schema=LeadSlot)
declare_lead("lead.completed", schema=LeadSlot)
declare_review("review.published", schema=ReviewPublished)
declare_review("review.hidden", schema=ReviewHidden)


# Guilds (joint proposals). None carries the merchant's contact: an invited partner sees it
# on the page once the merchant accepts the proposal.


class GuildCreated(PartnerPayload):
    """The initiator (the partner that accepted the lead) formed a guild."""

    proposal_id: int
    lead_id: int


class GuildInvited(LeadSlot):
    """The invited partner's slot on the lead."""

    proposal_id: int
    role: str


class GuildJoined(LeadSlot):
    proposal_id: int


class GuildDecided(GuildCreated):
    member_partner_ids: list[int]


declare_lead("guild.created", schema=GuildCreated)
declare_lead("guild.invited", schema=GuildInvited)
declare_lead("guild.joined", schema=GuildJoined)
declare_lead("guild.proposed", schema=GuildCreated)
declare_lead("guild.proposal_accepted", schema=GuildDecided)
declare_lead("guild.proposal_declined", schema=GuildDecided)
