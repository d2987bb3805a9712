"""Who may do what in the partner program, for pages, API and commands alike.

Built on accounts' roles: staff with the partner program in their role manage it; the
members of a partner organization see its private data and its owners change it; nobody
else sees more than the public profile, badges and published summaries.
Tested as a persona x action matrix in tests/test_permissions.py.
"""

from enum import StrEnum
from typing import Any

from kizuna.accounts.models import Organization
from kizuna.accounts.permissions import Action, can
from kizuna.partners.models import Achievement, Evangelist, EvangelistRequest, PartnerProfile


class PartnerAction(StrEnum):
    VIEW_PRIVATE = "view_private"  # achievements, evidence, contact person, rank history
    EDIT_PROFILE = "edit_profile"
    SUBMIT_ACHIEVEMENT = "submit_achievement"
    REVIEW_ACHIEVEMENTS = "review_achievements"
    MANAGE_PROGRAM = "manage_program"  # badge catalog, points table, contributions
    MANAGE_EVANGELISTS = "manage_evangelists"
    NOMINATE_EVANGELIST = "nominate_evangelist"
    REQUEST_EVANGELIST = "request_evangelist"
    REVIEW_APPLICATIONS = "review_applications"
    LEAVE_PROGRAM = "leave_program"


_STAFF_ACTIONS = {
    PartnerAction.REVIEW_ACHIEVEMENTS,
    PartnerAction.MANAGE_PROGRAM,
    PartnerAction.MANAGE_EVANGELISTS,
    PartnerAction.REVIEW_APPLICATIONS,
}


def allowed(user: Any, action: PartnerAction, partner: PartnerProfile | None = None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if action in _STAFF_ACTIONS:
        if action == PartnerAction.MANAGE_EVANGELISTS and can(user, Action.MANAGE_COMMUNITY):
            return True
        return can(user, Action.MANAGE_PARTNER_PROGRAM)
    if action in (PartnerAction.NOMINATE_EVANGELIST, PartnerAction.REQUEST_EVANGELIST):
        return True
    if partner is None:
        return False
    if action == PartnerAction.VIEW_PRIVATE:
        return can(user, Action.VIEW_ORGANIZATION_PRIVATE, partner.organization)
    # Editing, submitting and leaving belong to the owners (and partner-program staff).
    return can(user, Action.MANAGE_ORGANIZATION, partner.organization)


def can_set_up_profile(user: Any, organization: Organization) -> bool:
    """The first profile of a partner organization is created by one of its owners."""
    return can(user, Action.MANAGE_ORGANIZATION, organization)


def can_view_achievement(user: Any, achievement: Achievement) -> bool:
    return allowed(user, PartnerAction.VIEW_PRIVATE, achievement.partner)


def can_answer_evangelist_request(user: Any, request: EvangelistRequest) -> bool:
    evangelist: Evangelist | None = request.evangelist
    return bool(user.is_authenticated and evangelist is not None and evangelist.user_id == user.pk)
