"""The groups, events and affiliations API: what each persona may do, and bad input."""

from datetime import date

import pytest

from kizuna.accounts import services as accounts
from kizuna.community import services
from kizuna.community.models import Affiliation, Event, Group
from kizuna.core.models import OutboxEvent

pytestmark = pytest.mark.django_db

API = "/api/v1/community"


def bearer(user, scopes=("community:read", "community:write")):
    _token, plaintext = accounts.api_token_create(user=user, name="t", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def send(client, method, path, user, body=None, scopes=("community:read", "community:write")):
    call = getattr(client, method)
    if body is None:
        return call(API + path, **bearer(user, scopes))
    return call(API + path, body, content_type="application/json", **bearer(user, scopes))


@pytest.fixture
def dave_member(alice, dave):
    member = services.member_create(actor=alice, display_name="Dave", platform="github", handle="d")
    member.user = dave
    member.save(update_fields=["user"])
    return member


@pytest.fixture
def group(alice, dave_member):
    return services.group_create(
        actor=alice, name="Kizuna Users Tokyo", prefecture="13", leaders=[dave_member]
    )


@pytest.fixture
def affiliation(alice, bob_org, dave_member):
    return services.affiliation_add(
        actor=alice, member=dave_member, organization=bob_org, start_date=date(2025, 4, 1)
    )


EVENT = {"title": "もくもく会", "starts_at": "2026-12-10T19:00:00+09:00", "format": "hybrid"}

# persona -> expected status, per action on a group dave organizes and an affiliation.
MATRIX = {
    "alice": {"list": 200, "create_group": 201, "patch_group": 200, "affiliations": 200},
    "bob": {"list": 200, "create_group": 403, "patch_group": 403, "affiliations": 403},
    "carol": {"list": 200, "create_group": 403, "patch_group": 403, "affiliations": 403},
    "dave": {"list": 200, "create_group": 403, "patch_group": 200, "affiliations": 403},
    "eve": {"list": 200, "create_group": 403, "patch_group": 403, "affiliations": 403},
}


@pytest.mark.parametrize("persona", MATRIX)
def test_group_and_affiliation_endpoints_per_persona(client, personas, persona, group, affiliation):
    user, expected = personas[persona], MATRIX[persona]
    assert send(client, "get", "/groups", user).status_code == expected["list"]
    assert send(client, "get", f"/groups/{group.pk}", user).status_code == expected["list"]
    created = send(client, "post", "/groups", user, {"name": f"{persona} group"})
    assert created.status_code == expected["create_group"]
    patched = send(client, "patch", f"/groups/{group.pk}", user, {"description": "毎月"})
    assert patched.status_code == expected["patch_group"]
    for method, path, body in [
        ("get", "/affiliations", None),
        ("get", f"/affiliations/{affiliation.pk}", None),
        ("patch", f"/affiliations/{affiliation.pk}", {"title": "x"}),
    ]:
        assert send(client, method, path, user, body).status_code == expected["affiliations"]
    # A token without the write scope writes nothing, whoever holds it.
    read_only = send(client, "post", "/groups", user, {"name": "ro"}, scopes=("community:read",))
    assert read_only.status_code == 403


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 201), ("bob", 403), ("carol", 403), ("dave", 201), ("eve", 403)],
)
def test_creating_an_event_of_a_group_per_persona(client, personas, group, persona, status):
    response = send(client, "post", "/events", personas[persona], {**EVENT, "group_id": group.pk})
    assert response.status_code == status
    assert Event.objects.filter(title="もくもく会").exists() == (status == 201)


def test_an_organizer_cannot_create_an_event_without_a_group_or_move_one_away(
    client, alice, dave, group
):
    assert send(client, "post", "/events", dave, EVENT).status_code == 403
    event = services.event_create(actor=alice, title="LT会", starts_at="2026-12-01T10:00Z")
    assert send(client, "patch", f"/events/{event.pk}", dave, {"title": "x"}).status_code == 403
    own = services.event_create(
        actor=alice, title="Own", starts_at="2026-12-01T10:00Z", group=group
    )
    other = services.group_create(actor=alice, name="Osaka")
    moved = send(client, "patch", f"/events/{own.pk}", dave, {"group_id": other.pk})
    assert moved.status_code == 403


