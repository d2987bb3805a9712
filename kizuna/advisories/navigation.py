from django.utils.translation import gettext_lazy as _

from kizuna.advisories.permissions import is_security_staff
from kizuna.site.navigation import Section, nav_link

nav_link(
    _("Security advisories"),
    "advisories:staff_list",
    section=Section.PARTNER_PROGRAM,
    visible=is_security_staff,
)
nav_link(
    _("Security"),
    "advisories:sites",
    section=Section.PARTNER_PROGRAM,
    visible=lambda user: (
        user.is_authenticated and not is_security_staff(user) and user.memberships.exists()
    ),
)
