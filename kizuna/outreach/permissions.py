"""Who may do what in outreach: the one place that decides.

Staff holding the outreach role (admins hold every role) see every delivery, send again an
unknown one and keep the consent ledger and suppression list. Recipients reach their own
preferences through a signed link, not through a permission.
"""

from enum import StrEnum
from typing import Any

from kizuna.accounts.models import StaffRole


class OutreachAction(StrEnum):
    VIEW_DELIVERIES = "view_deliveries"
    REQUEUE_DELIVERY = "requeue_delivery"
    ANSWER_INBOX = "answer_inbox"


def can_outreach(user: Any, action: OutreachAction) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.has_staff_role(StaffRole.OUTREACH))
