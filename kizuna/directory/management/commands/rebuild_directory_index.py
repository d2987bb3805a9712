from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from kizuna.directory.services import index


class Command(BaseCommand):
    help = "Rebuild the directory search index (entries and full text) from the partner program."

    def handle(self, *args: Any, **options: Any) -> None:
        show = options["verbosity"] > 0

        def progress(chunks: Iterable[Any], total: int) -> Iterable[Any]:
            return tqdm(chunks, total=total, desc="directory index", unit="chunk", disable=not show)

        count = index.index_rebuild(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} partners."))
