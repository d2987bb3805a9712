"""Who may see and change community data: the one place that decides.

Staff with MANAGE_COMMUNITY see and change everything. A member signed in as themselves
sees their own profile. A partner sees no member's personal data: only the public activity
(type, time, title, link) of the people affiliated with its own organizations.
Tested as a persona x action matrix in tests/test_permissions.py.
"""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from kizuna.accounts.models import Organization
from kizuna.accounts.permissions import Action, can
from kizuna.community.models import Activity, Member
from kizuna.community.selectors import activities_while_affiliated


class CommunityAction(StrEnum):
    LIST_MEMBERS = "list_members"
    VIEW_MEMBER = "view_member"
    EDIT_MEMBER = "edit_member"
    MERGE_MEMBERS = "merge_members"
    ERASE_MEMBER = "erase_member"
    EXPORT_MEMBER = "export_member"
    IMPORT_ACTIVITIES = "import_activities"
    MANAGE_SOURCES = "manage_sources"
    VIEW_EVENTS = "view_events"
    VIEW_PARTNER_ACTIVITY = "view_partner_activity"


_OWN_PROFILE = {CommunityAction.VIEW_MEMBER, CommunityAction.EXPORT_MEMBER}


def can_community(user: Any, action: CommunityAction, member: Member | None = None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if can(user, Action.MANAGE_COMMUNITY):
        return True
    if action in _OWN_PROFILE and member is not None:
        return member.user_id == user.pk and member.erased_at is None
    if action == CommunityAction.VIEW_EVENTS:
        return True
    if action == CommunityAction.VIEW_PARTNER_ACTIVITY:
        return user.memberships.exists()
    return False


def partner_visible_activities(user: Any) -> QuerySet[Activity]:
    """Public activity of the people affiliated with the user's organizations, while affiliated."""
    organizations = Organization.objects.filter(memberships__user=user)
    return activities_while_affiliated(organizations).order_by("-occurred_at")
