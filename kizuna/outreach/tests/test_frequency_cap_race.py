"""The weekly advertising cap holds across workers: two deciding for one person take turns."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, connection, connections

from kizuna.outreach import policy, worker
from kizuna.outreach.channels import registry
from kizuna.outreach.models import Consent, Delivery, State

NOON = (datetime.now(UTC) + timedelta(days=1)).replace(hour=3, minute=0, second=0, microsecond=0)


def advertising(n):
    return Delivery.objects.create(
        channel="email",
        recipient_key="user:1",
        address="hana@example.jp",
        purpose="advertising",
        topic="news",
        subject="News",
        text="Our autumn release is out.",
        idempotency_key=f"campaign:{n}:user:1",
        due_at=NOON,
    )


def waiting_for_a_lock() -> bool:
    """PostgreSQL shows a session waiting for a lock; SQLite refuses the second writer."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_two_workers_deciding_advertising_for_one_person_at_once_never_send_past_the_cap(
    sink, settings, monkeypatch
):
    settings.KIZUNA_OUTREACH_ADVERTISING_PER_WEEK = 1
    settings.KIZUNA_OUTREACH_EMAIL_PER_SECOND = 1000
    Consent.objects.create(
        recipient_key="user:1", channel="email", topic="news", granted=True, method="form"
    )
    first, second = advertising(1), advertising(2)
    decide = policy.decide_deliveries
    first_decided, go_on = threading.Event(), threading.Event()

    def decide_then_hold(deliveries, *, now):
        decisions = decide(deliveries, now=now)
        if deliveries[0].pk == first.pk:  # worker A has decided and not yet claimed
            first_decided.set()
            assert go_on.wait(30)
        return decisions

    monkeypatch.setattr(policy, "decide_deliveries", decide_then_hold)
    refused: list[Exception] = []

    def work(pk):
        try:
            worker._process_group(registry.get("email"), [pk], now=NOON, wait=None)
        except OperationalError as error:  # SQLite: the database is locked by worker A
            refused.append(error)
        finally:
            connections.close_all()

    a = threading.Thread(target=work, args=(first.pk,))
    a.start()
    assert first_decided.wait(30)
    b = threading.Thread(target=work, args=(second.pk,))
    b.start()
    # Worker B must wait for A (or be refused); without a lock it decides and sends alone.
    while b.is_alive() and not waiting_for_a_lock():
        time.sleep(0.01)
    go_on.set()
    a.join()
    b.join()
    if refused:  # SQLite: B runs again on the worker's next round, after A committed
        work(second.pk)
    assert sorted(Delivery.objects.values_list("state", "reason")) == [
        (State.SENT, ""),
        (State.SKIPPED, policy.CAPPED),
    ]
    assert len(sink.messages) == 1
