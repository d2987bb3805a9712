from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from kizuna.insights import fill, levels
from kizuna.insights.periods import tokyo_day


class Command(BaseCommand):
    help = "Rebuild the insights rollups and KPI values for a range of days (Asia/Tokyo)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="first", type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="last", type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        span = fill.activity_span()
        first = options["first"] or (span[0] if span else None)
        last = options["last"] or tokyo_day(timezone.now())
        if first is None:
            self.stdout.write("No activities yet: nothing to rebuild.")
            return
        if last < first:
            raise CommandError("--to must not be before --from.")

        def progress(items: Any) -> Any:
            return tqdm(items, disable=options["no_progress"], unit="step")

        fill.rebuild(first, last, progress=progress)
        levels.levels_update(as_of=tokyo_day(timezone.now()), review=False)
        self.stdout.write(self.style.SUCCESS(f"Rebuilt insights from {first} to {last}."))
