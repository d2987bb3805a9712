from datetime import date

import pytest

from kizuna.accounts import services as accounts
from kizuna.community import services
from kizuna.community.models import Activity, Member
from kizuna.community.permissions import CommunityAction, can_community

pytestmark = pytest.mark.django_db


def bearer(user, scopes=("community:read", "community:write")):
    _token, plaintext = accounts.api_token_create(user=user, name="t", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


ACTIVITY = {
    "source": "api",
    "external_id": "a-1",
    "type": "answer",
    "occurred_at": "2026-04-01T10:00:00+09:00",
    "member": {"platform": "slack", "handle": "U01", "name": "山田 太郎"},
}


def test_bulk_activities_are_idempotent(client, alice):
    headers = bearer(alice)
    bad = {**ACTIVITY, "external_id": "a-2", "type": "dance"}
    first = client.post(
        "/api/v1/community/activities/bulk",
        [ACTIVITY, bad],
        content_type="application/json",
        **headers,
    ).json()
    second = client.post(
        "/api/v1/community/activities/bulk", [ACTIVITY], content_type="application/json", **headers
    ).json()
    assert (first["created"], first["rejected"]) == (1, 1)
    assert first["lines"][1]["reason"].startswith("unknown_type")
    assert (second["created"], second["unchanged"]) == (0, 1)
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "explanation"),
    [("en", "'dance' is not an activity type"), ("ja", "'dance' は活動の種類ではありません")],
)
def test_a_rejected_line_is_explained_in_the_requests_language(
    client, alice, language, explanation
):
    body = client.post(
        "/api/v1/community/activities/bulk",
        [{**ACTIVITY, "type": "dance"}],
        content_type="application/json",
        headers={"Accept-Language": language},
        **bearer(alice),
    ).json()
    assert body["lines"][0]["reason"] == f"unknown_type: {explanation}"


def test_member_list_searches_in_japanese(client, alice):
    services.member_create(actor=alice, display_name="サーバ太郎", platform="github", handle="st")
    body = client.get("/api/v1/community/members?q=サーバー", **bearer(alice)).json()
    assert [m["display_name"] for m in body["items"]] == ["サーバ太郎"]
    assert body["items"][0]["identities"][0]["handle"] == "st"


def test_adding_a_duplicate_identity_is_a_409_with_a_code(client, alice):
    member = services.member_create(actor=alice, display_name="A", platform="github", handle="a")
    response = client.post(
        f"/api/v1/community/members/{member.pk}/identities",
        {"platform": "github", "handle": "A"},
        content_type="application/json",
        **bearer(alice),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"


def test_events_and_attendance_through_the_api(client, alice):
    headers = bearer(alice)
    event = client.put(
        "/api/v1/community/events",
        {
            "external_id": "e-1",
            "title": "福岡 勉強会",
            "starts_at": "2026-05-01T19:00:00+09:00",
            "prefecture": "40",
        },
        content_type="application/json",
        **headers,
    ).json()
    member = services.member_create(actor=alice, display_name="Dave")
    response = client.put(
        f"/api/v1/community/events/{event['id']}/attendance",
        {"member_id": member.pk, "role": "speaker", "status": "attended"},
        content_type="application/json",
        **headers,
    )
    assert response.json()["first_time"] is True
    bad = client.put(
        f"/api/v1/community/events/{event['id']}/attendance",
        {"member_id": member.pk, "status": "sleeping"},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 422


def test_partner_token_cannot_read_members(client, bob):
    response = client.get("/api/v1/community/members", **bearer(bob, ["community:read"]))
    assert response.status_code == 403


def test_token_without_the_scope_is_refused(client, alice):
    response = client.get("/api/v1/community/members", **bearer(alice, ["account:read"]))
    assert response.json()["code"] == "missing_scope"


def test_partner_sees_only_its_affiliated_peoples_public_activity(client, alice, bob, eve):
    services.activities_ingest(
        records=[
            (1, {**ACTIVITY, "external_id": "bob-person"}),
            (
                2,
                {
                    **ACTIVITY,
                    "external_id": "eve-person",
                    "member": {"platform": "slack", "handle": "U02", "email": "secret@example.jp"},
                },
            ),
        ]
    )
    bob_org, eve_org = bob.memberships.get().organization, eve.memberships.get().organization
    for handle, org in (("u01", bob_org), ("u02", eve_org)):
        services.affiliation_add(
            actor=alice,
            member=Member.objects.get(identities__handle=handle),
            organization=org,
            start_date=date(2025, 1, 1),
        )

    body = client.get(
        "/api/v1/community/partner/activities", **bearer(bob, ["community:read"])
    ).json()

    assert [a["member_name"] for a in body["items"]] == ["山田 太郎"]
    assert "email" not in str(body)
    assert "secret" not in str(body)


# persona x action: alice=admin, bob/eve=partner owners, carol=merchant, dave=member
MATRIX = {
    CommunityAction.LIST_MEMBERS: {"alice"},
    CommunityAction.VIEW_MEMBER: {"alice"},
    CommunityAction.EDIT_MEMBER: {"alice"},
    CommunityAction.MERGE_MEMBERS: {"alice"},
    CommunityAction.ERASE_MEMBER: {"alice"},
    CommunityAction.EXPORT_MEMBER: {"alice"},
    CommunityAction.IMPORT_ACTIVITIES: {"alice"},
    CommunityAction.MANAGE_SOURCES: {"alice"},
    CommunityAction.VIEW_EVENTS: {"alice", "bob", "carol", "dave", "eve"},
    CommunityAction.VIEW_PARTNER_ACTIVITY: {"alice", "bob", "eve"},
}


@pytest.mark.parametrize("action", list(CommunityAction))
def test_permission_matrix(personas, action):
    someone = Member.objects.create(display_name="someone")
    allowed = {name for name, user in personas.items() if can_community(user, action, someone)}
    assert allowed == MATRIX[action]


def test_a_member_may_view_and_export_their_own_profile_only(dave, carol):
    own = Member.objects.create(display_name="Dave", user=dave)
    assert can_community(dave, CommunityAction.VIEW_MEMBER, own)
    assert can_community(dave, CommunityAction.EXPORT_MEMBER, own)
    assert not can_community(dave, CommunityAction.EDIT_MEMBER, own)
    assert not can_community(carol, CommunityAction.VIEW_MEMBER, own)


def test_community_manager_manages_community_but_partner_manager_does_not(make_user):
    community = make_user("cm@example.com", staff_role="community_manager")
    partners = make_user("pm@example.com", staff_role="partner_manager")
    assert can_community(community, CommunityAction.MERGE_MEMBERS)
    assert not can_community(partners, CommunityAction.MERGE_MEMBERS)
