"""Partner program API: public profiles and badges, a partner's own achievements, staff review."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kizuna.accounts.auth import require_scope
from kizuna.core.api_errors import ApiError
from kizuna.core.api_schema import ApiDate, HttpUrlText, Id, RequiredText, Text, max_length_of
from kizuna.core.pagination import PageNumberPagination
from kizuna.partners import selectors
from kizuna.partners.models import Achievement, Badge, BadgeAward, Evidence, PartnerProfile
from kizuna.partners.permissions import PartnerAction, allowed
from kizuna.partners.services.achievements import (
    achievement_reject,
    achievement_request_info,
    achievement_submit,
    achievement_verify,
)

router = Router(tags=["partners"])


class BadgeOut(Schema):
    code: str
    family: str
    name_ja: str
    name_en: str
    level: int
    evidence_count: int
    last_verified_at: datetime | None


class PartnerOut(Schema):
    """Only public fields: the contact person and review dates never leave through here."""

    slug: str
    name: str
    name_kana: str
    summary: str
    summary_en: str
    description: str
    description_en: str
    website: str
    head_office_prefecture: str
    service_prefectures: list[str]
    languages: list[str]
    team_size: int | None
    budget_min: int | None
    budget_max: int | None
    accepting_new_clients: bool
    rank: str
    badges: list[BadgeOut]

    @staticmethod
    def resolve_badges(partner: PartnerProfile) -> list[BadgeOut]:
        awards = getattr(partner, "active_awards", None)
        if awards is None:
            awards = selectors.active_badge_awards(partner)
        return [_badge_out(award) for award in awards]


def _badge_out(award: BadgeAward) -> BadgeOut:
    return BadgeOut(
        code=award.badge.code,
        family=award.badge.family,
        name_ja=award.badge.name_ja,
        name_en=award.badge.name_en,
        level=award.level,
        evidence_count=award.evidence_count,
        last_verified_at=award.last_verified_at,
    )


@router.get(
    "/profiles", response=list[PartnerOut], summary="Public partner profiles with their badges"
)
@paginate(PageNumberPagination)
def list_profiles(request: HttpRequest) -> QuerySet[PartnerProfile]:
    require_scope(request, "partners:read")
    return selectors.public_partners()


@router.get("/profiles/{slug}", response=PartnerOut, summary="One public partner profile")
def get_profile(
    request: HttpRequest, slug: Annotated[Text, Field(max_length=100)]
) -> PartnerProfile:
    require_scope(request, "partners:read")
    partner = selectors.partner_by_slug(slug).first()
    if partner is None:
        raise ApiError(404, "partner_not_found", f"No partner with slug '{slug}'.")
    return partner


class ReviewOut(Schema):
    decision: str
    reason: str
    at: datetime


class AchievementOut(Schema):
    id: int
    partner: str
    title: str
    description: str
    badges: list[str]
    industry: str
    completed_on: date
    site_url: str
    client_may_be_named: bool
    status: str
    verified_at: datetime | None
    evidence_links: list[str]
    reviews: list[ReviewOut]

    @staticmethod
    def resolve_partner(achievement: Achievement) -> str:
        return achievement.partner.slug

    @staticmethod
    def resolve_badges(achievement: Achievement) -> list[str]:
        return sorted(badge.code for badge in achievement.badges.all())

    @staticmethod
    def resolve_evidence_links(achievement: Achievement) -> list[str]:
        return [evidence.url for evidence in achievement.evidence.all() if evidence.url]

    @staticmethod
    def resolve_reviews(achievement: Achievement) -> list[Any]:
        return list(achievement.reviews.all())


def _with_details(achievements: QuerySet[Achievement]) -> QuerySet[Achievement]:
    return achievements.select_related("partner__organization").prefetch_related(
        "badges", "evidence", "reviews"
    )


def _own_partner(request: HttpRequest, action: PartnerAction) -> PartnerProfile:
    partner = selectors.partner_of_user(request.user)
    if partner is None or not allowed(request.user, action, partner):
        raise ApiError(403, "not_a_partner", "The token's user has no partner profile to act for.")
    return partner


@router.get(
    "/achievements", response=list[AchievementOut], summary="Your organization's achievements"
)
@paginate(PageNumberPagination)
def list_own_achievements(request: HttpRequest) -> QuerySet[Achievement]:
    require_scope(request, "achievements:read")
    partner = _own_partner(request, PartnerAction.VIEW_PRIVATE)
    return _with_details(partner.achievements.all())


Url = Annotated[HttpUrlText, Field(max_length=max_length_of(Evidence, "url"))]


class AchievementIn(Schema):
    title: RequiredText = Field(max_length=max_length_of(Achievement, "title"))
    description: RequiredText = Field(max_length=20_000)
    badges: list[Annotated[Text, Field(max_length=max_length_of(Badge, "code"))]] = Field(
        max_length=50
    )
    completed_on: ApiDate
    industry: Text = Field("", max_length=max_length_of(Achievement, "industry"))
    site_url: (
        Annotated[HttpUrlText, Field(max_length=max_length_of(Achievement, "site_url"))] | None
    ) = None
    client_may_be_named: bool = False
    evidence_links: list[Url] = Field(max_length=20)


@router.post(
    "/achievements", response={201: AchievementOut}, summary="Submit an achievement for review"
)
def submit_achievement(request: HttpRequest, payload: AchievementIn) -> Status:
    require_scope(request, "achievements:write")
    partner = _own_partner(request, PartnerAction.SUBMIT_ACHIEVEMENT)
    badges = list(Badge.objects.filter(code__in=payload.badges))
    unknown = sorted(set(payload.badges) - {b.code for b in badges})
    if unknown:
        raise ApiError(422, "unknown_badge", f"Unknown badge codes: {', '.join(unknown)}.")
    achievement = achievement_submit(
        actor=request.user,
        partner=partner,
        title=payload.title,
        description=payload.description,
        badges=badges,
        completed_on=payload.completed_on,
        industry=payload.industry,
        site_url=str(payload.site_url or ""),
        client_may_be_named=payload.client_may_be_named,
        evidence_links=[str(link) for link in payload.evidence_links],
    )
    return Status(201, achievement)


def _require_reviewer(request: HttpRequest) -> None:
    require_scope(request, "achievements:review")
    if not allowed(request.user, PartnerAction.REVIEW_ACHIEVEMENTS):
        raise ApiError(403, "not_a_reviewer", "Only partner-program staff review achievements.")


@router.get(
    "/review-queue",
    response=list[AchievementOut],
    summary="Achievements waiting for review (staff)",
)
@paginate(PageNumberPagination)
def review_queue(request: HttpRequest) -> QuerySet[Achievement]:
    _require_reviewer(request)
    return _with_details(selectors.review_queue())


class DecisionIn(Schema):
    reason: Text = Field("", max_length=5_000)


def _decide(
    request: HttpRequest, achievement_id: Id, decide: Callable[..., Achievement], reason: str
) -> Achievement:
    _require_reviewer(request)
    achievement = (
        Achievement.objects.select_related("partner__organization")
        .filter(pk=achievement_id)
        .first()
    )
    if achievement is None:
        raise ApiError(404, "achievement_not_found", f"No achievement {achievement_id}.")
    decide(actor=request.user, achievement=achievement, reason=reason)
    return achievement


@router.post(
    "/achievements/{achievement_id}/verify", response=AchievementOut, summary="Verify (staff)"
)
def verify(request: HttpRequest, achievement_id: Id, payload: DecisionIn) -> Achievement:
    return _decide(
        request,
        achievement_id,
        lambda *, actor, achievement, reason: achievement_verify(
            actor=actor, achievement=achievement, note=reason
        ),
        payload.reason,
    )


@router.post(
    "/achievements/{achievement_id}/reject",
    response=AchievementOut,
    summary="Reject with a reason (staff)",
)
def reject(request: HttpRequest, achievement_id: Id, payload: DecisionIn) -> Achievement:
    return _decide(request, achievement_id, achievement_reject, payload.reason)


@router.post(
    "/achievements/{achievement_id}/request-info",
    response=AchievementOut,
    summary="Ask the partner for more information (staff)",
)
def request_info(request: HttpRequest, achievement_id: Id, payload: DecisionIn) -> Achievement:
    return _decide(request, achievement_id, achievement_request_info, payload.reason)
