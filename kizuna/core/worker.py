"""Worker liveness: heartbeats, orphaned-task recovery, and the state /healthz reports."""

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kizuna.core.models import WorkerHeartbeat


def beat(worker_id: str, *, started_at: datetime, now: datetime | None = None) -> None:
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen_at": now,
        },
    )


def stale_after() -> timedelta:
    return timedelta(seconds=settings.KIZUNA_WORKER_STALE_AFTER_S)


def live_worker_ids(*, now: datetime | None = None) -> set[str]:
    cutoff = (now or timezone.now()) - stale_after()
    return set(
        WorkerHeartbeat.objects.filter(last_seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )


def requeue_orphaned_tasks(*, now: datetime | None = None) -> int:
    """Put back on the queue the tasks whose worker died while running them.

    A killed worker leaves its task RUNNING forever; tasks are written to be idempotent,
    so running one again is safe, and losing it is not.
    """
    live = live_worker_ids(now=now)
    orphaned = [
        result.id
        for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "worker_ids"
        )
        if not result.worker_ids or result.worker_ids[-1] not in live
    ]
    return DBTaskResult.objects.filter(id__in=orphaned, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )


def forget_dead_workers(*, now: datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - timedelta(days=1)
    deleted, _ = WorkerHeartbeat.objects.filter(last_seen_at__lt=cutoff).delete()
    return deleted


@dataclass(frozen=True)
class WorkerState:
    state: str  # "ok", "stale" or "absent"
    last_seen_s: int | None
    queued: int
    oldest_queued_s: int | None


def worker_state(*, now: datetime | None = None) -> WorkerState:
    now = now or timezone.now()
    last_seen = (
        WorkerHeartbeat.objects.order_by("-last_seen_at")
        .values_list("last_seen_at", flat=True)
        .first()
    )
    queue = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(
        oldest=Min("enqueued_at")
    )
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
    if last_seen is None:
        state = "absent"
    elif now - last_seen > stale_after():
        state = "stale"
    else:
        state = "ok"
    return WorkerState(
        state=state,
        last_seen_s=int((now - last_seen).total_seconds()) if last_seen else None,
        queued=queued,
        oldest_queued_s=int((now - queue["oldest"]).total_seconds()) if queue["oldest"] else None,
    )
