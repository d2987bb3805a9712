"""Event types of outreach (see kizuna.core.catalog): each step of a campaign.

Staff-only: a campaign names no recipient, and its events are read with `outreach:read`.
"""

from kizuna.core.catalog import EventPayload, declare


class CampaignStep(EventPayload):
    campaign_id: int
    state: str
    revision: int
    actor_id: int | None = None


class CampaignStarted(CampaignStep):
    recipients: int


for name in (
    "campaign.created",
    "campaign.edited",
    "campaign.approved",
    "campaign.approval_withdrawn",
    "campaign.paused",
    "campaign.resumed",
    "campaign.cancelled",
    "campaign.finished",
):
    declare(name, schema=CampaignStep, scope="outreach:read")
declare("campaign.started", schema=CampaignStarted, scope="outreach:read")
