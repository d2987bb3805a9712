"""Benchmark: community KPIs from the insights rollups against live aggregates over raw
activities. Prints one JSON line (see bench/README.md).

    python bench/kpis.py                                   # SQLite, 10,000,000 activities
    python bench/kpis.py --activities 1000000              # a quick run
    python bench/kpis.py --database-url postgresql://postgres@127.0.0.1:5432/bench_kpis
    python bench/kpis.py --reuse                           # skip generating the raw rows
    python bench/kpis.py --history-years 17 --activities 22000 --members 300  # long, sparse

Raw rows are generated with set-based SQL (INSERT ... SELECT over a recursive CTE on
SQLite, generate_series on PostgreSQL): going through the import path would take hours.
"""

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

END = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 730
START = END - timedelta(days=DAYS)
SQLITE_PATH = Path("/tmp/kpis-bench/bench.sqlite3")
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
# Replies, as offsets within the cycle of TYPES: the answer at n replies to the question at
# n - 6, the comment at n to the issue at n + 1 (except every fourth, left unanswered), some
# hours later (up to four days).
REPLIES = {13: -6, 5: 1}
MAX_REPLY_DELAY_S = 96 * 3600


def configure_django(database_url: str | None, reuse: bool, sqlite_path: Path) -> str:
    if database_url is None:
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{sqlite_path}"
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


def use_history(years: float) -> None:
    """--history-years: the same end, the generated activities spread over more years."""
    global DAYS, START
    DAYS = round(years * 365.25)
    START = END - timedelta(days=DAYS)


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
    span = DAYS * 86400
    # A reply happens some hours after the activity it replies to; the rest at a spread time.
    seconds_case = " ".join(
        f"WHEN {i} THEN ((n + {offset}) * 104723 % {span} + n * 7 % {MAX_REPLY_DELAY_S}) % {span}"
        for i, offset in REPLIES.items()
    )
    reply_case = " ".join(
        f"WHEN {i} THEN CAST(n + {offset} AS text)" for i, offset in REPLIES.items()
    )
    cycle = len(TYPES)
    seconds = f"CASE n % {cycle} {seconds_case} ELSE n * 104723 % {span} END"
    batch = 1_000_000
    with _without_secondary_indexes():
        for offset in range(0, activities, batch):
            count = min(batch, activities - offset)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"""INSERT INTO community_activity (source, external_id, type, member_id,
                        event_id, occurred_at, url, title, body, is_output,
                        reply_to_external_id, created_at)
                    SELECT 'bench', CAST(n AS text), CASE n % {cycle} {type_case} END,
                           ((n * 7919) % {members}) + 1,
                           CASE WHEN n % {cycle} IN ({", ".join(map(str, event_indexes))})
                                THEN {first_event} + n % {events} END,
                           {_timestamp(seconds)},
                           '', '', '', CASE n % {cycle} {output_case} END,
                           CASE WHEN n / {cycle} % 4 = 0 OR n + 1 > {activities} THEN ''
                                ELSE CASE n % {cycle} {reply_case} ELSE '' END END,
                           {_timestamp("0")}
                    FROM {_series(count, offset)}"""
                )
            print(f"generated {offset + count:,} activities", file=sys.stderr)


@contextmanager
def _without_secondary_indexes() -> Iterator[None]:
    """Insert first, index after: building an index once is far faster than keeping it up
    to date through millions of inserts in random order. (SQLite cannot drop the unique
    constraint declared in its CREATE TABLE; that one stays.)"""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = 'community_activity'::regclass AND contype IN ('u', 'f')"""
            )
            constraints = cursor.fetchall()
            for name, _definition in constraints:
                cursor.execute(f'ALTER TABLE community_activity DROP CONSTRAINT "{name}"')
            cursor.execute(
                """SELECT indexname, indexdef FROM pg_indexes
                WHERE tablename = 'community_activity' AND indexname NOT LIKE '%%pkey'"""
            )
        else:
            constraints = []
            cursor.execute(
                """SELECT name, sql FROM sqlite_master WHERE type = 'index'
                AND tbl_name = 'community_activity' AND sql IS NOT NULL"""
            )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    print("indexing activities", file=sys.stderr)
    with connection.cursor() as cursor:
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE community_activity ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)


def add_one_day(day: date, activities: int, members: int, generated: int) -> None:
    """Activities of one new day, as the next ingestion batch would bring them: chat
    messages, and every twentieth an answer to an earlier question.

    The same day on every run: its rows are numbered after the generated ones, not after
    the largest id (a --reuse run's ids come after the removed days of earlier runs, and
    the answers would pick other questions, with other first responses, than a first run's).
    """
    from django.db import connection, transaction

    base = int((datetime(day.year, day.month, day.day, tzinfo=UTC) - START).total_seconds())
    cycle = len(TYPES)
    question = TYPES.index(("question", False))
    earlier_question = f"{cycle} * ((n * 31) % {generated // cycle - 1}) + {question}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO community_activity (source, external_id, type, member_id,
                event_id, occurred_at, url, title, body, is_output, reply_to_external_id,
                created_at)
            SELECT 'bench', 'day-' || CAST(n AS text),
                   CASE WHEN n % {cycle} = 0 THEN 'answer' ELSE 'chat_message' END,
                   ((n * 7919) % {members}) + 1,
                   NULL, {_timestamp(f"{base} + (n * 13) % 86400")}, '', '', '',
                   n % {cycle} = 0,
                   CASE WHEN n % {cycle} = 0 THEN CAST({earlier_question} AS text) ELSE '' END,
                   {_timestamp("0")}
            FROM {_series(activities, generated)}"""
        )


