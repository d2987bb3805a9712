"""Directory search speed on the large demo, against a naive `icontains` baseline.

    .venv/bin/python bench/directory_search.py                      # fresh SQLite file
    .venv/bin/python bench/directory_search.py --database-url postgresql://postgres@127.0.0.1:5432/kizuna_bench
    .venv/bin/python bench/directory_search.py --reuse              # skip seeding if already seeded

Seeds `seed_demo --scale large` (10,000 partners, 100,000 achievements) into its own
database, then runs 200 fixed queries (1-3 Japanese terms, 2-character terms included,
with 0-3 facet filters) through the directory search (count, first page with reasons, and
the four facets) and through the baseline a quick Django app would write (`icontains` over
the partner's fields and its achievements' public summaries, joined, plus the same filters,
count and first page). The baseline takes seconds per query, so by default it is timed on
every 5th query of the same fixed mix (--baseline-every 1 times all 200). Prints one line:
{"db", "queries", "p50_ms", "p95_ms", "baseline_p95_ms", "speedup"}.

Each process keeps the full-text matches of the words searched since the index last
changed; --cold-words forgets them before every query, so that every query asks the
full-text index, as the first searches after an index change do.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = "sqlite:////tmp/kizuna-bench-directory.sqlite3"
TERMS = [
    # two characters
    "決済",
    "食品",
    "構築",
    "連携",
    "運用",
    "開発",
    "改善",
    "家電",
    "書籍",
    "旅行",
    "教育",
    "酒類",
    "予約",
    # three and more
    "デザイン",
    "サーバー",
    "サーバ",
    "アパレル",
    "化粧品",
    "プラグイン",
    "定期購入",
    "越境",
    "ECサイト",
    "リニューアル",
    "マーケティング",
    "パフォーマンス",
    "ワンストップ",
    "基幹システム",
    "ｻｰﾊﾞｰ",
]
PREFECTURES = ["13", "27", "14", "23", "40", "01", "26"]
RANKS = ["bronze", "silver", "gold"]
BUDGETS = [500_000, 1_000_000, 3_000_000]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_SQLITE)
    parser.add_argument(
        "--reuse", action="store_true", help="Keep an already seeded database instead of reseeding."
    )
    parser.add_argument("--scale", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--cold-words",
        action="store_true",
        help="Forget the words' full-text matches before every query, so each query asks the "
        "full-text index (as the first searches after an index change do).",
    )
    parser.add_argument(
        "--baseline-every",
        type=int,
        default=5,
        help="Time the (very slow) baseline on every Nth query only (1: all of them; 0: skip it).",
    )
    return parser.parse_args()


def prepare_database(url: str, reuse: bool) -> None:
    """Start from an empty database of our own (unless reusing one already seeded)."""
    if url.startswith("sqlite:"):
        path = Path(url.removeprefix("sqlite:///"))
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kizuna.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(scale: str) -> None:
    from django.core.management import call_command

    from kizuna.accounts.models import User

    call_command("migrate", verbosity=0)
    if not User.objects.exists():
        call_command("seed_demo", scale=scale, verbosity=1)


def fixed_queries(count: int) -> list[dict[str, Any]]:
    from kizuna.partners.models import Badge, BadgeFamily

    rng = random.Random(20260501)
    work = sorted(Badge.objects.filter(family=BadgeFamily.WORK).values_list("code", flat=True))
    sites = sorted(
        Badge.objects.filter(family=BadgeFamily.SITE_TYPE).values_list("code", flat=True)
    )
    filters = {
        "services": lambda: (rng.choice(work),),
        "site_types": lambda: (rng.choice(sites),),
        "prefectures": lambda: (rng.choice(PREFECTURES),),
        "rank": lambda: rng.choice(RANKS),
        "budget_max": lambda: rng.choice(BUDGETS),
        "accepting": lambda: True,
    }
    queries = []
    for _ in range(count):
        query: dict[str, Any] = {"q": " ".join(rng.sample(TERMS, rng.randint(1, 3)))}
        for name in rng.sample(sorted(filters), rng.randint(0, 3)):
            query[name] = filters[name]()
        queries.append(query)
    return queries


def run_search(query: dict[str, Any]) -> None:
    from kizuna.directory.search import SearchParams, search

    search(SearchParams(**query))


def run_search_with_cold_words(query: dict[str, Any]) -> None:
    from kizuna.directory import snapshot

    snapshot.current()._words.clear()  # the bench only: as if no word had been searched yet
    run_search(query)


def run_baseline(query: dict[str, Any]) -> None:
    """What a quick Django app would write: icontains over the joined fields."""
    from django.db.models import Q

    from kizuna.partners.models import AchievementStatus, PartnerProfile

    partners = PartnerProfile.objects.all()
    for term in query["q"].split():
        partners = partners.filter(
            Q(organization__name__icontains=term)
            | Q(name_kana__icontains=term)
            | Q(summary__icontains=term)
            | Q(description__icontains=term)
            | Q(
                achievements__status=AchievementStatus.VERIFIED,
                achievements__summary_published=True,
                achievements__public_summary__icontains=term,
            )
        )
    for family in ("services", "site_types"):
        if family in query:
            partners = partners.filter(
                badge_awards__badge__code__in=query[family], badge_awards__lapsed_at__isnull=True
            )
    if "prefectures" in query:
        code = query["prefectures"][0]
        partners = partners.filter(
            Q(head_office_prefecture=code) | Q(service_prefectures__icontains=f'"{code}"')
        )
    if "rank" in query:
        order = ["member", "bronze", "silver", "gold", "platinum"]
        partners = partners.filter(rank__in=order[order.index(query["rank"]) :])
    if "budget_max" in query:
        partners = partners.filter(budget_min__lte=query["budget_max"])
    if "accepting" in query:
        partners = partners.filter(accepting_new_clients=True)
    partners = partners.distinct()
    partners.count()
    list(partners.select_related("organization").order_by("-rank_points", "pk")[:20])


def timed(function: Any, queries: list[dict[str, Any]]) -> list[float]:
    timings = []
    for query in queries:
        started = time.perf_counter()
        function(query)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    args = parse_args()
    prepare_database(args.database_url, args.reuse)
    setup_django(args.database_url)
    seed(args.scale)
    from django.db import connection

    queries = fixed_queries(args.queries)
    timed(run_search, queries[:20])  # warm caches (normalizer, page cache) before measuring
    search_ms = timed(run_search_with_cold_words if args.cold_words else run_search, queries)
    baseline_ms = []
    if args.baseline_every:
        baseline_ms = timed(run_baseline, queries[:: args.baseline_every])
    print(
        json.dumps(
            {
                "db": connection.vendor,
                "queries": len(queries),
                "p50_ms": round(statistics.median(search_ms), 2),
                "p95_ms": round(p95(search_ms), 2),
                "baseline_p95_ms": round(p95(baseline_ms), 2) if baseline_ms else None,
                "speedup": round(p95(baseline_ms) / p95(search_ms), 1) if baseline_ms else None,
            }
        )
    )


if __name__ == "__main__":
    main()
