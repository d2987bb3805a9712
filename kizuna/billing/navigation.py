from django.utils.translation import gettext_lazy as _

from kizuna.billing.permissions import Action, billed_organization, can, is_billing_staff
from kizuna.site.navigation import Section, nav_link

nav_link(
    _("Invoices"),
    "billing:staff_invoices",
    section=Section.BILLING,
    visible=is_billing_staff,
)
nav_link(
    _("Fees and invoices"),
    "billing:overview",
    section=Section.BILLING,
    visible=lambda user: (
        (org := billed_organization(user)) is not None and can(user, Action.VIEW_BILLING, org)
    ),
)
