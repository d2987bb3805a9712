import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kizuna.core.imports import (
    REJECTED,
    import_job_create_from_path,
    import_job_run_here,
    reason_text,
    report_of,
)
from kizuna.core.models import ImportJobStatus

_FORMAT = {".csv": "csv", ".zip": "slack_zip"}


class Command(BaseCommand):
    help = (
        "Import activities from a JSONL or CSV file or a Slack export ZIP (see "
        "docs/connectors.md), as an import job run here with a progress bar. Lines already "
        "imported are reported unchanged; bad lines are reported and skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every line and report, but store nothing."
        )
        parser.add_argument(
            "--report",
            type=Path,
            help="Write one JSON line per reported line (new, updated, rejected): line, "
            "status, reason.",
        )

    def handle(
        self, *args: Any, file: Path, dry_run: bool, report: Path | None, **options: Any
    ) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        job = import_job_create_from_path(
            kind="activities",
            actor=None,
            path=file,
            options={"format": _FORMAT.get(file.suffix.lower(), "jsonl")},
        )
        job = import_job_run_here(job=job, apply=not dry_run, quiet=options["verbosity"] == 0)
        if job.status == ImportJobStatus.FAILED:
            raise CommandError(f"Import job #{job.pk} failed: {job.error}")
        result = report_of(job)
        if report is not None:
            with report.open("w", encoding="utf-8") as out:
                for line, status, reason in result["lines"]:
                    text = reason_text(reason)
                    out.write(json.dumps({"line": line, "status": status, "reason": text}) + "\n")
        else:
            for line, status, reason in result["lines"]:
                if status == REJECTED:
                    self.stderr.write(f"line {line}: {reason_text(reason)}")
        counts = result["counts"]
        members = result["figures"].get("members_created", 0)
        prefix = "Dry run: would have " if dry_run else ""
        self.stdout.write(
            f"{prefix}created {counts['new']} activities and {members} new members, "
            f"unchanged {counts['unchanged']}, rejected {counts['rejected']} "
            f"(import job #{job.pk})."
        )