def test_an_organizer_edits_their_groups_event_and_the_change_is_an_event(client, dave, group):
    created = send(client, "post", "/events", dave, {**EVENT, "group_id": group.pk}).json()
    response = send(
        client,
        "patch",
        f"/events/{created['id']}",
        dave,
        {"capacity": 40, "hashtag": "#kizuna_tokyo", "venue": None},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["capacity"], body["hashtag"], body["venue"]) == (40, "#kizuna_tokyo", "")
    assert body["group_id"] == group.pk
    assert OutboxEvent.objects.get(type="event.updated").payload["fields"] == [
        "capacity",
        "hashtag",
    ]


def test_event_bad_input_is_a_4xx(client, alice, group):
    bad = [
        {**EVENT, "group_id": 999999},
        {**EVENT, "ends_at": "2026-12-09T19:00:00+09:00"},
        {**EVENT, "capacity": -1},
        {**EVENT, "format": "telepathy"},
        {**EVENT, "url": "javascript:alert(1)"},
        {"title": "no start"},
    ]
    for body in bad:
        assert send(client, "post", "/events", alice, body).status_code in (400, 422), body
    event = services.event_create(actor=alice, title="LT会", starts_at="2026-12-01T10:00Z")
    assert send(client, "patch", f"/events/{event.pk}", alice, {"title": None}).status_code == 422
    assert send(client, "patch", "/events/999999", alice, {"title": "x"}).status_code == 404


def test_staff_create_and_change_a_group_with_organizers_and_links(client, alice, dave_member):
    response = send(
        client,
        "post",
        "/groups",
        alice,
        {
            "name": "Kizuna Users Fukuoka",
            "prefecture": "40",
            "links": ["https://connpass.example.com/kuf/"],
            "organizer_ids": [dave_member.pk],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["organizer_ids"] == [dave_member.pk]
    assert body["slug"] == "kizuna-users-fukuoka"
    patched = send(client, "patch", f"/groups/{body['id']}", alice, {"organizer_ids": []}).json()
    assert patched["organizer_ids"] == []
    assert OutboxEvent.objects.get(type="group.updated").payload["fields"] == ["organizers"]


def test_group_bad_input_is_a_4xx(client, alice, group):
    for body in [
        {"name": ""},
        {"name": "x", "prefecture": "99"},
        {"name": "x", "links": ["ftp://example.com"]},
        {"name": "x", "organizer_ids": [999999]},
    ]:
        assert send(client, "post", "/groups", alice, body).status_code in (400, 422), body
    assert send(client, "patch", f"/groups/{group.pk}", alice, {"name": None}).status_code == 422
    assert Group.objects.count() == 1


def test_ending_an_affiliation_is_a_patch_of_its_end_date(client, alice, affiliation):
    response = send(
        client, "patch", f"/affiliations/{affiliation.pk}", alice, {"end_date": "2026-03-31"}
    )
    assert response.status_code == 200
    assert response.json()["end_date"] == "2026-03-31"
    payload = OutboxEvent.objects.get(type="affiliation.changed").payload
    assert payload["before"]["end_date"] is None
    assert payload["after"]["end_date"] == "2026-03-31"
    early = send(
        client, "patch", f"/affiliations/{affiliation.pk}", alice, {"end_date": "2020-01-01"}
    )
    assert early.status_code == 422
    current = send(client, "get", "/affiliations?current=true", alice).json()
    assert current["items"] == []


def test_staff_add_an_affiliation_and_bad_input_is_a_4xx(client, alice, bob_org, dave_member):
    body = {"member_id": dave_member.pk, "organization_id": bob_org.pk, "start_date": "2025-01-01"}
    assert send(client, "post", "/affiliations", alice, body).status_code == 201
    for bad in [
        {**body, "member_id": 999999},
        {**body, "organization_id": 999999},
        {**body, "end_date": "2024-01-01"},
        {**body, "start_date": "1066-10-14"},
    ]:
        assert send(client, "post", "/affiliations", alice, bad).status_code in (400, 422), bad
    assert Affiliation.objects.count() == 1
