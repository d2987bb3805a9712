from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from kizuna.core import periodic, worker
from kizuna.core.models import PeriodicJobState, WorkerHeartbeat

pytestmark = pytest.mark.django_db

calls: list[str] = []


@task()
def record_call(label: str = "periodic") -> None:
    calls.append(label)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    calls.clear()
    yield
    calls.clear()


@pytest.fixture
def only_test_job(monkeypatch):
    monkeypatch.setattr(periodic, "_jobs", {})
    periodic.periodic(every=timedelta(hours=1))(record_call)
    calls.clear()


def test_core_housekeeping_jobs_are_registered():
    names = {job.name.rsplit(".", 1)[-1] for job in periodic.registered_jobs()}
    assert {
        "requeue_orphaned_tasks",
        "prune_rate_limit_buckets",
        "prune_finished_task_results",
    } <= names


def test_a_due_job_is_enqueued_once_per_interval(only_test_job):
    now = timezone.now()
    assert periodic.enqueue_due_jobs(now=now) == [record_call.module_path]
    assert periodic.enqueue_due_jobs(now=now + timedelta(minutes=59)) == []
    assert periodic.enqueue_due_jobs(now=now + timedelta(minutes=61)) == [record_call.module_path]
    assert calls == ["periodic", "periodic"]


def test_two_workers_looking_at_the_same_moment_enqueue_a_job_once(only_test_job, database_queue):
    now = timezone.now()
    first = periodic.enqueue_due_jobs(now=now)
    second = periodic.enqueue_due_jobs(now=now)
    assert (first, second) == ([record_call.module_path], [])
    assert DBTaskResult.objects.filter(task_path=record_call.module_path).count() == 1
    assert PeriodicJobState.objects.get().next_due_at == now + timedelta(hours=1)


# The worker closes connections between tasks, as a long-running process must; that needs
# real transactions rather than the test-wrapping one.
@pytest.mark.django_db(transaction=True)
def test_run_worker_batch_runs_queued_tasks_and_reports_a_heartbeat(database_queue, monkeypatch):
    monkeypatch.setattr(periodic, "_jobs", {})
    record_call.enqueue("queued")
    call_command("run_worker", "--batch", verbosity=0)
    assert calls == ["queued"]
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    assert WorkerHeartbeat.objects.count() == 1


def test_a_task_left_running_by_a_dead_worker_is_requeued(database_queue):
    result = record_call.enqueue("interrupted")
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["dead-worker"]
    )
    worker.beat("live-worker", started_at=timezone.now())
    assert worker.requeue_orphaned_tasks() == 1
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.READY


def test_a_task_running_on_a_live_worker_is_left_alone(database_queue):
    result = record_call.enqueue("busy")
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["live-worker"]
    )
    worker.beat("live-worker", started_at=timezone.now())
    assert worker.requeue_orphaned_tasks() == 0


def test_worker_state_is_absent_ok_or_stale():
    assert worker.worker_state().state == "absent"
    started = timezone.now()
    worker.beat("w1", started_at=started)
    assert worker.worker_state().state == "ok"
    assert worker.worker_state(now=started + timedelta(minutes=10)).state == "stale"
