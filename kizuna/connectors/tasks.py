"""Background syncs: each source on its own interval, and "sync now" from the sources page."""

from datetime import timedelta

from django_tasks import task

from kizuna.connectors import services
from kizuna.connectors.models import Source
from kizuna.core.periodic import periodic


@task()
def sync_source(source_id: int) -> int:
    """Idempotent: a repeated or concurrent run imports nothing twice (and the claim skips it)."""
    source = Source.objects.filter(pk=source_id, enabled=True).first()
    if source is None:
        return 0
    run = services.source_sync(source=source)
    return run.created if run else 0


@periodic(every=timedelta(minutes=5))
@task()
def sync_due_sources() -> int:
    due = services.sources_due()
    for source in due:
        sync_source.enqueue(source.pk)
    return len(due)
