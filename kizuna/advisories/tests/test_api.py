import pytest
from django.utils import timezone

from kizuna.accounts.services import api_token_create
from kizuna.advisories import services
from kizuna.advisories.models import AdvisoryState, ClientSite, SiteStatus

pytestmark = pytest.mark.django_db
SCOPES = ["advisories:read", "advisories:respond", "advisories:write"]


def auth(user, scopes=SCOPES):
    _token, secret = api_token_create(user=user, name="t", scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_anonymous_clients_list_only_published_advisories(client, alice, shared_advisory):
    assert client.get("/api/v1/advisories").json()["items"] == []
    services.advisory_publish(actor=alice, advisory=shared_advisory)
    items = client.get("/api/v1/advisories").json()["items"]
    assert [item["identifier"] for item in items] == [shared_advisory.identifier]


@pytest.mark.parametrize("persona", ["eve", "carol", "dave"])
def test_an_embargoed_advisory_is_404_for_every_token_it_does_not_target(
    client, personas, shared_advisory, persona
):
    headers = auth(personas[persona], ["advisories:read"])
    url = f"/api/v1/advisories/{shared_advisory.identifier}"
    assert client.get(url, **headers).status_code == 404
    assert client.get("/api/v1/advisories", **headers).json()["items"] == []


def test_the_targeted_partner_reads_acknowledges_and_updates_a_site(
    client, bob, bob_site, shared_advisory
):
    headers = auth(bob)
    base = f"/api/v1/advisories/{shared_advisory.identifier}"
    assert client.get(base, **headers).json()["state"] == AdvisoryState.SHARED
    assert client.post(f"{base}/acknowledgment", **headers).status_code == 200
    sites = client.get(f"{base}/sites", **headers).json()
    assert [(s["label"], s["state"]) for s in sites] == [("アパレルA社", "affected")]
    response = client.put(
        f"{base}/sites/{bob_site.pk}",
        {"state": "patched", "on": timezone.localdate().isoformat(), "note": ""},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    assert SiteStatus.objects.get(site=bob_site).state == "patched"


def test_a_partner_cannot_write_advisories(client, bob, bob_site):
    from kizuna.advisories.tests.conftest import advisory_fields

    body = advisory_fields()
    body["public_at"] = body["public_at"].isoformat()
    response = client.post("/api/v1/advisories", body, content_type="application/json", **auth(bob))
    assert response.status_code == 403


def test_staff_create_share_and_publish_through_the_api(client, alice, bob_site):
    from kizuna.advisories.tests.conftest import advisory_fields

    body = advisory_fields()
    body["public_at"] = body["public_at"].isoformat()
    created = client.post(
        "/api/v1/advisories", body, content_type="application/json", **auth(alice)
    )
    assert created.status_code == 201
    identifier = created.json()["identifier"]
    assert created.json()["severity"] == "medium"
    assert (
        client.post(f"/api/v1/advisories/{identifier}/share", **auth(alice)).json()["state"]
        == "shared"
    )
    assert client.post(f"/api/v1/advisories/{identifier}/share", **auth(alice)).status_code == 409
    assert (
        client.post(f"/api/v1/advisories/{identifier}/publish", **auth(alice)).json()["state"]
        == "published"
    )


def test_a_bad_vector_is_a_422_with_a_code(client, alice):
    from kizuna.advisories.tests.conftest import advisory_fields

    body = advisory_fields(cvss_vector="CVSS:3.1/AV:Q")
    body["public_at"] = body["public_at"].isoformat()
    response = client.post(
        "/api/v1/advisories", body, content_type="application/json", **auth(alice)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_advisory"


def test_client_sites_api_is_private_to_the_partner(client, bob, eve, bob_site):
    assert [
        s["label"] for s in client.get("/api/v1/partners/me/sites", **auth(bob)).json()["items"]
    ] == ["アパレルA社"]
    assert client.get("/api/v1/partners/me/sites", **auth(eve)).json()["items"] == []
    assert client.get(f"/api/v1/partners/me/sites/{bob_site.pk}", **auth(eve)).status_code == 404
    assert client.delete(f"/api/v1/partners/me/sites/{bob_site.pk}", **auth(eve)).status_code == 404
    assert ClientSite.objects.filter(pk=bob_site.pk).exists()


def test_a_partner_adds_a_site_through_the_api(client, bob, partners):
    response = client.post(
        "/api/v1/partners/me/sites",
        {
            "label": "D社",
            "product_version": "4.2.0",
            "plugins": [{"name": "coupon", "version": "1.0"}],
        },
        content_type="application/json",
        **auth(bob),
    )
    assert response.status_code == 201
    assert response.json()["plugins"] == [{"name": "coupon", "version": "1.0"}]


def test_a_site_url_other_than_http_is_refused_by_the_api(client, bob, partners):
    response = client.post(
        "/api/v1/partners/me/sites",
        {"label": "E社", "product_version": "4.2.0", "url": "file:///etc/passwd"},
        content_type="application/json",
        **auth(bob),
    )
    assert response.status_code == 422


def test_merchants_have_no_sites(client, carol):
    assert client.get("/api/v1/partners/me/sites", **auth(carol)).status_code == 404
