"""The monthly digest email to community staff: headline KPIs of the month just ended."""

from datetime import date, timedelta

from kizuna.accounts.models import StaffRole
from kizuna.accounts.selectors import staff_holding
from kizuna.insights import services
from kizuna.insights.metrics import HEADLINE_METRICS
from kizuna.insights.models import DigestSend
from kizuna.insights.periods import period_start
from kizuna.insights.selectors import overview


def send_last_months_digest(*, today: date) -> bool:
    month = period_start("month", period_start("month", today) - timedelta(days=1))
    if DigestSend.objects.filter(month=month).exists():
        return False
    cards = [
        card
        for card in overview(interval="month", periods=2, today=month)
        if card.key in HEADLINE_METRICS
    ]
    recipients = list(staff_holding(StaffRole.COMMUNITY_MANAGER).values_list("email", flat=True))
    return services.digest_send(
        month=month, recipients=recipients, context={"month": month, "cards": cards}
    )
