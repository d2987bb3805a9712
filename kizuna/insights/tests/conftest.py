import importlib

import pytest


@pytest.fixture(autouse=True)
def _default_activity_types(request):
    """Tests with a live server flush tables, data migrations included: put the types back."""
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("kizuna.community.migrations.0002_default_activity_types")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.add_types(apps, editor)
