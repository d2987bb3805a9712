"""An incremental fill touches only what the new activities affect: a day of chat messages
recomputes member KPIs and no event KPI; an attendance recomputes its event's periods and
the member's next event (which may stop being their first)."""

from datetime import UTC, date, datetime

import pytest

from kizuna.community.models import Attendance, Event
from kizuna.insights import fill
from kizuna.insights.models import KpiValue
from kizuna.insights.tests.factories import activity, member

pytestmark = pytest.mark.django_db
TODAY = date(2026, 10, 31)


def event(title: str, day: date) -> Event:
    return Event.objects.create(
        source="test",
        external_id=title,
        title=title,
        starts_at=datetime(day.year, day.month, day.day, 1, tzinfo=UTC),
    )


def value(metric: str, start: date, interval: str = "month") -> float | None:
    return KpiValue.objects.get(metric=metric, interval=interval, period_start=start).value


@pytest.fixture
def event_calls(monkeypatch):
    calls: list[tuple[str, date]] = []
    real = fill.event_kpis_for

    def counting(interval, starts, *args, **kwargs):
        calls.extend((interval, start) for start in starts)
        return real(interval, starts, *args, **kwargs)

    monkeypatch.setattr(fill, "event_kpis_for", counting)
    return calls


def test_a_day_of_chat_messages_recomputes_no_event_kpi(event_calls):
    person = member()
    october = event("October", date(2026, 10, 3))
    Attendance.objects.create(event=october, member=person, status="attended")
    activity(person, date(2026, 10, 3), "attended_event", event=october)
    fill.fill(today=TODAY)
    assert event_calls  # the attendance's event periods were computed
    event_calls.clear()

    activity(member(), date(2026, 10, 20), "chat_message")
    activity(member(), date(2026, 10, 20), "chat_message")
    fill.fill(today=TODAY)

    assert event_calls == []
    assert value("active_members", date(2026, 10, 1)) == 3
    assert value("attendance", date(2026, 10, 1)) == 1  # left as it was


def test_a_late_attendance_recomputes_the_members_next_event(event_calls):
    person = member()
    september, october = event("September", date(2026, 9, 10)), event("October", date(2026, 10, 3))
    Attendance.objects.create(event=october, member=person, status="attended")
    activity(person, date(2026, 10, 3), "attended_event", event=october)
    fill.fill(today=TODAY)
    assert value("new_participants", date(2026, 10, 1)) == 1
    event_calls.clear()

    # Their attendance in September arrives late (ingestion records both rows).
    Attendance.objects.create(event=september, member=person, status="attended")
    activity(person, date(2026, 9, 10), "attended_event", event=september)
    fill.fill(today=TODAY)

    assert value("new_participants", date(2026, 9, 1)) == 1
    assert value("new_participants", date(2026, 10, 1)) == 0  # October was not their first
    assert ("month", date(2026, 10, 1)) in event_calls
    assert ("month", date(2026, 8, 1)) not in event_calls


def test_a_late_answer_to_an_old_question_recomputes_only_its_response_figures(monkeypatch):
    asker, helper = member(), member()
    question = activity(asker, date(2026, 8, 3), "question")
    activity(helper, date(2026, 10, 20), "chat_message")
    fill.fill(today=TODAY)
    assert value("unanswered_questions", date(2026, 8, 1)) == 1
    calls: list[tuple[str, date]] = []
    real = fill.member_kpis_for

    def counting(interval, starts, *args, **kwargs):
        calls.extend((interval, start) for start in starts)
        return real(interval, starts, *args, **kwargs)

    monkeypatch.setattr(fill, "member_kpis_for", counting)

    activity(helper, date(2026, 10, 21), "answer", reply_to=question)
    fill.fill(today=TODAY)

    assert value("unanswered_questions", date(2026, 8, 1)) == 0
    assert value("first_response_hours", date(2026, 8, 1)) == 79 * 24
    assert value("active_members", date(2026, 8, 1)) == 1  # stored, not recomputed
    assert ("month", date(2026, 8, 1)) not in calls
    assert ("month", date(2026, 10, 1)) in calls  # the answer's own month
