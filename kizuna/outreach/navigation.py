from django.utils.translation import gettext_lazy as _

from kizuna.core.navigation import Section, nav_link
from kizuna.outreach.permissions import OutreachAction, can_outreach

nav_link(
    _("Deliveries"),
    "outreach:delivery_list",
    section=Section.ADMINISTRATION,
    visible=lambda user: can_outreach(user, OutreachAction.VIEW_DELIVERIES),
)
