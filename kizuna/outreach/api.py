"""Outreach API: campaigns for staff with the outreach role (token scopes `outreach:read`,
`outreach:write`). Approving needs a second person, as on the pages."""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kizuna.accounts.auth import require_scope
from kizuna.core.api_errors import ApiError
from kizuna.core.api_schema import (
    ApiDateTime,
    Choice,
    Count,
    Id,
    RequiredText,
    Text,
    max_length_of,
)
from kizuna.core.errors import ServiceError
from kizuna.outreach import campaigns
from kizuna.outreach.campaign_models import Audience, Campaign
from kizuna.outreach.channels import registry
from kizuna.outreach.models import OPTIONAL_TOPICS, Delivery
from kizuna.outreach.permissions import OutreachAction, can_outreach

router = Router(tags=["outreach"])

LONG = 20000


def _staff(request: HttpRequest, scope: str, action: OutreachAction) -> Any:
    user = require_scope(request, scope)
    if not can_outreach(user, action):
        raise ApiError(403, "forbidden", "Only staff with the outreach role do this.")
    return user


def _campaign(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_related("audience").filter(pk=campaign_id).first()
    if campaign is None:
        raise ApiError(404, "not_found", "No such campaign.")
    return campaign


class Texts(Schema):
    ja: Annotated[Text, Field(max_length=LONG)] = ""
    en: Annotated[Text, Field(max_length=LONG)] = ""


class CampaignIn(Schema):
    title: Annotated[RequiredText, Field(max_length=max_length_of(Campaign, "title"))]
    audience_id: Id
    topic: Annotated[str, Choice([str(topic) for topic in OPTIONAL_TOPICS])]
    channels: list[Annotated[str, Field(max_length=32)]] = Field(..., min_length=1, max_length=8)
    subject_ja: Annotated[RequiredText, Field(max_length=max_length_of(Campaign, "subject_ja"))]
    body_ja: Annotated[RequiredText, Field(max_length=LONG)]
    subject_en: Annotated[RequiredText, Field(max_length=max_length_of(Campaign, "subject_en"))]
    body_en: Annotated[RequiredText, Field(max_length=LONG)]
    variants: dict[Annotated[str, Field(max_length=32)], Texts] = Field({}, max_length=8)
    event_id: Id | None = None
    scheduled_at: ApiDateTime | None = None


class CampaignOut(Schema):
    id: int
    title: str
    state: str
    revision: int
    audience_id: int
    topic: str
    channels: list[str]
    subject_ja: str
    body_ja: str
    subject_en: str
    body_en: str
    variants: dict[str, dict[str, str]]
    event_id: int | None
    scheduled_at: datetime | None
    author_id: int
    approved_by_id: int | None
    approved_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    progress: dict[str, Any]

    @staticmethod
    def resolve_progress(obj: Campaign) -> dict[str, Any]:
        progress = campaigns.campaign_progress(obj)
        return {
            "total": progress["total"],
            "done": progress["done"],
            "pending": progress["pending"],
            "by_state": progress["by_state"],
        }


class DeliveryOut(Schema):
    id: int
    recipient_key: str
    channel: str
    address: str
    language: str
    state: str
    reason: str
    error: str
    due_at: datetime
    sent_at: datetime | None


@router.get("/campaigns", response=list[CampaignOut])
@paginate
def list_campaigns(request: HttpRequest) -> Any:
    _staff(request, "outreach:read", OutreachAction.VIEW_CAMPAIGNS)
    return Campaign.objects.order_by("-created_at", "-id")


@router.post("/campaigns", response={201: CampaignOut})
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status:
    user = _staff(request, "outreach:write", OutreachAction.WRITE_CAMPAIGN)
    audience = Audience.objects.filter(pk=payload.audience_id).first()
    if audience is None:
        raise ApiError(422, "unknown_audience", "No such audience.")
    from kizuna.community.models import Event

    event = None
    if payload.event_id is not None:
        event = Event.objects.filter(pk=payload.event_id).first()
        if event is None:
            raise ApiError(422, "unknown_event", "No such event.")
    unknown = sorted(set(payload.channels) - set(registry.names()))
    if unknown:
        raise ApiError(422, "unknown_channel", f"Unknown channels: {', '.join(unknown)}.")
    fields = payload.dict(exclude={"audience_id", "event_id", "variants"})
    fields["variants"] = {channel: texts.dict() for channel, texts in payload.variants.items()}
    campaign = campaigns.campaign_create(
        actor=user, fields={**fields, "audience": audience, "event": event}
    )
    return Status(201, campaign)


@router.get("/campaigns/{campaign_id}", response=CampaignOut)
def get_campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    _staff(request, "outreach:read", OutreachAction.VIEW_CAMPAIGNS)
    return _campaign(campaign_id)


@router.post("/campaigns/{campaign_id}/approve", response=CampaignOut)
def approve_campaign(
    request: HttpRequest, campaign_id: Id, revision: Count | None = None
) -> Campaign:
    """Approve a campaign someone else wrote; its audience is frozen into recipients.

    `?revision=` names the revision the approver read: an edit since then is refused (422).
    """
    user = _staff(request, "outreach:write", OutreachAction.APPROVE_CAMPAIGN)
    campaign = _campaign(campaign_id)
    try:
        return campaigns.campaign_approve(actor=user, campaign=campaign, revision=revision)
    except ServiceError as error:
        if error.code == "four_eyes":
            raise ApiError(403, "four_eyes", " ".join(error.messages)) from error
        raise


def _steer(request: HttpRequest, campaign_id: int, move: Any) -> Campaign:
    user = _staff(request, "outreach:write", OutreachAction.WRITE_CAMPAIGN)
    return move(actor=user, campaign=_campaign(campaign_id))


@router.post("/campaigns/{campaign_id}/pause", response=CampaignOut)
def pause_campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return _steer(request, campaign_id, campaigns.campaign_pause)


@router.post("/campaigns/{campaign_id}/resume", response=CampaignOut)
def resume_campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return _steer(request, campaign_id, campaigns.campaign_resume)


@router.post("/campaigns/{campaign_id}/cancel", response=CampaignOut)
def cancel_campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return _steer(request, campaign_id, campaigns.campaign_cancel)


@router.get("/campaigns/{campaign_id}/deliveries", response=list[DeliveryOut])
@paginate
def campaign_deliveries(request: HttpRequest, campaign_id: Id) -> Any:
    """One row per recipient: the delivery's state and reason (sent, skipped: no_consent,
    suppressed, frequency_cap; deferred: quota_exhausted, rate_limited...; failed)."""
    _staff(request, "outreach:read", OutreachAction.VIEW_CAMPAIGNS)
    campaign = _campaign(campaign_id)
    return Delivery.objects.filter(campaign_recipient__campaign=campaign).order_by("id")
