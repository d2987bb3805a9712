"""Periodic insights jobs: fill the rollups, review levels monthly, send the monthly digest."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from kizuna.core.periodic import periodic
from kizuna.insights import digest, fill, levels
from kizuna.insights.periods import tokyo_day


@periodic(every=timedelta(minutes=5))
@task()
def fill_insights() -> dict[str, int]:
    result = fill.fill()
    levels.levels_update(as_of=tokyo_day(timezone.now()), review=False)
    return result


@periodic(every=timedelta(hours=6))
@task()
def review_levels() -> dict[str, int]:
    """On the first day of a month, review (and snapshot) levels as of the month's end."""
    today = tokyo_day(timezone.now())
    if today.day != 1:
        return {"changed": 0}
    return levels.levels_update(as_of=today - timedelta(days=1), review=True)


@periodic(every=timedelta(hours=6))
@task()
def send_monthly_digest() -> bool:
    return digest.send_last_months_digest(today=tokyo_day(timezone.now()))
