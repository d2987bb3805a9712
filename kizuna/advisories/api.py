"""Advisories API: public advisories for anyone, what targets a partner for its token, the
partner's acknowledgments and site statuses, and the security team's writes.

Mounted twice: `/api/v1/advisories` and `/api/v1/partners/me/sites` (the client sites).
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kizuna.accounts.auth import BearerToken, require_scope
from kizuna.accounts.models import Organization
from kizuna.advisories import permissions, selectors, services
from kizuna.advisories.models import Advisory, ClientSite, SiteState, SiteStatus
from kizuna.core.api_errors import ApiError
from kizuna.core.api_schema import ApiDate, ApiDateTime, Choice, HttpUrlText, Id, RequiredText, Text

# Advisory identifiers in paths, bounded like the column (x_KIZUNA-2026-0001).
Identifier = Annotated[Text, Field(min_length=1, max_length=40)]
SHORT = Field(max_length=200)
LONG = Field(max_length=20000)

router = Router(tags=["advisories"])
sites_router = Router(tags=["advisories"])


class AffectedRange(Schema):
    package: Annotated[RequiredText, SHORT]
    introduced: Annotated[Text, Field(max_length=40)] = "0"
    fixed: Annotated[Text, Field(max_length=40)] = ""


class AdvisoryOut(Schema):
    identifier: Identifier
    aliases: list[str]
    state: str
    title_ja: str
    title_en: str
    details_ja: str
    details_en: str
    remediation_ja: str
    remediation_en: str
    cvss_vector: str
    cvss_score: Decimal
    severity: str
    affected: list[AffectedRange]
    references: list[str]
    credits: list[str]
    public_at: datetime
    published_at: datetime | None
    revision: int


class AdvisoryIn(Schema):
    title_ja: Annotated[RequiredText, SHORT]
    title_en: Annotated[RequiredText, SHORT]
    details_ja: Annotated[RequiredText, LONG]
    details_en: Annotated[RequiredText, LONG]
    remediation_ja: Annotated[Text, LONG] = ""
    remediation_en: Annotated[Text, LONG] = ""
    cvss_vector: Annotated[RequiredText, SHORT]
    affected: list[AffectedRange] = Field(min_length=1, max_length=50)
    aliases: list[Annotated[RequiredText, Field(max_length=60)]] = Field(
        default_factory=list, max_length=20
    )
    references: list[Annotated[HttpUrlText, SHORT]] = Field(default_factory=list, max_length=50)
    credits: list[Annotated[RequiredText, SHORT]] = Field(default_factory=list, max_length=50)
    # Targeting by badge needs badges chosen on the staff page; the API targets all or sites.
    targeting: Annotated[str, Choice(["all", "sites"])] = "all"
    public_at: ApiDateTime


class AdvisoryPatch(Schema):
    title_ja: Annotated[RequiredText, SHORT] | None = None
    title_en: Annotated[RequiredText, SHORT] | None = None
    details_ja: Annotated[RequiredText, LONG] | None = None
    details_en: Annotated[RequiredText, LONG] | None = None
    remediation_ja: Annotated[Text, LONG] | None = None
    remediation_en: Annotated[Text, LONG] | None = None
    cvss_vector: Annotated[RequiredText, SHORT] | None = None
    affected: list[AffectedRange] | None = Field(None, min_length=1, max_length=50)
    public_at: ApiDateTime | None = None
    summary: Annotated[Text, Field(max_length=300)] = ""


class Plugin(Schema):
    name: Annotated[RequiredText, Field(max_length=120)]
    version: Annotated[Text, Field(max_length=40)] = ""


class SiteIn(Schema):
    label: Annotated[RequiredText, Field(max_length=120)]
    url: Annotated[HttpUrlText, SHORT] | None = None
    product_version: Annotated[RequiredText, Field(max_length=40)]
    plugins: list[Plugin] = Field(default_factory=list, max_length=100)
    hosting_notes: Annotated[Text, Field(max_length=5000)] = ""

    def service_fields(self) -> dict[str, Any]:
        return {**self.dict(), "url": self.url or ""}


class SiteOut(Schema):
    id: int
    label: str
    url: str
    product_version: str
    plugins: list[Plugin]
    hosting_notes: str
    updated_at: datetime


class SiteStatusIn(Schema):
    state: Annotated[str, Choice(SiteState.values)]
    on: ApiDate
    note: Annotated[Text, Field(max_length=500)] = ""


class SiteStatusOut(Schema):
    site_id: Id
    label: str
    product_version: str
    state: str | None
    on: ApiDate | None
    note: str


class AcknowledgmentOut(Schema):
    identifier: Identifier
    acknowledged_at: datetime


def _optional_user(request: HttpRequest, scope: str) -> Any:
    """The token's user when a token with `scope` is sent; anonymous otherwise (public reads)."""
    token = BearerToken()(request)
    if token is None:
        if request.headers.get("Authorization"):
            raise ApiError(
                401, "unauthenticated", "Send a valid token: Authorization: Bearer <token>."
            )
        return AnonymousUser()
    request.auth = token  # type: ignore[attr-defined]
    return require_scope(request, scope)


