"""The delivery layer: queued once, claimed before the send, sent once, every outcome recorded."""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest

from kizuna.outreach import worker
from kizuna.outreach.channels import registry
from kizuna.outreach.models import Delivery, State, Suppression
from kizuna.outreach.services import Content, Recipient, delivery_enqueue, delivery_requeue

pytestmark = pytest.mark.django_db

# Tomorrow 12:00 in Tokyo: after anything queued now, and outside quiet hours.
NOON = (datetime.now(UTC) + timedelta(days=1)).replace(hour=3, minute=0, second=0, microsecond=0)


def queue(address="hana@example.com", key="k1", **fields):
    return delivery_enqueue(
        channel=fields.pop("channel", "email"),
        recipient=Recipient(address=address, user=fields.pop("user", None)),
        purpose=fields.pop("purpose", "service"),
        topic=fields.pop("topic", "billing"),
        idempotency_key=key,
        content=fields.pop("content", Content("Invoice issued", "Your invoice is ready.")),
        **fields,
    )


def state_of(delivery):
    delivery.refresh_from_db()
    return delivery.state


def test_a_queued_email_is_sent_once_over_smtp_and_recorded(sink):
    delivery = queue()
    assert worker.deliveries_send_due(now=NOON) == 1
    assert worker.deliveries_send_due(now=NOON + timedelta(minutes=1)) == 0
    assert len(sink.messages) == 1
    message = message_from_bytes(sink.messages[0].content)
    assert message["Subject"] == "Invoice issued"
    assert sink.messages[0].rcpt_tos == ["hana@example.com"]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.SENT, 1)
    assert delivery.sent_at is not None
    assert delivery.provider_id == message["Message-ID"]


def test_queueing_the_same_key_twice_keeps_one_delivery():
    first = queue(key="lead:1:hana@example.com")
    second = queue(key="lead:1:hana@example.com")
    assert first.pk == second.pk
    assert Delivery.objects.count() == 1


def test_an_unknown_channel_is_refused_when_queued():
    with pytest.raises(KeyError):
        queue(channel="fax")


def test_a_temporary_smtp_error_is_retried_with_backoff_then_sent(sink):
    sink.refuse["hana@example.com"] = "451 Try again later"
    delivery = queue()
    worker.deliveries_send_due(now=NOON)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reason) == (State.DEFERRED, "temporary_error")
    assert delivery.due_at == NOON + timedelta(seconds=60)
    worker.deliveries_send_due(now=NOON + timedelta(seconds=61))
    delivery.refresh_from_db()
    assert delivery.due_at == NOON + timedelta(seconds=61 + 120)  # doubled
    del sink.refuse["hana@example.com"]
    worker.deliveries_send_due(now=NOON + timedelta(hours=1))
    assert state_of(delivery) == State.SENT
    assert len(sink.messages) == 1


def test_temporary_errors_stop_after_the_last_attempt(sink, settings):
    settings.KIZUNA_OUTREACH_MAX_ATTEMPTS = 2
    sink.refuse["hana@example.com"] = "451 Try again later"
    delivery = queue()
    worker.deliveries_send_due(now=NOON)
    worker.deliveries_send_due(now=NOON + timedelta(hours=1))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reason, delivery.attempts) == (
        State.FAILED,
        "too_many_attempts",
        2,
    )


def test_a_hard_bounce_stops_and_suppresses_the_address(sink):
    sink.refuse["gone@example.com"] = "550 No such user"
    delivery = queue(address="gone@example.com")
    worker.deliveries_send_due(now=NOON)
    assert state_of(delivery) == State.BOUNCED
    assert Suppression.objects.filter(channel="email", reason="hard_bounce").count() == 1
    later = queue(address="gone@example.com", key="k2")
    worker.deliveries_send_due(now=NOON + timedelta(days=1))
    later.refresh_from_db()
    assert (later.state, later.reason) == (State.SKIPPED, "suppressed")
    assert sink.messages == []


class Killed(BaseException):
    """The worker process dying: nothing after it runs."""


def test_worker_killed_between_claim_and_send_leaves_an_unknown_delivery_never_resent(
    sink, monkeypatch
):
    delivery = queue()
    email = registry.get("email")

    def die(_delivery):
        raise Killed

    monkeypatch.setattr(email, "send", die)
    with pytest.raises(Killed):
        worker.deliveries_send_due(now=NOON)
    assert state_of(delivery) == State.SENDING
    monkeypatch.undo()
    worker.deliveries_send_due(now=NOON + timedelta(minutes=1))  # lease still running
    assert state_of(delivery) == State.SENDING
    worker.deliveries_send_due(now=NOON + timedelta(minutes=6))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reason) == (State.UNKNOWN, "lease_expired")
    worker.deliveries_send_due(now=NOON + timedelta(days=1))
    assert sink.messages == []


def test_worker_killed_between_send_and_record_never_sends_twice(sink, monkeypatch):
    delivery = queue()
    email = registry.get("email")
    real_send = email.send

    def send_then_die(delivery):
        real_send(delivery)
        raise Killed

    monkeypatch.setattr(email, "send", send_then_die)
    with pytest.raises(Killed):
        worker.deliveries_send_due(now=NOON)
    monkeypatch.undo()
    for hours in (1, 2, 24):
        worker.deliveries_send_due(now=NOON + timedelta(hours=hours))
    assert state_of(delivery) == State.UNKNOWN
    assert len(sink.messages) == 1


def test_staff_can_send_an_unknown_delivery_again(sink, alice):
    delivery = queue()
    Delivery.objects.filter(pk=delivery.pk).update(state=State.UNKNOWN)
    delivery_requeue(actor=alice, delivery=delivery)
    worker.deliveries_send_due(now=datetime.now(UTC) + timedelta(seconds=1))
    assert state_of(delivery) == State.SENT
    assert len(sink.messages) == 1


def test_two_workers_never_claim_the_same_delivery(sink):
    delivery = queue()
    assert worker._claim_many([delivery], now=NOON) == [delivery]
    assert worker._claim_many([delivery], now=NOON) == []
