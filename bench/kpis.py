"""Benchmark: community KPIs from the insights rollups against live aggregates over raw
activities. Prints one JSON line (see bench/README.md).

    python bench/kpis.py                                   # SQLite, 10,000,000 activities
    python bench/kpis.py --activities 1000000              # a quick run
    python bench/kpis.py --database-url postgresql://postgres@127.0.0.1:5432/kizuna_bench_kpis
    python bench/kpis.py --reuse                           # skip generating the raw rows

Raw rows are generated with set-based SQL (INSERT ... SELECT over a recursive CTE on
SQLite, generate_series on PostgreSQL): going through the import path would take hours.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

START = datetime(2024, 11, 1, tzinfo=UTC)
DAYS = 730
SQLITE_PATH = Path("/tmp/kizuna-bench-kpis/bench.sqlite3")
# (type key, is output): activity n gets TYPES[n % len(TYPES)], so the mix is fixed.
TYPES = [
    ("chat_message", False),
    ("chat_message", False),
    ("chat_message", False),
    ("chat_message", False),
    ("comment", False),
    ("comment", False),
    ("issue", False),
    ("question", False),
    ("social_post", False),
    ("attended_event", False),
    ("attended_event", False),
    ("pull_request", True),
    ("review", True),
    ("answer", True),
    ("blog_post", True),
    ("talk", True),
    ("lightning_talk", True),
    ("release", True),
    ("chat_join", False),
    ("discussion", False),
]
EVENT_TYPES = {"social_post", "attended_event", "talk", "lightning_talk"}


def configure_django(database_url: str | None, reuse: bool) -> str:
    if database_url is None:
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        if not reuse:
            SQLITE_PATH.unlink(missing_ok=True)
        database_url = f"sqlite:///{SQLITE_PATH}"
    elif not reuse:
        recreate_postgres_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kizuna.settings"
    os.environ["DJANGO_DEBUG"] = "0"  # DEBUG would keep every query in memory
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return "postgresql" if database_url.startswith("postgres") else "sqlite"


def recreate_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _series(count: int, offset: int = 0) -> str:
    """A relation of integers n = offset+1 .. offset+count."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"generate_series({offset + 1}::bigint, {offset + count}::bigint) AS s(n)"
    return (
        f"(WITH RECURSIVE s(n) AS (SELECT {offset + 1} UNION ALL SELECT n + 1 FROM s "
        f"WHERE n < {offset + count}) SELECT n FROM s) AS s"
    )


def _timestamp(seconds_sql: str) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"(TIMESTAMPTZ '{START.isoformat()}' + ({seconds_sql}) * INTERVAL '1 second')"
    return f"datetime('{START:%Y-%m-%d %H:%M:%S}', '+' || ({seconds_sql}) || ' seconds')"


def generate(activities: int, members: int, events: int) -> None:
    from django.db import connection, transaction

    from kizuna.community.models import Event, Group

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO community_member (display_name, name_ja, name_kana, name_romaji,
                prefecture, notes, is_bot, is_staff, search_text, name_key, reading_key, created_at)
            SELECT 'member ' || n, '', '', '', '13', '', n % 100 = 0, n % 100 = 1, '', '', '',
                   {_timestamp("0")}
            FROM {_series(members)}"""
        )
        groups = [
            Group.objects.create(name=f"Group {n}", slug=f"group-{n}", prefecture=pref)
            for n, pref in enumerate(["13", "27", "40", "23", "01"])
        ]
        Event.objects.bulk_create(
            [
                Event(
                    source="bench",
                    external_id=str(n),
                    title=f"Event {n}",
                    group=groups[n % 5],
                    prefecture=groups[n % 5].prefecture,
                    kind=["meetup", "study_session", "conference", "workshop"][n % 4],
                    staff_run=n % 7 == 0,
                    starts_at=START + timedelta(days=DAYS * n / events, hours=10),
                    ends_at=START + timedelta(days=DAYS * n / events, hours=12),
                )
                for n in range(events)
            ],
            batch_size=1000,
        )
        first_event = Event.objects.order_by("pk").values_list("pk", flat=True).first()
        cursor.execute(
            f"""INSERT INTO community_attendance (event_id, member_id, role, status)
            SELECT {first_event} + (n - 1) / 50, ((n * 4729) % {members}) + 1, 'attendee',
                   CASE WHEN n % 10 = 0 THEN 'no_show' ELSE 'attended' END
            FROM {_series(events * 50)}"""
        )
    type_case = " ".join(f"WHEN {i} THEN '{key}'" for i, (key, _o) in enumerate(TYPES))
    output_case = " ".join(f"WHEN {i} THEN {str(o).lower()}" for i, (_k, o) in enumerate(TYPES))
    event_indexes = [i for i, (key, _o) in enumerate(TYPES) if key in EVENT_TYPES]
    batch = 1_000_000
    for offset in range(0, activities, batch):
        count = min(batch, activities - offset)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO community_activity (source, external_id, type, member_id,
                    event_id, occurred_at, url, title, body, is_output, created_at)
                SELECT 'bench', CAST(n AS text), CASE n % {len(TYPES)} {type_case} END,
                       ((n * 7919) % {members}) + 1,
                       CASE WHEN n % {len(TYPES)} IN ({", ".join(map(str, event_indexes))})
                            THEN {first_event} + n % {events} END,
                       {_timestamp(f"(n * 104723) % {DAYS * 86400}")}, '', '', '',
                       CASE n % {len(TYPES)} {output_case} END, {_timestamp("0")}
                FROM {_series(count, offset)}"""
            )
        print(f"generated {offset + count:,} activities", file=sys.stderr)


