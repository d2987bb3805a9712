"""Test helpers for the apps whose tests need community's data (community, insights)."""

import importlib

import pytest


@pytest.fixture(autouse=True)
def default_activity_types(request: pytest.FixtureRequest) -> None:
    """Tests with a live server flush tables, data migrations included: put the types back."""
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from kizuna.community.models import ActivityType

    defaults = importlib.import_module("kizuna.community.migrations.0002_default_activity_types")
    japanese = importlib.import_module(
        "kizuna.community.migrations.0012_activity_type_names_in_both_languages"
    ).JAPANESE
    ActivityType.objects.bulk_create(
        [
            ActivityType(key=k, name_en=n, name_ja=japanese[k], weight=w, is_output=o)
            for k, n, w, o in defaults.DEFAULT_TYPES
        ],
        ignore_conflicts=True,
    )
