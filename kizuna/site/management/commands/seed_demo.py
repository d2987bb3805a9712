import random
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from kizuna.accounts.models import User
from kizuna.core.consumers import dispatch
from kizuna.core.seeding import SCALES, DemoContext, seed_all


class Command(BaseCommand):
    help = "Load a realistic, deterministic demo ecosystem (people, partners, and each app's data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2026, help="Same seed, same data.")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Date the demo is anchored to (YYYY-MM-DD; default: today in Tokyo).",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database has any user."
        )

    def handle(
        self, *args: Any, scale: str, seed: int, today: date | None, if_empty: bool, **options: Any
    ) -> None:
        if User.objects.exists():
            if if_empty:
                self.stdout.write("The database already has data; demo not loaded.")
                return
            raise CommandError(
                "seed_demo loads into an empty database; this one has users already."
            )
        ctx = DemoContext(
            rng=random.Random(seed),
            scale=scale,
            today=today or timezone.localdate(),
            progress=options["verbosity"] > 0,
        )
        with transaction.atomic():
            seed_all(ctx)
            # Partners' points from their people's community activity are computed by this
            # consumer from the seeded events; run it now so the demo shows them at once.
            while dispatch("partners.community_points"):
                pass
        self.stdout.write(self.style.SUCCESS(f"Demo ecosystem loaded ({scale}, seed {seed})."))
