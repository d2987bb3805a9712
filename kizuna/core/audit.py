"""Audit log of staff and owner actions.

Services call `record()` inside their transaction, with a snapshot of the fields they
changed before and after, so the log and the change commit or roll back together.
"""

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from kizuna.core.models import AuditEntry
from kizuna.core.request_context import current_ip
from kizuna.core.serialization import json_ready


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named concrete fields of obj as stored JSON (foreign keys as their ids)."""
    return {name: _stored_value(getattr(obj, _attname(obj, name))) for name in fields}


def _stored_value(value: Any) -> Any:
    # A file is recorded by its stored name: the bytes are not the log's to keep.
    if isinstance(value, FieldFile):
        return value.name or ""
    return json_ready(value)


def _attname(obj: models.Model, name: str) -> str:
    field = obj._meta.get_field(name)
    return str(getattr(field, "attname", name))


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose value differs, so an entry shows what actually changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,
        actor_label=str(actor.email) if authenticated else "system",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
        ip_address=current_ip(),
    )
