"""Consent, opt-out and suppression, decided when each message is sent."""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
from django.core import mail

from kizuna.outreach import links, worker
from kizuna.outreach.models import Consent, ConsentMethod, State, Suppression
from kizuna.outreach.services import (
    Content,
    Recipient,
    consent_record,
    delivery_enqueue,
    suppression_add,
)

pytestmark = pytest.mark.django_db

TOKYO_NOON = (datetime.now(UTC) + timedelta(days=1)).replace(
    hour=3, minute=0, second=0, microsecond=0
)


def news(user, key="n1", topic="news", channel="email", address=None):
    return delivery_enqueue(
        channel=channel,
        recipient=Recipient(address=address or user.email, user=user),
        purpose="advertising",
        topic=topic,
        idempotency_key=key,
        content=Content("Kizuna news", "Our autumn release is out."),
    )


def opt_in(user, *topics, channel="email"):
    consent_record(
        recipient_key=f"user:{user.pk}",
        channel=channel,
        topics=topics or ["news"],
        granted=True,
        method=ConsentMethod.DOUBLE_OPT_IN,
        wording="Send me Kizuna news by email",
    )


def outcome(delivery):
    delivery.refresh_from_db()
    return delivery.state, delivery.reason


def test_advertising_goes_only_to_people_who_opted_in(dave, carol):
    opt_in(dave)
    to_dave, to_carol = news(dave, "n1"), news(carol, "n2")
    worker.deliveries_send_due(now=TOKYO_NOON)
    assert outcome(to_dave) == (State.SENT, "")
    assert outcome(to_carol) == (State.SKIPPED, "no_consent")
    assert [m.to for m in mail.outbox] == [["dave@example.com"]]


def test_consent_for_one_topic_or_channel_is_not_consent_for_another(dave):
    opt_in(dave, "events")
    opt_in(dave, "news", channel="slack")
    delivery = news(dave, topic="news")
    worker.deliveries_send_due(now=TOKYO_NOON)
    assert outcome(delivery) == (State.SKIPPED, "no_consent")


def test_a_withdrawal_after_queueing_stops_the_message_at_send_time(dave):
    opt_in(dave)
    delivery = news(dave)
    consent_record(
        recipient_key=f"user:{dave.pk}",
        channel="email",
        topics=["news"],
        granted=False,
        method=ConsentMethod.PREFERENCES,
    )
    worker.deliveries_send_due(now=TOKYO_NOON)
    assert outcome(delivery) == (State.SKIPPED, "no_consent")
    assert mail.outbox == []
    assert Consent.objects.filter(recipient_key=f"user:{dave.pk}").count() == 2  # ledger kept


def test_a_service_notice_needs_no_opt_in_but_respects_a_topic_turned_off(dave):
    notice = delivery_enqueue(
        channel="email",
        recipient=Recipient(address=dave.email, user=dave),
        purpose="service",
        topic="surveys",
        idempotency_key="s1",
        content=Content("How was the event?", "Answer here."),
    )
    worker.deliveries_send_due(now=TOKYO_NOON)
    assert outcome(notice) == (State.SENT, "")
    consent_record(
        recipient_key=f"user:{dave.pk}",
        channel="email",
        topics=["surveys"],
        granted=False,
        method=ConsentMethod.ONE_CLICK,
    )
    second = delivery_enqueue(
        channel="email",
        recipient=Recipient(address=dave.email, user=dave),
        purpose="service",
        topic="surveys",
        idempotency_key="s2",
        content=Content("Another survey", "Answer here."),
    )
    worker.deliveries_send_due(now=TOKYO_NOON)
    assert outcome(second) == (State.SKIPPED, "opted_out")


def test_a_suppression_added_after_queueing_is_checked_at_send_time(dave):
    opt_in(dave)
    delivery = news(dave)
    suppression_add(channel="email", address="DAVE@example.com", reason="complaint", source="esp")
    worker.deliveries_send_due(now=TOKYO_NOON)
    assert outcome(delivery) == (State.SKIPPED, "suppressed")


def test_an_unsubscribe_suppression_stops_advertising_but_not_an_invoice(dave):
    opt_in(dave)
    suppression_add(channel="email", address=dave.email, reason="unsubscribed")
    ad = news(dave)
    invoice = delivery_enqueue(
        channel="email",
        recipient=Recipient(address=dave.email, user=dave),
        purpose="service",
        topic="billing",
        idempotency_key="inv",
        content=Content("Invoice", "Your invoice."),
    )
    worker.deliveries_send_due(now=TOKYO_NOON)
    assert outcome(ad) == (State.SKIPPED, "suppressed")
    assert outcome(invoice) == (State.SENT, "")


def test_the_erasure_blocklist_keeps_no_address(dave):
    suppression_add(channel="email", address=dave.email, reason="erasure")
    (row,) = Suppression.objects.values_list("address_hash", flat=True)
    assert "dave" not in row
    assert len(row) == 64


