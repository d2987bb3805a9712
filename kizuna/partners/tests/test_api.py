import pytest

from kizuna.accounts.services import api_token_create
from kizuna.partners.models import AchievementStatus

pytestmark = pytest.mark.django_db

ALL_SCOPES = ["partners:read", "achievements:read", "achievements:write", "achievements:review"]


def auth(user, scopes=ALL_SCOPES):
    _token, plaintext = api_token_create(user=user, name="test", scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_public_profile_shows_badges_but_never_the_contact_person(
    client, carol, bob_partner, verified, badge
):
    verified(bob_partner)
    body = client.get(
        "/api/v1/partners/profiles/bob-web-works", **auth(carol, ["partners:read"])
    ).json()
    assert body["name"] == "Bob Web Works"
    assert body["badges"][0]["code"] == badge.code
    assert body["badges"][0]["evidence_count"] == 1
    assert "contact" not in str(body).lower()
    assert "小川" not in str(body)


def test_profile_list_is_paginated(client, carol, bob_partner, eve_partner):
    body = client.get("/api/v1/partners/profiles", **auth(carol, ["partners:read"])).json()
    assert body["count"] == 2
    assert {item["slug"] for item in body["items"]} == {"bob-web-works", "eve-commerce-lab"}


def test_unknown_partner_is_a_404_with_a_code(client, carol):
    response = client.get("/api/v1/partners/profiles/nobody", **auth(carol, ["partners:read"]))
    assert (response.status_code, response.json()["code"]) == (404, "partner_not_found")


def test_token_without_the_scope_is_refused(client, carol):
    response = client.get("/api/v1/partners/profiles", **auth(carol, ["account:read"]))
    assert (response.status_code, response.json()["code"]) == (403, "missing_scope")


def test_partner_lists_only_its_own_achievements(
    client, bob, eve, bob_partner, eve_partner, submit
):
    submit(bob_partner, title="ボブの案件")
    submit(eve_partner, title="イヴの案件")
    titles = [
        a["title"] for a in client.get("/api/v1/partners/achievements", **auth(eve)).json()["items"]
    ]
    assert titles == ["イヴの案件"]


def test_merchant_has_no_achievements_to_list(client, carol):
    response = client.get("/api/v1/partners/achievements", **auth(carol))
    assert (response.status_code, response.json()["code"]) == (403, "not_a_partner")


def test_partner_submits_an_achievement_through_the_api(client, bob, bob_partner):
    response = client.post(
        "/api/v1/partners/achievements",
        content_type="application/json",
        **auth(bob),
        data={
            "title": "API経由の実績",
            "description": "詳細",
            "badges": ["seo", "b2b"],
            "completed_on": "2026-01-15",
            "evidence_links": ["https://example.com/case"],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == AchievementStatus.SUBMITTED
    assert response.json()["badges"] == ["b2b", "seo"]


def test_submitting_an_unknown_badge_is_a_422_with_a_code(client, bob, bob_partner):
    response = client.post(
        "/api/v1/partners/achievements",
        content_type="application/json",
        **auth(bob),
        data={
            "title": "t",
            "description": "d",
            "badges": ["juggling"],
            "completed_on": "2026-01-15",
            "evidence_links": ["https://example.com/case"],
        },
    )
    assert (response.status_code, response.json()["code"]) == (422, "unknown_badge")


def test_staff_verifies_through_the_api_and_a_second_decision_conflicts(
    client, alice, bob_partner, submit
):
    achievement = submit(bob_partner)
    queue = client.get("/api/v1/partners/review-queue", **auth(alice)).json()
    assert [a["id"] for a in queue["items"]] == [achievement.pk]
    response = client.post(
        f"/api/v1/partners/achievements/{achievement.pk}/verify",
        content_type="application/json",
        data={"reason": "OK"},
        **auth(alice),
    )
    assert response.json()["status"] == AchievementStatus.VERIFIED
    again = client.post(
        f"/api/v1/partners/achievements/{achievement.pk}/reject",
        content_type="application/json",
        data={"reason": "no"},
        **auth(alice),
    )
    assert (again.status_code, again.json()["code"]) == (409, "wrong_status")


def test_partner_cannot_verify_its_own_achievement(client, bob, bob_partner, submit):
    achievement = submit(bob_partner)
    response = client.post(
        f"/api/v1/partners/achievements/{achievement.pk}/verify",
        content_type="application/json",
        data={},
        **auth(bob),
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_a_reviewer")


def test_rejecting_without_a_reason_is_a_422(client, alice, bob_partner, submit):
    achievement = submit(bob_partner)
    response = client.post(
        f"/api/v1/partners/achievements/{achievement.pk}/reject",
        content_type="application/json",
        data={"reason": ""},
        **auth(alice),
    )
    assert (response.status_code, response.json()["code"]) == (422, "reason_required")
