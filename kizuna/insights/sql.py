"""The set-based SQL that folds raw activities into the rollup tables, on SQLite and PostgreSQL.

Days, weeks, months and quarters are those of Asia/Tokyo. Japan keeps no daylight saving
time, so on SQLite "+9 hours" is exact.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

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
# Hashtag posts are the social posts and every activity carrying an event's hashtag
# (kizuna.insights.hashtags records those before the rollups are folded).
HASHTAG_POST = " OR EXISTS (SELECT 1 FROM insights_hashtagpost h WHERE h.activity_id = a.id)"
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


def period_sql(interval: str, column: str = "a.occurred_at", *, of_date: bool = False) -> str:
    """The start of the period holding a timestamp's Tokyo day, or (of_date) a date's."""
    if _postgres():
        value = column if of_date else f"{column} AT TIME ZONE 'Asia/Tokyo'"
        return f"(date_trunc('{interval}', {value})::date)"
    shift = "" if of_date else ", '+9 hours'"
    if interval == "week":
        return f"date({column}{shift}, '-6 days', 'weekday 1')"
    if interval == "month":
        return f"date({column}{shift}, 'start of month')"
    if interval == "quarter":
        month = f"CAST(strftime('%%m', {column}{shift}) AS integer)"
        return f"date({column}{shift}, 'start of month', '-' || (({month} - 1) %% 3) || ' months')"
    raise ValueError(f"Unknown interval {interval!r}")


def seconds_between_sql(start: str, end: str) -> str:
    """Whole seconds from one timestamp to a later one (NULL if either is NULL)."""
    if _postgres():
        return f"CAST(round(EXTRACT(EPOCH FROM ({end}) - ({start}))) AS integer)"
    return f"CAST(round((julianday({end}) - julianday({start})) * 86400) AS integer)"


def _earliest(existing: str, new: str) -> str:
    """The earlier of two nullable dates (SQLite's min() would return NULL for either NULL)."""
    smaller = f"LEAST({existing}, {new})" if _postgres() else f"min({existing}, {new})"
    return (
        f"CASE WHEN {existing} IS NULL THEN {new} "
        f"WHEN {new} IS NULL THEN {existing} ELSE {smaller} END"
    )


def _where(
    *,
    after_id: int,
    up_to_id: int,
    member_ids: list[int] | None,
    span: tuple | None,
    alias: str = "a",
) -> tuple[str, list]:
    clauses = [f"{alias}.id > %s", f"{alias}.id <= %s", COUNTABLE]
    params: list = [after_id, up_to_id]
    if member_ids is not None:
        clauses.append(f"{alias}.member_id IN ({', '.join(['%s'] * len(member_ids))})")
        params.extend(member_ids)
    if span is not None:
        clauses.append(f"{alias}.occurred_at >= %s AND {alias}.occurred_at < %s")
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
        f"SUM(CASE WHEN a.type IN ({_keys(keys)}){HASHTAG_POST if column == 'social_posts' else ''}"
        " THEN 1 ELSE 0 END)"
        for column, keys in TYPE_COLUMNS.items()
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


def sum_quarters_from_months(first: date, end: date) -> None:
    """Quarter rows as sums of the month rows of [first, end) (months nest in quarters)."""
    columns = ", ".join(SUM_COLUMNS)
    sums = ", ".join(f"SUM({column})" for column in SUM_COLUMNS)
    quarter = period_sql("quarter", "p.period_start", of_date=True)
    sql = f"""
        INSERT INTO insights_memberperiod (member_id, interval, period_start, {columns})
        SELECT p.member_id, 'quarter', {quarter}, {sums}
        FROM insights_memberperiod p
        WHERE p.interval = 'month' AND p.period_start >= %s AND p.period_start < %s
        GROUP BY {quarter}, p.member_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, end])


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


@contextmanager
def large_memory() -> Iterator[None]:
    """Give a rebuild's big statements room, then put the connection back as it was.

    SQLite: the default 2 MB page cache makes millions of index inserts read pages from disk
    one by one. PostgreSQL: with the default 4 MB work_mem, grouping ten million activities
    sorts on disk instead of hashing in memory.
    """
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(f"SET work_mem = '{REBUILD_MEMORY_KIB}kB'")
        else:
            cursor.execute("PRAGMA cache_size")
            previous = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = -{REBUILD_MEMORY_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if _postgres():
                cursor.execute("RESET work_mem")
            else:
                cursor.execute(f"PRAGMA cache_size = {previous}")


REBUILD_MEMORY_KIB = 512 * 1024


def vacuum_analyze_rollups() -> None:
    """After a rebuild, do on PostgreSQL what autovacuum would do later to the refilled rollups.

    - ANALYZE: without statistics the planner takes the tables for empty and plans the KPI
      queries and the next fills accordingly (seen: 2-3 s instead of milliseconds per
      statement at 10M activities).
    - VACUUM, when not inside a transaction (where it cannot run): it marks the pages
      all-visible, so the period figures read their covering indexes alone. A late answer
      recomputes the first-response figures of a hundred periods; reading the table too
      slowed that by half (10M activities, with the sorting query of the time: a month's
      42,000 questions in 25 ms, not 38).

    SQLite's planner does without statistics, and its indexes cover without vacuuming.
    """
    if not _postgres():
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"{command} insights_memberperiod, insights_memberfirst, insights_questionresponse"
        )


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


# Activity types that ask for an answer: time to first response is measured on these.
QUESTION_TYPES = ("question", "issue")
# Activity types that also record attendance (kizuna.community.ingest): new ones of these
# change the figures of their event.
ATTENDANCE_TYPES = ("attended_event", "talk", "lightning_talk")


def _keys(keys: tuple[str, ...]) -> str:
    return ", ".join(f"'{key}'" for key in keys)


# The first reply to question q by another countable member, not dated before it. The
# condition on reply_to_external_id is written as the partial index activity_reply_to
# states it, so the planner can use that index.
FIRST_REPLY = """
    SELECT MIN(r.occurred_at) FROM community_activity r
    CROSS JOIN community_member rm
    WHERE r.source = q.source AND r.reply_to_external_id = q.external_id
      AND NOT (r.reply_to_external_id = '')
      AND rm.id = r.member_id AND r.member_id <> q.member_id
      AND r.occurred_at >= q.occurred_at
      AND rm.is_bot = false AND rm.is_staff = false AND rm.merged_into_id IS NULL
"""


def fold_questions(
    *,
    after_id: int,
    up_to_id: int,
    member_ids: list[int] | None = None,
    span: tuple | None = None,
) -> None:
    """Add a row for each countable member's question in the id range, with its first
    reply so far (replies may arrive before their question)."""
    where, params = _where(
        after_id=after_id, up_to_id=up_to_id, member_ids=member_ids, span=span, alias="q"
    )
    # Materialized, so that the first reply is looked up once per question, not once for
    # each column computed from it.
    sql = f"""
        WITH asked AS MATERIALIZED (
            SELECT q.id, q.member_id, q.occurred_at, ({FIRST_REPLY}) AS first_at
            FROM community_activity q
            CROSS JOIN community_member m
            WHERE m.id = q.member_id AND q.type IN ({_keys(QUESTION_TYPES)}) AND {where}
        )
        INSERT INTO insights_questionresponse
            (question_id, member_id, asked_at, asked_on, asked_week, asked_month, asked_quarter,
             first_response_at, response_seconds)
        SELECT id, member_id, occurred_at, {day_sql("occurred_at")},
               {period_sql("week", "occurred_at")}, {period_sql("month", "occurred_at")},
               {period_sql("quarter", "occurred_at")},
               first_at, {seconds_between_sql("occurred_at", "first_at")}
        FROM asked
        WHERE true
        ON CONFLICT (question_id) DO UPDATE SET
            first_response_at = excluded.first_response_at,
            response_seconds = excluded.response_seconds
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _new_first_replies(where: str) -> str:
    """Per question, the earliest of the replies selected by `where` (over r)."""
    return f"""
        SELECT q.id AS question_id, MIN(r.occurred_at) AS first_at
        FROM community_activity r
        CROSS JOIN community_member rm
        CROSS JOIN community_activity q
        WHERE {where} AND NOT (r.reply_to_external_id = '') AND rm.id = r.member_id
          AND rm.is_bot = false AND rm.is_staff = false AND rm.merged_into_id IS NULL
          AND q.source = r.source AND q.external_id = r.reply_to_external_id
          AND q.member_id <> r.member_id AND r.occurred_at >= q.occurred_at
        GROUP BY q.id
    """


def fold_replies(*, after_id: int, up_to_id: int) -> None:
    """Let replies in the id range make their questions' first response earlier, and mark
    the days of the questions whose first response changed."""
    new = _new_first_replies("r.id > %s AND r.id <= %s")
    earlier = _earliest("insights_questionresponse.first_response_at", "x.first_at")
    statements = [
        f"""INSERT INTO insights_dirtyfiguresday (figures, day)
            SELECT DISTINCT 'responses', f.asked_on FROM insights_questionresponse f
            JOIN ({new}) x ON x.question_id = f.question_id
            WHERE f.first_response_at IS NULL OR x.first_at < f.first_response_at
            ON CONFLICT (figures, day) DO NOTHING""",
        f"""UPDATE insights_questionresponse SET first_response_at = {earlier},
                response_seconds = {seconds_between_sql("asked_at", earlier)}
            FROM ({new}) x WHERE x.question_id = insights_questionresponse.question_id""",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [after_id, up_to_id])


def refresh_first_responses_replied_by(member_ids: list[int]) -> None:
    """Compute again the first response of every question these members replied to (they
    were merged, erased or flagged), and mark those questions' days."""
    placeholders = ", ".join(["%s"] * len(member_ids))
    replied = f"""
        SELECT q.id FROM community_activity r
        CROSS JOIN community_activity q
        WHERE r.member_id IN ({placeholders}) AND NOT (r.reply_to_external_id = '')
          AND q.source = r.source AND q.external_id = r.reply_to_external_id
    """
    statements = [
        f"""INSERT INTO insights_dirtyfiguresday (figures, day)
            SELECT DISTINCT 'responses', asked_on FROM insights_questionresponse
            WHERE question_id IN ({replied}) ON CONFLICT (figures, day) DO NOTHING""",
        f"""WITH fresh AS MATERIALIZED (
                SELECT q.id AS question_id, ({FIRST_REPLY}) AS first_at
                FROM community_activity q WHERE q.id IN ({replied}))
            UPDATE insights_questionresponse SET first_response_at = fresh.first_at,
                response_seconds = {seconds_between_sql("asked_at", "fresh.first_at")}
            FROM fresh WHERE fresh.question_id = insights_questionresponse.question_id""",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, member_ids)


def mark_event_days_of_new_activities(*, after_id: int, up_to_id: int) -> None:
    """Mark the days of the events that new attendance activities are for, and of each
    such member's next attended event (which may have stopped being their first)."""
    event_day = day_sql("e.starts_at")
    new_attendance = f"""
        FROM community_activity a CROSS JOIN community_event e
        WHERE a.id > %s AND a.id <= %s AND a.event_id IS NOT NULL AND e.id = a.event_id
          AND a.type IN ({_keys(ATTENDANCE_TYPES)})
    """
    next_event = """
        SELECT MIN(later.starts_at) FROM community_attendance t
        CROSS JOIN community_event later
        WHERE t.member_id = a.member_id AND t.status = 'attended' AND later.id = t.event_id
          AND later.starts_at > e.starts_at
    """
    statements = [
        f"""INSERT INTO insights_dirtyfiguresday (figures, day)
            SELECT DISTINCT 'events', {event_day} {new_attendance}
            ON CONFLICT (figures, day) DO NOTHING""",
        f"""INSERT INTO insights_dirtyfiguresday (figures, day)
            SELECT DISTINCT 'events', {day_sql("n.starts_at")}
            FROM (SELECT ({next_event}) AS starts_at {new_attendance}) n
            WHERE n.starts_at IS NOT NULL
            ON CONFLICT (figures, day) DO NOTHING""",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [after_id, up_to_id])


# The column holding each question's period start, per interval.
ASKED_IN = {"week": "asked_week", "month": "asked_month", "quarter": "asked_quarter"}


def first_response_figures_for(
    interval: str, starts: list[date], members: tuple[str, list] | None = None
) -> dict[date, dict[str, float | None]]:
    """Median hours to first response and unanswered count of the questions asked in each
    period starting on one of `starts`.

    `members`: an SQL query of member ids (and its parameters) to count only their questions.

    Two statements for all the periods, whatever their number: the counts grouped by
    period, and the median from the middle one or two answered questions of each period
    (ROW_NUMBER over the period's response times). A statement per period made a rebuild
    of a long history wait on a thousand round trips. Both windows share one order, so
    SQLite reads the (period, response_seconds) index in order, without a sort (a test
    checks the plan).
    """
    column = ASKED_IN[interval]
    where = f"{column} >= %s AND {column} <= %s"
    params: list = [min(starts), max(starts)]
    if members is not None:
        where += f" AND member_id IN ({members[0]})"
        params.extend(members[1])
    figures: dict[date, dict[str, float | None]] = {
        start: {"first_response_hours": None, "unanswered_questions": 0} for start in starts
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT {column}, COUNT(*) - COUNT(response_seconds)
            FROM insights_questionresponse WHERE {where} GROUP BY {column}""",
            params,
        )
        for start, unanswered in cursor.fetchall():
            if as_date(start) in figures:
                figures[as_date(start)]["unanswered_questions"] = unanswered
        cursor.execute(
            f"""SELECT period, response_seconds FROM (
                SELECT {column} AS period, response_seconds,
                       ROW_NUMBER() OVER in_order AS position,
                       COUNT(*) OVER (
                           in_order ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                       ) AS answered
                FROM insights_questionresponse
                WHERE {where} AND response_seconds IS NOT NULL
                WINDOW in_order AS (PARTITION BY {column} ORDER BY response_seconds)
            ) ranked
            WHERE position IN ((answered + 1) / 2, (answered + 2) / 2)""",
            params,
        )
        middles: dict[date, list[int]] = {}
        for start, seconds in cursor.fetchall():
            middles.setdefault(as_date(start), []).append(seconds)
        for start, middle in middles.items():
            if start in figures:
                hours = sum(middle) / len(middle) / 3600
                figures[start]["first_response_hours"] = round(hours, 2)
    return figures


def as_date(value: date | str) -> date:
    """A date read from SQL: SQLite returns text where PostgreSQL returns a date."""
    return value if isinstance(value, date) else date.fromisoformat(value)
