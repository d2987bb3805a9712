"""Reads shared by the pages and the API."""

from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from kizuna.accounts.models import Organization
from kizuna.integrations import permissions
from kizuna.integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def endpoints_visible_to(user: Any) -> QuerySet[WebhookEndpoint]:
    """Staff see every endpoint; a partner owner their organization's; anyone else none."""
    endpoints = WebhookEndpoint.objects.select_related("organization", "notify_user")
    if permissions.is_integrations_staff(user):
        return endpoints.all()
    organization = permissions.owned_partner_organization(user)
    if organization is None:
        return endpoints.none()
    return endpoints.filter(organization=organization)


def endpoints_with_health(endpoints: QuerySet[WebhookEndpoint]) -> QuerySet[WebhookEndpoint]:
    return endpoints.annotate(
        pending_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        last_delivery_at=Max("deliveries__created_at"),
    )


def deliveries_of(
    endpoint: WebhookEndpoint, *, status: str | None = None
) -> QuerySet[WebhookDelivery]:
    deliveries = endpoint.deliveries.prefetch_related("attempts").order_by("-id")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


def organization_for_new_endpoint(user: Any) -> Organization | None:
    """Staff register the ecosystem's endpoints; a partner owner registers its own."""
    if permissions.is_integrations_staff(user):
        return None
    return permissions.owned_partner_organization(user)
