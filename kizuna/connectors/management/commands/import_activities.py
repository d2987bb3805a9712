import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from kizuna.community import services
from kizuna.community.lines import REJECTED, Outcome
from kizuna.connectors.generic import reader_for


class Command(BaseCommand):
    help = (
        "Import activities from a JSONL or CSV file (one activity per line; see "
        "docs/connectors.md). Lines already imported are reported unchanged; bad lines "
        "are reported and skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every line and report, but store nothing."
        )
        parser.add_argument(
            "--report", type=Path, help="Write one JSON line per input line: line, status, reason."
        )
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(
        self,
        *args: Any,
        file: Path,
        dry_run: bool,
        report: Path | None,
        batch_size: int | None,
        **options: Any,
    ) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        report_file = report.open("w", encoding="utf-8") if report else None
        progress = tqdm(
            total=file.stat().st_size,
            unit="B",
            unit_scale=True,
            desc=file.name,
            disable=options["verbosity"] == 0,
        )

        def on_outcome(outcome: Outcome) -> None:
            if report_file is not None:
                report_file.write(
                    json.dumps(
                        {"line": outcome.line, "status": outcome.status, "reason": outcome.reason}
                    )
                    + "\n"
                )
            elif outcome.status == REJECTED:
                self.stderr.write(f"line {outcome.line}: {outcome.reason}")

        try:
            with file.open("rb") as stream:
                summary = services.activities_ingest(
                    records=reader_for(file)(stream, progress.update),
                    dry_run=dry_run,
                    on_outcome=on_outcome,
                    batch_size=batch_size,
                )
        finally:
            progress.close()
            if report_file is not None:
                report_file.close()
        prefix = "Dry run: would have " if dry_run else ""
        self.stdout.write(
            f"{prefix}created {summary.created}, unchanged {summary.unchanged}, "
            f"rejected {summary.rejected} ({summary.members_created} new members)."
        )
