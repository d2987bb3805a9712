import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_landing_page_invites_visitors_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert reverse("accounts:login") in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("alice", "スタッフホーム"),
        ("bob", "Bob Web Works"),
        ("eve", "Eve Commerce Lab"),
        ("carol", "お店にぴったりのパートナーを探す"),
        ("dave", "あなたのコミュニティ"),
    ],
)
def test_each_persona_gets_its_own_home_page(client, personas, persona, heading):
    client.force_login(personas[persona])
    response = client.get(reverse("site:home"))
    assert response.status_code == 200
    assert heading in response.content.decode()


def test_home_requires_sign_in(client):
    response = client.get(reverse("site:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_branding_stylesheet_uses_the_configured_colour(client, settings):
    settings.KIZUNA_BRAND_COLOR = "#123456"
    assert "--brand: #123456" in client.get(reverse("site:branding_css")).content.decode()


def test_branding_stylesheet_ignores_a_colour_that_is_not_a_colour(client, settings):
    settings.KIZUNA_BRAND_COLOR = "red;} body{display:none"
    assert "display:none" not in client.get(reverse("site:branding_css")).content.decode()


def test_ecosystem_name_is_shown_in_the_layout(client, settings):
    settings.KIZUNA_ECOSYSTEM_NAME = "EC-CUBE Partners"
    assert "<title>ようこそ · EC-CUBE Partners</title>" in client.get("/").content.decode()


def test_admin_is_themed_with_the_ecosystem_name(client, alice):
    client.force_login(alice)
    assert "Kizuna 管理画面" in client.get("/admin/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Kizuna admin" in client.get("/admin/").content.decode()


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
    page = client.get(reverse("site:home")).content.decode()
    nav = page.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    for path in MENU_LINKS[persona]:
        assert f'href="{path}' in nav, path
    for path in NEVER_FOR.get(persona, set()):
        assert f'href="{path}"' not in nav, path
