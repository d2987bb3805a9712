"""The event catalog: every domain event type, its payload schema and who may read it.

Each app declares its types in `<app>/events.py` (imported at start-up, like consumers):

    class LeadAccepted(PartnerPayload):
        lead_id: int
        contact_email: str

    declare("lead.accepted", schema=LeadAccepted, public=True, scope="leads:respond",
            personal={"contact_email"}, partner_field="organization_id")

`core.events.emit` refuses a type that is not declared here and a payload its schema does
not accept, and stores the validated model's JSON. The change feed and webhooks publish only
public types, to tokens holding the type's scope, and without the personal fields unless
the reader may see personal data.
"""

from dataclasses import dataclass
from typing import Any

import pydantic


class UndeclaredEvent(KeyError):
    def __str__(self) -> str:
        return (
            f"Event type {self.args[0]!r} is not declared: declare it in its app's events.py "
            "with kizuna.core.catalog.declare()."
        )


class EventPayload(pydantic.BaseModel):
    """Base of payload schemas: a field nobody declared is an error, not silently stored."""

    model_config = pydantic.ConfigDict(extra="forbid")


class PartnerPayload(EventPayload):
    """Every event about a partner names it the same way: its profile and its organization.

    `organization_id` is what a partner's own token or webhook endpoint is matched on.
    """

    partner_id: int
    organization_id: int


@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    schema: type[pydantic.BaseModel]
    public: bool
    scope: str | None
    personal_fields: frozenset[str]
    partner_field: str | None


_types: dict[str, EventType] = {}


def declare(
    name: str,
    *,
    schema: type[pydantic.BaseModel],
    version: int = 1,
    public: bool = False,
    scope: str | None = None,
    personal: Any = (),
    partner_field: str | None = None,
) -> EventType:
    fields = set(schema.model_fields)
    personal_fields = frozenset(personal)
    unknown = (personal_fields | ({partner_field} if partner_field else set())) - fields
    if unknown:
        raise ValueError(f"{name}: {sorted(unknown)} are not fields of {schema.__name__}")
    existing = _types.get(name)
    declared = EventType(
        name=name,
        version=version,
        schema=schema,
        public=public,
        scope=scope,
        personal_fields=personal_fields,
        partner_field=partner_field,
    )
    if existing is not None and existing != declared:
        raise ValueError(f"Event type {name!r} is declared twice, differently")
    _types[name] = declared
    return declared


def event_type(name: str) -> EventType:
    try:
        return _types[name]
    except KeyError:
        raise UndeclaredEvent(name) from None


def declared_types() -> list[EventType]:
    return sorted(_types.values(), key=lambda t: t.name)


def public_types() -> list[EventType]:
    return [t for t in declared_types() if t.public]


def public_data(event_type: EventType, data: dict, *, personal_data: bool) -> dict:
    """The payload as a reader sees it: personal fields left out unless they may see them."""
    if personal_data:
        return dict(data)
    return {key: value for key, value in data.items() if key not in event_type.personal_fields}
