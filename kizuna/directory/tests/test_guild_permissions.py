"""Who sees a joint proposal, its thread and its actions: a matrix of personas.

alice is staff, bob leads the guild, eve joined it, carol is the merchant, dave a
community member, frank a partner outside the guild (who must see nothing of it).
"""

import pytest

from kizuna.directory.models import ProposalStatus
from kizuna.directory.services import guilds
from kizuna.directory.tests.test_api import token_for

pytestmark = pytest.mark.django_db


def login(client, request, name):
    client.force_login(request.getfixturevalue(name))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 200), ("carol", 200), ("dave", 404), ("eve", 200), ("frank", 404)],
)
def test_who_sees_a_sent_proposal_page(client, request, proposed, persona, status):
    login(client, request, persona)
    assert client.get(f"/directory/guilds/{proposed.pk}/").status_code == status


def test_merchant_does_not_see_a_guild_still_forming(client, carol, guild):
    client.force_login(carol)
    assert client.get(f"/directory/guilds/{guild.pk}/").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, proposed):
    response = client.get(f"/directory/guilds/{proposed.pk}/")
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("alice", False), ("bob", True), ("carol", False), ("eve", True)],
)
def test_only_members_see_the_thread_on_the_page(client, request, proposed, persona, shown):
    guilds.guild_message_post(
        actor=request.getfixturevalue("eve"), proposal=proposed, text="秘密の相談"
    )
    login(client, request, persona)
    page = client.get(f"/directory/guilds/{proposed.pk}/").content.decode()
    assert ("秘密の相談" in page) is shown


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 404), ("bob", 302), ("carol", 404), ("dave", 404), ("eve", 302), ("frank", 404)],
)
def test_who_may_post_to_the_thread(client, request, proposed, persona, status):
    login(client, request, persona)
    response = client.post(f"/directory/guilds/{proposed.pk}/messages/", {"text": "こんにちは"})
    assert response.status_code == status
    assert proposed.messages.count() == (1 if status == 302 else 0)


@pytest.mark.parametrize("persona", ["alice", "bob", "dave", "eve", "frank"])
def test_only_the_merchant_decides_through_the_page(client, request, proposed, persona):
    login(client, request, persona)
    client.post(f"/directory/guilds/{proposed.pk}/decide/", {"action": "accept"})
    proposed.refresh_from_db()
    assert proposed.status == ProposalStatus.PROPOSED


def test_merchant_accepts_through_the_page(client, carol, proposed):
    client.force_login(carol)
    client.post(f"/directory/guilds/{proposed.pk}/decide/", {"action": "accept"})
    proposed.refresh_from_db()
    assert proposed.status == ProposalStatus.ACCEPTED


@pytest.mark.parametrize("persona", ["alice", "carol", "dave", "eve", "frank"])
def test_only_the_initiator_invites(client, request, guild, partners, persona):
    login(client, request, persona)
    client.post(
        f"/directory/guilds/{guild.pk}/invite/", {"partner": "frank-design", "role": "デザイン"}
    )
    assert guild.members.count() == 1


def test_initiator_invites_through_the_page(client, bob, guild, partners):
    client.force_login(bob)
    page = client.get(f"/directory/guilds/{guild.pk}/").content.decode()
    assert "Frank Design" in page  # suggested
    client.post(
        f"/directory/guilds/{guild.pk}/invite/", {"partner": "frank-design", "role": "デザイン"}
    )
    assert guild.members.count() == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 200), ("carol", 200), ("dave", 404), ("eve", 200), ("frank", 404)],
)
def test_who_reads_the_guild_through_the_api(client, request, proposed, persona, status):
    headers = token_for(request.getfixturevalue(persona), "leads:respond")
    response = client.get(f"/api/v1/directory/guilds/{proposed.pk}", **headers)
    assert response.status_code == status
    if status == 404:
        assert response.json()["code"] == "guild_not_found"


@pytest.mark.parametrize(("persona", "status"), [("alice", 200), ("carol", 200), ("frank", 404)])
def test_merchant_and_staff_read_a_sent_proposal_with_a_read_token(
    client, request, proposed, persona, status
):
    headers = token_for(request.getfixturevalue(persona), "leads:read")
    assert client.get(f"/api/v1/directory/guilds/{proposed.pk}", **headers).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 404), ("bob", 201), ("carol", 404), ("dave", 404), ("eve", 201), ("frank", 404)],
)
def test_who_posts_to_the_thread_through_the_api(client, request, proposed, persona, status):
    headers = token_for(request.getfixturevalue(persona), "leads:respond")
    response = client.post(
        f"/api/v1/directory/guilds/{proposed.pk}/messages",
        {"text": "よろしく"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == status
    listing = client.get(f"/api/v1/directory/guilds/{proposed.pk}/messages", **headers)
    assert listing.status_code == (200 if status == 201 else 404)


def test_a_partner_outside_the_guild_does_not_find_it_in_its_list(client, frank, bob, proposed):
    outside = client.get("/api/v1/directory/guilds", **token_for(frank, "leads:respond")).json()
    inside = client.get("/api/v1/directory/guilds", **token_for(bob, "leads:respond")).json()
    assert outside["items"] == []
    assert [g["id"] for g in inside["items"]] == [proposed.pk]
    assert {m["role"] for m in inside["items"][0]["members"]} == {"プラグイン開発", "デザイン"}
