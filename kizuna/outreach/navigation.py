from typing import Any

from django.utils.translation import pgettext_lazy

from kizuna.accounts.permissions import Persona, persona_of
from kizuna.outreach.permissions import OutreachAction, can_outreach
from kizuna.site.navigation import Section, nav_link

nav_link(
    # Its own context: "Deliveries" of webhooks (integrations) reads differently in Japanese.
    pgettext_lazy("outreach menu", "Deliveries"),
    "outreach:delivery_list",
    section=Section.ADMINISTRATION,
    visible=lambda user: can_outreach(user, OutreachAction.VIEW_DELIVERIES),
)

nav_link(
    pgettext_lazy("outreach menu", "Campaigns"),
    "outreach:campaign_list",
    section=Section.ADMINISTRATION,
    visible=lambda user: can_outreach(user, OutreachAction.VIEW_CAMPAIGNS),
)
nav_link(
    pgettext_lazy("outreach menu", "Inbox"),
    "outreach:inbox_list",
    section=Section.ADMINISTRATION,
    visible=lambda user: can_outreach(user, OutreachAction.ANSWER_INBOX),
)


def _has_own_inbox(user: Any) -> bool:
    # Staff answer everyone's threads from the staff inbox above; a partner, merchant or
    # member reads and writes their own.
    return bool(user.is_authenticated and not user.is_staff)


def _in_partner_menu(user: Any) -> bool:
    # A partner's bar is full already: their messages sit in the partner program menu.
    return _has_own_inbox(user) and persona_of(user) == Persona.PARTNER


nav_link(
    pgettext_lazy("outreach menu", "Messages"),
    "outreach:my_inbox",
    section=Section.MAIN,
    visible=lambda user: _has_own_inbox(user) and not _in_partner_menu(user),
)
nav_link(
    pgettext_lazy("outreach menu", "Messages"),
    "outreach:my_inbox",
    section=Section.PARTNER_PROGRAM,
    visible=_in_partner_menu,
)
