"""Billing's periodic jobs: each may run any number of times, or be killed half-way, safely."""

from datetime import timedelta

from django_tasks import task

from kizuna.billing import selectors, services
from kizuna.core.periodic import periodic


@periodic(every=timedelta(hours=1))
@task()
def issue_due_invoices() -> int:
    return len(services.invoices_issue_due(today=selectors.today()))


@periodic(every=timedelta(hours=1))
@task()
def send_payment_reminders() -> int:
    today = selectors.today()
    services.invoices_mark_overdue(today=today)
    return services.reminders_send_due(today=today)
