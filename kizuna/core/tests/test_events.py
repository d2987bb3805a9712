import datetime

import pytest
from django.db import transaction

from kizuna.core.catalog import UndeclaredEvent
from kizuna.core.events import EmitOutsideTransaction, InvalidEventPayload, emit, events_after
from kizuna.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


def test_emit_writes_an_outbox_row_in_the_callers_transaction():
    with transaction.atomic():
        event = emit("thing.happened", {"n": 7})
    stored = OutboxEvent.objects.get(pk=event.pk)
    assert (stored.type, stored.version, stored.payload) == ("thing.happened", 1, {"n": 7})


def emit_then_fail() -> None:
    with transaction.atomic():
        emit("thing.happened", {"n": 7})
        raise RuntimeError("the change failed")


def test_a_rolled_back_transaction_leaves_no_event():
    with pytest.raises(RuntimeError):
        emit_then_fail()
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_is_refused():
    with pytest.raises(EmitOutsideTransaction):
        emit("thing.happened", {"n": 7})


def test_event_ids_grow_in_emit_order_and_consumers_read_after_a_cursor():
    with transaction.atomic():
        ids = [emit("thing.happened", {"n": n}).id for n in range(5)]
    assert ids == sorted(ids)
    assert [e.payload["n"] for e in events_after(ids[1])] == [2, 3, 4]


def test_payload_dates_are_stored_as_iso_strings():
    with transaction.atomic():
        event = emit("thing.dated", {"on": datetime.date(2026, 5, 1)})
    event.refresh_from_db()
    assert event.payload == {"on": "2026-05-01"}


def test_actor_is_recorded_for_a_signed_in_user(alice):
    with transaction.atomic():
        event = emit("thing.happened", {"n": 1}, actor=alice)
    assert event.actor == alice


def test_an_undeclared_event_type_is_refused_and_nothing_is_stored():
    expected = pytest.raises(UndeclaredEvent, match=r"declare it in its app's events\.py")
    with expected, transaction.atomic():
        emit("thing.unheard_of", {"n": 1})
    assert not OutboxEvent.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{}, {"n": "seven"}, {"n": 1, "extra": True}],
    ids=["missing field", "wrong type", "undeclared field"],
)
def test_a_payload_that_does_not_match_its_schema_is_refused(payload):
    with pytest.raises(InvalidEventPayload, match=r"thing\.happened"), transaction.atomic():
        emit("thing.happened", payload)
    assert not OutboxEvent.objects.exists()


def test_the_stored_payload_is_the_validated_models_json():
    with transaction.atomic():
        event = emit("thing.happened", {"n": "7"})
    event.refresh_from_db()
    assert event.payload == {"n": 7}
