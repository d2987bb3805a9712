"""STUB until h-catalog is merged: the interface the catalog engineer is building.

Replace this file with the catalog branch's version when merging (take theirs).
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    schema: Any
    public: bool
    scope: str
    personal_fields: frozenset[str] = field(default_factory=frozenset)
    partner_field: str | None = None


_TYPES = {
    t.name: t
    for t in [
        EventType("lead.accepted", 1, None, True, "leads:read", frozenset(), "partner_id"),
        EventType("lead.declined", 1, None, True, "leads:read", frozenset(), "partner_id"),
        EventType("invoice.issued", 1, None, True, "billing:read", frozenset(), "organization_id"),
        EventType("partner.updated", 1, None, True, "partners:read", frozenset(), None),
        EventType("member.created", 1, None, True, "members:read", frozenset({"email"}), None),
        EventType("member.erased", 1, None, False, "members:read", frozenset(), None),
    ]
}


def event_type(name: str) -> EventType:
    return _TYPES[name]


def declared_types() -> list[EventType]:
    return list(_TYPES.values())


def public_types() -> list[EventType]:
    return [t for t in _TYPES.values() if t.public]


def public_data(event_type: EventType, data: dict[str, Any], *, personal_data: bool) -> dict:
    if personal_data:
        return dict(data)
    return {k: v for k, v in data.items() if k not in event_type.personal_fields}
