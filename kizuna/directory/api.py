"""Directory API: the public search, merchants' leads, partners' lead inbox, staff's view.

`GET /directory/search` needs no token (it shows only what the public pages show) and is
rate limited per client IP instead; everything about leads needs a scoped token.
"""

from datetime import datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from kizuna.accounts.auth import require_scope
from kizuna.core.api_errors import ApiError
from kizuna.core.api_schema import MAX_YEN, Id, RequiredText, Text
from kizuna.core.pagination import MAX_PAGE, MAX_PAGE_SIZE, PageNumberPagination
from kizuna.core.prefectures import PREFECTURE_CODES
from kizuna.directory import permissions, selectors
from kizuna.directory.limits import search_consume
from kizuna.directory.models import (
    Assignment,
    DeclineReason,
    GuildMember,
    GuildMessage,
    JointProposal,
    Lead,
)
from kizuna.directory.search import HIT_PARTNER_FIELDS, Hit, SearchParams, search
from kizuna.directory.services import guilds, leads
from kizuna.directory.services.ranking import RANK_LEVELS

router = Router(tags=["directory"])


# Search


class SearchIn(Schema):
    q: Text = Field("", max_length=200, description="Free text, Japanese or English")
    service: list[Annotated[Text, Field(max_length=50)]] = Field(
        [], max_length=50, description="Work badge codes (any of them)"
    )
    site_type: list[Annotated[Text, Field(max_length=50)]] = Field(
        [], max_length=50, description="Site-type badge codes (any of them)"
    )
    prefecture: list[str] = Field(
        [], description="JIS codes 01-47: head office or a prefecture served"
    )
    budget_max: int | None = Field(
        None, ge=0, le=MAX_YEN, description="Yen: partners whose minimum fits"
    )
    language: Text = Field("", max_length=10)
    accepting: bool | None = None
    rank: str = Field("", description="Minimum contribution rank")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("prefecture")
    @classmethod
    def known_prefectures(cls, codes: list[str]) -> list[str]:
        unknown = sorted(set(codes) - set(PREFECTURE_CODES))
        if unknown:
            raise ValueError(f"unknown prefecture codes: {', '.join(unknown)}")
        return codes

    @field_validator("rank")
    @classmethod
    def known_rank(cls, rank: str) -> str:
        if rank and rank not in RANK_LEVELS:
            raise ValueError(f"rank must be one of {', '.join(RANK_LEVELS)}")
        return rank


class HitBadgeOut(Schema):
    code: str
    family: str
    name_ja: str
    name_en: str
    level: int
    evidence_count: int
    last_verified_at: datetime | None


class HitOut(Schema):
    slug: str
    name: str
    name_kana: str
    summary: str
    summary_en: str
    website: str
    head_office_prefecture: str
    service_prefectures: list[str]
    languages: list[str]
    budget_min: int | None
    budget_max: int | None
    accepting_new_clients: bool
    rank: str
    logo_url: str | None = Field(None, description="the logo's path on this site, if any")
    review_count: int
    review_average: float | None
    badges: list[HitBadgeOut]
    score: int
    reasons: list[str]


class FacetsOut(Schema):
    service: dict[str, int]
    site_type: dict[str, int]
    prefecture: dict[str, int]
    rank: dict[str, int]


class ReadingOut(Schema):
    """A word of `q` that names badges: it also matched the partners holding one of them."""

    word: str
    badges: list[str]


class SearchOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[HitOut]
    facets: FacetsOut
    readings: list[ReadingOut]


def _hit_out(hit: Hit) -> dict[str, Any]:
    partner = hit.entry.partner
    return {
        "slug": partner.slug,
        "name": partner.name,
        **{name: getattr(partner, name) for name in HIT_PARTNER_FIELDS if name != "logo"},
        "logo_url": partner.logo_url if partner.logo else None,
        "review_count": hit.entry.review_count,
        "review_average": hit.entry.review_average,
        "badges": [
            {
                "code": b.code,
                "family": b.family,
                "name_ja": b.name_ja,
                "name_en": b.name_en,
                "level": b.level,
                "evidence_count": b.evidence_count,
                "last_verified_at": b.last_verified_at,
            }
            for b in hit.badges
        ],
        "score": hit.score,
        "reasons": hit.reasons,
    }


