"""Who may do what with billing, built on kizuna.accounts.permissions.

- Staff who run the partner program (admin, partner manager) manage everything.
- A partner's owner chooses its fee, edits its billing account and reads its invoices.
- A partner's members read the fee and invoices (they often forward them to accounting)
  but change nothing.
- Anyone else, including other partners, merchants and community members: nothing.
"""

from enum import StrEnum
from typing import Any

from kizuna.accounts.models import MembershipRole, Organization, OrganizationKind
from kizuna.accounts.permissions import Action as AccountAction
from kizuna.accounts.permissions import can as account_can
from kizuna.accounts.permissions import organization_role


class Action(StrEnum):
    MANAGE_BILLING = "manage_billing"
    VIEW_BILLING = "view_billing"
    CHOOSE_FEE = "choose_fee"


_ORGANIZATION_ACTIONS: dict[str, set[Action]] = {
    MembershipRole.OWNER: {Action.VIEW_BILLING, Action.CHOOSE_FEE},
    MembershipRole.MEMBER: {Action.VIEW_BILLING},
}


def is_billing_staff(user: Any) -> bool:
    return account_can(user, AccountAction.MANAGE_PARTNER_PROGRAM)


def can(user: Any, action: Action, organization: Organization | None = None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if is_billing_staff(user):
        return True
    if organization is None or organization.kind != OrganizationKind.PARTNER:
        return False
    return action in _ORGANIZATION_ACTIONS.get(organization_role(user, organization) or "", set())


def billed_organization(user: Any) -> Organization | None:
    """The partner organization whose billing a partner-side user sees (its first)."""
    if user is None or not user.is_authenticated:
        return None
    membership = (
        user.memberships.select_related("organization")
        .filter(organization__kind=OrganizationKind.PARTNER)
        .order_by("-role", "organization_id")  # "owner" sorts after "member": owners first
        .first()
    )
    return membership.organization if membership else None
