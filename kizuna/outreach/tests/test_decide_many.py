"""The set-based decision (campaigns' audiences, the worker's groups) agrees with `decide`,
the one-delivery rule it replaces, on every mix of consent, suppression and recent sends."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from kizuna.outreach import policy, worker
from kizuna.outreach.models import Consent, Delivery, State, Suppression

pytestmark = pytest.mark.django_db

NOON = (datetime.now(UTC) + timedelta(days=1)).replace(hour=3, minute=0, second=0, microsecond=0)
NIGHT = NOON.replace(hour=14)  # 23:00 in Tokyo


@pytest.mark.parametrize("lookup_by_key", [True, False])
@pytest.mark.parametrize("purpose", ["advertising", "service"])
@pytest.mark.parametrize("now", [NOON, NIGHT])
def test_decide_many_matches_decide_for_every_recipient(monkeypatch, lookup_by_key, purpose, now):
    monkeypatch.setattr(policy, "LOOKUP_BY_KEY", 10_000 if lookup_by_key else 0)
    rng = random.Random(7)
    queued = []
    for i in range(120):
        key, address = f"user:{i}", f"p{i}@example.jp"
        for step in range(rng.choice([0, 1, 2])):
            Consent.objects.create(
                recipient_key=key,
                channel="email",
                topic="news",
                granted=rng.random() < 0.7,
                method="form",
                at=NOON - timedelta(days=30 - step),
            )
        if rng.random() < 0.15:
            Suppression.objects.create(
                channel="email",
                address_hash=policy.address_hash("email", address),
                reason=rng.choice(["hard_bounce", "complaint", "unsubscribed", "erasure"]),
            )
        for n in range(rng.choice([0, 1, 2, 3])):
            Delivery.objects.create(
                channel="email",
                recipient_key=key,
                address=address,
                purpose="advertising",
                topic="news",
                idempotency_key=f"past:{i}:{n}",
                state=rng.choice([State.SENT, State.SKIPPED, State.UNKNOWN]),
                claimed_at=NOON - timedelta(days=rng.uniform(0, 10)),
            )
        queued.append(
            Delivery.objects.create(
                channel="email",
                recipient_key=key,
                address=address.upper() if i % 5 == 0 else address,
                purpose=purpose,
                topic="news",
                idempotency_key=f"now:{i}",
                due_at=NOON,
            )
        )
    one_by_one = [policy.decide(delivery, now=now) for delivery in queued]
    together = policy.decide_deliveries(queued, now=now)
    assert [together[d.pk] for d in queued] == one_by_one
    assert len({decision.reason if decision else None for decision in one_by_one}) >= 3


def test_two_advertising_messages_to_one_person_in_a_group_count_towards_the_cap(sink, settings):
    settings.KIZUNA_OUTREACH_ADVERTISING_PER_WEEK = 1
    settings.KIZUNA_OUTREACH_EMAIL_PER_SECOND = 1000
    Consent.objects.create(
        recipient_key="user:1", channel="email", topic="news", granted=True, method="form"
    )
    for n in range(2):
        Delivery.objects.create(
            channel="email",
            recipient_key="user:1",
            address="p1@example.jp",
            purpose="advertising",
            topic="news",
            subject="news",
            text="x",
            idempotency_key=f"ad:{n}",
            due_at=NOON,
        )
    worker.deliveries_send_due(now=NOON)
    assert sorted(Delivery.objects.values_list("state", "reason")) == [
        (State.SENT, ""),
        (State.SKIPPED, policy.CAPPED),
    ]
    assert len(sink.messages) == 1
