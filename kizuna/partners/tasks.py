"""Periodic jobs of the partner program. Each is idempotent: a second run changes nothing."""

from datetime import timedelta

from django_tasks import task

from kizuna.core.periodic import periodic
from kizuna.partners.services.badges import badge_awards_sync
from kizuna.partners.services.exits import program_exits_complete
from kizuna.partners.services.profiles import partners_flag_stale
from kizuna.partners.services.rank import ranks_review


@periodic(every=timedelta(hours=6))
@task()
def lapse_expired_badges() -> dict:
    """Badges whose verified achievements aged out of the window lapse, with notice."""
    return badge_awards_sync()


@periodic(every=timedelta(days=1))
@task()
def flag_stale_profiles() -> int:
    return partners_flag_stale()


@periodic(every=timedelta(days=1))
@task()
def review_ranks() -> dict:
    """The scheduled rank review: the only place a rank goes down (after notice and grace)."""
    return ranks_review()


@periodic(every=timedelta(hours=6))
@task()
def complete_program_exits() -> int:
    """Partners past their last day in the program leave it (and the directory)."""
    return program_exits_complete()
