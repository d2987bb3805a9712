import pytest

from kizuna.accounts import services as account_services
from kizuna.directory.models import AssignmentStatus
from kizuna.directory.services import leads
from kizuna.directory.tests.test_leads import project

pytestmark = pytest.mark.django_db


def token_for(user, *scopes):
    _token, secret = account_services.api_token_create(user=user, name="test", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def catalog(make_partner, bob):
    make_partner(
        "Bob Web Works",
        owner=bob,
        summary="決済連携のプロ",
        badges={"plugin_development": 2},
        head_office_prefecture="13",
    )
    make_partner("Osaka Digital", summary="デザイン", head_office_prefecture="27")


def test_search_is_public_and_returns_results_reasons_and_facets(client, catalog):
    response = client.get(
        "/api/v1/directory/search",
        {"q": "決済", "service": "plugin_development"},
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    hit = body["results"][0]
    assert hit["slug"] == "bob-web-works"
    assert hit["badges"][0]["code"] == "plugin_development"
    assert hit["badges"][0]["level"] == 1
    assert any("プラグイン開発の検証済み実績 2件" in reason for reason in hit["reasons"])
    assert isinstance(hit["score"], int)
    assert "contact_email" not in hit
    assert body["facets"]["service"] == {"plugin_development": 1}


def test_repeatable_filters_and_facets_without_a_query(client, catalog):
    body = client.get("/api/v1/directory/search?prefecture=13&prefecture=27").json()
    assert body["count"] == 2
    assert body["facets"]["prefecture"] == {"13": 1, "27": 1}


@pytest.mark.parametrize(
    "query", [{"prefecture": "48"}, {"rank": "diamond"}, {"page_size": 500}, {"page": 0}]
)
def test_bad_search_parameters_are_422_with_a_code(client, catalog, query):
    response = client.get("/api/v1/directory/search", query)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_search_is_rate_limited_per_ip(client, catalog, settings):
    settings.KIZUNA_DIRECTORY_SEARCHES_PER_MINUTE = 2
    assert client.get("/api/v1/directory/search").status_code == 200
    assert client.get("/api/v1/directory/search").status_code == 200
    response = client.get("/api/v1/directory/search")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_the_search_page_and_the_api_share_one_budget_per_client(client, catalog, settings):
    settings.KIZUNA_DIRECTORY_SEARCHES_PER_MINUTE = 2
    assert client.get("/directory/").status_code == 200
    assert client.get("/api/v1/directory/search").status_code == 200
    assert client.get("/directory/").status_code == 429
    assert client.get("/api/v1/directory/search").status_code == 429


def test_merchant_lists_own_leads_and_staff_list_all(client, carol, dave, alice, catalog):
    from kizuna.partners.models import PartnerProfile

    bob_partner = PartnerProfile.objects.get(organization__slug="bob-web-works")
    leads.lead_create(merchant=carol, partners=[bob_partner], **project())
    leads.lead_create(merchant=dave, partners=[bob_partner], **project(products="日本酒"))
    own = client.get("/api/v1/directory/leads", **token_for(carol, "leads:read")).json()
    assert [lead["products"] for lead in own["items"]] == ["手作りの革小物"]
    assert own["items"][0]["slots"][0]["partner"] == "bob-web-works"
    everything = client.get("/api/v1/directory/leads", **token_for(alice, "leads:read")).json()
    assert everything["count"] == 2


def test_leads_need_their_scope(client, carol, catalog):
    response = client.get("/api/v1/directory/leads", **token_for(carol, "account:read"))
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"
    assert client.get("/api/v1/directory/leads").status_code == 401


def test_partner_accepts_through_the_inbox_and_then_sees_the_contact(client, bob, carol, catalog):
    from kizuna.partners.models import PartnerProfile

    bob_partner = PartnerProfile.objects.get(organization__slug="bob-web-works")
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    headers = token_for(bob, "leads:respond")
    inbox = client.get("/api/v1/directory/inbox", **headers).json()
    assert inbox["items"][0]["contact"] is None
    response = client.post(f"/api/v1/directory/inbox/{slot.pk}/accept", **headers)
    assert response.status_code == 200
    assert response.json()["status"] == AssignmentStatus.ACCEPTED
    assert response.json()["contact"]["email"] == "carol.shop@example.jp"
    again = client.post(f"/api/v1/directory/inbox/{slot.pk}/accept", **headers)
    assert again.status_code == 409
    assert again.json()["code"] == "lead_not_open"


def test_decline_with_an_unknown_reason_is_422(client, bob, carol, catalog):
    from kizuna.partners.models import PartnerProfile

    bob_partner = PartnerProfile.objects.get(organization__slug="bob-web-works")
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    response = client.post(
        f"/api/v1/directory/inbox/{slot.pk}/decline",
        {"reason": "meh"},
        content_type="application/json",
        **token_for(bob, "leads:respond"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_reason"


def test_another_partner_cannot_see_or_answer_the_lead(client, eve, carol, catalog):
    from kizuna.partners.models import PartnerProfile

    bob_partner = PartnerProfile.objects.get(organization__slug="bob-web-works")
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    headers = token_for(eve, "leads:respond")
    assert client.get("/api/v1/directory/inbox", **headers).json()["items"] == []
    response = client.post(f"/api/v1/directory/inbox/{slot.pk}/accept", **headers)
    assert response.status_code == 404
    assert response.json()["code"] == "lead_not_found"
