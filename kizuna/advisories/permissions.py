"""Who may read and change advisories and client sites. Tested as a persona x action matrix.

- Security staff (the security role; admins hold every role) write advisories, see every
  partner's sites and every acknowledgment.
- Under embargo an advisory is readable only by the members of the partners it targets
  (and staff); to everyone else it does not exist (404, never 403, so nothing leaks).
- After its public date everybody, signed in or not, reads it.
- A partner's client sites are its own: its members read them, its owners change them.
"""

from typing import Any

from kizuna.accounts.models import Organization
from kizuna.accounts.permissions import Action, can
from kizuna.advisories.models import Advisory, AdvisoryState


def is_security_staff(user: Any) -> bool:
    return can(user, Action.MANAGE_SECURITY)


def partner_organizations(user: Any) -> list[Organization]:
    if not user.is_authenticated:
        return []
    return [membership.organization for membership in user.memberships.all()]


def targeted_organization(user: Any, advisory: Advisory) -> Organization | None:
    """The organization of the user's through which the advisory reached them, if any."""
    for organization in partner_organizations(user):
        if advisory.targets.filter(organization=organization).exists():
            return organization
    return None


def can_read_advisory(user: Any, advisory: Advisory) -> bool:
    if advisory.state == AdvisoryState.PUBLISHED:
        return True
    if is_security_staff(user):
        return True
    if advisory.state == AdvisoryState.SHARED:
        return targeted_organization(user, advisory) is not None
    return False


def is_member(user: Any, organization: Organization) -> bool:
    return user.is_authenticated and user.memberships.filter(organization=organization).exists()


def can_acknowledge(user: Any, organization: Organization) -> bool:
    """A partner's own people acknowledge; staff cannot do it on a partner's behalf."""
    return is_member(user, organization)


def can_change_sites(user: Any, organization: Organization) -> bool:
    """Owners and members both keep their sites' statuses up to date; staff only read."""
    return is_member(user, organization)
