"""The member page's activity chart: activities per Asia/Tokyo week and type over a year,
checked against a count made by hand, and the page embedding it for plotly."""

import json
import random
import re
import tempfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from kizuna.community import selectors
from kizuna.community.models import Activity, Member
from kizuna.core.tests.browser import sign_in

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
TYPES = ["talk", "blog_post", "question", "pull_request"]
# Screenshots for a person to look at after a run.
SCREENSHOTS = Path(tempfile.gettempdir())


def add(member: Member, at: datetime, type_key: str, n: list[int] = [0]) -> Activity:  # noqa: B006
    n[0] += 1
    return Activity.objects.create(
        source="test", external_id=str(n[0]), type_id=type_key, member=member, occurred_at=at
    )


def by_hand(member: Member, today: date, weeks: int) -> dict[str, dict[date, int]]:
    """Every activity read back and placed in its Tokyo week in Python, the oracle."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    last = today - timedelta(days=today.weekday())
    counts: dict[str, Counter[date]] = {}
    for activity in Activity.objects.filter(member=member):
        day = activity.occurred_at.astimezone(TOKYO).date()
        monday = day - timedelta(days=day.weekday())
        if first <= monday <= last:
            counts.setdefault(activity.type_id, Counter())[monday] += 1
    return {key: dict(counter) for key, counter in counts.items()}


def test_activities_per_week_and_type_match_a_count_by_hand():
    today = date(2026, 12, 3)  # a Thursday
    dave, other = Member.objects.create(display_name="Dave"), Member.objects.create()
    rng = random.Random(19)
    start = datetime(2025, 10, 1, tzinfo=UTC)
    for _n in range(400):
        at = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 440))
        add(dave, at, rng.choice(TYPES))
    add(other, datetime(2026, 12, 1, 3, tzinfo=UTC), "talk")  # someone else's
    # The edges of Tokyo weeks: Sunday 23:59 and Monday 00:00 in Tokyo are Sunday in UTC.
    add(dave, datetime(2026, 11, 29, 23, 59, tzinfo=TOKYO), "question")
    add(dave, datetime(2026, 11, 30, 0, 0, tzinfo=TOKYO), "question")
    # The first week shown starts on Monday 2025-12-08 at 00:00 in Tokyo.
    add(dave, datetime(2025, 12, 7, 23, 59, tzinfo=TOKYO), "release")
    add(dave, datetime(2025, 12, 8, 0, 0, tzinfo=TOKYO), "release")

    data = selectors.member_activity_weeks(dave, today=today, weeks=52)

    assert data.weeks[0] == date(2025, 12, 8)
    assert data.current == date(2026, 11, 30)
    assert len(data.weeks) == 52
    assert all(monday.weekday() == 0 for monday in data.weeks)
    expected = by_hand(dave, today, 52)
    assert set(data.counts) == set(expected)
    for key, counts in data.counts.items():
        assert {m: c for m, c in zip(data.weeks, counts, strict=True) if c} == expected[key]
    assert data.counts["release"][0] == 1
    # Busiest type first.
    totals = [sum(counts) for counts in data.counts.values()]
    assert totals == sorted(totals, reverse=True)


def test_activities_after_this_week_and_before_the_year_stay_out_of_the_chart():
    today = date(2026, 12, 3)
    dave = Member.objects.create(display_name="Dave")
    add(dave, datetime(2026, 12, 7, 0, 0, tzinfo=TOKYO), "talk")  # next week
    add(dave, datetime(2025, 1, 5, 12, tzinfo=TOKYO), "talk")  # more than a year ago
    assert selectors.member_activity_weeks(dave, today=today).counts == {}


@pytest.fixture
def dave_member(dave):
    member = Member.objects.create(display_name="Dave", user=dave)
    now = timezone.now()
    add(member, now - timedelta(days=1, hours=1), "talk")
    add(member, now - timedelta(weeks=3), "talk")
    add(member, now - timedelta(weeks=3), "blog_post")
    add(member, now - timedelta(days=400), "blog_post")  # before the chart's year
    return member


def embedded_chart(html: str) -> dict:
    match = re.search(
        r'<script id="data-activity-chart" type="application/json">(.*?)</script>', html
    )
    assert match, "no chart data on the page"
    return json.loads(match.group(1))


@pytest.mark.parametrize("who", ["dave", "alice"])
def test_the_member_page_embeds_the_activity_chart_and_its_table(client, request, who, dave_member):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("community:member_detail", args=[dave_member.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="activity-chart"' in html
    assert "core/charts.js" in html
    assert "/charts/plotly.min.js" in html
    chart = embedded_chart(html)
    assert chart["kind"] == "stack"
    assert len(chart["x"]) == 52
    assert chart["unit"] == "件"
    series = {s["name"]: sum(s["y"]) for s in chart["series"]}
    assert series == {"登壇": 2, "ブログ記事": 1}
    this_week = timezone.localdate(timezone.now(), TOKYO)
    assert chart["partial"] == str(this_week - timedelta(days=this_week.weekday()))
    assert "週ごとのアクティビティ" in html  # the section heading in Japanese
    assert "3 件のアクティビティ" in html


def test_the_chart_speaks_english_on_the_english_page(client, dave, dave_member):
    client.force_login(dave)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("community:member_detail", args=[dave_member.pk])).content.decode()
    assert "Activity per week" in html
    assert "3 activities in the last 12 months" in html
    chart = embedded_chart(html)
    assert chart["unit"] == "items"
    assert chart["partial_label"] == "partial"


def test_a_member_without_activity_this_year_gets_no_chart_and_no_plotly(client, dave):
    member = Member.objects.create(display_name="Dave", user=dave)
    add(member, timezone.now() - timedelta(days=500), "talk")
    client.force_login(dave)
    html = client.get(reverse("community:member_detail", args=[member.pk])).content.decode()
    assert 'id="activity-chart"' not in html
    assert "plotly.min.js" not in html
    assert "過去12か月のアクティビティはありません。" in html


def test_another_member_cannot_see_daves_chart(client, eve, dave_member):
    client.force_login(eve)
    response = client.get(reverse("community:member_detail", args=[dave_member.pk]))
    assert response.status_code == 403


@pytest.mark.browser
@pytest.mark.parametrize("who", ["dave", "alice"])
def test_the_activity_chart_is_drawn_without_a_console_error(page, request, who, dave_member):
    page.set_default_timeout(30_000)  # plotly.js is 3.5 MB: more than the default when busy
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    user = request.getfixturevalue(who)
    sign_in(page, user.email, PASSWORD)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/community/members/{dave_member.pk}/")
        chart = page.locator("#activity-chart")
        expect(chart.locator("svg.main-svg").first).to_be_visible()
        expect(chart).to_have_class(re.compile("is-drawn"))
        # One stacked bar trace per type, with the unit on the value axis.
        expect(chart.locator(".barlayer .trace")).to_have_count(2)
        expect(chart.locator(".ytick text").first).to_contain_text("件")
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        page.screenshot(path=str(SCREENSHOTS / f"activity-chart-{who}-{width}.png"), full_page=True)
    page.get_by_text("数値を表で見る").click()
    # Three weeks ago: a talk and a blog post, as the chart stacks them.
    expect(page.get_by_role("cell", name="登壇: 1, ブログ記事: 1", exact=True)).to_be_visible()
    assert errors == []
