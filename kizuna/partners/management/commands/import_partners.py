import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError as LineError
from tqdm import tqdm

from kizuna.partners.importing import ImportLine, describe_errors
from kizuna.partners.services.imports import partner_import


class Command(BaseCommand):
    help = (
        "Import partners, their past achievements and points from a JSON Lines file "
        "(format: docs/partners.md). Safe to run again: matched on external_id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        lines = file.read_text(encoding="utf-8").splitlines()
        totals = {"created": 0, "updated": 0, "rejected": 0}
        progress = tqdm(
            lines, desc="import_partners", unit="line", disable=options["verbosity"] == 0
        )
        for number, text in enumerate(progress, start=1):
            if not text.strip():
                continue
            outcome, detail = self._import(text)
            totals[outcome] += 1
            progress.write(f"line {number}: {outcome} {detail}".rstrip(), file=self.stdout)
        summary = ", ".join(f"{count} {outcome}" for outcome, count in totals.items())
        self.stdout.write(self.style.SUCCESS(summary))

    def _import(self, text: str) -> tuple[str, str]:
        try:
            line = ImportLine.model_validate(json.loads(text))
        except json.JSONDecodeError as error:
            return "rejected", f"(not JSON: {error.msg} at column {error.colno})"
        except LineError as error:
            return "rejected", f"({describe_errors(error)})"
        try:
            return partner_import(line=line), line.external_id
        except ValidationError as error:
            return "rejected", f"{line.external_id} ({describe_errors(error)})"