def add_one_day(day: date, activities: int, members: int) -> None:
    """Activities of one new day, as the next ingestion batch would bring them."""
    from django.db import connection, transaction

    from kizuna.community.models import Activity

    last = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    base = int((datetime(day.year, day.month, day.day, tzinfo=UTC) - START).total_seconds())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO community_activity (source, external_id, type, member_id,
                event_id, occurred_at, url, title, body, is_output, created_at)
            SELECT 'bench-day', CAST(n AS text), 'chat_message', ((n * 7919) % {members}) + 1,
                   NULL, {_timestamp(f"{base} + (n * 13) % 86400")}, '', '', '', false,
                   {_timestamp("0")}
            FROM {_series(activities, last)}"""
        )


def baseline_overview(months: list[date]) -> dict[date, dict[str, Any]]:
    from kizuna.insights.events_kpis import event_kpis
    from kizuna.insights.raw import raw_member_kpis

    return {m: {**raw_member_kpis("month", m), **event_kpis("month", m)} for m in months}


def _analyze() -> None:
    """Planner statistics, as a database that grew through imports would have."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _progress(items: Any) -> Any:
    from tqdm import tqdm

    return tqdm(items, file=sys.stderr, mininterval=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=10_000_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--database-url", help="a PostgreSQL URL; the database is recreated")
    parser.add_argument("--reuse", action="store_true", help="keep the generated raw rows")
    args = parser.parse_args()
    db = configure_django(args.database_url, args.reuse)

    from kizuna.community.models import Activity
    from kizuna.insights import fill
    from kizuna.insights.models import DirtyDay, FillState, KpiValue, MemberFirst, MemberPeriod
    from kizuna.insights.periods import periods_between
    from kizuna.insights.selectors import overview

    if not args.reuse or not Activity.objects.exists():
        generate(args.activities, args.members, args.events)
        _analyze()
    Activity.objects.filter(source="bench-day").delete()
    for model in (MemberPeriod, MemberFirst, KpiValue, DirtyDay, FillState):
        model.objects.all().delete()
    last_day = (START + timedelta(days=DAYS - 1)).date()

    started = time.perf_counter()
    fill.rebuild(START.date(), last_day, today=last_day, progress=_progress)
    full_build_s = time.perf_counter() - started

    new_day = last_day + timedelta(days=1)
    add_one_day(new_day, args.activities // DAYS, args.members)
    started = time.perf_counter()
    fill.fill(today=new_day)
    incremental_day_s = time.perf_counter() - started

    timings = []
    for _ in range(7):
        started = time.perf_counter()
        overview(interval="month", periods=24, today=new_day)
        timings.append(time.perf_counter() - started)
    overview_ms = statistics.median(timings) * 1000

    months = periods_between("month", START.date(), last_day)[-24:]
    started = time.perf_counter()
    baseline_overview(months)
    baseline_overview_ms = (time.perf_counter() - started) * 1000

    print(
        json.dumps(
            {
                "db": db,
                "activities": Activity.objects.count(),
                "full_build_s": round(full_build_s, 2),
                "incremental_day_s": round(incremental_day_s, 3),
                "incremental_share": round(incremental_day_s / full_build_s, 4),
                "overview_ms": round(overview_ms, 1),
                "baseline_overview_ms": round(baseline_overview_ms, 1),
                "speedup": round(baseline_overview_ms / overview_ms, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
