from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from kizuna.core import consumers
from kizuna.core.events import emit
from kizuna.core.models import AuditEntry, EventCursor, OutboxEvent
from kizuna.core.transitions import TransitionRefused

pytestmark = pytest.mark.django_db

seen: list[int] = []


@pytest.fixture
def recording_consumer(monkeypatch):
    monkeypatch.setattr(consumers, "_consumers", {})
    seen.clear()

    @consumers.consumer("test.recorder", event_types={"thing.happened"})
    def record(event):
        seen.append(event.payload["n"])

    return record


def emit_things(*numbers, event_type="thing.happened"):
    with transaction.atomic():
        for n in numbers:
            emit(event_type, {"n": n})


def test_a_consumer_sees_each_event_of_its_types_once_in_order(recording_consumer):
    emit_things(1, 2)
    emit_things(3, event_type="other.thing")
    emit_things(4)
    consumers.dispatch_all()
    consumers.dispatch_all()
    assert seen == [1, 2, 4]
    assert EventCursor.objects.get(name="test.recorder").last_event_id > 0


def test_a_consumer_reads_in_batches_until_it_is_up_to_date(recording_consumer):
    emit_things(*range(7))
    assert consumers.dispatch_all(batch_size=3) == {"test.recorder": 7}
    assert seen == list(range(7))


def register(name, handle, event_types=frozenset({"thing.happened"})):
    consumers._consumers[name] = consumers.Consumer(name, frozenset(event_types), handle)


def poisoned(name, log, *, poison=3):
    def handle(event):
        if event.payload["n"] == poison:
            AuditEntry.objects.create(action="half.written")  # rolled back with the failure
            raise RuntimeError(f"cannot handle {poison}")
        log.append(event.payload["n"])

    register(name, handle)


def test_a_poisoned_event_stops_only_the_consumer_that_fails_on_it(recording_consumer):
    failing: list[int] = []
    poisoned("test.poisoned", failing)
    emit_things(1, 2, 3, 4, 5)

    read = consumers.dispatch_all()

    assert seen == [1, 2, 3, 4, 5]
    assert read == {"test.poisoned": 2, "test.recorder": 5}
    assert failing == [1, 2]
    cursor = EventCursor.objects.get(name="test.poisoned")
    poison = OutboxEvent.objects.get(payload__n=3)
    assert cursor.failing_event_id == poison.id
    assert cursor.last_event_id == poison.id - 1
    assert cursor.attempts == 1
    assert "RuntimeError: cannot handle 3" in cursor.last_error
    assert cursor.next_retry_at is not None
    assert not AuditEntry.objects.filter(action="half.written").exists()


def test_other_consumers_keep_advancing_while_one_fails(recording_consumer):
    poisoned("test.poisoned", [])
    emit_things(3)
    consumers.dispatch_all()
    emit_things(6, 7)
    consumers.dispatch_all(now=timezone.now() + timedelta(days=1))
    assert seen == [3, 6, 7]
    assert EventCursor.objects.get(name="test.poisoned").attempts == 2


def test_a_failing_event_is_retried_with_exponential_backoff(recording_consumer, settings):
    settings.KIZUNA_CONSUMER_RETRY_BASE_S = 30
    settings.KIZUNA_CONSUMER_RETRY_MAX_S = 100
    tries: list[int] = []

    def fail(event):
        tries.append(event.payload["n"])
        raise RuntimeError("still broken")

    register("test.poisoned", fail)
    emit_things(1)
    start = timezone.now()

    def retry_at(after_seconds):
        consumers.dispatch("test.poisoned", now=start + timedelta(seconds=after_seconds))
        return EventCursor.objects.get(name="test.poisoned")

    assert retry_at(0).next_retry_at == start + timedelta(seconds=30)
    assert retry_at(29).attempts == 1  # not due yet: the handler is not called
    assert retry_at(30).next_retry_at == start + timedelta(seconds=30 + 60)
    assert retry_at(89).attempts == 2
    assert retry_at(90).next_retry_at == start + timedelta(seconds=90 + 100)  # capped
    assert tries == [1, 1, 1]


def test_later_events_wait_behind_the_failing_one_and_follow_it_in_order(recording_consumer):
    handled: list[int] = []
    poisoned("test.poisoned", handled)
    emit_things(2, 3, 4)
    consumers.dispatch_all()
    assert handled == [2]

    register("test.poisoned", lambda event: handled.append(event.payload["n"]))
    consumers.dispatch_all(now=timezone.now() + timedelta(hours=2))

    assert handled == [2, 3, 4]
    cursor = EventCursor.objects.get(name="test.poisoned")
    assert (cursor.failing_event_id, cursor.last_error, cursor.attempts) == (None, "", 0)
    assert cursor.next_retry_at is None


def test_retry_makes_a_failing_consumer_due_at_once_and_is_audited(recording_consumer, alice):
    poisoned("test.poisoned", [])
    emit_things(3)
    consumers.dispatch_all()
    cursor = EventCursor.objects.get(name="test.poisoned")
    assert cursor.failing_event_id is not None

    consumers.consumer_retry(actor=alice, name="test.poisoned", event_id=cursor.failing_event_id)

    cursor.refresh_from_db()
    assert cursor.next_retry_at is None
    assert AuditEntry.objects.filter(action="consumer.retried", actor=alice).exists()
    consumers.dispatch("test.poisoned")
    cursor.refresh_from_db()
    assert cursor.attempts == 2


def test_skip_moves_the_cursor_past_only_the_failing_event(recording_consumer, alice):
    handled: list[int] = []
    poisoned("test.poisoned", handled)
    emit_things(3, 4)
    consumers.dispatch_all()
    poison = EventCursor.objects.get(name="test.poisoned").failing_event_id
    assert poison is not None

    consumers.consumer_skip(actor=alice, name="test.poisoned", event_id=poison)

    cursor = EventCursor.objects.get(name="test.poisoned")
    assert cursor.last_event_id == poison
    assert cursor.failing_event_id is None
    assert AuditEntry.objects.get(action="consumer.event_skipped").after == {
        "last_event_id": poison
    }
    consumers.dispatch_all()
    assert handled == [4]


def test_skipping_an_event_the_consumer_no_longer_fails_on_is_refused(recording_consumer, alice):
    emit_things(1)
    consumers.dispatch_all()
    last = EventCursor.objects.get(name="test.recorder").last_event_id
    with pytest.raises(TransitionRefused):
        consumers.consumer_skip(actor=alice, name="test.recorder", event_id=last)
    with pytest.raises(TransitionRefused):
        consumers.consumer_retry(actor=alice, name="test.recorder", event_id=last)
    assert EventCursor.objects.get(name="test.recorder").last_event_id == last


def test_consumer_states_show_position_lag_and_failure(recording_consumer):
    poisoned("test.poisoned", [])
    emit_things(1, 3, 5)
    emit_things(9, event_type="other.thing")
    consumers.dispatch_all()
    states = {s.name: s for s in consumers.consumer_states()}
    assert states["test.recorder"].lag == 0
    assert not states["test.recorder"].failing
    assert states["test.poisoned"].lag == 2
    failing_event = states["test.poisoned"].failing_event
    assert failing_event is not None
    assert failing_event.payload == {"n": 3}
    assert consumers.failing_consumer_names() == ["test.poisoned"]


def test_dispatching_domain_events_is_a_periodic_job():
    from kizuna.core import periodic

    assert "kizuna.core.tasks.dispatch_domain_events" in {
        j.name for j in periodic.registered_jobs()
    }
