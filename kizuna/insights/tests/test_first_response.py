"""Time to first response: on a hand-built set of questions and replies (self-replies, bots,
staff, replies dated before the question, other sources, late data, merges), the rollups give
the hand-computed figures and what the raw computation gives."""

import importlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kizuna.community import services as community
from kizuna.community.models import Activity
from kizuna.core.consumers import dispatch_all
from kizuna.insights import fill, sql
from kizuna.insights.models import KpiValue, QuestionResponse
from kizuna.insights.periods import INTERVALS, period_start, periods_between, tokyo_day
from kizuna.insights.raw import raw_member_kpis
from kizuna.insights.tests.factories import activity, member

pytestmark = pytest.mark.django_db
FIRST, TODAY = date(2026, 8, 1), date(2026, 10, 31)
METRICS = ("first_response_hours", "unanswered_questions")


def at(day: date, hours: float = 0) -> datetime:
    """Noon in Tokyo on `day`, plus some hours."""
    return datetime(day.year, day.month, day.day, 3, tzinfo=UTC) + timedelta(hours=hours)


def stored(metric: str, interval: str = "month", start: date = date(2026, 9, 1)) -> float | None:
    return (
        KpiValue.objects.filter(metric=metric, interval=interval, period_start=start)
        .values_list("value", flat=True)
        .first()
    )


def assert_rollups_match_raw() -> None:
    for interval in INTERVALS:
        for start in periods_between(interval, FIRST, TODAY):
            raw = raw_member_kpis(interval, start)
            for metric in METRICS:
                value = stored(metric, interval, start)
                if value is None and raw[metric] in (None, 0):
                    continue
                assert value == pytest.approx(raw[metric], abs=0.01), (interval, start, metric)


def assert_rows_in_step() -> None:
    """Each stored question's period starts and response seconds agree with its times."""
    rows = QuestionResponse.objects.values_list(
        "asked_at",
        "asked_on",
        "asked_week",
        "asked_month",
        "asked_quarter",
        "first_response_at",
        "response_seconds",
    )
    assert rows
    for asked_at, asked_on, week, month, quarter, first_at, seconds in rows:
        assert asked_on == tokyo_day(asked_at)
        assert (week, month, quarter) == tuple(
            period_start(interval, asked_on) for interval in INTERVALS
        )
        expected = None if first_at is None else (first_at - asked_at).total_seconds()
        assert seconds == expected, (asked_at, first_at)


def refill() -> None:
    dispatch_all()
    fill.fill(today=TODAY)


@pytest.fixture
def people():
    return [member(f"p{n}") for n in range(5)]


@pytest.fixture
def questions(people):
    p0, p1, p2, p3, _p4 = people
    bot, staff = member("bot", is_bot=True), member("staff", is_staff=True)
    sep1, sep10, sep20, sep25 = (date(2026, 9, d) for d in (1, 10, 20, 25))
    q1 = activity(p0, sep1, "question", at=at(sep1))
    activity(p0, sep1, "answer", at=at(sep1, 1), reply_to=q1)  # the asker: not a response
    activity(bot, sep1, "answer", at=at(sep1, 2), reply_to=q1)  # bots do not count
    activity(staff, sep1, "answer", at=at(sep1, 3), reply_to=q1)  # nor staff
    activity(p1, sep1, "answer", at=at(sep1, 5), reply_to=q1)  # first response: 5 h
    activity(p2, sep1, "answer", at=at(sep1, 8), reply_to=q1)
    # Same external id in another source: not a reply to q1.
    activity(p3, sep1, "answer", at=at(sep1, 0.5), reply_to=q1, source="elsewhere")
    q2 = activity(p1, sep10, "question", at=at(sep10))
    activity(p2, sep10, "answer", at=at(sep10, -1), reply_to=q2)  # before the question
    activity(p3, sep10, "answer", at=at(sep10, 20), reply_to=q2)  # 20 h
    q3 = activity(p2, sep20, "question", at=at(sep20))
    activity(bot, sep20, "answer", at=at(sep20, 1), reply_to=q3)  # still unanswered
    q4 = activity(p3, sep25, "issue", at=at(sep25))
    activity(p0, sep25, "comment", at=at(sep25, 2), reply_to=q4)  # 2 h
    bots_question = activity(bot, sep25, "question", at=at(sep25))  # asked by a bot: left out
    activity(p0, sep25, "answer", at=at(sep25, 1), reply_to=bots_question)
    fill.fill(today=TODAY)
    return {"q1": q1, "q2": q2, "q3": q3, "q4": q4}


def test_median_hours_to_the_first_response_by_someone_else(questions):
    assert stored("first_response_hours") == 5  # median of 5, 20 and 2 hours
    assert stored("unanswered_questions") == 1
    assert_rows_in_step()
    assert_rollups_match_raw()


def test_a_late_answer_updates_its_questions_period(questions, people):
    activity(
        people[4],
        date(2026, 9, 21),
        "answer",
        at=at(date(2026, 9, 21), 6),
        reply_to=questions["q3"],
    )
    refill()
    assert stored("first_response_hours") == pytest.approx(12.5)  # 2, 5, 20, 30 hours
    assert stored("unanswered_questions") == 0
    assert QuestionResponse.objects.get(pk=questions["q3"].pk).response_seconds == 30 * 3600
    assert_rows_in_step()
    assert_rollups_match_raw()


