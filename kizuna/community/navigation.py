from typing import Any

from django.utils.translation import gettext_lazy as _

from kizuna.accounts.models import AccountKind
from kizuna.community.permissions import (
    CommunityAction,
    can_community,
    is_community_staff,
    organized_groups,
    own_member,
    proposable_organizations,
)
from kizuna.site.navigation import Section, nav_link


def _is_member(user: Any) -> bool:
    """A community member's own menu: events, groups, their page (and their messages)."""
    return bool(user.is_authenticated and user.kind == AccountKind.COMMUNITY_MEMBER)


nav_link(
    _("Members"),
    "community:member_list",
    section=Section.COMMUNITY,
    visible=lambda user: can_community(user, CommunityAction.LIST_MEMBERS),
)
nav_link(
    _("Events"),
    "community:event_list",
    section=Section.COMMUNITY,
    visible=lambda user: (
        can_community(user, CommunityAction.VIEW_EVENTS) and (user.is_staff or _is_member(user))
    ),
)
nav_link(
    _("Affiliated people's activity"),
    "community:partner_activity",
    section=Section.COMMUNITY,
    # Staff see everyone under Members; this page is for people of an organization.
    visible=lambda user: (
        can_community(user, CommunityAction.VIEW_PARTNER_ACTIVITY)
        and not can_community(user, CommunityAction.LIST_MEMBERS)
    ),
)
nav_link(
    _("Sources"),
    "connectors:source_list",
    section=Section.COMMUNITY,
    visible=lambda user: can_community(user, CommunityAction.MANAGE_SOURCES),
)
nav_link(
    _("Groups"),
    "community:group_list",
    section=Section.COMMUNITY,
    visible=lambda user: (
        is_community_staff(user) or _is_member(user) or organized_groups(user).exists()
    ),
)
nav_link(
    _("Affiliations"),
    "community:affiliation_staff",
    section=Section.COMMUNITY,
    visible=is_community_staff,
)
nav_link(
    _("Your people in the community"),
    "community:affiliation_propose",
    section=Section.COMMUNITY,
    visible=lambda user: proposable_organizations(user).exists(),
)
nav_link(
    _("Your affiliations"),
    "community:my_affiliations",
    section=Section.COMMUNITY,
    visible=lambda user: own_member(user) is not None,
)
nav_link(
    _("My community profile"),
    "community:my_community",
    section=Section.COMMUNITY,
    visible=lambda user: user.is_authenticated and not user.is_staff,
)
nav_link(
    _("Identity claims"),
    "community:staff_claims",
    section=Section.COMMUNITY,
    visible=lambda user: can_community(user, CommunityAction.LIST_MEMBERS),
)
nav_link(
    _("Contests"),
    "community:contest_list",
    section=Section.COMMUNITY,
    visible=lambda user: True,
)
