"""The one job that sends every message: deliveries that are due, every 15 seconds."""

from datetime import timedelta

from django_tasks import task

from kizuna.core.periodic import periodic
from kizuna.outreach import worker


@periodic(every=timedelta(seconds=15))
@task()
def send_due_deliveries() -> int:
    return worker.deliveries_send_due()


@periodic(every=timedelta(minutes=10))
@task()
def check_wecom_confirmations() -> int:
    from kizuna.outreach.channels.wecom.transport import wecom_confirmations_check

    return wecom_confirmations_check()


@periodic(every=timedelta(minutes=1))
@task()
def advance_campaigns() -> int:
    from kizuna.outreach.campaigns import campaigns_advance

    return campaigns_advance()
