"""The site navigation: each app lists its links in its own `navigation.py`.

    nav_link(_("Members"), "community:member_list", section=Section.COMMUNITY,
             visible=lambda user: can_community(user, CommunityAction.LIST_MEMBERS))

Each link is shown only to whom `visible` allows, so nobody is offered a page that would
answer 403. Links of a section are grouped in one menu.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Section(IntEnum):
    """Menus in the order they appear; each value's label is below."""

    MAIN = 0
    PARTNER_PROGRAM = 1
    COMMUNITY = 2
    BILLING = 3
    ADMINISTRATION = 4


SECTION_LABELS = {
    Section.PARTNER_PROGRAM: _("Partner program"),
    Section.COMMUNITY: _("Community"),
    Section.BILLING: _("Billing"),
    Section.ADMINISTRATION: _("Administration"),
}


@dataclass(frozen=True)
class NavLink:
    label: Any
    url_name: str
    section: Section
    visible: Callable[[Any], bool]


_links: list[NavLink] = []


def nav_link(
    label: Any, url_name: str, *, section: Section, visible: Callable[[Any], bool]
) -> None:
    _links.append(NavLink(label, url_name, section, visible))


@dataclass(frozen=True)
class Menu:
    label: Any  # None for links shown directly in the bar
    links: list[tuple[Any, str]]  # (label, url)


def menus_for(user: Any) -> list[Menu]:
    by_section: dict[Section, list[tuple[Any, str]]] = {}
    for link in _links:
        if link.visible(user):
            by_section.setdefault(link.section, []).append((link.label, reverse(link.url_name)))
    return [
        Menu(SECTION_LABELS.get(section), by_section[section]) for section in sorted(by_section)
    ]
