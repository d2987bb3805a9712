"""Who may do what in the directory, for pages, API and services alike.

Searching and partner pages are public. A lead belongs to the merchant who sent it; a
slot of it to the partner it was offered to (its members answer it); staff of the partner
program see every lead and moderate reviews. A joint proposal (guild) is seen by its members'
partners, by the merchant once it is sent, and by staff; its thread by its members alone. A
partner outside the guild sees nothing of it. Tested as a matrix in tests/test_permissions.py.
"""

from typing import Any

from kizuna.accounts.permissions import Action, can
from kizuna.directory.models import (
    Assignment,
    AssignmentStatus,
    JointProposal,
    Lead,
    ProposalStatus,
    Review,
)
from kizuna.partners.models import PartnerProfile


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_staff(user: Any) -> bool:
    return can(user, Action.MANAGE_PARTNER_PROGRAM)


def can_send_lead(user: Any) -> bool:
    return _active(user)


def is_lead_merchant(user: Any, lead: Lead) -> bool:
    return _active(user) and lead.merchant_id == user.pk


def can_respond(user: Any, assignment: Assignment) -> bool:
    """Any member of the partner may accept or decline (staff do not answer for partners)."""
    return _active(user) and assignment.partner.organization.memberships.filter(user=user).exists()


def can_manage_partner_leads(user: Any, partner: PartnerProfile) -> bool:
    return can(user, Action.MANAGE_ORGANIZATION, partner.organization)


def can_review(user: Any, assignment: Assignment) -> bool:
    return is_lead_merchant(user, assignment.lead)


def can_reply(user: Any, review: Review) -> bool:
    return (
        _active(user)
        and review.partner.organization.memberships.filter(user=user, role="owner").exists()
    )


def can_moderate(user: Any) -> bool:
    return is_staff(user)


# Guilds (joint proposals)

GUILD_PRESENT = (AssignmentStatus.OFFERED, AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED)
GUILD_JOINED = (AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED)


def _member_partner_ids(proposal: JointProposal, statuses: tuple[str, ...]) -> set[int]:
    return set(
        proposal.members.filter(assignment__status__in=statuses).values_list(
            "assignment__partner_id", flat=True
        )
    )


def _user_partner_ids(user: Any) -> set[int]:
    if not _active(user):
        return set()
    return set(
        PartnerProfile.objects.filter(organization__memberships__user=user).values_list(
            "pk", flat=True
        )
    )


def guild_partner_of(user: Any, proposal: JointProposal, *, joined: bool = False) -> int | None:
    """The user's partner in the guild: invited (still to answer) or joined; None if none."""
    found = _user_partner_ids(user) & _member_partner_ids(
        proposal, GUILD_JOINED if joined else GUILD_PRESENT
    )
    return min(found) if found else None


def can_view_proposal(user: Any, proposal: JointProposal) -> bool:
    if guild_partner_of(user, proposal) is not None or is_staff(user):
        return True
    return proposal.status != ProposalStatus.FORMING and is_lead_merchant(user, proposal.lead)


def can_use_thread(user: Any, proposal: JointProposal) -> bool:
    return guild_partner_of(user, proposal, joined=True) is not None


def can_lead_guild(user: Any, assignment: Assignment) -> bool:
    """Members of the partner that accepted the lead build and send its joint proposal."""
    return can_respond(user, assignment)


def can_decide_proposal(user: Any, proposal: JointProposal) -> bool:
    return is_lead_merchant(user, proposal.lead)


# The collaboration board


def is_partner_member(user: Any, partner: PartnerProfile) -> bool:
    return _active(user) and partner.organization.memberships.filter(user=user).exists()
