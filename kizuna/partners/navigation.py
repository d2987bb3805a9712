from django.utils.translation import gettext_lazy as _

from kizuna.accounts.permissions import Persona, persona_of
from kizuna.partners.permissions import PartnerAction, allowed
from kizuna.site.navigation import Section, nav_link

nav_link(
    _("Partner portal"),
    "partners:portal",
    section=Section.MAIN,
    visible=lambda user: persona_of(user) == Persona.PARTNER,
)
nav_link(
    _("Review queue"),
    "partners:review_queue",
    section=Section.PARTNER_PROGRAM,
    visible=lambda user: allowed(user, PartnerAction.REVIEW_ACHIEVEMENTS),
)
nav_link(
    _("Partners"),
    "partners:staff_partners",
    section=Section.PARTNER_PROGRAM,
    visible=lambda user: allowed(user, PartnerAction.REVIEW_ACHIEVEMENTS),
)
nav_link(
    _("Evangelist program"),
    "partners:staff_evangelists",
    section=Section.PARTNER_PROGRAM,
    visible=lambda user: allowed(user, PartnerAction.MANAGE_EVANGELISTS),
)
nav_link(
    _("Program settings"),
    "partners:program_settings",
    section=Section.PARTNER_PROGRAM,
    visible=lambda user: allowed(user, PartnerAction.MANAGE_PROGRAM),
)
nav_link(
    _("Evangelists"),
    "partners:evangelists",
    section=Section.MAIN,
    visible=lambda user: not user.is_staff and persona_of(user) != Persona.PARTNER,
)
nav_link(
    # Partners have the most links of the bar; they ask for evangelists from the community menu.
    _("Evangelists"),
    "partners:evangelists",
    section=Section.COMMUNITY,
    visible=lambda user: persona_of(user) == Persona.PARTNER,
)
nav_link(
    _("Partner applications"),
    "partners:staff_applications",
    section=Section.PARTNER_PROGRAM,
    visible=lambda user: allowed(user, PartnerAction.REVIEW_APPLICATIONS),
)
