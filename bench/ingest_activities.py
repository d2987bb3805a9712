"""Benchmark: import activities through the real import path, re-import, and compare with a
naive per-row get_or_create baseline. Prints one JSON line of figures (see bench/README.md).

    python bench/ingest_activities.py                       # SQLite, 1,000,000 rows
    python bench/ingest_activities.py --rows 100000         # a quick run
    python bench/ingest_activities.py --database-url postgresql://postgres@127.0.0.1:5432/kizuna_bench

It always works on databases of its own, created fresh (a temporary SQLite file, or the
PostgreSQL database named in --database-url and a `_baseline` sibling, dropped first).
"""

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import threading
import time
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PLATFORMS = [("github", "pull_request"), ("connpass", "attended_event"), ("slack", "chat_message")]
TYPES_BY_PLATFORM = {
    "github": ["pull_request", "issue", "review", "comment", "release"],
    "connpass": ["attended_event", "talk", "lightning_talk"],
    "slack": ["chat_message", "question", "answer"],
}
START = datetime(2025, 4, 1, tzinfo=UTC)


def generate(path: Path, rows: int, members: int, seed: int = 7) -> None:
    """Write `rows` activities for `members` people spread over three platforms, as JSONL."""
    from kizuna.core.seeding import person_name

    rng = random.Random(seed)
    names = [person_name(rng) for _ in range(members)]
    with path.open("w", encoding="utf-8") as out:
        for n in range(rows):
            member = rng.randrange(members)
            platform = PLATFORMS[member % 3][0]
            name, romaji = names[member]
            occurred = START + timedelta(seconds=rng.randrange(365 * 86400))
            kind = rng.choice(TYPES_BY_PLATFORM[platform])
            out.write(
                json.dumps(
                    {
                        "source": platform,
                        "external_id": f"{platform}-{n}",
                        "type": kind,
                        "occurred_at": occurred.isoformat(),
                        "member": {
                            "platform": platform,
                            "handle": f"{romaji}{member}",
                            "email": f"{romaji}{member}@example.jp",
                            "name": name,
                        },
                        "url": f"https://example.jp/{platform}/{n}",
                        "title": f"{kind} {n}",
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )


def configure_django(database_url: str | None, workdir: Path) -> str:
    main_url = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = main_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kizuna.settings"
    # Production settings: DEBUG would keep every query in memory.
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    if main_url.startswith("postgres"):
        recreate_postgres_databases(
            main_url, [_db_name(main_url), _db_name(main_url) + "_baseline"]
        )

    import django
    from django.conf import settings

    django.setup()
    baseline = dict(settings.DATABASES["default"])
    if baseline["ENGINE"].endswith("sqlite3"):
        baseline["NAME"] = str(workdir / "baseline.sqlite3")
    else:
        baseline["NAME"] = baseline["NAME"] + "_baseline"
    settings.DATABASES["baseline"] = baseline
    from django.core.management import call_command

    for alias in ("default", "baseline"):
        call_command("migrate", database=alias, verbosity=0)
    return "postgresql" if main_url.startswith("postgres") else "sqlite"


def _db_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def recreate_postgres_databases(url: str, names: list[str]) -> None:
    import psycopg

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')


def timed_import(path: Path) -> tuple[float, Any]:
    from kizuna.community import services
    from kizuna.connectors.generic import read_jsonl

    started = time.perf_counter()
    with path.open("rb") as stream:
        summary = services.activities_ingest(records=read_jsonl(stream))
    return time.perf_counter() - started, summary


def naive_import(path: Path, rows: int) -> float:
    """What a quick Django app does: get_or_create identity, member and activity per row."""
    from kizuna.community.models import Activity, Identity, Member

    db = "baseline"
    started = time.perf_counter()
    with path.open(encoding="utf-8") as lines:
        for _n, raw in zip(range(rows), lines, strict=False):
            record = json.loads(raw)
            person = record["member"]
            try:
                identity = Identity.objects.using(db).get(
                    platform=person["platform"], handle=person["handle"]
                )
            except Identity.DoesNotExist:
                member = Member.objects.using(db).create(display_name=person["name"])
                identity = Identity.objects.using(db).create(
                    member=member,
                    platform=person["platform"],
                    handle=person["handle"],
                    email=person["email"],
                    display_name=person["name"],
                )
            Activity.objects.using(db).get_or_create(
                source=record["source"],
                external_id=record["external_id"],
                defaults={
                    "type_id": record["type"],
                    "member_id": identity.member_id,
                    "identity": identity,
                    "occurred_at": datetime.fromisoformat(record["occurred_at"]),
                    "url": record["url"],
                    "title": record["title"],
                },
            )
    return time.perf_counter() - started


class MemorySampler:
    """The peak of this process's resident memory plus its children's (the import's
    parsing worker), sampled every 0.1 s from /proc.

    Not RUSAGE_CHILDREN: a child's peak there counts the moment between fork and exec,
    when it shares (and is counted with) all of this process's memory.
    """

    def __init__(self) -> None:
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.1):
            total = _rss_kib(me) + sum(_rss_kib(pid) for pid in _children(me))
            self.peak_kib = max(self.peak_kib, total)

    def peak_mb(self) -> int:
        own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return round(max(own_peak, self.peak_kib) / 1024)


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with suppress(OSError):
            children += [int(c) for c in (task / "children").read_text().split()]
    return children


def _rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # it ended meanwhile
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=None, help="default: rows / 10")
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL URL of a database the bench may drop and recreate",
    )
    args = parser.parse_args()
    members = args.members or max(1, args.rows // 10)

    with MemorySampler() as memory, tempfile.TemporaryDirectory(prefix="kizuna-bench-") as tmp:
        workdir = Path(tmp)
        data = workdir / "activities.jsonl"
        generate(data, args.rows, members)
        db = configure_django(args.database_url, workdir)
        from kizuna.community.models import Activity

        elapsed, summary = timed_import(data)
        before = Activity.objects.count()
        reimport_elapsed, _ = timed_import(data)
        new_rows = Activity.objects.count() - before
        baseline_rows = min(args.baseline_rows, args.rows)
        baseline_elapsed = naive_import(data, baseline_rows)

    rows_per_s = summary.created / elapsed
    baseline_rows_per_s = baseline_rows / baseline_elapsed
    print(
        json.dumps(
            {
                "db": db,
                "rows": summary.created,
                "rows_per_s": round(rows_per_s),
                "reimport_rows_per_s": round(args.rows / reimport_elapsed),
                "new_rows_on_reimport": new_rows,
                "baseline_rows_per_s": round(baseline_rows_per_s),
                "speedup": round(rows_per_s / baseline_rows_per_s, 1),
                "peak_rss_mb": memory.peak_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
