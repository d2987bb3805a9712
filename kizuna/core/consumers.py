"""Outbox consumers: code that reacts to domain events, each reading the outbox in order.

    @consumer("directory.index", event_types={"partner.updated", "achievement.verified"})
    def refresh_partner_row(event: OutboxEvent) -> None: ...

A consumer's cursor advances in the same transaction as its handler's database writes, so
each event's effects are applied exactly once, even if the worker dies half-way through a
batch. A handler with effects outside the database (email, HTTP) records what it will do
in the database (a delivery row) and lets a task do it, rather than doing it inline.
Modules named `consumers` in each app are imported at start-up, so their handlers register.

A handler that raises stops only its own consumer, on that event: its effects are rolled
back to a savepoint, the cursor stays just before the event and records the error, and
the event is retried with exponential backoff (`KIZUNA_CONSUMER_RETRY_BASE_S` doubling up
to `KIZUNA_CONSUMER_RETRY_MAX_S`). Later events wait behind it so each consumer sees its
events in order; every other consumer goes on. Staff see the failure on /healthz and the
consumers page, where they can retry at once or skip the event.
"""

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.core import audit
from kizuna.core.models import EventCursor, OutboxEvent
from kizuna.core.transitions import TransitionRefused

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxEvent], None]
BATCH_SIZE = 500
# Enough of a traceback to find the bug; the full one goes to the log.
ERROR_TEXT_LIMIT = 4000


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


def retry_delay(attempts: int) -> timedelta:
    """How long a consumer waits after its `attempts`-th failure on the same event."""
    base = settings.KIZUNA_CONSUMER_RETRY_BASE_S
    return timedelta(
        seconds=min(base * 2 ** max(attempts - 1, 0), settings.KIZUNA_CONSUMER_RETRY_MAX_S)
    )


def _cursor_for_update(name: str) -> EventCursor:
    EventCursor.objects.get_or_create(name=name)
    return EventCursor.objects.select_for_update().get(name=name)


def dispatch(name: str, *, batch_size: int = BATCH_SIZE, now: datetime | None = None) -> int:
    """Hand the next batch of events to one consumer; return how many events it got through.

    Returns 0 while the consumer waits to retry a failed event.
    """
    registered = _consumers[name]
    now = now or timezone.now()
    with transaction.atomic():
        cursor = _cursor_for_update(name)
        if cursor.next_retry_at is not None and cursor.next_retry_at > now:
            return 0
        events = list(
            OutboxEvent.objects.filter(id__gt=cursor.last_event_id).order_by("id")[:batch_size]
        )
        done = 0
        for event in events:
            if event.type in registered.event_types:
                try:
                    with transaction.atomic():
                        registered.handle(event)
                except Exception as error:
                    logger.exception("consumer %s failed on event %s", name, event.id)
                    _record_failure(cursor, event, error, now=now)
                    return done
            cursor.last_event_id = event.id
            done += 1
        if events:
            _clear_failure(cursor)
            cursor.save()
    return done


def _record_failure(
    cursor: EventCursor, event: OutboxEvent, error: Exception, *, now: datetime
) -> None:
    if cursor.failing_event_id != event.id:
        cursor.attempts = 0
    cursor.failing_event_id = event.id
    cursor.attempts += 1
    text = "".join(traceback.format_exception_only(error)).strip()
    cursor.last_error = text[:ERROR_TEXT_LIMIT]
    cursor.next_retry_at = now + retry_delay(cursor.attempts)
    cursor.save()


def _clear_failure(cursor: EventCursor) -> None:
    cursor.failing_event_id = None
    cursor.last_error = ""
    cursor.attempts = 0
    cursor.next_retry_at = None


def dispatch_all(*, batch_size: int = BATCH_SIZE, now: datetime | None = None) -> dict[str, int]:
    """Bring every consumer up to date; return the number of events each got through."""
    read: dict[str, int] = {}
    for registered in registered_consumers():
        total = 0
        while (count := dispatch(registered.name, batch_size=batch_size, now=now)) > 0:
            total += count
            if count < batch_size:
                break
        read[registered.name] = total
    return read


@dataclass(frozen=True)
class ConsumerState:
    name: str
    event_types: frozenset[str]
    last_event_id: int
    lag: int  # events of its types not handled yet
    failing_event: OutboxEvent | None
    last_error: str
    attempts: int
    next_retry_at: datetime | None

    @property
    def failing(self) -> bool:
        return self.failing_event is not None


def consumer_states() -> list[ConsumerState]:
    """Every registered consumer with its position, lag and failure, for /healthz and staff."""
    cursors = {c.name: c for c in EventCursor.objects.all()}
    failing_ids = [c.failing_event_id for c in cursors.values() if c.failing_event_id]
    failing_events = OutboxEvent.objects.in_bulk(failing_ids)
    states = []
    for registered in registered_consumers():
        cursor = cursors.get(registered.name) or EventCursor(name=registered.name)
        states.append(
            ConsumerState(
                name=registered.name,
                event_types=registered.event_types,
                last_event_id=cursor.last_event_id,
                lag=OutboxEvent.objects.filter(
                    id__gt=cursor.last_event_id, type__in=registered.event_types
                ).count(),
                failing_event=failing_events.get(cursor.failing_event_id or 0),
                last_error=cursor.last_error,
                attempts=cursor.attempts,
                next_retry_at=cursor.next_retry_at,
            )
        )
    return states


def failing_consumer_names() -> list[str]:
    names = set(_consumers)
    return sorted(
        name
        for name in EventCursor.objects.filter(failing_event_id__isnull=False).values_list(
            "name", flat=True
        )
        if name in names
    )


def _refused() -> TransitionRefused:
    return TransitionRefused(
        _("This consumer is no longer failing on that event; reload the page."),
        code="consumer_not_failing",
    )


def _failing_cursor(name: str, event_id: int) -> EventCursor:
    cursor = EventCursor.objects.select_for_update().filter(name=name).first()
    if cursor is None or cursor.failing_event_id != event_id:
        raise _refused()
    return cursor


def consumer_retry(*, actor: Any, name: str, event_id: int) -> None:
    """Make a failing consumer due now; the caller (or the next worker round) dispatches it."""
    with transaction.atomic():
        cursor = _failing_cursor(name, event_id)
        before = audit.snapshot(cursor, ["next_retry_at", "attempts"])
        cursor.next_retry_at = None
        cursor.save(update_fields=["next_retry_at", "updated_at"])
        audit.record(
            actor=actor,
            action="consumer.retried",
            obj=cursor,
            before=before,
            after={"event_id": event_id},
        )


def consumer_skip(*, actor: Any, name: str, event_id: int) -> None:
    """Move a failing consumer past the one event it fails on, without handling it."""
    with transaction.atomic():
        cursor = _failing_cursor(name, event_id)
        before = audit.snapshot(cursor, ["last_event_id", "failing_event_id", "last_error"])
        cursor.last_event_id = event_id
        _clear_failure(cursor)
        cursor.save()
        audit.record(
            actor=actor,
            action="consumer.event_skipped",
            obj=cursor,
            before=before,
            after={"last_event_id": event_id},
        )
