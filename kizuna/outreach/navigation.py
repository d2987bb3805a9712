from django.utils.translation import gettext_lazy as _

from kizuna.outreach.permissions import OutreachAction, can_outreach
from kizuna.site.navigation import Section, nav_link

nav_link(
    _("Deliveries"),
    "outreach:delivery_list",
    section=Section.ADMINISTRATION,
    visible=lambda user: can_outreach(user, OutreachAction.VIEW_DELIVERIES),
)
