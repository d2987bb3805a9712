"""The few raw SQL statements of the bulk import hot path, for SQLite and PostgreSQL.

At a million rows, the ORM's per-value and per-instance work (preparing each IN value,
building a model per row for bulk_create) costs more than the database does. These helpers
pass plain tuples to the driver; everything else in the import stays ORM.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models

# SQLite allows 32,766 variables per statement; stay well below.
_SQLITE_IN_CHUNK = 10_000


def select_in(
    model: type[models.Model],
    columns: Sequence[str],
    where: dict[str, Any],
    in_column: str,
    values: Sequence[Any],
) -> list[tuple[Any, ...]]:
    """SELECT columns FROM model's table WHERE where-equalities AND in_column IN values."""
    table = model._meta.db_table
    conditions = [f"{name} = %s" for name in where]
    fixed = list(where.values())
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = (
                f"SELECT {', '.join(columns)} FROM {table} WHERE "  # noqa: S608
                f"{' AND '.join([*conditions, f'{in_column} = ANY(%s)'])}"
            )
            cursor.execute(sql, [*fixed, list(values)])
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
    pg_types: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    skip_conflicts: bool = False,
) -> None:
    """INSERT rows (tuples of Python values in `columns` order) in one go.

    `pg_types` are the PostgreSQL array element types of the columns: there, one statement
    with one array per column (unnest) is the fastest insert that can still skip conflicts,
    which COPY cannot.
    """
    if not rows:
        return
    table = model._meta.db_table
    conflict = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = [list(column) for column in zip(*rows, strict=True)]
            unnest = ", ".join(f"%s::{kind}[]" for kind in pg_types)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT * FROM unnest({unnest}){conflict}",
                arrays,
            )
            return
        times = [i for i, kind in enumerate(pg_types) if kind == "timestamptz"]
        prepared: list[Any] = rows
        if times:
            prepared = [list(row) for row in rows]
            for row in prepared:
                for i in times:
                    row[i] = _sqlite_datetime(row[i])
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}){conflict}",  # noqa: S608
            prepared,
        )


def _sqlite_datetime(moment: datetime) -> str:
    # What Django's SQLite backend stores for an aware datetime (UTC, no offset), without
    # the per-value checks of adapt_datetimefield_value.
    return str(moment.astimezone(UTC).replace(tzinfo=None))
