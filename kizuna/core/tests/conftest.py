"""Event types the core tests emit, declared only while a core test runs."""

import datetime

import pytest

from kizuna.core import catalog


class Numbered(catalog.EventPayload):
    n: int


class Dated(catalog.EventPayload):
    on: datetime.date


TEST_TYPES: dict[str, type[catalog.EventPayload]] = {
    "thing.happened": Numbered,
    "other.thing": Numbered,
    "thing.dated": Dated,
}


@pytest.fixture(autouse=True)
def test_event_types(monkeypatch):
    monkeypatch.setattr(catalog, "_types", dict(catalog._types))
    for name, schema in TEST_TYPES.items():
        catalog.declare(name, schema=schema)
