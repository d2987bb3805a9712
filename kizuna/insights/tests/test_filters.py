"""Group, prefecture and event-kind filters on the member KPIs: they count the members who
attended a matching event in the period (the previous period for the figures that look back),
the same as the raw computation; survey KPIs say they cannot be filtered."""

from datetime import UTC, date, datetime

import pytest

from kizuna.community.models import Attendance, Event, Group, Member
from kizuna.insights import fill
from kizuna.insights.compute import member_kpis
from kizuna.insights.events_kpis import EventFilter
from kizuna.insights.metrics import METRICS_BY_KEY, ROLLUP_METRICS
from kizuna.insights.raw import raw_member_kpis
from kizuna.insights.selectors import FilterNotApplicable, kpi_series, overview
from kizuna.insights.tests.factories import activity, member

pytestmark = pytest.mark.django_db
TODAY = date(2026, 10, 31)
SEPTEMBER, AUGUST = date(2026, 9, 1), date(2026, 8, 1)
FILTERS = [
    EventFilter(group="tokyo"),
    EventFilter(prefecture="27"),
    EventFilter(kind="workshop"),
    EventFilter(group="tokyo", kind="meetup"),
]


def event(title: str, day: date, group: Group, kind: str) -> Event:
    return Event.objects.create(
        source="test",
        external_id=title,
        title=title,
        group=group,
        prefecture=group.prefecture,
        kind=kind,
        starts_at=datetime(day.year, day.month, day.day, 1, tzinfo=UTC),
    )


def attend(evt: Event, *people: Member, status: str = "attended") -> None:
    for person in people:
        Attendance.objects.create(event=evt, member=person, status=status)


@pytest.fixture
def people():
    tokyo = Group.objects.create(name="Tokyo", slug="tokyo", prefecture="13")
    osaka = Group.objects.create(name="Osaka", slug="osaka", prefecture="27")
    p = [member(f"p{n}") for n in range(6)]
    august_tokyo = event("Aug Tokyo", date(2026, 8, 20), tokyo, "meetup")
    september_tokyo = event("Sep Tokyo", date(2026, 9, 5), tokyo, "meetup")
    september_osaka = event("Sep Osaka", date(2026, 9, 12), osaka, "workshop")
    attend(august_tokyo, p[0], p[1], p[4])
    attend(september_tokyo, p[0], p[1])
    attend(september_tokyo, p[3], status="no_show")  # did not come: not counted
    attend(september_osaka, p[2])
    plan = [
        (p[0], date(2026, 8, 3), "talk"),
        (p[0], date(2026, 9, 5), "attended_event"),
        (p[0], date(2026, 9, 8), "blog_post"),
        (p[1], date(2026, 8, 20), "answer"),
        (p[1], date(2026, 9, 5), "chat_join"),
        (p[2], date(2026, 9, 12), "lightning_talk"),
        (p[3], date(2026, 9, 20), "pull_request"),
        (p[4], date(2026, 8, 20), "release"),
        (p[5], date(2026, 9, 2), "chat_message"),
    ]
    outputs = {"talk", "blog_post", "answer", "lightning_talk", "pull_request", "release"}
    for who, day, type_key in plan:
        activity(who, day, type_key, output=type_key in outputs)
    fill.fill(today=TODAY)
    return p


def test_a_group_filter_counts_the_members_who_attended_its_events(people):
    unfiltered = member_kpis("month", SEPTEMBER)
    tokyo = member_kpis("month", SEPTEMBER, EventFilter(group="tokyo"))
    assert unfiltered["active_members"] == 5
    assert tokyo["active_members"] == 2  # p0 and p1; p3 was a no-show
    assert tokyo["outputs_total"] == 1  # p0's blog post
    assert tokyo["chat_members_joined"] == 1
    # Retention looks at August's Tokyo attendees (p0, p1, p4): two of three are back.
    assert tokyo["retention"] == pytest.approx(66.6667)


def test_a_prefecture_or_kind_filter_follows_the_events_too(people):
    osaka = member_kpis("month", SEPTEMBER, EventFilter(prefecture="27"))
    workshops = member_kpis("month", SEPTEMBER, EventFilter(kind="workshop"))
    assert osaka["active_members"] == workshops["active_members"] == 1  # p2
    assert osaka["outputs_lightning_talks"] == 1
    assert osaka["new_members"] == 1


@pytest.mark.parametrize("where", FILTERS)
def test_filtered_member_kpis_equal_the_raw_computation(people, where):
    for start in (AUGUST, SEPTEMBER, date(2026, 10, 1)):
        rollup = member_kpis("month", start, where)
        raw = raw_member_kpis("month", start, where)
        for metric in ROLLUP_METRICS:
            assert rollup[metric] == pytest.approx(raw[metric]), (where, start, metric)


def test_survey_kpis_refuse_a_filter_instead_of_ignoring_it(people):
    assert not METRICS_BY_KEY["nps"].filterable
    with pytest.raises(FilterNotApplicable):
        kpi_series("nps", "month", AUGUST, SEPTEMBER, EventFilter(group="tokyo"))
    series = kpi_series("active_members", "month", AUGUST, SEPTEMBER, EventFilter(group="tokyo"))
    assert series == [(AUGUST, 3), (SEPTEMBER, 2)]


def test_the_overview_marks_the_cards_a_filter_does_not_apply_to(people):
    cards = overview(interval="month", periods=2, today=SEPTEMBER, where=EventFilter(kind="meetup"))
    unfiltered = {card.key for card in cards if not card.filtered}
    assert unfiltered == {"nps", "ces"}
    assert {c.key: c.value for c in cards}["active_members"] == 2


def test_the_overview_page_says_which_kpis_are_not_filtered(client, alice, people):
    client.force_login(alice)
    page = client.get("/insights/?group=tokyo").content.decode()
    assert page.count('class="kpi-unfiltered') == 2
    assert 'class="kpi-unfiltered' not in client.get("/insights/").content.decode()


def test_the_glossary_says_what_each_filter_means(client, alice):
    client.force_login(alice)
    page = client.get("/insights/glossary/").content.decode()
    assert str(METRICS_BY_KEY["retention"].filter_meaning) in page
    assert str(METRICS_BY_KEY["nps"].filter_meaning) in page
