import json

import pytest

from kizuna.accounts import services
from kizuna.accounts.models import DataRequestStatus, ErasureRequest, User
from kizuna.community.models import Identity, Member
from kizuna.core.errors import Conflict
from kizuna.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def dave_member(dave):
    member = Member.objects.create(display_name="Dave D", user=dave, notes="staff only")
    Identity.objects.create(
        member=member, platform="github", handle="dave", email="dave@example.com", verified=True
    )
    return member


def test_a_person_downloads_their_data_with_their_community_profile_but_no_staff_notes(
    client, dave, dave_member
):
    client.force_login(dave)
    response = client.get("/accounts/settings/data/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "dave@example.com"
    (profile,) = data["community"]
    assert profile["member"]["display_name"] == "Dave D"
    assert profile["identities"][0]["handle"] == "dave"
    assert "notes" not in profile["member"]
    assert data["directory"] == {"requests": [], "reviews": []}


def test_the_download_holds_only_the_persons_own_data(client, carol, dave, dave_member):
    client.force_login(carol)
    data = json.loads(client.get("/accounts/settings/data/export/").content)
    assert data["community"] == []
    assert "dave" not in json.dumps(data)


def test_staff_confirm_an_erasure_request_through_the_community_erasure(
    client, alice, dave, dave_member
):
    client.force_login(dave)
    client.post("/accounts/settings/data/", {"reason": "leaving"})
    erasure = ErasureRequest.objects.get(status=DataRequestStatus.OPEN)
    # Asking twice is one request.
    client.post("/accounts/settings/data/", {"reason": "again"})
    assert ErasureRequest.objects.count() == 1

    client.force_login(alice)
    assert "dave@example.com" in client.get("/accounts/staff/erasure-requests/").content.decode()
    client.post(f"/accounts/staff/erasure-requests/{erasure.pk}/", {"decision": "confirm"})
    erasure.refresh_from_db()
    assert erasure.status == DataRequestStatus.DONE
    assert erasure.decided_by == alice
    dave.refresh_from_db()
    assert not dave.is_active
    assert "dave" not in dave.email
    assert dave.display_name == ""
    dave_member.refresh_from_db()
    assert dave_member.erased_at is not None
    assert dave_member.display_name == ""
    assert not Identity.objects.exists()
    assert AuditEntry.objects.filter(action="user.erased").exists()
    assert AuditEntry.objects.filter(action="member.erased").exists()


def test_staff_refuse_an_erasure_with_a_reason_the_person_sees(client, alice, carol):
    erasure = services.erasure_request_create(user=carol)
    client.force_login(alice)
    client.post(
        f"/accounts/staff/erasure-requests/{erasure.pk}/",
        {"decision": "reject", "note": "invoices must be kept 7 years"},
    )
    erasure.refresh_from_db()
    assert erasure.status == DataRequestStatus.REJECTED
    client.force_login(carol)
    assert "invoices must be kept" in client.get("/accounts/settings/data/").content.decode()
    assert User.objects.get(pk=carol.pk).is_active


def test_a_decided_request_cannot_be_decided_again(alice, carol):
    erasure = services.erasure_request_create(user=carol)
    services.erasure_request_reject(actor=alice, request=erasure, note="no")
    with pytest.raises(Conflict):
        services.erasure_request_confirm(actor=alice, request=erasure)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 403), ("carol", 403), ("dave", 403), ("eve", 403), (None, 302)],
)
def test_who_may_see_and_decide_erasure_requests(client, personas, persona, status):
    erasure = services.erasure_request_create(user=personas["carol"])
    if persona:
        client.force_login(personas[persona])
    assert client.get("/accounts/staff/erasure-requests/").status_code == status
    response = client.post(
        f"/accounts/staff/erasure-requests/{erasure.pk}/", {"decision": "confirm"}
    )
    assert response.status_code == (302 if status == 200 else status)
    erasure.refresh_from_db()
    assert (erasure.status == DataRequestStatus.DONE) == (persona == "alice")


def test_a_community_manager_may_decide_erasure_requests(client, make_user, carol):
    manager = make_user("cm@example.com", staff_role="community_manager")
    client.force_login(manager)
    assert client.get("/accounts/staff/erasure-requests/").status_code == 200


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dave", "eve"])
def test_every_signed_in_person_has_their_own_data_page(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get("/accounts/settings/data/").status_code == 200
    data = json.loads(client.get("/accounts/settings/data/export/").content)
    assert data["account"]["email"] == f"{persona}@example.com"


def test_visitors_are_sent_to_sign_in_for_the_data_pages(client):
    assert client.get("/accounts/settings/data/").status_code == 302
    assert client.get("/accounts/settings/data/export/").status_code == 302