@router.get(
    "/search",
    response=SearchOut,
    auth=None,
    summary="Search the partner directory (public, rate limited per IP)",
)
def search_partners(request: HttpRequest, filters: Query[SearchIn]) -> dict[str, Any]:
    decision = search_consume(request)
    if not decision.allowed:
        raise ApiError.rate_limited(
            decision.retry_after_s, f"Too many searches; retry in {decision.retry_after_s} s."
        )
    result = search(
        SearchParams(
            q=filters.q,
            services=tuple(filters.service),
            site_types=tuple(filters.site_type),
            prefectures=tuple(filters.prefecture),
            budget_max=filters.budget_max,
            language=filters.language,
            accepting=filters.accepting,
            rank=filters.rank,
            page=filters.page,
            page_size=filters.page_size,
        )
    )
    return {
        "count": result.count,
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_hit_out(hit) for hit in result.hits],
        "facets": result.facets,
        "readings": [
            {"word": reading.spelling, "badges": list(reading.badge_codes)}
            for reading in result.readings
        ],
    }


# Leads


class SlotOut(Schema):
    id: int
    partner: str = Field(alias="partner.slug")
    partner_name: str = Field(alias="partner.name")
    status: str
    decline_reason: str
    offered_at: datetime
    expires_at: datetime
    responded_at: datetime | None


class LeadOut(Schema):
    id: int
    products: str
    site_type: str | None = Field(None, alias="site_type.code")
    services: list[str]
    budget: int
    timeline: str
    prefecture: str
    message: str
    routing: str
    created_at: datetime
    slots: list[SlotOut]

    @staticmethod
    def resolve_services(lead: Lead) -> list[str]:
        return [badge.code for badge in lead.services.all()]

    @staticmethod
    def resolve_slots(lead: Lead) -> list[Assignment]:
        return list(lead.assignments.all())


class ContactOut(Schema):
    name: str
    email: str
    phone: str


class InboxItemOut(Schema):
    id: int
    lead_id: int
    products: str = Field(alias="lead.products")
    budget: int = Field(alias="lead.budget")
    timeline: str = Field(alias="lead.timeline")
    prefecture: str = Field(alias="lead.prefecture")
    message: str = Field(alias="lead.message")
    status: str
    offered_at: datetime
    expires_at: datetime
    contact: ContactOut | None = Field(
        None, description="The merchant's contact details: only once you accepted"
    )

    @staticmethod
    def resolve_contact(assignment: Assignment) -> dict[str, str] | None:
        if not assignment.contact_visible:
            return None
        lead = assignment.lead
        return {"name": lead.contact_name, "email": lead.contact_email, "phone": lead.contact_phone}


class DeclineIn(Schema):
    # The service checks the reason and answers its own code, invalid_reason.
    reason: Text = Field(max_length=20, description="busy, budget, scope, region or other")


@router.get(
    "/leads",
    response=list[LeadOut],
    summary="Your requests to partners (merchants); every lead (partner-program staff)",
)
@paginate(PageNumberPagination)
def list_leads(request: HttpRequest) -> QuerySet[Lead]:
    user = require_scope(request, "leads:read")
    return selectors.leads_visible_to(user)


@router.get("/inbox", response=list[InboxItemOut], summary="Your organization's lead inbox")
@paginate(PageNumberPagination)
def list_inbox(request: HttpRequest) -> QuerySet[Assignment]:
    user = require_scope(request, "leads:respond")
    return selectors.inbox_of(user)


def _inbox_item(request: HttpRequest, assignment_id: Id) -> Assignment:
    user = require_scope(request, "leads:respond")
    assignment = selectors.inbox_of(user).filter(pk=assignment_id).first()
    if assignment is None:
        raise ApiError(404, "lead_not_found", f"No lead {assignment_id} in your inbox.")
    return assignment


