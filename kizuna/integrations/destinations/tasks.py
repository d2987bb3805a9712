"""Destination syncs in the worker: every enabled destination twice a minute, and on demand."""

from datetime import timedelta

from django_tasks import task

from kizuna.core.periodic import periodic
from kizuna.integrations.destinations import services
from kizuna.integrations.destinations.models import Destination


@task()
def sync_destination(destination_id: int, force: bool = True) -> int:
    """Idempotent: a repeated or concurrent run writes nothing twice (upserts, and a claim)."""
    destination = Destination.objects.filter(pk=destination_id, enabled=True).first()
    if destination is None:
        return 0
    run = services.destination_sync(destination=destination, force=force)
    return run.accepted if run else 0


@periodic(every=timedelta(seconds=30))
@task()
def sync_due_destinations() -> int:
    due = services.destinations_due()
    for destination in due:
        sync_destination.enqueue(destination.pk, False)
    return len(due)


@periodic(every=timedelta(hours=1))
@task()
def prune_destination_runs() -> int:
    return services.destination_runs_prune()
