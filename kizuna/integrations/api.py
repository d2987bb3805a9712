"""Webhook endpoints, their deliveries and replays: /api/v1/webhooks/..."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kizuna.accounts.auth import require_scope
from kizuna.accounts.models import Organization
from kizuna.core.api_errors import ApiError
from kizuna.integrations import permissions, selectors, services
from kizuna.integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

router = Router(tags=["webhooks"])


def _error(error: ValidationError) -> ApiError:
    errors = (
        [e for field_errors in error.error_dict.values() for e in field_errors]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    code = next((e.code for e in errors if e.code), "invalid")
    return ApiError(422, code, " ".join(error.messages))


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    personal_data: bool
    organization_id: int | None
    enabled: bool
    disabled_reason: str
    failing_since: datetime | None
    created_at: datetime


class EndpointCreatedOut(EndpointOut):
    secret: str = Field(description="whsec_...: shown here and under /secret; verify with it")


class SecretOut(Schema):
    secret: str
    previous_secret: str | None
    previous_secret_until: datetime | None


class EndpointIn(Schema):
    url: str = Field(max_length=500)
    event_types: list[str] = Field(max_length=200)
    description: str = Field("", max_length=200)
    personal_data: bool = False
    organization_id: int | None = Field(
        None, description="Staff only: register for this partner organization."
    )


class EndpointPatch(Schema):
    url: str | None = Field(None, max_length=500)
    event_types: list[str] | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=200)
    personal_data: bool | None = None
    enabled: bool | None = None


class AttemptOut(Schema):
    number: int
    attempted_at: datetime
    status_code: int | None
    succeeded: bool
    response_ms: int | None
    response_excerpt: str
    error: str


class DeliveryOut(Schema):
    id: int
    webhook_id: str
    event_id: int | None
    event_type: str
    status: str
    attempt_count: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    created_at: datetime
    attempts: list[AttemptOut]


class DeliveriesOut(Schema):
    deliveries: list[DeliveryOut]
    next_before: int | None = Field(description="Pass as `before` for the next page")


class ReplayIn(Schema):
    start: datetime
    end: datetime


class ReplayOut(Schema):
    replayed: int


def _endpoint(request: HttpRequest, endpoint_id: int, scope: str) -> WebhookEndpoint:
    user = require_scope(request, scope)
    endpoint = selectors.endpoints_visible_to(user).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise ApiError(404, "not_found", "No such webhook endpoint.")
    return endpoint


def _delivery_out(delivery: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.pk,
        webhook_id=delivery.webhook_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempt_count=delivery.attempt_count,
        next_attempt_at=delivery.next_attempt_at,
        last_status_code=delivery.last_status_code,
        created_at=delivery.created_at,
        attempts=[AttemptOut.from_orm(a) for a in delivery.attempts.all()],
    )


@router.get("/endpoints", response=list[EndpointOut], summary="Your webhook endpoints")
def endpoint_list(request: HttpRequest) -> list[WebhookEndpoint]:
    user = require_scope(request, "webhooks:read")
    return list(selectors.endpoints_visible_to(user))


@router.post(
    "/endpoints", response={201: EndpointCreatedOut}, summary="Register a webhook endpoint"
)
def endpoint_create(request: HttpRequest, payload: EndpointIn) -> Status:
    user = require_scope(request, "webhooks:write")
    if payload.organization_id is not None:
        organization = Organization.objects.filter(pk=payload.organization_id).first()
        if organization is None or not permissions.is_integrations_staff(user):
            raise ApiError(403, "forbidden", "Only staff register endpoints for an organization.")
    else:
        organization = selectors.organization_for_new_endpoint(user)
    if not permissions.can_create_endpoint(user, organization):
        raise ApiError(403, "forbidden", "You may not register webhook endpoints.")
    try:
        endpoint = services.webhook_endpoint_create(
            actor=user,
            organization=organization,
            url=payload.url,
            event_types=payload.event_types,
            description=payload.description,
            personal_data=payload.personal_data,
        )
    except ValidationError as error:
        raise _error(error) from None
    return Status(201, endpoint)


@router.get("/endpoints/{endpoint_id}", response=EndpointOut, summary="One webhook endpoint")
def endpoint_detail(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    return _endpoint(request, endpoint_id, "webhooks:read")


@router.patch("/endpoints/{endpoint_id}", response=EndpointOut, summary="Change an endpoint")
def endpoint_update(
    request: HttpRequest, endpoint_id: int, payload: EndpointPatch
) -> WebhookEndpoint:
    endpoint = _endpoint(request, endpoint_id, "webhooks:write")
    changes = payload.dict(exclude_none=True)
    try:
        return services.webhook_endpoint_update(actor=request.user, endpoint=endpoint, **changes)
    except ValidationError as error:
        raise _error(error) from None


@router.delete("/endpoints/{endpoint_id}", response={204: None}, summary="Delete an endpoint")
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> Status:
    endpoint = _endpoint(request, endpoint_id, "webhooks:write")
    services.webhook_endpoint_delete(actor=request.user, endpoint=endpoint)
    return Status(204, None)


@router.get(
    "/endpoints/{endpoint_id}/secret", response=SecretOut, summary="The endpoint's signing secret"
)
def endpoint_secret(request: HttpRequest, endpoint_id: int) -> SecretOut:
    endpoint = _endpoint(request, endpoint_id, "webhooks:write")
    return SecretOut(
        secret=endpoint.secret,
        previous_secret=endpoint.previous_secret or None,
        previous_secret_until=endpoint.previous_secret_until,
    )


@router.post(
    "/endpoints/{endpoint_id}/rotate-secret",
    response=SecretOut,
    summary="New secret; the old one keeps signing for 24 hours beside it",
)
def endpoint_rotate_secret(request: HttpRequest, endpoint_id: int) -> SecretOut:
    endpoint = _endpoint(request, endpoint_id, "webhooks:write")
    endpoint = services.webhook_endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
    return SecretOut(
        secret=endpoint.secret,
        previous_secret=endpoint.previous_secret or None,
        previous_secret_until=endpoint.previous_secret_until,
    )


@router.get(
    "/endpoints/{endpoint_id}/deliveries",
    response=DeliveriesOut,
    summary="The endpoint's delivery log, newest first",
)
def delivery_list(
    request: HttpRequest,
    endpoint_id: int,
    status: DeliveryStatus | None = None,
    before: int | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> DeliveriesOut:
    endpoint = _endpoint(request, endpoint_id, "webhooks:read")
    deliveries = selectors.deliveries_of(endpoint, status=status)
    if before is not None:
        deliveries = deliveries.filter(id__lt=before)
    page = list(deliveries[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return DeliveriesOut(
        deliveries=[_delivery_out(d) for d in page],
        next_before=page[-1].pk if more else None,
    )


@router.post(
    "/endpoints/{endpoint_id}/deliveries/{delivery_id}/replay",
    response=DeliveryOut,
    summary="Send one delivery again (same body, same webhook-id)",
)
def delivery_replay(request: HttpRequest, endpoint_id: int, delivery_id: int) -> DeliveryOut:
    endpoint = _endpoint(request, endpoint_id, "webhooks:write")
    delivery = endpoint.deliveries.filter(pk=delivery_id).first()
    if delivery is None:
        raise ApiError(404, "not_found", "No such delivery for this endpoint.")
    delivery = services.webhook_delivery_replay(actor=request.user, delivery=delivery)
    return _delivery_out(delivery)


@router.post(
    "/endpoints/{endpoint_id}/replay",
    response=ReplayOut,
    summary="Send again every subscribed event that occurred in [start, end)",
)
def endpoint_replay(request: HttpRequest, endpoint_id: int, payload: ReplayIn) -> ReplayOut:
    endpoint = _endpoint(request, endpoint_id, "webhooks:write")
    try:
        count = services.webhook_events_replay(
            actor=request.user, endpoint=endpoint, start=payload.start, end=payload.end
        )
    except ValidationError as error:
        raise _error(error) from None
    return ReplayOut(replayed=count)


@router.post(
    "/endpoints/{endpoint_id}/test",
    response={202: DeliveryOut},
    summary="Queue a signed `webhook.test` event to the endpoint",
)
def endpoint_test(request: HttpRequest, endpoint_id: int) -> Status:
    endpoint = _endpoint(request, endpoint_id, "webhooks:write")
    delivery = services.webhook_test_send(actor=request.user, endpoint=endpoint)
    return Status(202, _delivery_out(delivery))
