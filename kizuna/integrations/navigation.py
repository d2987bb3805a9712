from django.utils.translation import gettext_lazy as _

from kizuna.integrations import permissions
from kizuna.site.navigation import Section, nav_link

nav_link(
    _("Webhooks"),
    "integrations:endpoint_list",
    section=Section.ADMINISTRATION,
    visible=permissions.is_integrations_staff,
)
nav_link(
    _("Webhooks"),
    "integrations:endpoint_list",
    section=Section.PARTNER_PROGRAM,
    visible=lambda user: (
        not permissions.is_integrations_staff(user)
        and permissions.owned_partner_organization(user) is not None
    ),
)
nav_link(
    _("Destinations"),
    "integrations:destination_list",
    section=Section.ADMINISTRATION,
    visible=permissions.is_integrations_staff,
)
