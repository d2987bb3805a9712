"""Periodic jobs: a small registry of tasks with intervals, run by `manage.py run_worker`.

    @periodic(every=timedelta(hours=1))
    @task()
    def lapse_expired_badges() -> None: ...

Any number of workers may run: each due job is claimed with a conditional UPDATE, so it
is enqueued once per interval however many workers look at it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from kizuna.core.models import PeriodicJobState


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    task: Any  # a django-tasks Task


_jobs: dict[str, PeriodicJob] = {}


def periodic(*, every: timedelta) -> Callable[[Any], Any]:
    def register(task: Any) -> Any:
        _jobs[task.module_path] = PeriodicJob(task.module_path, every, task)
        return task

    return register


def registered_jobs() -> list[PeriodicJob]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def enqueue_due_jobs(*, now: datetime | None = None) -> list[str]:
    """Enqueue every job whose time has come; return the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in registered_jobs():
        PeriodicJobState.objects.get_or_create(name=job.name, defaults={"next_due_at": now})
        with transaction.atomic():
            claimed = PeriodicJobState.objects.filter(name=job.name, next_due_at__lte=now).update(
                next_due_at=now + job.every, last_enqueued_at=now
            )
            if claimed:
                # Same transaction as the claim: a crash here leaves the job due, not lost.
                job.task.enqueue()
                enqueued.append(job.name)
    return enqueued
