"""What every outbound destination declares, and what a sync hands it.

A destination is a plugin object: its settings and credentials schemas (pydantic, checked
when staff save them), a `check` (one cheap authenticated call), the object kinds it writes
with a default field mapping, and `write`, which upserts a batch of one kind on the
destination's external-id property and says, per record, accepted or rejected (and why).

Rate limits never make a worker sleep: a plugin raises `Deferred` with the time the
destination allows the next call, the run stops without moving its cursor, and the
periodic job leaves the destination alone until then.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel

PROPERTY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")


class Deferred(Exception):
    """The destination asks us to wait (429 + Retry-After, or its daily API limit is used)."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(reason)
        self.until, self.reason = until, reason


class DestinationError(Exception):
    """The destination failed the whole batch (unreachable, 5xx, bad credentials)."""


@dataclass(frozen=True)
class Record:
    """One Kizuna object as the destination gets it: its id and its mapped properties."""

    kind: str
    object_id: int
    external_id: str  # the value of the destination's external-id property
    properties: dict[str, Any]
    # Destination ids of related objects written before (e.g. the partner's company id).
    related: dict[str, str] = field(default_factory=dict)


@dataclass
class WriteResult:
    accepted: dict[int, str] = field(default_factory=dict)  # object id -> destination's id
    rejected: dict[int, str] = field(default_factory=dict)  # object id -> reason


@dataclass
class WriteContext:
    """What `write` and `check` may use: settings, decrypted credentials, a call counter."""

    settings: dict[str, Any]
    credentials: dict[str, Any]
    count_call: Callable[[], None]
    # Called with new credentials when an OAuth access token was refreshed.
    save_credentials: Callable[[dict[str, Any]], None]


class Destination:
    kind: ClassVar[str]
    label: ClassVar[str]
    settings_schema: ClassVar[type[BaseModel]]
    credentials_schema: ClassVar[type[BaseModel]]
    # object kind -> {Kizuna field: destination property}; the order is the write order.
    default_mapping: ClassVar[dict[str, dict[str, str]]]

    # A nightly file export (BI) instead of upserts that follow the feed.
    daily_export: ClassVar[bool] = False
    # Objects per batch of a full resync: a destination with a bulk API takes more at once.
    resync_batch: ClassVar[int] = 100

    @property
    def objects(self) -> list[str]:
        return list(self.default_mapping)

    def export_due(self, settings: dict[str, Any], last: datetime | None, now: datetime) -> bool:
        raise NotImplementedError

    def export(self, ctx: WriteContext, now: datetime) -> dict[str, Any]:
        """Write everything; return the manifest."""
        raise NotImplementedError

    def check(self, ctx: WriteContext) -> str:
        """One cheap authenticated call; returns what it found (shown to staff)."""
        raise NotImplementedError

    def write(self, ctx: WriteContext, kind: str, records: list[Record]) -> WriteResult:
        raise NotImplementedError

    def write_resync(self, ctx: WriteContext, kind: str, records: list[Record]) -> WriteResult:
        """A batch of a full resync (`resync_batch` records); the feed's upserts by default."""
        return self.write(ctx, kind, records)

    def related_kinds(self, kind: str) -> list[str]:
        """Kinds whose destination ids a record of `kind` needs (written first)."""
        return []


def effective_mapping(
    destination: Destination, overrides: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    """Defaults with staff's overrides; an override of "" stops sending that field."""
    mapping = {}
    for kind, defaults in destination.default_mapping.items():
        merged = {**defaults, **overrides.get(kind, {})}
        mapping[kind] = {name: prop for name, prop in merged.items() if prop}
    return mapping


def mapping_errors(
    destination: Destination, overrides: Any, fields: dict[str, list[str]]
) -> list[str]:
    """What is wrong with staff's overrides, given each kind's Kizuna fields."""
    if not isinstance(overrides, dict):
        return ['Enter a JSON object: {"kind": {"kizuna_field": "property"}}.']
    errors = []
    for kind, pairs in overrides.items():
        if kind not in destination.default_mapping:
            errors.append(f"{destination.label} does not write '{kind}'.")
            continue
        if not isinstance(pairs, dict):
            errors.append(f"'{kind}': enter an object of field: property.")
            continue
        for name, prop in pairs.items():
            if name not in fields.get(kind, []):
                errors.append(f"'{kind}' has no field '{name}'.")
            elif not isinstance(prop, str) or (prop and not PROPERTY_NAME.match(prop)):
                errors.append(f"'{kind}.{name}': '{prop}' is not a property name.")
    return errors
