"""Who may see and change webhook endpoints: one function per action.

Staff: those holding the integrations role (ecosystem admins hold every role). Partners:
the owners of an organization, for that organization's own endpoints only. Tested as a
persona x action matrix.
"""

from typing import Any

from kizuna.accounts.models import MembershipRole, Organization, OrganizationKind, StaffRole
from kizuna.integrations.models import WebhookEndpoint


def _signed_in(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_integrations_staff(user: Any) -> bool:
    return _signed_in(user) and user.has_staff_role(StaffRole.INTEGRATIONS)


def owned_partner_organization(user: Any) -> Organization | None:
    """The partner organization this user owns, if any (the one whose endpoints they manage)."""
    if not _signed_in(user):
        return None
    membership = (
        user.memberships.filter(
            role=MembershipRole.OWNER, organization__kind=OrganizationKind.PARTNER
        )
        .select_related("organization")
        .order_by("organization_id")
        .first()
    )
    return membership.organization if membership else None


def _owns(user: Any, organization: Organization | None) -> bool:
    return (
        _signed_in(user)
        and organization is not None
        and organization.kind == OrganizationKind.PARTNER
        and user.memberships.filter(organization=organization, role=MembershipRole.OWNER).exists()
    )


def can_list_endpoints(user: Any, organization: Organization | None) -> bool:
    """organization None means the staff's list of every endpoint."""
    if organization is None:
        return is_integrations_staff(user)
    return is_integrations_staff(user) or _owns(user, organization)


def can_create_endpoint(user: Any, organization: Organization | None) -> bool:
    return can_list_endpoints(user, organization)


def can_view_endpoint(user: Any, endpoint: WebhookEndpoint) -> bool:
    return is_integrations_staff(user) or _owns(user, endpoint.organization)


def can_change_endpoint(user: Any, endpoint: WebhookEndpoint) -> bool:
    return can_view_endpoint(user, endpoint)


def can_delete_endpoint(user: Any, endpoint: WebhookEndpoint) -> bool:
    return can_view_endpoint(user, endpoint)


def can_replay(user: Any, endpoint: WebhookEndpoint) -> bool:
    return can_view_endpoint(user, endpoint)


def can_send_test_event(user: Any, endpoint: WebhookEndpoint) -> bool:
    return can_view_endpoint(user, endpoint)
