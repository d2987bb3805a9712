"""The period range every dashboard reads from its URL, the last complete period on the
cards with the current one apart, events by place, and downloads with their units."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime

import pytest

from kizuna.community.models import Attendance, Event
from kizuna.insights import fill, selectors
from kizuna.insights.models import KpiTarget
from kizuna.insights.selection import Selection
from kizuna.insights.tests.factories import activity, member
from kizuna.insights.views import common

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(common, "tokyo_today", lambda: TODAY)


@pytest.fixture
def filled():
    people = [member(f"p{n}") for n in range(3)]
    activity(people[0], date(2026, 9, 3), "talk", output=True)
    activity(people[0], date(2026, 10, 3), "talk", output=True)
    activity(people[1], date(2026, 10, 4), "question")  # unanswered: worse when higher
    activity(people[2], date(2026, 11, 20), "blog_post", output=True)  # the partial month
    activity(people[0], date(2024, 5, 10), "answer", output=True)  # long ago
    fill.fill(today=TODAY)
    return people


def event(pk: int, prefecture: str, day: date, attendees: list) -> Event:
    held = Event.objects.create(
        source="test",
        external_id=str(pk),
        title=f"event {pk}",
        prefecture=prefecture,
        starts_at=datetime(day.year, day.month, day.day, 1, tzinfo=UTC),
    )
    for person in attendees:
        Attendance.objects.create(event=held, member=person, status="attended")
    return held


def shown_period(page: str) -> str:
    found = re.search(r'id="shown-period">([^<]*)', page)
    assert found
    return found.group(1)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_overview_shows_the_last_complete_period_and_the_current_one_apart(
    client, alice, filled
):
    client.force_login(alice)
    page = client.get("/insights/").content.decode()
    assert "2026-10-01" in shown_period(page)
    card = page[page.index('data-kpi="outputs_total"') :][:3000]
    assert re.search(r'stat-value">\s*1<span class="unit">', card)  # October's one talk
    assert 'class="kpi-partial"' in card  # November so far: the blog post
    data = re.search(r'id="data-kpi-outputs_total"[^>]*>([^<]*)<', page)
    assert data
    spark = json.loads(data.group(1))
    assert spark["partial"] == "2026-11-01"
    assert spark["x"][0] == "2025-12-01"


def test_a_past_range_in_the_url_is_what_the_overview_shows(client, alice, filled):
    client.force_login(alice)
    query = "interval=month&since=2024-04-01&until=2024-06-30"
    header, *rows = csv_rows(client.get(f"/insights/?{query}&format=csv"))
    assert header[2:] == ["2024-04-01", "2024-05-01", "2024-06-01"]
    outputs = next(row for row in rows if row[0] in ("Outputs", "アウトプット"))
    assert outputs[2:] == ["", "1", "0"]  # counts as integers, never 1.0; April never computed
    page = client.get(f"/insights/?{query}").content.decode()
    assert "2024-06-01" in shown_period(page)
    assert 'class="kpi-partial"' not in page


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=yesterday", "since"),
        ("since=2026-05-01&until=2026-01-01", "__all__"),
        ("until=2027-01-01", "until"),
        ("interval=week&since=1990-01-01&until=2026-01-01", "__all__"),
        ("interval=fortnight", "interval"),
        ("since=0001-01-01", "since"),
    ],
)
@pytest.mark.parametrize("url", ["/insights/", "/insights/events/", "/insights/outputs/"])
def test_a_bad_range_gets_a_form_error_not_a_500(client, alice, filled, url, query, field):
    client.force_login(alice)
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'role="alert"' in response.content.decode()


def test_a_target_without_a_value_says_so(client, alice, filled):
    KpiTarget.objects.create(
        metric="first_response_hours", interval="month", period_start=date(2026, 10, 1), value=5
    )
    client.force_login(alice)
    page = client.get("/insights/").content.decode()
    card = page[page.index('data-kpi="first_response_hours"') :][:3000]
    assert "None" not in card
    assert "kpi-target" in card
    assert "<progress" not in card[: card.index("spark")]


def test_change_colours_follow_which_way_is_better(filled):
    cards = {
        card.key: card
        for card in selectors.overview_between(
            interval="month", starts=[date(2026, 9, 1), date(2026, 10, 1)], shown=date(2026, 10, 1)
        )
    }
    assert cards["unanswered_questions"].change == 1
    assert cards["unanswered_questions"].change_is == "worse"  # better when lower
    assert cards["active_members"].change_is == "better"


def test_events_by_place_counts_prefectures_and_their_frequency(client, alice, filled):
    people = filled
    event(1, "40", date(2026, 9, 5), people)
    event(2, "40", date(2026, 10, 5), people[:1])
    event(3, "13", date(2026, 10, 9), [])
    event(4, "", date(2026, 10, 10), [])  # online
    event(5, "13", date(2025, 1, 10), [])  # outside the range
    selection = Selection(
        interval="month", since=date(2026, 9, 1), until=date(2026, 10, 31), today=TODAY
    )
    places = selectors.events_by_place(selection)
    assert [(p.code, p.events, p.attendance) for p in places.rows] == [
        ("40", 2, 4),
        ("13", 1, 0),
        ("", 1, 0),
    ]
    assert places.rows[0].per_month == pytest.approx(2 / (61 / 30.4375), abs=0.01)
    client.force_login(alice)
    query = "interval=month&since=2026-09-01&until=2026-10-31"
    page = client.get(f"/insights/events/?{query}").content.decode()
    assert 'id="places-table"' in page
    assert "福岡県" in page or "Fukuoka" in page
    header, *rows = csv_rows(client.get(f"/insights/events/?{query}&table=places&format=csv"))
    assert len(header) == 4
    assert rows[0][1:] == ["2", "1.0", "4"]  # two events in two months


def test_the_events_download_gives_tokyo_times_without_seconds_fractions(client, alice, filled):
    event(1, "40", date(2026, 10, 5), filled)
    client.force_login(alice)
    query = "interval=month&since=2026-10-01&until=2026-10-31"
    _header, row = csv_rows(client.get(f"/insights/events/?{query}&format=csv"))
    assert row[0] == "2026-10-05 10:00"  # 01:00 UTC
    assert row[4] == "3"


def test_ratio_columns_name_their_unit(client, alice, filled):
    client.force_login(alice)
    header, *_rows = csv_rows(client.get("/insights/outputs/?format=csv"))
    assert header[-1].endswith("(%)")


def test_the_journey_and_survey_pages_take_a_range_too(client, alice, filled):
    client.force_login(alice)
    response = client.get("/insights/journey/?since=2026-01-01&until=2026-06-30")
    assert response.status_code == 200
    assert response.context["selection"].starts[0] == date(2026, 1, 1)
    response = client.get("/insights/surveys/?interval=quarter&since=2026-01-01")
    chart = response.context["chart"]
    assert chart["kind"] == "dual"
    assert chart["x"] == ["2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"]
    assert chart["partial"] == "2026-10-01"
