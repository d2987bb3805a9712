import pytest
from django.db import transaction

from kizuna.core.events import EmitOutsideTransaction, emit, events_after
from kizuna.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


def test_emit_writes_an_outbox_row_in_the_callers_transaction():
    with transaction.atomic():
        event = emit("lead.accepted", {"lead_id": 7})
    assert OutboxEvent.objects.get(pk=event.pk).payload == {"lead_id": 7}


def emit_then_fail() -> None:
    with transaction.atomic():
        emit("lead.accepted", {"lead_id": 7})
        raise RuntimeError("the change failed")


def test_a_rolled_back_transaction_leaves_no_event():
    with pytest.raises(RuntimeError):
        emit_then_fail()
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_is_refused():
    with pytest.raises(EmitOutsideTransaction):
        emit("lead.accepted", {"lead_id": 7})


def test_event_ids_grow_in_emit_order_and_consumers_read_after_a_cursor():
    with transaction.atomic():
        ids = [emit("thing.happened", {"n": n}).id for n in range(5)]
    assert ids == sorted(ids)
    assert [e.payload["n"] for e in events_after(ids[1])] == [2, 3, 4]


def test_payload_dates_are_stored_as_iso_strings():
    import datetime

    with transaction.atomic():
        event = emit("x.y", {"on": datetime.date(2026, 5, 1)})
    event.refresh_from_db()
    assert event.payload == {"on": "2026-05-01"}


def test_actor_is_recorded_for_a_signed_in_user(alice):
    with transaction.atomic():
        event = emit("x.y", {}, actor=alice)
    assert event.actor == alice
