from django.utils.translation import gettext_lazy as _

from kizuna.accounts.permissions import Persona, persona_of
from kizuna.directory import permissions
from kizuna.site.navigation import Section, nav_link

nav_link(
    _("Find a partner"),
    "directory:search",
    section=Section.MAIN,
    visible=lambda user: not user.is_staff,
)
nav_link(
    _("Your requests"),
    "directory:requests",
    section=Section.MAIN,
    visible=lambda user: persona_of(user) == Persona.MERCHANT,
)
nav_link(
    _("Lead inbox"),
    "directory:inbox",
    section=Section.MAIN,
    visible=lambda user: persona_of(user) == Persona.PARTNER,
)
nav_link(
    _("Collaboration board"),
    "directory:board",
    section=Section.PARTNER_PROGRAM,
    visible=lambda user: persona_of(user) == Persona.PARTNER,
)
nav_link(
    _("Leads"),
    "directory:staff_leads",
    section=Section.PARTNER_PROGRAM,
    visible=permissions.is_staff,
)
nav_link(
    _("Directory"),
    "directory:search",
    section=Section.PARTNER_PROGRAM,
    visible=lambda user: user.is_staff,
)