def _readable(user: Any, identifier: Identifier) -> Advisory:
    advisory = Advisory.objects.filter(identifier=identifier).first()
    if advisory is None or not permissions.can_read_advisory(user, advisory):
        raise ApiError(404, "not_found", "No such advisory.")
    return advisory


def _security_staff(request: HttpRequest) -> Any:
    user = require_scope(request, "advisories:write")
    if not permissions.is_security_staff(user):
        raise ApiError(403, "forbidden", "Only the security team writes advisories.")
    return user


def _invalid(error: ValidationError) -> ApiError:
    return ApiError(422, "invalid_advisory", " ".join(error.messages))


@router.get("", response=list[AdvisoryOut], auth=None)
@paginate
def list_advisories(request: HttpRequest) -> Any:
    """Published advisories; with a token (advisories:read), also those under embargo that
    target your organization, and every advisory for the security team."""
    user = _optional_user(request, "advisories:read")
    if permissions.is_security_staff(user):
        return Advisory.objects.order_by("-public_at", "-id")
    return selectors.advisories_for(user)


@router.get("/{identifier}", response=AdvisoryOut, auth=None)
def get_advisory(request: HttpRequest, identifier: Identifier) -> Advisory:
    user = _optional_user(request, "advisories:read")
    advisory = _readable(user, identifier)
    organization = permissions.targeted_organization(user, advisory)
    services.advisory_view_record(user=user, advisory=advisory, organization=organization)
    return advisory


@router.post("", response={201: AdvisoryOut})
def create_advisory(request: HttpRequest, payload: AdvisoryIn) -> Status:
    user = _security_staff(request)
    fields = payload.dict()
    try:
        return Status(201, services.advisory_create(actor=user, fields=fields))
    except ValidationError as error:
        raise _invalid(error) from error


@router.patch("/{identifier}", response=AdvisoryOut)
def update_advisory(
    request: HttpRequest, identifier: Identifier, payload: AdvisoryPatch
) -> Advisory:
    user = _security_staff(request)
    advisory = get_object_or_404(Advisory, identifier=identifier)
    changes = payload.dict(exclude_unset=True)
    summary = changes.pop("summary", "")
    try:
        return services.advisory_update(
            actor=user, advisory=advisory, fields=changes, summary=summary
        )
    except ValidationError as error:
        raise _invalid(error) from error


def _transition(request: HttpRequest, identifier: Identifier, move: Any) -> Advisory:
    user = _security_staff(request)
    advisory = get_object_or_404(Advisory, identifier=identifier)
    try:
        return move(actor=user, advisory=advisory)
    except ValidationError as error:
        raise ApiError(409, "invalid_state", " ".join(error.messages)) from error


@router.post("/{identifier}/share", response=AdvisoryOut)
def share_advisory(request: HttpRequest, identifier: Identifier) -> Advisory:
    """Start the embargo: the targeted partners are told and can read it."""
    return _transition(request, identifier, services.advisory_share)


@router.post("/{identifier}/publish", response=AdvisoryOut)
def publish_advisory(request: HttpRequest, identifier: Identifier) -> Advisory:
    """Make it public now (the worker does it on the public date otherwise)."""
    return _transition(request, identifier, services.advisory_publish)


def _target_organization(request: HttpRequest, advisory: Advisory) -> tuple[Any, Organization]:
    user = require_scope(request, "advisories:respond")
    organization = permissions.targeted_organization(user, advisory)
    if organization is None or not permissions.can_acknowledge(user, organization):
        raise ApiError(404, "not_found", "No such advisory for your organization.")
    return user, organization


