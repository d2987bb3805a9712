"""Domain events: an outbox table written in the caller's transaction.

    with transaction.atomic():
        lead.save()
        emit("lead.accepted", {"lead_id": lead.id}, actor=user)

A rolled-back transaction leaves no event. Consumers read events in id order.
The type must be declared in the catalog (`kizuna.core.catalog`, each app's `events.py`)
and the payload must match its schema; what is stored is the validated model's JSON.
"""

from typing import Any

import pydantic
from django.db import connection, transaction

from kizuna.core import catalog
from kizuna.core.models import OutboxEvent
from kizuna.core.serialization import json_ready


class EmitOutsideTransaction(RuntimeError):
    pass


class InvalidEventPayload(ValueError):
    """The payload does not match the schema declared for its event type."""


def emit(event_type: str, payload: dict[str, Any], *, actor: Any = None) -> OutboxEvent:
    declared = catalog.event_type(event_type)  # raises catalog.UndeclaredEvent
    try:
        data = declared.schema.model_validate(json_ready(payload)).model_dump(mode="json")
    except pydantic.ValidationError as error:
        raise InvalidEventPayload(
            f"Payload of {event_type!r} does not match {declared.schema.__name__}: {error}"
        ) from error
    if not transaction.get_connection().in_atomic_block:
        raise EmitOutsideTransaction(
            f"emit({event_type!r}) must run inside transaction.atomic() "
            "with the change it describes"
        )
    _serialize_outbox_writers()
    return OutboxEvent.objects.create(
        type=event_type,
        version=declared.version,
        payload=data,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def _serialize_outbox_writers() -> None:
    """Make commit order equal id order, so a consumer reading `id > cursor` misses nothing.

    On PostgreSQL two transactions can take ids 5 and 6 and commit 6 first; a reader that
    saw 6 would skip 5 forever. A transaction-scoped advisory lock, held from the first
    emit to commit, orders them. SQLite already serializes writers (IMMEDIATE mode).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [OUTBOX_LOCK_ID])


OUTBOX_LOCK_ID = 0x4B495A55  # "KIZU"


def events_after(cursor: int, *, limit: int = 500) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(id__gt=cursor).order_by("id")[:limit])
