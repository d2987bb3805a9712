from django.utils.translation import pgettext_lazy

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
