import pytest
from django.db import transaction

from kizuna.core import consumers
from kizuna.core.events import emit
from kizuna.core.models import EventCursor

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


def test_a_failing_handler_leaves_the_cursor_where_it_was(recording_consumer, monkeypatch):
    emit_things(1)
    consumers.dispatch_all()
    emit_things(2, 3)

    def fail(event):
        seen.append(event.payload["n"])
        if event.payload["n"] == 3:
            raise RuntimeError("handler crashed")

    monkeypatch.setitem(
        consumers._consumers,
        "test.recorder",
        consumers.Consumer("test.recorder", frozenset({"thing.happened"}), fail),
    )
    with pytest.raises(RuntimeError):
        consumers.dispatch("test.recorder")
    monkeypatch.setitem(
        consumers._consumers,
        "test.recorder",
        consumers.Consumer("test.recorder", frozenset({"thing.happened"}), recording_consumer),
    )
    seen.clear()
    consumers.dispatch_all()
    assert seen == [2, 3]


def test_dispatching_domain_events_is_a_periodic_job():
    from kizuna.core import periodic

    assert "kizuna.core.tasks.dispatch_domain_events" in {
        j.name for j in periodic.registered_jobs()
    }
