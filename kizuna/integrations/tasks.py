"""The webhook sender: drains due deliveries, several workers safely side by side."""

import time
from datetime import timedelta

from django_tasks import task

from kizuna.core.periodic import periodic
from kizuna.core.ssrf import guarded_client
from kizuna.integrations.destinations import tasks as destination_tasks  # noqa: F401 - its jobs
from kizuna.integrations.services import deliver_continuously

BATCH = 100
CONCURRENCY = 8
BUDGET_S = 50  # leave the worker to its other jobs at least once a minute


@periodic(every=timedelta(seconds=10))
@task()
def send_due_webhooks() -> int:
    started = time.monotonic()
    with guarded_client() as client:
        return deliver_continuously(
            limit=BATCH,
            concurrency=CONCURRENCY,
            client=client,
            stop=lambda sent, idle: idle or time.monotonic() - started > BUDGET_S,
        )
