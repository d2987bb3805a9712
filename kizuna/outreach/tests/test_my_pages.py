"""A partner's or member's own side of outreach: their threads with staff (nobody else's),
linking LINE with a code sent from LINE, unlinking, and the order of their channels."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from kizuna.outreach import inbox, links
from kizuna.outreach.models import (
    ChannelIdentity,
    Delivery,
    Direction,
    HookRejection,
    InboxMessage,
    InboxThread,
)
from kizuna.outreach.services import recipient_key
from kizuna.outreach.tests.test_hooks import USER_ID, line_event, post_line
from kizuna.site.navigation import menus_for

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.login(username=user.email, password=PASSWORD)
    return client


def thread_of(user, text="見積もりの件です"):
    return inbox.inbox_receive(channel="email", address=user.email, text=text).thread


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("bob", "own"), ("dave", "own"), ("eve", "404"), ("carol", "404"), ("alice", "404")],
)
def test_a_person_reads_only_their_own_thread(client, personas, persona, sees):
    bob, dave = personas["bob"], personas["dave"]
    threads = {"bob": thread_of(bob), "dave": thread_of(dave, "イベントの質問")}
    own = threads.get(persona, threads["bob"])
    response = signed_in(client, personas[persona]).get(f"/outreach/me/inbox/{own.pk}/")
    if sees == "own":
        assert response.status_code == 200
        assert own.messages.first().text in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_a_person_cannot_write_into_someone_elses_thread(client, personas, persona):
    other = thread_of(personas["eve"])
    response = signed_in(client, personas[persona]).post(
        f"/outreach/me/inbox/{other.pk}/", {"text": "割り込み"}
    )
    assert response.status_code == 404
    assert not InboxMessage.objects.filter(text="割り込み").exists()


def test_the_pages_ask_an_anonymous_visitor_to_sign_in(client):
    for path in ("/outreach/me/inbox/", "/outreach/me/line/", "/outreach/me/channels/"):
        assert client.get(path)["Location"].startswith("/accounts/login/")


def test_a_partner_reads_the_staff_answer_and_replies_into_the_same_thread(client, alice, bob):
    thread = thread_of(bob)
    inbox.inbox_reply(actor=alice, thread=thread, text="ご連絡ありがとうございます。")
    signed_in(client, bob)
    page = client.get("/outreach/me/inbox/", follow=True)
    assert "ご連絡ありがとうございます。" in page.content.decode()
    client.post(f"/outreach/me/inbox/{thread.pk}/", {"text": "来週お返事します。"})
    thread.refresh_from_db()
    reply = thread.messages.last()
    assert (reply.direction, reply.channel, reply.text) == (
        Direction.IN,
        "web",
        "来週お返事します。",
    )
    assert thread.needs_answer is True
    # Staff's next answer still goes out through the official channel, as a delivery.
    answer = inbox.inbox_reply(actor=alice, thread=thread, text="承知しました。")
    assert answer.delivery is not None
    assert (answer.delivery.channel, answer.delivery.address) == ("email", bob.email)


def test_a_member_who_never_wrote_starts_a_thread_answered_by_email(client, dave):
    signed_in(client, dave)
    assert "まだメッセージはありません" in client.get("/outreach/me/inbox/").content.decode()
    client.post("/outreach/me/inbox/", {"text": "オンライン参加できますか？"})
    thread = InboxThread.objects.get()
    assert (thread.recipient_key, thread.channel, thread.address) == (
        f"user:{dave.pk}",
        "email",
        dave.email,
    )


def test_an_empty_message_is_refused_on_the_form(client, dave):
    response = signed_in(client, dave).post("/outreach/me/inbox/", {"text": "   "})
    assert response.status_code == 200
    assert not InboxThread.objects.exists()


def test_sending_the_link_code_from_line_links_that_line_account(client, dave, settings):
    settings.KIZUNA_OUTREACH_LINE_CHANNEL_SECRET = "line-channel-secret"
    signed_in(client, dave)
    page = client.get("/outreach/me/line/").content.decode()
    assert 'data-state="not_linked"' in page
    code = links.line_link_code(dave)
    assert code in page
    message = {"type": "text", "id": "m1", "quoteToken": "q", "text": code}
    response = post_line(client, line_event("message", replyToken="r", message=message))
    assert response.status_code == 200, list(HookRejection.objects.values_list("reason"))
    identity = ChannelIdentity.objects.get(channel="line", address=USER_ID)
    assert (identity.user, identity.recipient_key) == (dave, f"user:{dave.pk}")
    # The code is not a question for staff, and LINE tells the person it worked.
    assert not InboxMessage.objects.exists()
    assert Delivery.objects.get(channel="line").address == USER_ID
    assert 'data-state="linked"' in client.get("/outreach/me/line/").content.decode()


def test_a_forged_or_stale_code_links_nothing_and_lands_in_the_inbox(client, dave, settings):
    settings.KIZUNA_OUTREACH_LINE_CHANNEL_SECRET = "line-channel-secret"
    stale = links.line_link_code(dave, now=timezone.now() - timedelta(days=3))
    forged = f"KZ-{dave.pk}-AAAAAAAA"
    for index, text in enumerate((stale, forged)):
        message = {"type": "text", "id": f"m{index}", "quoteToken": "q", "text": text}
        post_line(
            client,
            line_event("message", event_id=f"01HEV{index}", replyToken="r", message=message),
        )
    assert not ChannelIdentity.objects.filter(user=dave).exists()
    assert InboxMessage.objects.count() == 2


def test_a_code_links_only_the_account_it_was_made_for(dave, eve):
    assert links.line_link_user_pk(links.line_link_code(dave)) == dave.pk
    assert (
        links.line_link_user_pk(links.line_link_code(dave).replace(str(dave.pk), str(eve.pk), 1))
        is None
    )


def test_unlinking_line_unties_the_identity_and_its_consent(client, dave):
    inbox.identity_follow(channel="line", address=USER_ID)
    inbox.identity_link(channel="line", address=USER_ID, user=dave)
    signed_in(client, dave).post("/outreach/me/line/unlink/")
    identity = ChannelIdentity.objects.get(channel="line", address=USER_ID)
    assert (identity.user, identity.recipient_key) == (None, f"address:{USER_ID.lower()}")
    assert inbox.chosen_channels(recipient_key(user=dave), email=dave.email) == [
        ("email", dave.email)
    ]


def test_unlinking_only_touches_ones_own_identity(client, dave, eve):
    inbox.identity_follow(channel="line", address=USER_ID)
    inbox.identity_link(channel="line", address=USER_ID, user=eve)
    signed_in(client, dave).post("/outreach/me/line/unlink/")
    assert ChannelIdentity.objects.get(address=USER_ID).user == eve


def test_a_person_puts_slack_before_line_and_notices_follow_that_order(client, dave):
    for channel, address in (("line", USER_ID), ("slack", "U0DAVE")):
        inbox.identity_follow(channel=channel, address=address)
        inbox.identity_link(channel=channel, address=address, user=dave)
    key = recipient_key(user=dave)
    first = [channel for channel, _address in inbox.chosen_channels(key, email=dave.email)]
    signed_in(client, dave).post("/outreach/me/channels/", {"move": first[1], "direction": "up"})
    after = [channel for channel, _address in inbox.chosen_channels(key, email=dave.email)]
    assert after == [first[1], first[0], "email"]
    notice = inbox.notice_enqueue(
        user=dave, topic="notices", idempotency_key="n1", content=inbox.Content("", "お知らせ")
    )
    assert notice.channel == first[1]


def test_email_stays_last_whatever_is_posted(client, dave):
    inbox.identity_follow(channel="line", address=USER_ID)
    inbox.identity_link(channel="line", address=USER_ID, user=dave)
    signed_in(client, dave).post("/outreach/me/channels/", {"move": "email", "direction": "up"})
    assert inbox.chosen_channels(recipient_key(user=dave), email=dave.email)[-1][0] == "email"


@pytest.mark.parametrize(
    ("persona", "has_messages_link"),
    [("bob", True), ("dave", True), ("carol", True), ("alice", False)],
)
def test_partners_and_members_find_their_messages_in_the_navigation(
    personas, persona, has_messages_link
):
    urls = {url for menu in menus_for(personas[persona]) for _label, url in menu.links}
    assert ("/outreach/me/inbox/" in urls) is has_messages_link


def test_a_member_navigation_links_events_groups_their_page_and_their_messages(dave):
    urls = {url for menu in menus_for(dave) for _label, url in menu.links}
    for expected in (
        "/community/events/",
        "/community/groups/",
        "/community/me/",
        "/outreach/me/inbox/",
    ):
        assert expected in urls


def test_the_preferences_page_links_the_persons_channel_pages(client, dave):
    page = client.get(links.preferences_url(recipient_key(user=dave)).split("8000", 1)[-1])
    body = page.content.decode()
    for path in ("/outreach/me/line/", "/outreach/me/channels/", "/outreach/me/inbox/"):
        assert path in body
