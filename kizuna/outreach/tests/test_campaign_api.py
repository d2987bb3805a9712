"""The campaigns API: scopes, the outreach role for every persona, four eyes, steering and
per-recipient results."""

import pytest

from kizuna.accounts.services import api_token_create
from kizuna.community.models import Identity, Member
from kizuna.outreach.campaign_models import Audience, Campaign
from kizuna.outreach.models import Consent
from kizuna.outreach.testing import send_queued

pytestmark = pytest.mark.django_db

ALL_SCOPES = ["outreach:read", "outreach:write"]


def auth(user, scopes=ALL_SCOPES):
    _token, secret = api_token_create(user=user, name="t", scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture(autouse=True)
def _daytime(settings):
    settings.KIZUNA_OUTREACH_QUIET_HOURS = (0, 0)


@pytest.fixture
def staff(personas, make_user):
    return {
        **personas,
        "outreach": make_user("olive@example.com", staff_roles=["outreach"]),
        "community_manager": make_user("cm@example.com", staff_roles=["community_manager"]),
    }


@pytest.fixture
def audience(alice):
    hana = Member.objects.create(display_name="Hana", name_ja="花", prefecture="13")
    Identity.objects.create(
        member=hana, platform="connpass", handle="hana", email="hana@example.jp", verified=True
    )
    Consent.objects.create(
        recipient_key=f"member:{hana.pk}",
        channel="email",
        topic="news",
        granted=True,
        method="form",
    )
    Member.objects.create(display_name="Nobody")  # no address anywhere: not a recipient
    return Audience.objects.create(name="All", kind="members", created_by=alice)


def body(audience, **extra):
    return {
        "title": "News",
        "audience_id": audience.pk,
        "topic": "news",
        "channels": ["email"],
        "subject_ja": "お知らせ",
        "body_ja": "{{ name }}さんへ",
        "subject_en": "News",
        "body_en": "Dear {{ name }}",
        **extra,
    }


ALLOWED = {"alice", "outreach"}
WHO = ["alice", "outreach", "community_manager", "bob", "carol", "dave", "eve"]


@pytest.mark.parametrize("who", WHO)
def test_only_outreach_staff_list_and_write_campaigns(client, staff, audience, who):
    listed = client.get("/api/v1/outreach/campaigns", **auth(staff[who]))
    created = client.post(
        "/api/v1/outreach/campaigns",
        body(audience),
        content_type="application/json",
        **auth(staff[who]),
    )
    assert listed.status_code == (200 if who in ALLOWED else 403)
    assert created.status_code == (201 if who in ALLOWED else 403)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", ["approve", "pause", "resume", "cancel", "deliveries", "detail"])
def test_every_campaign_endpoint_refuses_everyone_but_outreach_staff(
    client, staff, audience, who, action
):
    campaign = Campaign.objects.create(
        title="t",
        audience=audience,
        topic="news",
        channels=["email"],
        subject_ja="s",
        body_ja="b",
        subject_en="s",
        body_en="b",
        author=staff["outreach"],
        edited_by=staff["outreach"],
    )
    url = f"/api/v1/outreach/campaigns/{campaign.pk}"
    if action == "detail":
        response = client.get(url, **auth(staff[who]))
    elif action == "deliveries":
        response = client.get(f"{url}/deliveries", **auth(staff[who]))
    else:
        response = client.post(f"{url}/{action}", **auth(staff[who]))
    if who not in ALLOWED:
        assert response.status_code == 403
    elif action in ("pause", "resume"):
        assert response.status_code == 409  # a draft is not sending
    elif action == "approve" and who == "outreach":
        assert response.json()["code"] == "four_eyes"
    else:
        assert response.status_code == 200


def test_a_token_without_the_scope_is_refused(client, staff, audience):
    response = client.get(
        "/api/v1/outreach/campaigns", **auth(staff["alice"], scopes=["outreach:read"])
    )
    assert response.status_code == 200
    response = client.post(
        "/api/v1/outreach/campaigns",
        body(audience),
        content_type="application/json",
        **auth(staff["alice"], scopes=["outreach:read"]),
    )
    assert response.json()["code"] == "missing_scope"


def test_write_approve_send_and_read_results_through_the_api(client, staff, audience):
    created = client.post(
        "/api/v1/outreach/campaigns",
        body(audience, variants={"email": {"ja": "短い {{ name }}"}}),
        content_type="application/json",
        **auth(staff["outreach"]),
    ).json()
    url = f"/api/v1/outreach/campaigns/{created['id']}"
    assert created["state"] == "draft"
    own = client.post(f"{url}/approve", **auth(staff["outreach"]))
    assert (own.status_code, own.json()["code"]) == (403, "four_eyes")
    stale = client.post(f"{url}/approve?revision=7", **auth(staff["alice"]))
    assert stale.status_code == 422
    approved = client.post(f"{url}/approve", **auth(staff["alice"]))
    assert approved.json()["state"] == "approved"
    from kizuna.outreach.campaigns import campaigns_advance

    campaigns_advance()
    assert client.post(f"{url}/pause", **auth(staff["alice"])).json()["state"] == "paused"
    assert client.post(f"{url}/resume", **auth(staff["alice"])).json()["state"] == "sending"
    send_queued()
    campaigns_advance()
    detail = client.get(url, **auth(staff["alice"])).json()
    assert detail["state"] == "sent"
    assert detail["progress"]["by_state"] == {"sent": 1}
    rows = client.get(f"{url}/deliveries", **auth(staff["alice"])).json()["items"]
    assert [(r["address"], r["state"], r["language"]) for r in rows] == [
        ("hana@example.jp", "sent", "ja")
    ]
    assert client.post(f"{url}/cancel", **auth(staff["alice"])).status_code == 409


def test_bad_input_gets_a_specific_error(client, staff, audience):
    def post(**extra):
        return client.post(
            "/api/v1/outreach/campaigns",
            body(audience, **extra),
            content_type="application/json",
            **auth(staff["alice"]),
        )

    assert post(channels=["fax"]).json()["code"] == "unknown_channel"
    assert post(audience_id=999999).json()["code"] == "unknown_audience"
    assert post(body_ja="{{ secret }}").status_code == 422
    assert post(topic="billing").status_code == 422
