"""Who sees what (persona x action), the pages, CSV exports, the API and the digest."""

import json
import re
from datetime import date

import pytest
from django.utils import timezone

from kizuna.accounts import services as accounts
from kizuna.accounts.models import Organization
from kizuna.community.models import Affiliation
from kizuna.insights import fill, services
from kizuna.insights.digest import send_last_months_digest
from kizuna.insights.models import DigestSend, KpiTarget
from kizuna.insights.periods import tokyo_day
from kizuna.insights.permissions import InsightsAction, can_insights
from kizuna.insights.tests.factories import activity, member
from kizuna.outreach.testing import sent_mail

pytestmark = pytest.mark.django_db
TODAY = tokyo_day(timezone.now())

# persona x action: alice=admin, bob/eve=partner owners, carol=merchant, dave=member
MATRIX = {
    InsightsAction.VIEW_DASHBOARDS: {"alice"},
    InsightsAction.SET_TARGETS: {"alice"},
    InsightsAction.MANAGE_SURVEYS: {"alice"},
    InsightsAction.VIEW_OWN_CONTRIBUTION: {"alice", "bob", "eve"},
}
STAFF_PAGES = [
    "/insights/",
    "/insights/events/",
    "/insights/journey/",
    "/insights/outputs/",
    "/insights/glossary/",
    "/insights/surveys/",
]


@pytest.mark.parametrize("action", list(InsightsAction))
def test_permission_matrix(personas, action):
    allowed = {name for name, user in personas.items() if can_insights(user, action)}
    assert allowed == MATRIX[action]


def test_a_partner_may_not_see_another_partners_contribution(bob, bob_org, eve):
    assert can_insights(bob, InsightsAction.VIEW_OWN_CONTRIBUTION, bob_org)
    assert not can_insights(eve, InsightsAction.VIEW_OWN_CONTRIBUTION, bob_org)


def test_community_manager_sees_dashboards_but_partner_manager_does_not(make_user):
    community = make_user("cm@example.com", staff_role="community_manager")
    partners = make_user("pm@example.com", staff_role="partner_manager")
    assert can_insights(community, InsightsAction.VIEW_DASHBOARDS)
    assert not can_insights(partners, InsightsAction.VIEW_DASHBOARDS)


@pytest.fixture
def filled():
    person = member("山田 花子")
    activity(person, date(2026, 9, 3), "talk", output=True)
    fill.fill(today=date(2026, 11, 22))


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_render_and_others_get_403(client, personas, filled, url):
    client.force_login(personas["alice"])
    assert client.get(url).status_code == 200
    for name in ("bob", "carol", "dave"):
        client.force_login(personas[name])
        assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "url", ["/insights/", "/insights/events/", "/insights/journey/", "/insights/outputs/"]
)
def test_every_table_downloads_as_csv(client, alice, filled, url):
    client.force_login(alice)
    response = client.get(url + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())


def test_partner_sees_only_its_own_contribution(client, alice, bob, bob_org, eve):
    ours, theirs = member("ours"), member("theirs")
    Affiliation.objects.create(member=ours, organization=bob_org, start_date=date(2020, 1, 1))
    eve_org = Organization.objects.get(memberships__user=eve)
    Affiliation.objects.create(member=theirs, organization=eve_org, start_date=date(2020, 1, 1))
    activity(ours, TODAY, "answer", output=True)
    activity(theirs, TODAY, "answer", output=True)
    client.force_login(bob)
    page = client.get("/insights/contribution/").content.decode()
    assert bob_org.name in page
    assert eve_org.name not in page
    rows = client.get("/insights/contribution/?format=csv").content.decode().splitlines()
    assert rows[-1].endswith(",1,1,1")


def test_a_partner_chooses_any_past_range_of_months_for_its_contribution(client, bob, bob_org):
    ours = member("ours")
    Affiliation.objects.create(member=ours, organization=bob_org, start_date=date(2020, 1, 1))
    activity(ours, date(2025, 2, 10), "answer", output=True)
    client.force_login(bob)
    query = "interval=month&since=2025-01-01&until=2025-03-31"
    rows = client.get(f"/insights/contribution/?{query}&format=csv").content.decode().splitlines()
    assert [row.split(",")[1:] for row in rows[1:]] == [
        ["0", "0", "0"],
        ["1", "1", "1"],
        ["0", "0", "0"],
    ]
    page = client.get("/insights/contribution/?interval=month&since=2025-04-01&until=2025-01-01")
    assert page.status_code == 200
    assert 'role="alert"' in page.content.decode()


