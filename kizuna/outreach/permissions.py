"""Who may do what in outreach: the one place that decides.

Staff holding the outreach role (admins hold every role) see every delivery, send again an
unknown one and keep the consent ledger and suppression list; they write, approve (not
their own) and steer campaigns. Recipients reach their own
preferences through a signed link, not through a permission.
"""

from enum import StrEnum
from typing import Any

from kizuna.accounts.models import StaffRole


class OutreachAction(StrEnum):
    VIEW_DELIVERIES = "view_deliveries"
    REQUEUE_DELIVERY = "requeue_delivery"
    VIEW_CAMPAIGNS = "view_campaigns"
    WRITE_CAMPAIGN = "write_campaign"
    # Also needs to be someone other than the campaign's author and last editor (four eyes),
    # which the service checks: it depends on the campaign, not only on the person.
    APPROVE_CAMPAIGN = "approve_campaign"
    ANSWER_INBOX = "answer_inbox"


def can_outreach(user: Any, action: OutreachAction) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.has_staff_role(StaffRole.OUTREACH))
