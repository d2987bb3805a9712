"""Housekeeping jobs of the core app."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from kizuna.core import consumers, feed, ratelimit, worker
from kizuna.core.periodic import periodic


@periodic(every=timedelta(minutes=5))
@task()
def requeue_orphaned_tasks() -> int:
    return worker.requeue_orphaned_tasks()


@periodic(every=timedelta(hours=1))
@task()
def prune_rate_limit_buckets() -> int:
    # A day is longer than any limit's refill time, so these buckets are full anyway.
    return ratelimit.prune_idle_buckets(idle_for=timedelta(days=1))


@periodic(every=timedelta(days=1))
@task()
def prune_finished_task_results() -> int:
    cutoff = timezone.now() - timedelta(days=14)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    worker.forget_dead_workers()
    return deleted


@periodic(every=timedelta(seconds=15))
@task()
def dispatch_domain_events() -> dict[str, int]:
    return consumers.dispatch_all()


@periodic(every=timedelta(hours=1))
@task()
def prune_outbox() -> int:
    return feed.outbox_prune()