def _answer(request: HttpRequest, assignment: Assignment, **call: Any) -> Assignment:
    if "reason" in call:
        leads.lead_decline(actor=request.user, assignment=assignment, reason=call["reason"])
    else:
        leads.lead_accept(actor=request.user, assignment=assignment)
    return assignment


@router.post("/inbox/{assignment_id}/accept", response=InboxItemOut, summary="Accept a lead")
def accept(request: HttpRequest, assignment_id: Id) -> Assignment:
    return _answer(request, _inbox_item(request, assignment_id))


@router.post(
    "/inbox/{assignment_id}/decline",
    response=InboxItemOut,
    summary=f"Decline a lead ({', '.join(DeclineReason.values)})",
)
def decline(request: HttpRequest, assignment_id: Id, payload: DeclineIn) -> Assignment:
    return _answer(request, _inbox_item(request, assignment_id), reason=payload.reason)


# Guilds (joint proposals): seen by their members, the merchant once sent, and staff; the
# thread by members alone. Anyone else gets the same 404 as for a proposal that does not exist.


class GuildMemberOut(Schema):
    partner: str = Field(alias="assignment.partner.slug")
    partner_name: str = Field(alias="assignment.partner.name")
    role: str
    scope: str
    status: str = Field(alias="assignment.status")
    invited: bool = Field(alias="assignment.guild_invitation")


class GuildOut(Schema):
    id: int
    lead_id: int
    products: str = Field(alias="lead.products")
    status: str
    pitch: str
    created_at: datetime
    proposed_at: datetime | None
    decided_at: datetime | None
    members: list[GuildMemberOut]

    @staticmethod
    def resolve_members(proposal: JointProposal) -> list[GuildMember]:
        return selectors.proposal_members(proposal)


class GuildMessageOut(Schema):
    id: int
    partner: str = Field(alias="partner.slug")
    text: str
    created_at: datetime


class GuildMessageIn(Schema):
    text: RequiredText = Field(max_length=4000)


def _guild_user(request: HttpRequest) -> Any:
    token = request.auth  # type: ignore[attr-defined]
    scope = "leads:respond" if "leads:respond" in token.scopes else "leads:read"
    return require_scope(request, scope)


def _guild(request: HttpRequest, proposal_id: Id, *, thread: bool = False) -> JointProposal:
    user = _guild_user(request) if not thread else require_scope(request, "leads:respond")
    proposal = selectors.proposal_visible_to(user, proposal_id)
    if proposal is None or (thread and not permissions.can_use_thread(user, proposal)):
        raise ApiError(404, "guild_not_found", f"No joint proposal {proposal_id} for you.")
    return proposal


@router.get("/guilds", response=list[GuildOut], summary="Joint proposals your partner is in")
@paginate(PageNumberPagination)
def list_guilds(request: HttpRequest) -> QuerySet[JointProposal]:
    user = require_scope(request, "leads:respond")
    return selectors.proposals_of_user(user)


@router.get(
    "/guilds/{proposal_id}",
    response=GuildOut,
    summary="A joint proposal: members, the merchant (once sent), staff",
)
def get_guild(request: HttpRequest, proposal_id: Id) -> JointProposal:
    return _guild(request, proposal_id)


@router.get(
    "/guilds/{proposal_id}/messages",
    response=list[GuildMessageOut],
    summary="The guild's private thread (members only)",
)
@paginate(PageNumberPagination)
def list_guild_messages(request: HttpRequest, proposal_id: Id) -> QuerySet[GuildMessage]:
    return selectors.proposal_messages(_guild(request, proposal_id, thread=True))


@router.post(
    "/guilds/{proposal_id}/messages",
    response={201: GuildMessageOut},
    summary="Post to the guild's private thread (members only)",
)
def post_guild_message(request: HttpRequest, proposal_id: Id, payload: GuildMessageIn) -> Status:
    proposal = _guild(request, proposal_id, thread=True)
    return Status(
        201, guilds.guild_message_post(actor=request.user, proposal=proposal, text=payload.text)
    )
