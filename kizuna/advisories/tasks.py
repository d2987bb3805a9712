"""Periodic jobs of the advisories app; each is idempotent."""

from datetime import timedelta

from django_tasks import task

from kizuna.advisories.services import advisories_publish_due, advisories_remind
from kizuna.core.periodic import periodic


@periodic(every=timedelta(minutes=5))
@task()
def publish_due_advisories() -> int:
    """An advisory under embargo becomes public on its public date, without anyone's click."""
    return advisories_publish_due()


@periodic(every=timedelta(hours=1))
@task()
def remind_partners() -> dict:
    """Reminders halfway to the deadline, escalations past it; each sent once."""
    return advisories_remind()
