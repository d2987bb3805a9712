"""Bad input is a 4xx with a machine-readable code on both databases, never a 500."""

import pytest

from kizuna.accounts.permissions import SCOPES
from kizuna.accounts.services import api_token_create
from kizuna.community.models import Event

pytestmark = pytest.mark.django_db

EVENT = {"external_id": "e-1", "title": "Kizuna meetup", "starts_at": "2026-05-01T19:00:00+09:00"}


@pytest.fixture
def staff(alice):
    _token, plaintext = api_token_create(user=alice, name="t", scopes=list(SCOPES))
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def put_event(client, staff, **changes):
    return client.put(
        "/api/v1/community/events", {**EVENT, **changes}, content_type="application/json", **staff
    )


def test_a_valid_event_is_stored(client, staff):
    assert put_event(client, staff).status_code == 200
    assert Event.objects.get().title == "Kizuna meetup"


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "Kizuna\x00meetup"},
        {"title": "   "},
        {"title": "x" * 301},
        {"kind": "rave"},
        {"prefecture": "99"},
        {"capacity": -1},
        {"capacity": 2**40},
        {"online_url": "javascript:alert(1)"},
        {"online_url": "ftp://example.com/"},
    ],
    ids=str,
)
def test_an_event_outside_the_models_bounds_is_422_invalid_input(client, staff, changes):
    response = put_event(client, staff, **changes)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert not Event.objects.exists()


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_a_date_outside_the_supported_range_is_400_out_of_range(client, staff, starts_at):
    response = put_event(client, staff, starts_at=starts_at)
    assert response.status_code == 400
    assert response.json()["code"] == "out_of_range"


@pytest.mark.parametrize(
    "query",
    [
        "limit=101",
        "limit=0",
        "offset=-1",
        "offset=100000000000000000000000",
        "since=0001-01-01T00:00:00",
        "member=99999999999999999999999",
    ],
)
def test_pagination_and_filters_out_of_range_are_client_errors(client, staff, query):
    response = client.get(f"/api/v1/community/activities?{query}", **staff)
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("invalid_input", "out_of_range")


@pytest.mark.parametrize("query", ["page=0", "page_size=101", "page=10000000000000000000000"])
def test_page_number_pagination_rejects_out_of_range_pages(client, staff, query):
    response = client.get(f"/api/v1/partners/profiles?{query}", **staff)
    assert response.status_code == 422


def test_a_nul_in_a_query_parameter_is_rejected(client, staff):
    response = client.get("/api/v1/community/members?q=a%00b", **staff)
    assert response.status_code == 422


def test_an_unknown_api_path_answers_json_not_found(client):
    response = client.get("/api/v1/no/such/endpoint")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_api_server_error_in_production_is_json_with_a_code(client, staff, monkeypatch):
    from kizuna.community import api

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api.services, "event_upsert", broken)
    client.raise_request_exception = False
    response = put_event(client, staff)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"


def test_an_object_that_does_not_exist_answers_json_not_found(client, staff):
    response = client.get("/api/v1/community/members/4242", **staff)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
