from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kizuna.core.imports import (
    STATUSES,
    import_job_create_from_path,
    import_job_run_here,
    reason_text,
    report_of,
)
from kizuna.core.models import ImportJobStatus


class Command(BaseCommand):
    help = (
        "Import partners, their past achievements and points from a JSON Lines file "
        "(format: docs/partners.md), as an import job run here with a progress bar. Safe to "
        "run again: matched on external_id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every line and report, but store nothing."
        )

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        job = import_job_create_from_path(kind="partners", actor=None, path=file)
        job = import_job_run_here(job=job, apply=not dry_run, quiet=options["verbosity"] == 0)
        if job.status == ImportJobStatus.FAILED:
            raise CommandError(f"Import job #{job.pk} failed: {job.error}")
        result = report_of(job)
        for line, status, reason in result["lines"]:
            self.stdout.write(f"line {line}: {status} {reason_text(reason)}".rstrip())
        counts = result["counts"]
        summary = ", ".join(f"{counts.get(status, 0)} {status}" for status in STATUSES)
        self.stdout.write(self.style.SUCCESS(f"{summary} (import job #{job.pk})"))