def remove_added_days() -> None:
    from kizuna.community.models import Activity

    Activity.objects.filter(
        source="bench", external_id__gte="day-", external_id__lt="day."
    ).delete()


def baseline_overview(months: list[date], cap_s: float | None) -> int:
    """The overview's monthly figures from raw activities; returns how many months were
    computed before the cap (all of them without one)."""
    from kizuna.insights.events_kpis import event_kpis
    from kizuna.insights.raw import raw_member_kpis

    started = time.perf_counter()
    for done, month in enumerate(months, start=1):
        raw_member_kpis("month", month)
        event_kpis("month", month)
        print(f"baseline month {month}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if cap_s is not None and time.perf_counter() - started > cap_s:
            return done
    return len(months)


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
    parser.add_argument(
        "--history-years",
        type=float,
        help="spread the generated activities over this many years (default: 2)",
    )
    parser.add_argument("--database-url", help="a PostgreSQL URL; the database is recreated")
    parser.add_argument("--sqlite-path", type=Path, default=SQLITE_PATH)
    parser.add_argument("--reuse", action="store_true", help="keep the generated raw rows")
    parser.add_argument("--generate-only", action="store_true", help="stop after generating")
    parser.add_argument(
        "--baseline-cap-s",
        type=float,
        help="stop the baseline after the month that passes this many seconds; the speedup "
        "is then a lower bound (baseline_capped: true)",
    )
    args = parser.parse_args()
    if args.history_years:
        use_history(args.history_years)
    db = configure_django(args.database_url, args.reuse, args.sqlite_path)

    from kizuna.community.models import Activity
    from kizuna.insights import fill
    from kizuna.insights.periods import periods_between
    from kizuna.insights.selectors import overview

    if not args.reuse or not Activity.objects.exists():
        started = time.perf_counter()
        generate(args.activities, args.members, args.events)
        _analyze()
        print(f"generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.generate_only:
        return
    load = {"load_start": os.getloadavg()}
    remove_added_days()
    fill.clear()
    last_day = (START + timedelta(days=DAYS - 1)).date()

    started = time.perf_counter()
    fill.rebuild(START.date(), last_day, today=last_day, progress=_progress)
    full_build_s = time.perf_counter() - started
    load["load_after_build"] = os.getloadavg()

    new_day = last_day + timedelta(days=1)
    add_one_day(new_day, args.activities // DAYS, args.members, args.activities)
    started = time.perf_counter()
    fill.fill(today=new_day)
    incremental_day_s = time.perf_counter() - started

    timings = []
    for _ in range(7):
        started = time.perf_counter()
        overview(interval="month", periods=24, today=new_day)
        timings.append(time.perf_counter() - started)
    overview_ms = statistics.median(timings) * 1000
    load["load_after_overview"] = os.getloadavg()

    months = periods_between("month", START.date(), last_day)[-24:]
    started = time.perf_counter()
    months_done = baseline_overview(months, cap_s=args.baseline_cap_s)
    baseline_overview_ms = (time.perf_counter() - started) * 1000
    capped = months_done < len(months)
    load["load_end"] = os.getloadavg()

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
                # Capped: the baseline stopped after months_done of 24 months, so its time
                # and the speedup are lower bounds.
                "baseline_capped": capped,
                "baseline_months": months_done,
                **{key: [round(x, 2) for x in value] for key, value in load.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
