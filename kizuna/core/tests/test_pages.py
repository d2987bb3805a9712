import pytest
from django.urls import reverse

from kizuna.core import worker
from kizuna.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_landing_page_invites_visitors_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert reverse("accounts:login") in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("alice", "スタッフホーム"),
        ("bob", "パートナーホーム"),
        ("eve", "パートナーホーム"),
        ("carol", "お店にぴったりのパートナーを探す"),
        ("dave", "あなたのコミュニティ"),
    ],
)
def test_each_persona_gets_its_own_home_page(client, personas, persona, heading):
    client.force_login(personas[persona])
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert heading in response.content.decode()


def test_partner_home_lists_the_organization_and_its_people(client, bob):
    client.force_login(bob)
    page = client.get(reverse("core:home")).content.decode()
    assert "Bob Web Works" in page
    assert "bob@example.com" in page or "Bob" in page


def test_staff_home_shows_recent_audit_entries(client, alice, bob):
    client.force_login(alice)
    page = client.get(reverse("core:home")).content.decode()
    assert "organization.created" in page


def test_home_requires_sign_in(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_healthz_reports_database_and_an_absent_worker_to_staff(client, alice):
    client.force_login(alice)
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["worker"]["state"] == "absent"
    assert body["database"] in ("sqlite", "postgresql")


def test_healthz_is_ok_with_a_live_worker(client):
    from django.utils import timezone

    worker.beat("w", started_at=timezone.now())
    assert client.get("/healthz").json()["status"] == "ok"
    assert WorkerHeartbeat.objects.count() == 1


def test_pages_send_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_branding_stylesheet_uses_the_configured_colour(client, settings):
    settings.KIZUNA_BRAND_COLOR = "#123456"
    assert "--brand: #123456" in client.get(reverse("core:branding_css")).content.decode()


def test_branding_stylesheet_ignores_a_colour_that_is_not_a_colour(client, settings):
    settings.KIZUNA_BRAND_COLOR = "red;} body{display:none"
    assert "display:none" not in client.get(reverse("core:branding_css")).content.decode()


def test_ecosystem_name_is_shown_in_the_layout(client, settings):
    settings.KIZUNA_ECOSYSTEM_NAME = "EC-CUBE Partners"
    assert "<title>ようこそ · EC-CUBE Partners</title>" in client.get("/").content.decode()


def test_admin_is_themed_with_the_ecosystem_name(client, alice):
    client.force_login(alice)
    assert "Kizuna admin" in client.get("/admin/").content.decode()


def test_admin_sign_in_goes_through_the_rate_limited_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_api_docs_are_served_without_a_cdn(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Kizuna API"


MENU_LINKS = {
    "alice": {"/partners/staff/reviews/", "/community/members/", "/billing/staff/", "/admin/"},
    "bob": {"/partners/portal/", "/billing/"},
    "carol": set(),
    "dave": set(),
}
NEVER_FOR = {
    "bob": {"/partners/staff/reviews/", "/community/members/", "/billing/staff/", "/admin/"},
    "carol": {"/partners/portal/", "/billing/", "/community/members/", "/admin/"},
    "dave": {"/partners/portal/", "/billing/staff/", "/community/members/", "/admin/"},
}


@pytest.mark.parametrize("persona", sorted(MENU_LINKS))
def test_navigation_offers_each_persona_only_the_pages_it_may_open(client, personas, persona):
    client.force_login(personas[persona])
    page = client.get(reverse("core:home")).content.decode()
    nav = page.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    for path in MENU_LINKS[persona]:
        assert f'href="{path}' in nav, path
    for path in NEVER_FOR.get(persona, set()):
        assert f'href="{path}"' not in nav, path
