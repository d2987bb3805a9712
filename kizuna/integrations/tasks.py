"""The webhook sender: drains due deliveries, several workers safely side by side."""

import time
from datetime import timedelta

from django_tasks import task

from kizuna.core.periodic import periodic
from kizuna.integrations.services import deliver_due

BATCH = 100
BUDGET_S = 50  # leave the worker to other jobs at least once a minute


@periodic(every=timedelta(seconds=10))
@task()
def send_due_webhooks() -> int:
    sent = 0
    started = time.monotonic()
    while time.monotonic() - started < BUDGET_S:
        count = deliver_due(limit=BATCH)
        sent += count
        if count < BATCH:
            break
    return sent
