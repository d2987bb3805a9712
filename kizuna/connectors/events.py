"""Event types of the connectors (see kizuna.core.catalog)."""

from kizuna.core.catalog import EventPayload, declare


class SourceSynced(EventPayload):
    source_id: int
    created: int
    error: str


declare("source.synced", schema=SourceSynced)
