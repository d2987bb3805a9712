"""The change feed: public domain events read with a cursor, and the outbox's retention.

A reader asks for the events after its cursor and keeps the `next_cursor` it gets back.
Outbox ids are in commit order (core.events), so a reader never misses or repeats an event:
the page ends at the newest id committed when it was read, never at an id that a slower
transaction could still fill in below.

The outbox keeps `KIZUNA_EVENT_RETENTION_DAYS` of events. The prune removes a prefix of ids
(never one an internal consumer has not handled yet) and remembers the last id it removed;
a cursor below that may have missed events, and the reader must resync.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from kizuna.core import catalog, consumers
from kizuna.core.models import EventCursor, OutboxEvent

# Not a consumer: the row that says up to which id the outbox was pruned.
PRUNED_CURSOR = "core.outbox_pruned"
PRUNE_BATCH = 5000
MAX_LIMIT = 500


class CursorExpired(Exception):
    """The cursor points before the oldest kept event: the reader may have missed some."""

    def __init__(self, next_cursor: int) -> None:
        super().__init__(next_cursor)
        self.next_cursor = next_cursor


@dataclass(frozen=True)
class FeedPage:
    events: list[dict[str, Any]]
    next_cursor: int


def pruned_through() -> int:
    row = EventCursor.objects.filter(name=PRUNED_CURSOR).first()
    return row.last_event_id if row else 0


def feed_page(
    *,
    after: int,
    types: Iterable[catalog.EventType],
    limit: int,
    organization_ids: Iterable[int] | None,
    personal_data: bool,
) -> FeedPage:
    """Events of `types` after the cursor, oldest first.

    `organization_ids` None reads every event (staff); otherwise only events of types with a
    partner field naming one of those organizations.
    """
    gone = pruned_through()
    if 0 < after < gone:
        raise CursorExpired(gone)
    by_name = {t.name: t for t in types}
    # Read the head first: every id up to it is committed, so nothing can appear below it.
    head = OutboxEvent.objects.aggregate(head=Max("id"))["head"] or 0
    rows = list(
        OutboxEvent.objects.filter(_visible(by_name.values(), organization_ids))
        .filter(id__gt=after, id__lte=head, version__gte=1)
        .order_by("id")
        .values("id", "type", "version", "occurred_at", "payload")[:limit]
    )
    events = [
        {
            "id": row["id"],
            "type": row["type"],
            "version": row["version"],
            "occurred_at": row["occurred_at"],
            "data": catalog.public_data(
                by_name[row["type"]], row["payload"], personal_data=personal_data
            ),
        }
        for row in rows
    ]
    next_cursor = rows[-1]["id"] if len(rows) == limit else max(head, after)
    return FeedPage(events=events, next_cursor=next_cursor)


def _visible(types: Iterable[catalog.EventType], organization_ids: Iterable[int] | None) -> Q:
    if organization_ids is None:
        return Q(type__in=[declared.name for declared in types])
    by_field: dict[str, list[str]] = {}
    for declared in types:
        if declared.partner_field:
            by_field.setdefault(declared.partner_field, []).append(declared.name)
    visible = Q(pk__in=[])
    for field, names in by_field.items():
        concerns = {f"payload__{field}__in": list(organization_ids)}
        visible |= Q(type__in=names, **concerns)
    return visible


def outbox_prune(*, now: datetime | None = None) -> int:
    """Delete events past the retention that every consumer has handled; return how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.KIZUNA_EVENT_RETENTION_DAYS)
    handled = _handled_by_every_consumer()
    through = (
        OutboxEvent.objects.filter(occurred_at__lt=cutoff, id__lte=handled).aggregate(
            through=Max("id")
        )["through"]
        or 0
    )
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(
                OutboxEvent.objects.filter(id__lte=through)
                .order_by("id")
                .values_list("id", flat=True)[:PRUNE_BATCH]
            )
            if not batch:
                break
            deleted += OutboxEvent.objects.filter(id__lte=batch[-1]).delete()[0]
            _remember_pruned(batch[-1])
    return deleted


def _handled_by_every_consumer() -> int:
    names = [registered.name for registered in consumers.registered_consumers()]
    cursors = dict(EventCursor.objects.filter(name__in=names).values_list("name", "last_event_id"))
    return min((cursors.get(name, 0) for name in names), default=2**62)


def _remember_pruned(through: int) -> None:
    row, _ = EventCursor.objects.select_for_update().get_or_create(name=PRUNED_CURSOR)
    if through > row.last_event_id:
        row.last_event_id = through
        row.save(update_fields=["last_event_id", "updated_at"])
