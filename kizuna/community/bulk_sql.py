"""The few raw SQL statements of the bulk import hot path, for SQLite and PostgreSQL.

At a million rows, the ORM's per-value and per-instance work (preparing each IN value,
building a model per row for bulk_create) costs more than the database does. These helpers
pass plain tuples to the driver; everything else in the import stays ORM.

Measured on the project's 2-core machine (100,000 activities in batches of 20,000):
- PostgreSQL: COPY straight into the table ~57,000 rows/s; COPY into a temporary table
  then INSERT ... SELECT ... ON CONFLICT DO NOTHING ~23,000; one INSERT of unnest()ed
  column arrays is slower still, because Django's client-side binding cursor renders
  every array element in Python. So inserts are plain COPY: a conflict raises
  IntegrityError, and the importer redoes the batch after looking up what exists.
- Lookups by many keys pass the keys as one JSON array (one string parameter, parsed by
  the server) rather than as an array parameter, for the same reason.
"""

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import chain
from typing import Any

import orjson
from django.db import connection, models

# SQLite allows 32,766 variables per statement (since 3.32); stay well below.
_SQLITE_IN_CHUNK = 10_000
_SQLITE_ROWS_PER_INSERT = 2_500
_SQLITE_BULK_CACHE_KIB = -65_536  # negative: KiB, not pages
_SQLITE_BULK_CHECKPOINT_PAGES = 16_384  # of 4 KiB


def _sqlite_max_params() -> int:
    # Django's features say 999, the limit of SQLite before 3.32; ask the library.
    connection.ensure_connection()
    return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


def select_in(
    model: type[models.Model],
    columns: Sequence[str],
    where: dict[str, Any],
    in_column: str,
    values: Sequence[str],
    *,
    lock: bool = False,
) -> list[tuple[Any, ...]]:
    """SELECT columns FROM model's table WHERE where-equalities AND in_column IN values.

    `values` are text (the keys the importer looks up: handles, external ids). With
    `lock`, the rows found stay until the transaction ends, as a foreign key would keep
    them: on PostgreSQL they are read FOR KEY SHARE, so deleting one waits for the
    transaction (edits of other columns do not). SQLite needs nothing: the importer's
    transaction holds the database's write lock from BEGIN (transaction_mode IMMEDIATE).
    """
    if not values:
        return []
    table = model._meta.db_table
    conditions = [f"{name} = %s" for name in where]
    fixed = list(where.values())
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            in_json = f"{in_column} IN (SELECT json_array_elements_text(%s::json))"
            sql = (
                f"SELECT {', '.join(columns)} FROM {table} WHERE "  # noqa: S608
                f"{' AND '.join([*conditions, in_json])}"
                f"{' FOR KEY SHARE' if lock else ''}"
            )
            cursor.execute(sql, [*fixed, orjson.dumps(list(values)).decode()])
            return cursor.fetchall()
        for start in range(0, len(values), _SQLITE_IN_CHUNK):
            chunk = values[start : start + _SQLITE_IN_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            sql = (
                f"SELECT {', '.join(columns)} FROM {table} WHERE "  # noqa: S608
                f"{' AND '.join([*conditions, f'{in_column} IN ({marks})'])}"
            )
            cursor.execute(sql, [*fixed, *chunk])
            rows.extend(cursor.fetchall())
    return rows


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys, so rows that point at each other can be inserted in bulk.

    PostgreSQL takes them from the table's sequence. On SQLite the import's transaction
    holds the write lock from BEGIN (transaction_mode IMMEDIATE), so nobody else can take
    the ids above the current maximum meanwhile.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # AUTOINCREMENT never reuses the id of a deleted row: respect sqlite_sequence too.
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), "  # noqa: S608
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        highest = cursor.fetchone()[0]
    return list(range(highest + 1, highest + 1 + count))


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
) -> None:
    """INSERT rows (tuples of database-ready values in `columns` order) in one go.

    A duplicate key raises IntegrityError (the caller decides what a conflict means).
    Date-times must already be in the form the database takes: see db_datetime().
    """
    if not rows:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # wrap_database_errors: a duplicate key is Django's IntegrityError, as from
            # cursor.execute().
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
            return
        # Multi-row VALUES: per statement, not per row, SQLite's statement setup and the
        # AUTOINCREMENT bookkeeping (~25% faster than executemany, measured).
        per_statement = max(1, min(_SQLITE_ROWS_PER_INSERT, _sqlite_max_params() // len(columns)))
        one = f"({', '.join(['?'] * len(columns))})"
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
        statements: dict[int, str] = {}
        # The driver's own execute(), with "?" marks: Django's wrapper would rewrite the
        # marks of every statement with a regular expression (16% of the import's time).
        execute = sqlite3.Cursor.execute
        raw = cursor.cursor
        with connection.wrap_database_errors:
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                sql = statements.get(len(chunk))
                if sql is None:
                    sql = statements[len(chunk)] = head + ", ".join([one] * len(chunk))
                execute(raw, sql, list(chain.from_iterable(chunk)))


@contextmanager
def bulk_load_settings() -> Iterator[None]:
    """On SQLite, settings of this connection for while a bulk import runs; restored after.

    - A 64 MB page cache: the default 2 MB no longer holds the index pages that inserts
      touch once the activity table passes a few hundred thousand rows (measured at
      300,000 rows: ~30% faster inserts).
    - A WAL checkpoint every ~64 MB of WAL instead of every 4 MB: each batch rewrites most
      index pages, and checkpointing after every batch copied them all into the database
      file again (measured at 1,000,000 rows: ~10% less CPU per insert). Readers are
      not blocked either way; the last checkpoint runs when the import ends.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous_cache = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_autocheckpoint")
        previous_checkpoint = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {_SQLITE_BULK_CACHE_KIB}")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {_SQLITE_BULK_CHECKPOINT_PAGES}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous_cache}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {previous_checkpoint}")
            if not connection.in_atomic_block:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def sqlite_datetime(moment: datetime, text: str = "") -> str:
    """What Django's SQLite backend stores for an aware datetime: UTC, no offset, as text.

    `text` is the ISO 8601 form `moment` was parsed from, if any: when it already is
    'YYYY-MM-DDTHH:MM:SS' in UTC (what connectors send), slicing it is ~20x cheaper than
    formatting the datetime, which was a quarter of the parsing thread's time.
    """
    if (
        ((len(text) == 25 and text.endswith("+00:00")) or (len(text) == 20 and text[19] == "Z"))
        and text[4] == "-"
        and text[7] == "-"
        and text[10] in "T "
        and text[13] == ":"
        and text[16] == ":"
    ):
        return f"{text[:10]} {text[11:19]}"
    return str(moment.astimezone(UTC).replace(tzinfo=None))


def db_datetime_adapter(vendor: str) -> Any:
    """The function that turns an aware datetime into what insert_rows() passes on."""
    if vendor == "sqlite":
        return sqlite_datetime
    return _identity


def _identity(moment: datetime, text: str = "") -> datetime:
    return moment
