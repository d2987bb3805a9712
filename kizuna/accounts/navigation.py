from django.utils.translation import gettext_lazy as _

from kizuna.accounts.permissions import Action, can
from kizuna.site.navigation import Section, nav_link

nav_link(
    _("Admin site"),
    "admin:index",
    section=Section.ADMINISTRATION,
    visible=lambda user: user.is_superuser and can(user, Action.MANAGE_STAFF_ROLES),
)
nav_link(
    _("Audit log"),
    "admin:core_auditentry_changelist",
    section=Section.ADMINISTRATION,
    visible=lambda user: user.is_superuser and can(user, Action.VIEW_AUDIT_LOG),
)
nav_link(
    _("Event consumers"),
    "staff_consumers",
    section=Section.ADMINISTRATION,
    visible=lambda user: can(user, Action.MANAGE_EVENT_CONSUMERS),
)
nav_link(
    _("Erasure requests"),
    "accounts:staff_erasure_requests",
    section=Section.ADMINISTRATION,
    visible=lambda user: can(user, Action.MANAGE_PERSONAL_DATA),
)
