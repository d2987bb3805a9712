"""Periodic jobs of the directory. Each is idempotent: a second run changes nothing."""

from datetime import timedelta

from django_tasks import task

from kizuna.core.periodic import periodic
from kizuna.directory.services import index, leads


@periodic(every=timedelta(minutes=5))
@task()
def expire_leads() -> int:
    """Slots past their time expire; recommended ones move to the next eligible partner."""
    return leads.leads_expire()


@periodic(every=timedelta(days=1))
@task()
def refresh_directory_index() -> int:
    """Recency and freshness age with the calendar, without any event to say so."""
    return index.index_rebuild()
