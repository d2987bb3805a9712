"""The inbox: a staff answer goes back through the official API as a delivery; service
notices go on the channel the person chose; only outreach staff see the threads."""

import pytest
from django.urls import reverse

from kizuna.accounts.models import StaffRole
from kizuna.core.errors import ServiceError
from kizuna.outreach import inbox, worker
from kizuna.outreach.channels.line.tests.test_line import NOON, Line
from kizuna.outreach.models import ChannelIdentity, Delivery, Direction, State
from kizuna.outreach.testing import FakeHttpServer

pytestmark = pytest.mark.django_db
USER_ID = "U4af4980629a1b2c3d4e5f60718293a4b"


@pytest.fixture
def line(settings):
    fake = Line()
    with FakeHttpServer(fake.route) as server:
        settings.KIZUNA_OUTREACH_LINE_BASE_URL = server.url
        settings.KIZUNA_OUTREACH_LINE_CHANNEL_ACCESS_TOKEN = "line-token"
        yield fake


def test_a_staff_answer_is_a_line_delivery_sent_through_the_messaging_api(line, alice):
    inbox.identity_follow(channel="line", address=USER_ID)
    received = inbox.inbox_receive(channel="line", address=USER_ID, text="会場はどこですか")
    answer = inbox.inbox_reply(actor=alice, thread=received.thread, text="渋谷です")
    assert answer.direction == Direction.OUT
    assert answer.author == alice
    delivery = answer.delivery
    assert delivery is not None
    assert (delivery.channel, delivery.address, delivery.text) == ("line", USER_ID, "渋谷です")
    worker.deliveries_send_due(now=NOON)
    delivery.refresh_from_db()
    assert delivery.state == State.SENT
    [pushed] = line.accepted.values()
    assert pushed["to"] == USER_ID
    assert pushed["messages"][0]["text"] == "渋谷です"
    received.thread.refresh_from_db()
    assert not received.thread.needs_answer


def test_a_staff_answer_to_an_email_keeps_the_subject(alice, bob):
    received = inbox.inbox_receive(channel="email", address=bob.email, subject="請求書", text="?")
    answer = inbox.inbox_reply(actor=alice, thread=received.thread, text="再発行しました")
    delivery = answer.delivery
    assert delivery is not None
    assert (delivery.channel, delivery.subject, delivery.user) == ("email", "Re: 請求書", bob)


def test_an_empty_answer_is_refused(alice):
    received = inbox.inbox_receive(channel="slack", address="U0SLACK1", text="hi")
    with pytest.raises(ServiceError):
        inbox.inbox_reply(actor=alice, thread=received.thread, text="  ")
    assert not Delivery.objects.exists()


def test_a_linked_line_follower_gets_service_notices_on_line(dave):
    inbox.identity_follow(channel="line", address=USER_ID)
    inbox.identity_link(channel="line", address=USER_ID, user=dave)
    delivery = inbox.notice_enqueue(
        user=dave, topic="notices", idempotency_key="n1", content=inbox.Content("", "お知らせ")
    )
    assert (delivery.channel, delivery.address, delivery.recipient_key) == (
        "line",
        USER_ID,
        f"user:{dave.pk}",
    )


def test_the_persons_order_of_choice_decides_the_channel(dave):
    inbox.identity_follow(channel="line", address=USER_ID)
    inbox.identity_link(channel="line", address=USER_ID, user=dave)
    ChannelIdentity.objects.create(
        channel="slack", address="U0SLACK1", recipient_key=f"user:{dave.pk}", user=dave
    )
    inbox.identity_choose(recipient_key=f"user:{dave.pk}", channels=["slack", "line"])
    delivery = inbox.notice_enqueue(
        user=dave, topic="notices", idempotency_key="n1", content=inbox.Content("", "x")
    )
    assert delivery.channel == "slack"


def test_without_an_identity_a_notice_goes_by_email(dave):
    delivery = inbox.notice_enqueue(
        user=dave, topic="notices", idempotency_key="n1", content=inbox.Content("s", "x")
    )
    assert (delivery.channel, delivery.address) == ("email", dave.email)