def test_an_earlier_late_reply_becomes_the_first_response(questions, people):
    activity(
        people[4],
        date(2026, 9, 10),
        "answer",
        at=at(date(2026, 9, 10), 1),
        reply_to=questions["q2"],
    )
    refill()
    assert stored("first_response_hours") == 2  # 5, 1 and 2 hours
    assert QuestionResponse.objects.get(pk=questions["q2"].pk).response_seconds == 3600
    assert_rows_in_step()
    assert_rollups_match_raw()


def test_a_question_stored_after_its_answer_finds_it(people):
    Activity.objects.create(
        source="test",
        external_id="reply-first",
        type_id="answer",
        member=people[0],
        occurred_at=at(date(2026, 9, 2), 3),
        reply_to_external_id="late-question",
    )
    fill.fill(today=TODAY)
    Activity.objects.create(
        source="test",
        external_id="late-question",
        type_id="question",
        member=people[1],
        occurred_at=at(date(2026, 9, 2)),
    )
    fill.fill(today=TODAY)
    assert stored("first_response_hours") == 3
    assert_rows_in_step()
    assert_rollups_match_raw()


def test_merging_the_answerer_into_the_asker_drops_their_answer(questions, people, alice):
    community.member_merge(actor=alice, into=people[0], merged=people[1])
    refill()
    # q1's first response is now p2's, 8 h; q2 moved to p0 and keeps p3's 20 h.
    assert stored("first_response_hours") == 8
    assert QuestionResponse.objects.get(pk=questions["q1"].pk).response_seconds == 8 * 3600
    assert_rows_in_step()
    assert_rollups_match_raw()


def test_a_replier_flagged_as_bot_stops_answering(questions, people, alice):
    community.member_update(actor=alice, member=people[3], is_bot=True)
    refill()
    # q2 loses its only answer; q4 was asked by p3 and leaves with them.
    assert stored("unanswered_questions") == 2
    assert stored("first_response_hours") == 5
    assert QuestionResponse.objects.get(pk=questions["q2"].pk).response_seconds is None
    assert_rows_in_step()
    assert_rollups_match_raw()


def test_erasing_a_replier_keeps_their_answers_and_the_figures(questions, people, alice):
    # p4 answers q3 late and is merged into p1 (q1's first replier), whose answers p4's
    # join; then p1 is erased. An erased member's answers still count, anonymously.
    activity(
        people[4],
        date(2026, 9, 20),
        "answer",
        at=at(date(2026, 9, 20), 4),
        reply_to=questions["q3"],
    )
    refill()
    community.member_merge(actor=alice, into=people[1], merged=people[4])
    community.member_erase(actor=alice, member=people[1])
    refill()
    assert stored("first_response_hours") == 4.5  # 2, 4, 5 and 20 hours
    assert stored("unanswered_questions") == 0
    assert QuestionResponse.objects.get(pk=questions["q3"].pk).response_seconds == 4 * 3600
    assert_rows_in_step()
    assert_rollups_match_raw()


def test_the_migration_fills_the_periods_and_seconds_of_stored_questions(questions):
    QuestionResponse.objects.update(
        asked_week=date(2000, 1, 3),
        asked_month=date(2000, 1, 1),
        asked_quarter=date(2000, 1, 1),
        response_seconds=None,
    )
    migration = importlib.import_module(
        "kizuna.insights.migrations.0005_question_response_seconds_and_periods"
    )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.fill_periods_and_seconds(None, editor)
    assert_rows_in_step()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_period_figures_read_the_index_in_order_without_sorting(questions):
    with CaptureQueriesContext(connection) as queries:
        sql.first_response_figures_for("month", [date(2026, 9, 1)])
    assert len(queries) == 2
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plan = " / ".join(row[-1] for row in cursor.fetchall())
            assert "USING COVERING INDEX question_response_month" in plan, plan
            assert "TEMP B-TREE" not in plan, plan


def test_rebuild_gives_the_same_figures(questions):
    before = {m: stored(m) for m in METRICS}
    fill.rebuild(FIRST, TODAY, today=TODAY)
    assert {m: stored(m) for m in METRICS} == before


def test_imported_lines_say_what_they_reply_to(alice):
    lines = [
        {
            "source": "forum",
            "external_id": "t-1",
            "type": "question",
            "occurred_at": "2026-09-10T10:00:00+09:00",
            "member": {"platform": "forum", "handle": "asker"},
        },
        {
            "source": "forum",
            "external_id": "t-1-r1",
            "type": "answer",
            "occurred_at": "2026-09-10T13:30:00+09:00",
            "member": {"platform": "forum", "handle": "helper"},
            "in_reply_to": "t-1",
        },
    ]
    community.activities_ingest(records=list(enumerate(lines, start=1)))
    refill()
    assert Activity.objects.get(external_id="t-1-r1").reply_to_external_id == "t-1"
    assert stored("first_response_hours") == 3.5
