"""The set-based SQL that folds raw activities into the rollup tables, on SQLite and PostgreSQL.

Days, weeks, months and quarters are those of Asia/Tokyo. Japan keeps no daylight saving
time, so on SQLite "+9 hours" is exact.
"""

from django.db import connection

# Activity type keys that make up each rollup column (see docs/insights.md).
TYPE_COLUMNS = {
    "talks": ("talk",),
    "lightning_talks": ("lightning_talk",),
    "articles": ("blog_post",),
    "social_posts": ("social_post",),
    "answers": ("answer",),
    "code": ("pull_request", "review", "release", "plugin_published"),
    "questions": ("question",),
    "chat_joins": ("chat_join",),
    "events_attended": ("attended_event",),
}
SUM_COLUMNS = ("activities", "weight", "outputs", *TYPE_COLUMNS)
COUNTABLE = "m.is_bot = false AND m.is_staff = false AND m.merged_into_id IS NULL"
# The statements below read activities by id range and look members up by primary key.
# SQLite's planner, seeing the member filter, would rather walk every member's activities
# through the member index; a CROSS JOIN keeps activities as the outer loop there (on
# PostgreSQL it is an ordinary join and the planner decides).


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def day_sql(column: str = "a.occurred_at") -> str:
    if _postgres():
        return f"(({column} AT TIME ZONE 'Asia/Tokyo')::date)"
    return f"date({column}, '+9 hours')"


def period_sql(interval: str, column: str = "a.occurred_at") -> str:
    if _postgres():
        return f"(date_trunc('{interval}', {column} AT TIME ZONE 'Asia/Tokyo')::date)"
    if interval == "week":
        return f"date({column}, '+9 hours', '-6 days', 'weekday 1')"
    if interval == "month":
        return f"date({column}, '+9 hours', 'start of month')"
    if interval == "quarter":
        month = f"CAST(strftime('%%m', {column}, '+9 hours') AS integer)"
        return (
            f"date({column}, '+9 hours', 'start of month', "
            f"'-' || (({month} - 1) %% 3) || ' months')"
        )
    raise ValueError(f"Unknown interval {interval!r}")


def _earliest(existing: str, new: str) -> str:
    """The earlier of two nullable dates (SQLite's min() would return NULL for either NULL)."""
    smaller = f"LEAST({existing}, {new})" if _postgres() else f"min({existing}, {new})"
    return (
        f"CASE WHEN {existing} IS NULL THEN {new} "
        f"WHEN {new} IS NULL THEN {existing} ELSE {smaller} END"
    )


def _where(
    *, after_id: int, up_to_id: int, member_ids: list[int] | None, span: tuple | None
) -> tuple[str, list]:
    clauses = ["a.id > %s", "a.id <= %s", COUNTABLE]
    params: list = [after_id, up_to_id]
    if member_ids is not None:
        clauses.append(f"a.member_id IN ({', '.join(['%s'] * len(member_ids))})")
        params.extend(member_ids)
    if span is not None:
        clauses.append("a.occurred_at >= %s AND a.occurred_at < %s")
        params.extend(span)
    return " AND ".join(clauses), params


def fold_member_periods(
    interval: str,
    *,
    after_id: int,
    up_to_id: int,
    member_ids: list[int] | None = None,
    span: tuple | None = None,
) -> None:
    """Add the activities with after_id < id <= up_to_id to the member-period rows."""
    period = period_sql(interval)
    type_sums = [
        "SUM(CASE WHEN a.type IN ({}) THEN 1 ELSE 0 END)".format(
            ", ".join(f"'{key}'" for key in keys)
        )
        for keys in TYPE_COLUMNS.values()
    ]
    where, params = _where(after_id=after_id, up_to_id=up_to_id, member_ids=member_ids, span=span)
    updates = ", ".join(
        f"{column} = insights_memberperiod.{column} + excluded.{column}" for column in SUM_COLUMNS
    )
    columns = ", ".join(SUM_COLUMNS)
    sql = f"""
        INSERT INTO insights_memberperiod (member_id, interval, period_start, {columns})
        SELECT a.member_id, '{interval}', {period}, COUNT(*), SUM(t.weight),
               SUM(CASE WHEN a.is_output THEN 1 ELSE 0 END), {", ".join(type_sums)}
        FROM community_activity a
        CROSS JOIN community_member m
        CROSS JOIN community_activitytype t
        WHERE m.id = a.member_id AND t.key = a.type AND {where}
        GROUP BY {period}, a.member_id
        ON CONFLICT (interval, period_start, member_id) DO UPDATE SET {updates}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def fold_member_firsts(
    *, after_id: int, up_to_id: int, member_ids: list[int] | None = None
) -> None:
    day = day_sql()
    where, params = _where(after_id=after_id, up_to_id=up_to_id, member_ids=member_ids, span=None)
    earliest_active = _earliest("insights_memberfirst.first_active", "excluded.first_active")
    earliest_output = _earliest("insights_memberfirst.first_output", "excluded.first_output")
    sql = f"""
        INSERT INTO insights_memberfirst (member_id, first_active, first_output)
        SELECT a.member_id, MIN({day}), MIN(CASE WHEN a.is_output THEN {day} END)
        FROM community_activity a
        CROSS JOIN community_member m
        WHERE m.id = a.member_id AND {where}
        GROUP BY a.member_id
        ON CONFLICT (member_id) DO UPDATE SET
            first_active = {earliest_active},
            first_output = {earliest_output}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def mark_days_of_new_activities(*, after_id: int, up_to_id: int) -> None:
    """Mark the days of new activities, and the old first days they make earlier, as dirty."""
    day = day_sql()
    first_days = f"""
        SELECT a.member_id, MIN({day}) AS active_day,
               MIN(CASE WHEN a.is_output THEN {day} END) AS output_day
        FROM community_activity a WHERE a.id > %s AND a.id <= %s GROUP BY a.member_id
    """
    statements = [
        f"""INSERT INTO insights_dirtyday (day)
            SELECT DISTINCT {day} FROM community_activity a WHERE a.id > %s AND a.id <= %s
            ON CONFLICT (day) DO NOTHING""",
        f"""INSERT INTO insights_dirtyday (day)
            SELECT DISTINCT f.first_active FROM insights_memberfirst f
            JOIN ({first_days}) b ON b.member_id = f.member_id
            WHERE b.active_day < f.first_active
            ON CONFLICT (day) DO NOTHING""",
        f"""INSERT INTO insights_dirtyday (day)
            SELECT DISTINCT f.first_output FROM insights_memberfirst f
            JOIN ({first_days}) b ON b.member_id = f.member_id
            WHERE b.output_day < f.first_output
            ON CONFLICT (day) DO NOTHING""",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [after_id, up_to_id])


def use_large_cache() -> None:
    """Give SQLite's page cache room for the rollup indexes during a rebuild.

    The default 2 MB cache makes millions of index inserts read pages from disk one by one.
    """
    if not _postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")


REBUILD_CACHE_KIB = 512 * 1024


def settled_max_activity_id() -> int:
    """The largest activity id below which no insert can still be in flight.

    On PostgreSQL, ids are taken before commit, so a transaction may commit id 5 after
    another committed id 6; a watermark moved to 6 would skip 5 forever. A SHARE lock
    waits for every open insert into the table to finish (and holds new ones back for
    the instant it takes to read the maximum). SQLite has one writer at a time.
    """
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute("LOCK TABLE community_activity IN SHARE MODE")
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM community_activity")
        return int(cursor.fetchone()[0])
