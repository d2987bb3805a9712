"""Event KPIs on small hand-built events: each formula, with bots, staff and filters."""

from datetime import UTC, date, datetime

import pytest

from kizuna.community.models import Attendance, Event, Group, Member
from kizuna.insights.events_kpis import EventFilter, event_kpis
from kizuna.insights.tests.factories import member

pytestmark = pytest.mark.django_db


def event(title: str, day: date, **fields: object) -> Event:
    return Event.objects.create(
        source="test",
        external_id=title,
        title=title,
        starts_at=datetime(day.year, day.month, day.day, 1, tzinfo=UTC),
        ends_at=datetime(day.year, day.month, day.day, 4, tzinfo=UTC),
        **fields,
    )


def attend(evt: Event, *people: Member, status: str = "attended") -> None:
    for person in people:
        Attendance.objects.create(event=evt, member=person, status=status)


@pytest.fixture
def events():
    tokyo = Group.objects.create(name="Tokyo", slug="tokyo", prefecture="13")
    osaka = Group.objects.create(name="Osaka", slug="osaka", prefecture="27")
    regular, newcomer, other, absent = (member() for _ in range(4))
    bot, staff = member(is_bot=True), member(is_staff=True)
    earlier = event("May", date(2026, 5, 10), group=tokyo, prefecture="13")
    attend(earlier, regular)
    june_tokyo = event("June Tokyo", date(2026, 6, 5), group=tokyo, prefecture="13", kind="meetup")
    attend(june_tokyo, regular, newcomer, bot, staff)
    attend(june_tokyo, absent, status="no_show")
    june_osaka = event(
        "June Osaka",
        date(2026, 6, 20),
        group=osaka,
        prefecture="27",
        kind="workshop",
        staff_run=True,
    )
    attend(june_osaka, other, newcomer)


def test_event_kpis_of_a_month(events):
    figures = event_kpis("month", date(2026, 6, 1))
    assert figures["events_held"] == 2
    assert figures["prefectures_covered"] == 2
    assert figures["attendance"] == 4  # the bot and the staff member are left out
    assert figures["new_participants"] == 2  # newcomer (first in Tokyo) and other
    assert figures["new_participant_ratio"] == 50.0
    assert figures["repeat_ratio"] == 50.0  # regular, and newcomer's second event
    assert figures["no_show_rate"] == 20.0
    assert figures["exposure_hours"] == 12.0  # 4 attendances x 3 hours
    assert figures["self_running_share"] == 50.0
    assert figures["event_frequency"] == pytest.approx(2 * 7 / 30, abs=1e-4)


def test_filters_narrow_the_events(events):
    assert event_kpis("month", date(2026, 6, 1), EventFilter(group="osaka"))["attendance"] == 2
    assert event_kpis("month", date(2026, 6, 1), EventFilter(prefecture="13"))["events_held"] == 1
    assert event_kpis("month", date(2026, 6, 1), EventFilter(kind="workshop"))["events_held"] == 1


def test_large_event_attendance_counts_events_above_the_threshold(events, settings):
    settings.KIZUNA_INSIGHTS_LARGE_EVENT_MIN_ATTENDEES = 2
    assert event_kpis("month", date(2026, 6, 1))["large_event_attendance"] == 4
