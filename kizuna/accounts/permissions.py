"""Who may do what: the one place that decides, for pages, API and services alike.

Tested as a persona x action matrix in tests/test_permissions.py.
"""

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from kizuna.accounts.models import MembershipRole, Organization, StaffRole


class Action(StrEnum):
    VIEW_STAFF_HOME = "view_staff_home"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_STAFF_ROLES = "manage_staff_roles"
    MANAGE_PARTNER_PROGRAM = "manage_partner_program"
    MANAGE_COMMUNITY = "manage_community"
    VIEW_ORGANIZATION_PRIVATE = "view_organization_private"
    MANAGE_ORGANIZATION = "manage_organization"
    USE_API_TOKENS = "use_api_tokens"
    MANAGE_EVENT_CONSUMERS = "manage_event_consumers"
    MANAGE_OUTREACH = "manage_outreach"
    MANAGE_INTEGRATIONS = "manage_integrations"
    MANAGE_SECURITY = "manage_security"
    MANAGE_PERSONAL_DATA = "manage_personal_data"


_STAFF_ACTIONS: dict[str, set[Action]] = {
    StaffRole.ADMIN: set(Action),
    StaffRole.PARTNER_MANAGER: {
        Action.VIEW_STAFF_HOME,
        Action.VIEW_AUDIT_LOG,
        Action.MANAGE_PARTNER_PROGRAM,
        Action.VIEW_ORGANIZATION_PRIVATE,
        Action.MANAGE_ORGANIZATION,
        Action.USE_API_TOKENS,
    },
    StaffRole.COMMUNITY_MANAGER: {
        Action.VIEW_STAFF_HOME,
        Action.VIEW_AUDIT_LOG,
        Action.MANAGE_COMMUNITY,
        Action.MANAGE_PERSONAL_DATA,
        Action.USE_API_TOKENS,
    },
    StaffRole.OUTREACH: {
        Action.VIEW_STAFF_HOME,
        Action.MANAGE_OUTREACH,
        Action.USE_API_TOKENS,
    },
    StaffRole.INTEGRATIONS: {
        Action.VIEW_STAFF_HOME,
        Action.MANAGE_INTEGRATIONS,
        Action.USE_API_TOKENS,
    },
    StaffRole.SECURITY: {
        Action.VIEW_STAFF_HOME,
        Action.VIEW_AUDIT_LOG,
        Action.MANAGE_SECURITY,
        Action.USE_API_TOKENS,
    },
}

_ORGANIZATION_ACTIONS: dict[str, set[Action]] = {
    MembershipRole.OWNER: {Action.VIEW_ORGANIZATION_PRIVATE, Action.MANAGE_ORGANIZATION},
    MembershipRole.MEMBER: {Action.VIEW_ORGANIZATION_PRIVATE},
}

_EVERY_SIGNED_IN_USER = {Action.USE_API_TOKENS}


def can(user: Any, action: Action, obj: object = None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if any(
        action in actions and user.has_staff_role(role) for role, actions in _STAFF_ACTIONS.items()
    ):
        return True
    if isinstance(obj, Organization):
        return action in _ORGANIZATION_ACTIONS.get(organization_role(user, obj) or "", set())
    return action in _EVERY_SIGNED_IN_USER


def organization_role(user: Any, organization: Organization) -> str | None:
    membership = user.memberships.filter(organization=organization).first()
    return membership.role if membership else None


class Persona(StrEnum):
    """Which home page and navigation a signed-in person gets."""

    STAFF = "staff"
    PARTNER = "partner"
    MERCHANT = "merchant"
    COMMUNITY_MEMBER = "community_member"


def persona_of(user: Any) -> Persona:
    if user.is_staff:
        return Persona.STAFF
    if user.memberships.exists():
        return Persona.PARTNER
    if user.kind == "community_member":
        return Persona.COMMUNITY_MEMBER
    return Persona.MERCHANT


# API token scopes. An endpoint names the scope it needs; a token carries a subset.
SCOPES: dict[str, Any] = {
    "account:read": _("Read your own account and organizations"),
    "partners:read": _("Read public partner profiles and badges"),
    "achievements:read": _("Read your organization's achievements and their review"),
    "achievements:write": _("Submit achievements for your organization"),
    "achievements:review": _("Verify, reject or query submitted achievements (staff)"),
    "billing:read": _("Read your organization's fee and invoices"),
    "billing:write": _("Choose your organization's fee"),
    "leads:read": _(
        "Read your requests to partners (merchants), your organization's lead events "
        "(partners), or every lead (staff)"
    ),
    "leads:respond": _("Read your organization's lead inbox and accept or decline leads"),
    "events:read": _(
        "Read the change feed (each event type also needs its own scope; partners: "
        "events about their own organization)"
    ),
    "personal_data:read": _("See personal data (names, emails, phones) in events"),
    "webhooks:read": _("Read your webhook endpoints and their deliveries"),
    "webhooks:write": _("Register, change and replay your webhook endpoints"),
    "community:read": _("Read community members, groups, events and affiliations (staff)"),
    "community:write": _(
        "Create and change community members, groups, events and affiliations (staff)"
    ),
    "advisories:read": _(
        "Read security advisories that target your organization, and its client sites"
    ),
    "advisories:respond": _("Acknowledge advisories, keep client sites and their statuses"),
    "advisories:write": _("Write, share and publish security advisories (security team)"),
    "outreach:read": _("Read campaigns and their per-recipient results (outreach staff)"),
    "outreach:write": _("Write, approve, pause, resume and cancel campaigns (outreach staff)"),
}
