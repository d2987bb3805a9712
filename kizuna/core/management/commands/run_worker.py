"""Run the background worker: queued tasks, plus the periodic jobs of every app.

The task loop is django-tasks-db's worker; beside it a thread beats the heartbeat that
/healthz reads and enqueues periodic jobs when they fall due.
"""

import logging
import threading
import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from kizuna.core import periodic, worker

logger = logging.getLogger("kizuna.worker")

SCHEDULER_TICK_S = 10


class Command(BaseCommand):
    help = "Run the background worker (queued tasks and periodic jobs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Enqueue the periodic jobs that are due, run every queued task, then exit.",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls of an empty queue."
        )
        parser.add_argument("--queue-name", default="default", help="Queue(s), comma-separated.")

    def handle(
        self, *args: Any, batch: bool, interval: float, queue_name: str, **options: Any
    ) -> None:
        worker_id = get_random_string(32)
        started_at = timezone.now()
        task_loop = Worker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.beat(worker_id, started_at=started_at)
        if batch:
            periodic.enqueue_due_jobs()
        else:
            threading.Thread(
                target=self._scheduler_loop, args=(worker_id, started_at), daemon=True
            ).start()
            task_loop.configure_signals()
            self.stdout.write(f"Worker {worker_id} started; periodic jobs: {self._job_names()}")
        task_loop.run()

    def _job_names(self) -> str:
        return ", ".join(job.name.rsplit(".", 1)[-1] for job in periodic.registered_jobs())

    def _scheduler_loop(self, worker_id: str, started_at: datetime) -> None:
        # A daemon thread: it ends with the process when the task loop exits.
        while True:
            try:
                worker.beat(worker_id, started_at=started_at)
                for name in periodic.enqueue_due_jobs():
                    logger.info("periodic job enqueued: %s", name)
            except Exception:
                # The scheduler must outlive a passing database error; the next tick retries.
                logger.exception("scheduler tick failed")
            finally:
                close_old_connections()
            time.sleep(SCHEDULER_TICK_S)
