"""Browser tests: the overview with its charts, a drill-down to events, a survey answer."""

import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import PASSWORD
from kizuna.community.models import Attendance, Event, Group
from kizuna.core.tests.browser import open_menu, sign_in
from kizuna.insights import fill, levels, services
from kizuna.insights.models import SurveyInvitation
from kizuna.insights.periods import tokyo_day
from kizuna.insights.tests.factories import activity, member

pytestmark = pytest.mark.django_db
SCREENSHOTS = Path(tempfile.gettempdir())


@pytest.fixture
def community():
    today = tokyo_day(timezone.now())
    group = Group.objects.create(name="Kizuna 福岡", slug="fukuoka", prefecture="40")
    event = Event.objects.create(
        source="test",
        external_id="1",
        title="福岡もくもく会",
        group=group,
        prefecture="40",
        starts_at=datetime(today.year, today.month, 1, 9, tzinfo=UTC),
    )
    people = [member(f"参加者 {n}") for n in range(3)]
    for person in people:
        Attendance.objects.create(event=event, member=person, status="attended")
        activity(person, today - timedelta(days=40), "chat_message")
        activity(person, today, "blog_post", output=True)
    fill.fill()
    levels.levels_update(as_of=today, review=False)
    return event


@pytest.mark.browser
def test_staff_open_the_overview_and_drill_down_to_events(page, alice, community):
    sign_in(page, alice.email, PASSWORD)
    open_menu(page, "コミュニティ")
    page.get_by_role("link", name="インサイト").click()
    assert page.get_by_role("heading", name="コミュニティインサイト").is_visible()
    card = page.locator("[data-kpi=outputs_total]")
    # The card shows the last complete month (no outputs then), and this month so far apart.
    assert card.locator(".stat-value").inner_text().strip() == "0件"
    assert re.search(r"\b3\s*件", card.locator(".kpi-partial").inner_text())
    page.wait_for_selector("[data-kpi=outputs_total] .spark.is-drawn")
    page.screenshot(path=str(SCREENSHOTS / "insights-overview.png"), full_page=True)
    page.locator("[data-kpi=events_held] a").click()
    assert page.get_by_role("link", name="福岡もくもく会").is_visible()
    page.wait_for_selector("#events-chart.is-drawn")
    page.screenshot(path=str(SCREENSHOTS / "insights-events.png"), full_page=True)


@pytest.mark.browser
def test_a_member_answers_a_survey_through_the_personal_link(page, alice, community):
    survey = services.survey_create(
        actor=alice,
        kind="nps",
        title="もくもく会アンケート",
        question="おすすめしますか？",
        period_day=tokyo_day(community.starts_at),
        event=community,
        free_text_questions=["ひとことどうぞ"],
    )
    attendees = [attendance.member for attendance in community.attendances.all()]
    services.survey_invite(actor=alice, survey=survey, members=attendees)
    token = SurveyInvitation.objects.filter(survey=survey).values_list("token", flat=True)[0]
    page.goto(f"/insights/s/{token}/")
    page.get_by_label("9", exact=True).check()
    page.get_by_label("ひとことどうぞ").fill("楽しかったです")
    page.get_by_role("button", name=re.compile("回答を送信|Send answer")).click()
    assert page.get_by_role("heading", name=re.compile("ありがとう|Thank you")).is_visible()
    assert survey.responses.get().score == 9