def test_an_unfollowed_line_account_is_not_chosen(dave):
    inbox.identity_follow(channel="line", address=USER_ID)
    inbox.identity_link(channel="line", address=USER_ID, user=dave)
    inbox.identity_unfollow(channel="line", address=USER_ID)
    delivery = inbox.notice_enqueue(
        user=dave, topic="notices", idempotency_key="n1", content=inbox.Content("s", "x")
    )
    assert delivery.channel == "email"


def test_line_quota_used_up_sends_a_service_notice_on_the_next_chosen_channel(line, dave):
    line.used = line.quota
    inbox.identity_follow(channel="line", address=USER_ID)
    inbox.identity_link(channel="line", address=USER_ID, user=dave)
    ChannelIdentity.objects.create(
        channel="slack", address="U0SLACK1", recipient_key=f"user:{dave.pk}", user=dave, rank=1
    )
    delivery = inbox.notice_enqueue(
        user=dave, topic="notices", idempotency_key="n1", content=inbox.Content("", "x")
    )
    worker.deliveries_send_due(now=NOON)
    delivery.refresh_from_db()
    assert delivery.state == State.SKIPPED
    fallback = Delivery.objects.get(idempotency_key="n1:slack")
    assert (fallback.channel, fallback.address) == ("slack", "U0SLACK1")


def test_linking_moves_the_follow_consent_and_the_thread_to_the_person(dave):
    inbox.identity_follow(channel="line", address=USER_ID)
    thread = inbox.inbox_receive(channel="line", address=USER_ID, text="hi").thread
    inbox.identity_link(channel="line", address=USER_ID, user=dave)
    thread.refresh_from_db()
    assert (thread.recipient_key, thread.user) == (f"user:{dave.pk}", dave)
    from kizuna.outreach.policy import latest_consent

    assert latest_consent(f"user:{dave.pk}", "line", "events") is True


# Pages and who may use them


@pytest.fixture
def thread(db):
    return inbox.inbox_receive(channel="slack", address="U0SLACK1", text="助けて").thread


@pytest.mark.parametrize("persona", ["bob", "carol", "dave", "eve"])
def test_only_outreach_staff_see_the_inbox(client, request, persona, thread):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("outreach:inbox_list")).status_code == 403
    assert client.get(reverse("outreach:inbox_thread", args=[thread.pk])).status_code == 403
    response = client.post(reverse("outreach:inbox_thread", args=[thread.pk]), {"text": "x"})
    assert response.status_code == 403
    assert not Delivery.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, thread):
    assert client.get(reverse("outreach:inbox_list")).status_code == 302


def test_staff_with_the_outreach_role_answer_from_the_thread_page(client, make_user, thread):
    staffer = make_user("oto@example.com", staff_roles=[StaffRole.OUTREACH])
    client.force_login(staffer)
    page = client.get(reverse("outreach:inbox_thread", args=[thread.pk]))
    assert "助けて" in page.content.decode()
    response = client.post(
        reverse("outreach:inbox_thread", args=[thread.pk]), {"text": "今対応します"}
    )
    assert response.status_code == 302
    assert Delivery.objects.get().text == "今対応します"


def test_admins_find_the_threads_waiting_for_an_answer(client, alice, thread):
    client.force_login(alice)
    page = client.get(reverse("outreach:inbox_list") + "?waiting=1").content.decode()
    assert "U0SLACK1" in page
    inbox.inbox_reply(actor=alice, thread=thread, text="done")
    page = client.get(reverse("outreach:inbox_list") + "?waiting=1").content.decode()
    assert "U0SLACK1" not in page


def test_demo_inbox_has_answered_and_waiting_threads(alice, bob, dave):
    from django.utils import timezone

    from kizuna.outreach.inbox_demo import seed_inbox
    from kizuna.outreach.models import InboxThread

    seed_inbox(timezone.now())
    threads = InboxThread.objects.all()
    assert {t.channel for t in threads} == {"line", "slack", "email"}
    answered = threads.get(user=dave)
    assert not answered.needs_answer
    answer = answered.messages.get(direction=Direction.OUT).delivery
    assert answer is not None
    assert answer.channel == "line"
    assert threads.filter(needs_answer=True).count() == 3
