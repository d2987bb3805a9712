"""Reads of accounts that other apps share."""

from kizuna.accounts.models import MembershipRole, Organization


def owner_emails(organization: Organization) -> list[str]:
    """Where to write to an organization: its active owners."""
    return list(
        organization.memberships.filter(
            role=MembershipRole.OWNER, user__is_active=True
        ).values_list("user__email", flat=True)
    )
