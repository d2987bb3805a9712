"""Outbox consumers: code that reacts to domain events, each reading the outbox in order.

    @consumer("directory.index", event_types={"partner.updated", "achievement.verified"})
    def refresh_partner_row(event: OutboxEvent) -> None: ...

A consumer's cursor advances in the same transaction as its handler's database writes, so
each event's effects are applied exactly once, even if the worker dies half-way through a
batch. A handler with effects outside the database (email, HTTP) records what it will do
in the database (a delivery row) and lets a task do it, rather than doing it inline.
Modules named `consumers` in each app are imported at start-up, so their handlers register.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from kizuna.core.models import EventCursor, OutboxEvent

Handler = Callable[[OutboxEvent], None]
BATCH_SIZE = 500


@dataclass(frozen=True)
class Consumer:
    name: str
    event_types: frozenset[str]
    handle: Handler


_consumers: dict[str, Consumer] = {}


def consumer(name: str, *, event_types: set[str]) -> Callable[[Handler], Handler]:
    def register(handle: Handler) -> Handler:
        _consumers[name] = Consumer(name, frozenset(event_types), handle)
        return handle

    return register


def registered_consumers() -> list[Consumer]:
    return sorted(_consumers.values(), key=lambda c: c.name)


def dispatch(name: str, *, batch_size: int = BATCH_SIZE) -> int:
    """Hand the next batch of events to one consumer; return how many events it read."""
    registered = _consumers[name]
    with transaction.atomic():
        EventCursor.objects.get_or_create(name=name)
        cursor = EventCursor.objects.select_for_update().get(name=name)
        events = list(
            OutboxEvent.objects.filter(id__gt=cursor.last_event_id).order_by("id")[:batch_size]
        )
        for event in events:
            if event.type in registered.event_types:
                registered.handle(event)
        if events:
            cursor.last_event_id = events[-1].id
            cursor.save(update_fields=["last_event_id", "updated_at"])
    return len(events)


def dispatch_all(*, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Bring every consumer up to date; return the number of events each read."""
    read: dict[str, int] = {}
    for registered in registered_consumers():
        total = 0
        while (count := dispatch(registered.name, batch_size=batch_size)) > 0:
            total += count
            if count < batch_size:
                break
        read[registered.name] = total
    return read
