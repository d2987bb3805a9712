"""Who may do what in the directory, for pages, API and services alike.

Searching and partner pages are public. A lead belongs to the merchant who sent it; a
slot of it to the partner it was offered to (its members answer it); staff of the partner
program see every lead and moderate reviews. Tested as a matrix in tests/test_permissions.py.
"""

from typing import Any

from kizuna.accounts.permissions import Action, can
from kizuna.directory.models import Assignment, Lead, Review
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
