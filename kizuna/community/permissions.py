"""Who may see and change community data: the one place that decides.

Staff with MANAGE_COMMUNITY see and change everything. A member signed in as themselves
sees their own profile. A partner sees no member's personal data: only the public activity
(type, time, title, link) of the people affiliated with its own organizations.
Tested as a persona x action matrix in tests/test_permissions.py.
"""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from kizuna.accounts.models import MembershipRole, Organization
from kizuna.accounts.permissions import Action, can
from kizuna.community.models import (
    Activity,
    Contest,
    ContestEntry,
    ContestState,
    Event,
    Group,
    Member,
)
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


def is_community_staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active) and can(
        user, Action.MANAGE_COMMUNITY
    )


def organized_groups(user: Any) -> QuerySet[Group]:
    """The groups this person organizes: their member record is among the organizers."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Group.objects.none()
    return Group.objects.filter(
        leaders__user=user, leaders__erased_at__isnull=True, leaders__merged_into__isnull=True
    ).distinct()


def can_edit_group(user: Any, group: Group) -> bool:
    return is_community_staff(user) or organized_groups(user).filter(pk=group.pk).exists()


def can_create_event(user: Any, group: Group | None) -> bool:
    """Staff create any event; an organizer creates events of their own groups only."""
    if is_community_staff(user):
        return True
    return group is not None and can_edit_group(user, group)


def can_edit_event(user: Any, event: Event) -> bool:
    if is_community_staff(user):
        return True
    return event.group_id is not None and organized_groups(user).filter(pk=event.group_id).exists()


def proposable_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations whose owner may propose affiliations of its people: the ones they own."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=user, memberships__role=MembershipRole.OWNER
    )


def own_member(user: Any) -> Member | None:
    """The community member record of this signed-in person, if they have one."""
    if user is None or not user.is_authenticated:
        return None
    return Member.objects.current().filter(user=user, erased_at__isnull=True).first()


# Contests: staff run them; anyone sees an announced contest, its gallery and its results;
# a member enters and withdraws their own entry; a judge scores (contest_selectors.judge_of).


def can_view_contest(user: Any, contest: Contest) -> bool:
    return contest.state != ContestState.DRAFT or is_community_staff(user)


def can_see_results(user: Any, contest: Contest) -> bool:
    return contest.state == ContestState.FINISHED


def can_enter_contest(user: Any, contest: Contest) -> bool:
    """Who may use the entry form; the service decides the period, eligibility and judges."""
    return contest.state == ContestState.PUBLISHED and own_member(user) is not None


def can_withdraw_entry(user: Any, entry: ContestEntry) -> bool:
    member = own_member(user)
    return member is not None and entry.member_id == member.pk