def test_advertising_email_carries_one_click_unsubscribe_headers_and_the_legal_footer(
    dave, settings, sink
):
    settings.KIZUNA_OUTREACH_SENDER_NAME = "株式会社絆ソフト"
    settings.KIZUNA_OUTREACH_POSTAL_ADDRESS = "東京都千代田区1-1-1"
    settings.KIZUNA_OUTREACH_CONTACT_ADDRESS = "contact@kizuna.example"
    opt_in(dave)
    news(dave)
    worker.deliveries_send_due(now=TOKYO_NOON)
    message = message_from_bytes(sink.messages[0].content)
    url = "".join(message["List-Unsubscribe"].split()).strip("<>")
    assert "/outreach/unsubscribe/" in url
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    body = bytes(plain.get_payload(decode=True)).decode()
    # The footer's link is signed when the message is queued, the header's when it is sent:
    # the same target, perhaps a second apart.
    target = url.rsplit("/outreach/unsubscribe/", 1)[1].split(":", 1)[0]
    for required in ("株式会社絆ソフト", "東京都千代田区1-1-1", "contact@kizuna.example", target):
        assert required in body


def test_a_service_notice_has_no_advertising_footer(dave):
    delivery_enqueue(
        channel="email",
        recipient=Recipient(address=dave.email, user=dave),
        purpose="service",
        topic="billing",
        idempotency_key="inv",
        content=Content("Invoice", "Your invoice."),
    )
    worker.deliveries_send_due(now=TOKYO_NOON)
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
    assert "/outreach/unsubscribe/" not in mail.outbox[0].body
    assert "Your invoice." in mail.outbox[0].body


def test_one_click_post_unsubscribes_at_once_without_cookies_or_csrf(dave, client):
    from django.test import Client

    opt_in(dave)
    url = links.unsubscribe_url(f"user:{dave.pk}", "email", "news")
    path = url.removeprefix("http://127.0.0.1:8000").split("://", 1)[-1]
    path = path[path.index("/outreach/") :]
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not strict.cookies.get("sessionid")
    latest = Consent.objects.filter(recipient_key=f"user:{dave.pk}", topic="news")[0]
    assert (latest.granted, latest.method) == (False, "one_click")
    delivery = news(dave)
    worker.deliveries_send_due(now=TOKYO_NOON)
    assert outcome(delivery) == (State.SKIPPED, "no_consent")


def test_opening_the_unsubscribe_link_does_not_unsubscribe_by_itself(dave, client):
    opt_in(dave)
    url = links.unsubscribe_url(f"user:{dave.pk}", "email", "news")
    response = client.get(url[url.index("/outreach/") :])
    assert response.status_code == 200
    assert Consent.objects.filter(granted=False).count() == 0


def test_a_forged_unsubscribe_link_is_not_found(client):
    assert client.post("/outreach/unsubscribe/not-signed/").status_code == 404
    assert client.get("/outreach/preferences/not-signed/").status_code == 404


def test_advertising_waits_for_the_end_of_quiet_hours_in_tokyo(dave):
    opt_in(dave)
    delivery = news(dave)
    tokyo_2230 = TOKYO_NOON + timedelta(hours=10, minutes=30)
    worker.deliveries_send_due(now=tokyo_2230)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reason) == (State.DEFERRED, "quiet_hours")
    assert delivery.due_at == TOKYO_NOON + timedelta(hours=20)  # 08:00 the next morning
    worker.deliveries_send_due(now=delivery.due_at)
    assert outcome(delivery) == (State.SENT, "")


def test_quiet_hours_do_not_hold_back_a_service_notice(dave):
    notice = delivery_enqueue(
        channel="email",
        recipient=Recipient(address=dave.email, user=dave),
        purpose="service",
        topic="account",
        idempotency_key="reset",
        content=Content("Reset your password", "Link"),
    )
    worker.deliveries_send_due(now=TOKYO_NOON + timedelta(hours=12))  # 00:00 in Tokyo
    assert outcome(notice) == (State.SENT, "")


def test_at_most_two_advertising_messages_a_week_reach_one_person_across_channels(dave):
    opt_in(dave, "news", "events")
    opt_in(dave, "events", channel="slack")
    first = news(dave, "a1")
    worker.deliveries_send_due(now=TOKYO_NOON)
    second = news(dave, "a2", topic="events", channel="slack", address="U123")
    second.state = State.SENT
    from kizuna.outreach.models import Delivery

    Delivery.objects.filter(pk=second.pk).update(state=State.SENT, claimed_at=TOKYO_NOON)
    third = news(dave, "a3", topic="events")
    worker.deliveries_send_due(now=TOKYO_NOON + timedelta(days=1))
    assert outcome(first) == (State.SENT, "")
    assert outcome(third) == (State.SKIPPED, "frequency_cap")
    fourth = news(dave, "a4")
    worker.deliveries_send_due(now=TOKYO_NOON + timedelta(days=7, minutes=1))
    assert outcome(fourth) == (State.SENT, "")