@router.post("/{identifier}/acknowledgment", response=AcknowledgmentOut)
def acknowledge(request: HttpRequest, identifier: Identifier) -> AcknowledgmentOut:
    advisory = _readable(require_scope(request, "advisories:respond"), identifier)
    user, organization = _target_organization(request, advisory)
    target = advisory.targets.get(organization=organization)
    services.advisory_acknowledge(actor=user, target=target)
    target.refresh_from_db()
    assert target.acknowledged_at is not None
    return AcknowledgmentOut(identifier=identifier, acknowledged_at=target.acknowledged_at)


@router.get("/{identifier}/sites", response=list[SiteStatusOut])
def affected_sites(request: HttpRequest, identifier: Identifier) -> list[SiteStatusOut]:
    """Your client sites on an affected version, with the status you gave each."""
    advisory = _readable(require_scope(request, "advisories:read"), identifier)
    _user, organization = _target_organization(request, advisory)
    statuses = {s.site_id: s for s in SiteStatus.objects.filter(advisory=advisory)}
    return [
        SiteStatusOut(
            site_id=site.pk,
            label=site.label,
            product_version=site.product_version,
            state=statuses[site.pk].state if site.pk in statuses else None,
            on=statuses[site.pk].on if site.pk in statuses else None,
            note=statuses[site.pk].note if site.pk in statuses else "",
        )
        for site in services.affected_sites(advisory, organization)
    ]


@router.put("/{identifier}/sites/{site_id}", response=SiteStatusOut)
def set_site_status(
    request: HttpRequest, identifier: Identifier, site_id: Id, payload: SiteStatusIn
) -> SiteStatusOut:
    advisory = _readable(require_scope(request, "advisories:respond"), identifier)
    user, organization = _target_organization(request, advisory)
    site = ClientSite.objects.filter(pk=site_id, organization=organization).first()
    if site is None or site not in services.affected_sites(advisory, organization):
        raise ApiError(404, "not_found", "No such affected site of yours.")
    try:
        status = services.site_status_set(
            actor=user, advisory=advisory, site=site, **payload.dict()
        )
    except ValidationError as error:
        raise ApiError(422, "invalid_status", " ".join(error.messages)) from error
    return SiteStatusOut(
        site_id=site.pk,
        label=site.label,
        product_version=site.product_version,
        state=status.state,
        on=status.on,
        note=status.note,
    )


def _own_organization(request: HttpRequest, scope: str) -> tuple[Any, Organization]:
    user = require_scope(request, scope)
    membership = user.memberships.select_related("organization").first()
    if membership is None:
        raise ApiError(404, "not_a_partner", "Your account belongs to no partner organization.")
    return user, membership.organization


@sites_router.get("", response=list[SiteOut])
@paginate
def list_sites(request: HttpRequest) -> Any:
    _user, organization = _own_organization(request, "advisories:read")
    return organization.client_sites.order_by("label")


@sites_router.post("", response={201: SiteOut})
def create_site(request: HttpRequest, payload: SiteIn) -> Status:
    user, organization = _own_organization(request, "advisories:respond")
    try:
        site = services.client_site_save(
            actor=user, organization=organization, fields=payload.service_fields()
        )
    except ValidationError as error:
        raise ApiError(422, "invalid_site", " ".join(error.messages)) from error
    return Status(201, site)


def _own_site(organization: Organization, site_id: Id) -> ClientSite:
    site = ClientSite.objects.filter(pk=site_id, organization=organization).first()
    if site is None:
        raise ApiError(404, "not_found", "No such site of yours.")
    return site


@sites_router.get("/{site_id}", response=SiteOut)
def get_site(request: HttpRequest, site_id: Id) -> ClientSite:
    _user, organization = _own_organization(request, "advisories:read")
    return _own_site(organization, site_id)


@sites_router.put("/{site_id}", response=SiteOut)
def replace_site(request: HttpRequest, site_id: Id, payload: SiteIn) -> ClientSite:
    user, organization = _own_organization(request, "advisories:respond")
    site = _own_site(organization, site_id)
    try:
        return services.client_site_save(
            actor=user, organization=organization, site=site, fields=payload.service_fields()
        )
    except ValidationError as error:
        raise ApiError(422, "invalid_site", " ".join(error.messages)) from error


@sites_router.delete("/{site_id}", response={204: None})
def delete_site(request: HttpRequest, site_id: Id) -> Status:
    user, organization = _own_organization(request, "advisories:respond")
    services.client_site_delete(actor=user, site=_own_site(organization, site_id))
    return Status(204, None)
