"""Browser tests: the period selector kept in the URL, the overview's partial-period
markers, and events by place; screenshots at desktop and phone widths."""

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import PASSWORD
from kizuna.community.models import Attendance, Event
from kizuna.core.tests.browser import sign_in
from kizuna.insights import fill
from kizuna.insights.periods import period_start, previous_start, tokyo_day
from kizuna.insights.tests.factories import activity, member

pytestmark = pytest.mark.django_db
SCREENSHOTS = Path(tempfile.gettempdir()) / "shots-dash"


@pytest.fixture
def page(page):
    # Every insights page loads plotly.js (3.5 MB): on a busy machine, more than the default.
    page.set_default_timeout(30_000)
    return page


@pytest.fixture
def manager(make_user):
    return make_user("cm@example.com", display_name="CM", staff_roles=["community_manager"])


@pytest.fixture
def last_month():
    today = tokyo_day(timezone.now())
    month = previous_start("month", period_start("month", today))
    people = [member(f"参加者 {n}") for n in range(3)]
    for n, prefecture in enumerate(["40", "40", "13", ""]):
        event = Event.objects.create(
            source="test",
            external_id=str(n),
            title=f"もくもく会 {n}",
            prefecture=prefecture,
            starts_at=datetime(month.year, month.month, 3 + n, 1, tzinfo=UTC),
        )
        for person in people[: 3 - n]:
            Attendance.objects.create(event=event, member=person, status="attended")
    for person in people:
        activity(person, month + timedelta(days=5), "blog_post", output=True)
    activity(people[0], today, "talk", output=True)
    fill.fill()
    return month


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)  # plotly redraws on resize
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.browser
def test_the_overview_shows_the_last_complete_month_and_marks_the_current_one_partial(
    page, manager, last_month
):
    sign_in(page, manager.email, PASSWORD)
    page.goto("/insights/")
    assert last_month.isoformat() in page.locator("#shown-period").inner_text()
    assert page.locator(".pill-partial").first.is_visible()
    card = page.locator("[data-kpi=outputs_total]")
    assert card.locator(".stat-value").inner_text().strip() in ("3件", "3items", "3 items")
    assert card.locator(".kpi-partial").is_visible()
    page.wait_for_selector("[data-kpi=outputs_total] .spark.is-drawn[data-partial]")
    assert "None" not in page.locator("main").inner_text()
    shoot(page, "overview")


@pytest.mark.browser
def test_a_chosen_range_is_kept_in_the_url_and_a_bad_one_is_explained(page, manager, last_month):
    sign_in(page, manager.email, PASSWORD)
    page.goto("/insights/")
    page.locator("#period_interval").select_option("quarter")
    page.locator("#period_since").fill("2024-01-01")
    page.locator("#period_until").fill("2024-12-31")
    page.locator("#period-selector button[type=submit]").click()
    page.wait_for_url("**/insights/?*since=2024-01-01*")
    assert "2024-10-01" in page.locator("#shown-period").inner_text()
    assert page.locator(".kpi-partial").count() == 0
    shared = page.url
    page.goto(shared)  # the link shows the same range
    assert page.locator("#period_since").input_value() == "2024-01-01"
    page.locator("#period_since").fill("2025-01-01")
    page.locator("#period-selector button[type=submit]").click()
    alert = page.locator("#period-selector [role=alert]").first
    assert alert.inner_text().strip() in (
        "期間の開始日は終了日より前にしてください。",
        "The range must start before it ends.",
    )
    shoot(page, "period-error")


@pytest.mark.browser
def test_events_by_place_lists_prefectures_most_events_first(page, manager, last_month):
    sign_in(page, manager.email, PASSWORD)
    page.goto("/insights/")
    page.locator(".insights-tabs a").nth(1).click()
    page.wait_for_selector("#places-chart.is-drawn")
    rows = page.locator("#places-table tbody tr")
    assert rows.count() == 3
    assert rows.first.get_attribute("data-prefecture") == "40"
    assert rows.first.locator("td").nth(1).inner_text().startswith("2")
    assert rows.last.get_attribute("data-prefecture") == ""
    page.wait_for_selector("#events-chart.is-drawn")
    shoot(page, "events")
    page.goto("/insights/journey/")
    shoot(page, "journey")
    page.goto("/insights/surveys/")
    page.wait_for_selector("#survey-chart.is-drawn")
    shoot(page, "surveys")
    page.goto("/insights/outputs/")
    page.wait_for_selector("#outputs-chart.is-drawn")
    shoot(page, "outputs")