def test_a_partners_contribution_is_charted_per_month_with_the_table_kept(client, bob, bob_org):
    ours = member("ours")
    Affiliation.objects.create(member=ours, organization=bob_org, start_date=date(2020, 1, 1))
    activity(ours, date(2025, 2, 10), "answer", output=True)
    activity(ours, date(2025, 2, 11), "question")
    client.force_login(bob)
    page = client.get("/insights/contribution/?interval=month&since=2025-01-01&until=2025-03-31")
    html = page.content.decode()
    chart_id = f"contribution-{bob_org.pk}"
    assert f'id="{chart_id}"' in html
    data = re.search(rf'<script id="data-{chart_id}" type="application/json">(.*?)</script>', html)
    assert data
    chart = json.loads(data.group(1))
    assert chart["x"] == ["2025-01-01", "2025-02-01", "2025-03-01"]
    assert [s["y"] for s in chart["series"]] == [[0, 2, 0], [0, 1, 0]]
    assert chart["unit"] == "件"
    assert "<table" in html


def test_staff_set_a_target_and_the_overview_shows_progress(client, alice, filled):
    client.force_login(alice)
    client.post(
        "/insights/targets/",
        {"metric": "outputs_total", "interval": "month", "period": "2026-11-05", "value": "10"},
    )
    assert KpiTarget.objects.get().period_start == date(2026, 11, 1)


def bearer(user, scopes=("insights:read",)):
    _token, plaintext = accounts.api_token_create(user=user, name="t", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_the_api_returns_a_kpi_series(client, alice, filled):
    response = client.get(
        "/api/v1/insights/kpis?metric=outputs_total&from=2026-08-01&to=2026-10-31&interval=month",
        **bearer(alice),
    )
    assert response.status_code == 200
    points = response.json()["points"]
    assert [p["period_start"] for p in points] == ["2026-08-01", "2026-09-01", "2026-10-01"]
    assert points[1]["value"] == 1


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("metric=nope&from=2026-01-01&to=2026-02-01", "unknown_metric"),
        ("metric=attendance&from=2026-01-01&to=2026-02-01&interval=day", "invalid_interval"),
        ("metric=attendance&from=2026-03-01&to=2026-02-01", "invalid_range"),
        ("metric=nps&from=2026-01-01&to=2026-02-01&group=tokyo", "filter_not_applicable"),
    ],
)
def test_the_api_explains_bad_input(client, alice, query, code):
    response = client.get(f"/api/v1/insights/kpis?{query}", **bearer(alice))
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_a_partner_token_cannot_read_kpis(client, bob):
    response = client.get(
        "/api/v1/insights/kpis?metric=attendance&from=2026-01-01&to=2026-02-01", **bearer(bob)
    )
    assert response.status_code == 403


def test_the_api_is_in_the_openapi_document(client):
    assert "/api/v1/insights/kpis" in client.get("/api/v1/openapi.json").json()["paths"]


def test_the_monthly_digest_goes_out_once(alice, filled):
    assert send_last_months_digest(today=date(2026, 10, 3))
    assert not send_last_months_digest(today=date(2026, 10, 20))
    assert DigestSend.objects.get().month == date(2026, 9, 1)
    assert len(sent_mail()) == 1
    assert alice.email in sent_mail()[0].to


def test_member_list_filters_by_level(client, alice, filled):
    from kizuna.insights import levels

    levels.levels_update(as_of=date(2026, 11, 22), review=False)
    client.force_login(alice)
    assert "山田 花子" in client.get("/community/members/?level=3").content.decode()
    assert "山田 花子" not in client.get("/community/members/?level=4").content.decode()
    assert "山田 花子" not in client.get("/community/members/?level=1").content.decode()
    response = client.get("/api/v1/community/members?level=1", **bearer(alice, ("community:read",)))
    assert response.json()["count"] == 0


def test_survey_pages(client, alice):
    client.force_login(alice)
    response = client.post(
        "/insights/surveys/",
        {
            "kind": "ces",
            "title": "Docs survey",
            "question": "How easy?",
            "period_day": "2026-10-01",
            "free_text_questions": "Why?",
        },
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    survey_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    invited = client.post(f"/insights/surveys/{survey_id}/invite/", {"audience": "4"})
    assert invited.status_code == 302
    assert services  # the services module is what the pages call


def test_csv_downloads_are_never_cached(client, alice, filled):
    client.force_login(alice)
    assert client.get("/insights/?format=csv")["Cache-Control"] == "private, no-store"
